package tests

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/dataplane"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stackfile"
	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/loadtest"
)

var lgSeries = regexp.MustCompile(catalog.LangGraphMetricPrefix + `[a-z0-9_]+`)

// seriesRead is every lg_api_* name anything in the rendering reads (rules, recording rules, the
// dashboard, the adapter's query, ...), with the objects that read it, plus the load test's scrape.
func seriesRead(t *testing.T, res *harness.Result) map[string][]string {
	t.Helper()
	read := map[string][]string{}
	for _, r := range res.Resources {
		if !strings.HasPrefix(r.Type, "kubernetes:") {
			continue
		}
		body, err := json.Marshal(r.Inputs)
		require.NoError(t, err)
		for _, name := range lgSeries.FindAllString(string(body), -1) {
			if !slices.Contains(read[name], r.Name) {
				read[name] = append(read[name], r.Name)
			}
		}
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		name := catalog.LangGraphMetricPrefix + loadtest.QueueWaitMetric + suffix
		read[name] = append(read[name], "cmd/loadtest -metrics-url")
	}
	return read
}

// scrapedPods are the env of every LangGraph tier Prometheus scrapes, from the rendered Deployments.
func scrapedPods(t *testing.T, res *harness.Result) map[string]catalog.LangGraphPodEnv {
	t.Helper()
	pods := map[string]catalog.LangGraphPodEnv{}
	for _, d := range res.ByType("kubernetes:apps/v1:Deployment") {
		c := "spec.template.spec.containers[0]."
		if d.In(c+"name") != dataplane.ContainerName {
			continue
		}
		env := map[string]string{}
		for _, e := range d.In(c + "env").([]any) {
			if v, ok := e.(map[string]any)["value"].(string); ok {
				env[e.(map[string]any)["name"].(string)] = v
			}
		}
		pod := catalog.LangGraphPodEnv{Process: catalog.ProcessAPI, ExposeInternal: env[catalog.EnvExposeInternalMetrics] == "true"}
		if cmd, ok := d.In(c + "command").([]any); ok && slices.Contains(cmd, any(dataplane.QueueEntrypoint)) {
			pod.Process = catalog.ProcessQueue
		}
		var err error
		pod.JobsPerWorker, err = strconv.Atoi(env[catalog.EnvJobsPerWorker])
		require.NoError(t, err, "%s: %s", d.Name, catalog.EnvJobsPerWorker)
		if tier, ok := env[catalog.EnvMaxEmittingTier]; ok {
			pod.MaxEmittingTier, err = strconv.Atoi(tier)
			require.NoError(t, err)
		}
		pods[d.Name] = pod
	}
	require.NotEmpty(t, pods)
	return pods
}

// contractProblems lists every series read that the contract does not know or that no scraped
// pod emits under its env, each with the objects that read it and why.
func contractProblems(read map[string][]string, pods map[string]catalog.LangGraphPodEnv) []string {
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(read)) {
		m, ok := catalog.LangGraphMetricByName(catalog.LangGraphMetricPrefix, name)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s (read by %v) is not a series langgraph-api %s emits", name, read[name], catalog.LangGraphAPIVersion))
			continue
		}
		var why []string
		emitted := false
		for pod, env := range pods {
			ok, reason := m.EmittedBy(env)
			emitted = emitted || ok
			if !ok {
				why = append(why, pod+": "+reason)
			}
		}
		if !emitted {
			slices.Sort(why)
			problems = append(problems, fmt.Sprintf("%s (read by %v) is emitted by no scraped pod: %v", name, read[name], why))
		}
	}
	return problems
}

// Every lg_api_* series the rules, recording rules, dashboards, the adapter and the load test read
// is in the server contract and emitted by some pod Prometheus scrapes, under the env the program
// sets: with and without a queue tier.
func TestEverySeriesReadIsEmittedUnderThePodsEnv(t *testing.T) {
	for _, c := range []struct {
		stack string
		set   map[string]any
	}{
		{"prod", nil}, {"staging", nil},
		// A queue tier sized to pass the capacity gate: the API pods then run no jobs.
		{"prod", map[string]any{"dataplane.queue": map[string]any{"enabled": true, "minReplicas": 10, "maxReplicas": 50},
			"hpa.minReplicas": 3, "hpa.maxReplicas": 15, "dataplane.dbPoolMaxSize": 40}},
	} {
		res := stacktest.Run(t, c.stack, c.set)
		read := seriesRead(t, res)
		for _, must := range []string{"lg_api_run_success_counter_total", "lg_api_num_pending_runs", "lg_api_http_requests_latency_bucket"} {
			require.Contains(t, read, must, "the rules read it: the scan must find it")
		}
		pods := scrapedPods(t, res)
		assert.Empty(t, contractProblems(read, pods), "%s %v", c.stack, c.set)
		if c.set != nil {
			assert.Len(t, pods, 2, "the API and the queue tier")
		}
	}
}

// The check fails when the env the SLO needs is missing (the silent SLO this contract exists for).
func TestTheContractCheckCatchesASilentSLO(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	read := seriesRead(t, res)
	pods := scrapedPods(t, res)
	for name, env := range pods {
		env.ExposeInternal = false
		pods[name] = env
	}
	problems := contractProblems(read, pods)
	require.NotEmpty(t, problems)
	assert.Contains(t, fmt.Sprint(problems), "lg_api_run_success_counter_total")
	assert.Contains(t, fmt.Sprint(problems), catalog.EnvExposeInternalMetrics)
	// A renamed series is named too.
	read["lg_api_run_success_total"] = []string{"a rule"}
	assert.Contains(t, fmt.Sprint(contractProblems(read, scrapedPods(t, res))), "lg_api_run_success_total (read by [a rule]) is not a series")
	// And a tier above the ceiling.
	pods = scrapedPods(t, res)
	for name, env := range pods {
		env.MaxEmittingTier = 0
		env.ExposeInternal = true
		pods[name] = env
	}
	read = map[string][]string{"lg_api_stream_data_size_bytes_bucket": {"a panel"}}
	assert.Contains(t, fmt.Sprint(contractProblems(read, pods)), "tier 3, above METRIC_MAX_EMITTING_TIER=2")
}

// The latency SLO's target is one of the server's bucket boundaries, and the run routes pattern
// matches the run routes of the OpenAPI document and nothing else.
func TestLatencyTargetAndRunRoutesFitTheServer(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		cfg, err := stackfile.LoadTyped(harness.Options{Stack: stack, Secrets: harness.DefaultSecrets()}, config.LoadOptions{})
		require.NoError(t, err)
		assert.Contains(t, catalog.LangGraphLatencyBucketsMS, cfg.KPI.P95ResponseSeconds*1000, "%s: kpi.p95ResponseSeconds must be a bucket of the server's latency histogram", stack)
	}
	runs := regexp.MustCompile("^(?:" + catalog.LangGraphRunRoutes + ")$")
	for _, r := range catalog.LangGraphRunRouteTemplates {
		assert.True(t, runs.MatchString(r), r)
	}
	for _, r := range catalog.LangGraphNonRunRouteTemplates {
		assert.False(t, runs.MatchString(r), r)
	}
}
