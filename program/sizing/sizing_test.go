package sizing_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stackfile"
	"github.com/langgraph-platform/infra/program/sizing"
)

func load(t *testing.T, stack string, set map[string]any) *config.Config {
	t.Helper()
	cfg, err := stackfile.LoadTyped(harness.Options{Stack: stack, Secrets: harness.DefaultSecrets(), Set: set}, config.LoadOptions{})
	require.NoError(t, err)
	return cfg
}

// The capacity gate: each failing check is refused with the figure, its value and its limit.
func TestGateRefusesFailingSizing(t *testing.T) {
	cases := []struct {
		name string
		set  map[string]any
		want []string
	}{
		{"capacity: too few slots", map[string]any{"dataplane.jobsPerWorker": 10}, []string{"capacity: run slots at max replicas is 500 runs; limit 3750 runs", "capacity.acceptRisk"}},
		{"capacity: HPA cannot scale", map[string]any{"capacity.cpuAtFullLoadPercent": 60, "hpa.queueScaling": false}, []string{"capacity: CPU of a fully busy pod over the HPA target is 60 %; limit 70 %"}},
		{"capacity: database connections", map[string]any{"dataplane.dbPoolMaxSize": 200}, []string{"capacity: database connections at max replicas is 1.002e+04 connections; limit 4000 connections"}},
		// 3,795 runs on 3,800 slots: Erlang C says about 90 % of runs wait, p95 near 100 s.
		{"capacity: queue wait", map[string]any{"hpa.maxReplicas": 38, "kpi.concurrentUsers": 5060}, []string{"capacity: p95 queue wait at target load is 10", "s; limit 60 s"}},
		// The LLM gateway's response cache shares the nodes' memory with the streams.
		{"capacity: redis memory with the LLM cache", map[string]any{"gateway.cache.memoryMb": 8192}, []string{"(3750 runs x 1024 KiB + 8192 MiB LLM response cache against 75% of 13.07 GiB)"}},
		{"capacity: redis memory", map[string]any{"capacity.redisKiBPerRun": 4096}, []string{"capacity: Redis memory for streams in progress is 15.65 GiB; limit 9.803 GiB (3750 runs x 4096 KiB + 1024 MiB LLM response cache"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := load(t, "prod", tc.set)
			err := sizing.Gate(cfg, sizing.Report(cfg))
			require.Error(t, err)
			var cfgErr *config.Error
			require.ErrorAs(t, err, &cfgErr)
			assert.Equal(t, "prod", cfgErr.Stack)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	for _, stack := range []string{"prod", "staging"} {
		cfg := load(t, stack, nil)
		assert.NoError(t, sizing.Gate(cfg, sizing.Report(cfg)), stack)
	}
}

func TestAcceptRiskLetsAFailingStackThrough(t *testing.T) {
	cfg := load(t, "prod", map[string]any{
		"dataplane.jobsPerWorker": 10, "capacity.acceptRisk": "load test on 2026-12-01 will size N_JOBS_PER_WORKER",
	})
	report := sizing.Report(cfg)
	assert.NotEmpty(t, report.Failed())
	assert.NoError(t, sizing.Gate(cfg, report))
}

// With a queue tier only queue pods execute runs: slots and the HPA range are the queue tier's,
// while database and Redis connections count the API pods too.
func TestQueueTierCountsOnlyQueuePodsAsRunSlots(t *testing.T) {
	base := load(t, "prod", nil)
	queue := load(t, "prod", map[string]any{"dataplane.queue.enabled": true, "dataplane.queue.minReplicas": 10, "dataplane.queue.maxReplicas": 40})
	in := sizing.Inputs(queue)
	assert.Equal(t, 10, in.MinReplicas)
	assert.Equal(t, 40, in.MaxReplicas)
	assert.Equal(t, base.HPA.MaxReplicas, in.NonWorkerPodsAtMax)
	r := sizing.Report(queue)
	assert.Equal(t, 40*queue.Dataplane.JobsPerWorker, r.SlotsAtMax)
	assert.Equal(t, (40+base.HPA.MaxReplicas)*queue.Dataplane.DBPoolMaxSize+queue.Capacity.ExporterConnections+queue.Capacity.AdminReserveConnections, r.DBConnections)
	assert.Equal(t, base.HPA.MaxReplicas*base.Dataplane.JobsPerWorker, sizing.Report(base).SlotsAtMax)
}
