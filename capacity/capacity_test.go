package capacity_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/capacity"
)

// Hand-computed Erlang C values.
func TestErlangC(t *testing.T) {
	// c = 1: C = a (the M/M/1 probability of waiting is the utilization).
	assert.InDelta(t, 0.5, capacity.ErlangC(1, 0.5), 1e-12)
	// c = 2, a = 1: B(2,1) = (1/2) / (1 + 1 + 1/2) = 0.2; C = 2 B / (2 - 1 (1 - B)) = 0.4 / 1.2 = 1/3.
	assert.InDelta(t, 1.0/3, capacity.ErlangC(2, 1), 1e-12)
	// c = 3, a = 2: sum_{k<3} 2^k/k! = 5; 2^3/3! x 3/(3-2) = 4; C = 4 / 9.
	assert.InDelta(t, 4.0/9, capacity.ErlangC(3, 2), 1e-12)
	assert.Equal(t, 1.0, capacity.ErlangC(10, 10), "unstable: every run waits")
	assert.Equal(t, 0.0, capacity.ErlangC(10, 0))
	// Thousands of servers stay finite and sensible.
	c := capacity.ErlangC(5000, 4950)
	assert.True(t, c > 0 && c < 1, "%v", c)
}

func TestWaitFormulas(t *testing.T) {
	// M/M/1, lambda 0.5/s, S 1 s: C = 0.5, mean wait = C / (mu - lambda) = 1 s, p95 = ln(0.5/0.05)/0.5.
	prob, mean, p95 := capacity.Wait(1, 0.5, 1)
	assert.InDelta(t, 0.5, prob, 1e-12)
	assert.InDelta(t, 1.0, mean, 1e-12)
	assert.InDelta(t, math.Log(10)/0.5, p95, 1e-12)
	_, mean, p95 = capacity.Wait(10, 20, 1)
	assert.True(t, math.IsInf(mean, 1) && math.IsInf(p95, 1), "overloaded queues never drain")
}

// More replicas never lengthen the wait.
func TestWaitIsMonotonicInServers(t *testing.T) {
	lambda, s := 20.0, 180.0
	prev := math.Inf(1)
	for c := 3601; c <= 5000; c += 50 {
		_, mean, p95 := capacity.Wait(c, lambda, s)
		assert.LessOrEqual(t, mean, prev, "c=%d", c)
		assert.GreaterOrEqual(t, mean, 0.0)
		assert.GreaterOrEqual(t, p95, 0.0)
		prev = mean
	}
}

func TestRecommendFollowsTheKubernetesAlgorithm(t *testing.T) {
	// Kubernetes docs: current 200m, target 100m -> the replica count doubles.
	assert.Equal(t, 2, capacity.Recommend(1, 200, 100, 0.1))
	// current 50m, target 100m -> halves.
	assert.Equal(t, 5, capacity.Recommend(10, 50, 100, 0.1))
	// Within the 10 % tolerance: no change.
	assert.Equal(t, 10, capacity.Recommend(10, 108, 100, 0.1))
	assert.Equal(t, 10, capacity.Recommend(10, 92, 100, 0.1))
	// Outside it: ceil(10 x 1.11) = 12.
	assert.Equal(t, 12, capacity.Recommend(10, 111, 100, 0.1))
}

func prodLike() capacity.Inputs {
	return capacity.Inputs{
		Users: 5000, RunSeconds: 180, ThinkSeconds: 60, QueueWaitTarget: 60,
		JobsPerWorker: 100, MinReplicas: 10, MaxReplicas: 50, CPUTarget: 0.7, CPUAtFullLoad: 0.9,
		PoolPerPod: 60, ExporterConns: 5, AdminReserveConns: 10, MaxConnections: 5000, DBPoolRatio: 0.8,
		RedisConnsPerPod: 20, RedisBytesPerRun: 1 << 20, RedisNodeMemoryGiB: 13.07, PodStartupSeconds: 90,
		HPA: capacity.HPAPolicy{SyncSeconds: 15, Tolerance: 0.1, UpPods: 5, UpPeriod: 60, UpWindow: 60, DownPods: 2, DownPeriod: 60, DownWindow: 300},
	}
}

func TestSimulatedRampRespectsThePolicies(t *testing.T) {
	in := prodLike()
	ramp := capacity.Simulate(in)
	require.NotEmpty(t, ramp.Steps)
	prev := in.MinReplicas
	for i, s := range ramp.Steps {
		assert.LessOrEqual(t, s.Replicas, in.MaxReplicas)
		assert.GreaterOrEqual(t, s.Replicas, in.MinReplicas)
		// Scale-up policy: at most 5 pods per 60 s (4 syncs of 15 s).
		if i >= 4 {
			assert.LessOrEqual(t, s.Replicas-ramp.Steps[i-4].Replicas, in.HPA.UpPods, "t=%v", s.Second)
		}
		assert.GreaterOrEqual(t, s.Replicas, prev, "a step up in load never scales down")
		prev = s.Replicas
	}
	// 3,750 runs need 38 pods of 100 slots: from 10 at +5 per minute, plus start-up.
	assert.GreaterOrEqual(t, ramp.FinalReplicas, 38)
	// Lower bound: 28 more pods at 5 per minute, then the last pods' start-up.
	assert.GreaterOrEqual(t, ramp.SecondsToCapacity, 28.0/5*60+in.PodStartupSeconds)
	assert.False(t, math.IsInf(ramp.SecondsToCapacity, 1), "the HPA does reach capacity")
	assert.Greater(t, ramp.PeakQueue, 0.0, "a queue builds while pods start")

	faster := in
	faster.HPA.UpPods = 20
	assert.Less(t, capacity.Simulate(faster).SecondsToCapacity, ramp.SecondsToCapacity, "a faster scale-up policy reaches capacity sooner")
}

func TestProdSizingPasses(t *testing.T) {
	r := capacity.Evaluate(prodLike())
	assert.Empty(t, r.Failed(), r.Table())
	assert.InDelta(t, 5000.0/240, r.ArrivalRate, 1e-9)
	assert.InDelta(t, 3750, r.OfferedLoad, 1e-9)
	assert.Equal(t, 5000, r.SlotsAtMax)
	assert.Equal(t, 1000, r.SlotsAtMin)
	assert.Equal(t, 3015, r.DBConnections)
	assert.Less(t, r.P95Wait, 60.0)
	assert.Equal(t, 49, r.ReplicasFor, "ceil(3750 / (100 x 0.7 / 0.9))")
}

// A pod that never reaches the CPU target at full load leaves the HPA at its minimum.
func TestCPUBelowTargetNeverScales(t *testing.T) {
	in := prodLike()
	in.CPUAtFullLoad = 0.6
	r := capacity.Evaluate(in)
	assert.Equal(t, in.MinReplicas, r.Ramp.FinalReplicas)
	assert.True(t, math.IsInf(r.Ramp.SecondsToCapacity, 1))
	names := []string{}
	for _, c := range r.Failed() {
		names = append(names, c.Name)
	}
	assert.ElementsMatch(t, []string{"CPU of a fully busy pod over the HPA target", "replicas the HPA settles at"}, names)
}

// The queue metric makes the HPA see load that CPU does not show: with pods far below the CPU
// target it still scales until no run waits, and nothing fails.
func TestQueueMetricScalesWhenCPUDoesNot(t *testing.T) {
	in := prodLike()
	in.CPUAtFullLoad = 0.6
	in.PendingPerPod = 5
	r := capacity.Evaluate(in)
	assert.Empty(t, r.Failed(), r.Table())
	assert.Equal(t, 38, r.ReplicasFor, "ceil(3750 / 100)")
	assert.False(t, math.IsInf(r.Ramp.SecondsToCapacity, 1), "capacity covers the load")
	// CPU below its target pulls replicas down whenever the queue is empty, so the HPA saws
	// around the load; in the second half hour the queue never holds more than the queue-wait
	// KPI's worth of arrivals (Little's law: wait = queue / arrival rate).
	lambda := float64(in.Users) / (in.RunSeconds + in.ThinkSeconds)
	for _, step := range r.Ramp.Steps {
		if step.Second >= 1800 {
			assert.Less(t, step.Waiting/lambda, in.QueueWaitTarget, "second %.0f: %.0f runs waiting", step.Second, step.Waiting)
			assert.GreaterOrEqual(t, step.Replicas, 30, "second %.0f", step.Second)
		}
	}
}

// With CPU able to scale too, the queue metric only adds: the HPA takes the largest
// recommendation, so the ramp is never slower and the peak queue never larger.
func TestQueueMetricNeverSlowsTheRamp(t *testing.T) {
	cpuOnly := prodLike()
	withQueue := prodLike()
	withQueue.PendingPerPod = 5
	a, b := capacity.Simulate(cpuOnly), capacity.Simulate(withQueue)
	assert.LessOrEqual(t, b.SecondsToCapacity, a.SecondsToCapacity)
	assert.LessOrEqual(t, b.PeakQueue, a.PeakQueue)
	assert.Equal(t, 49, capacity.Evaluate(withQueue).ReplicasFor, "CPU still decides where it wants more")
	t.Logf("step to full load: CPU only %.0f s (peak queue %.0f); with queue metric %.0f s (peak queue %.0f)",
		a.SecondsToCapacity, a.PeakQueue, b.SecondsToCapacity, b.PeakQueue)
}

func TestRecommendPerPod(t *testing.T) {
	assert.Equal(t, 20, capacity.RecommendPerPod(10, 100, 5, 0.1), "100 pending / 5 per pod")
	assert.Equal(t, 10, capacity.RecommendPerPod(10, 52, 5, 0.1), "within 10 % of the target: unchanged")
	assert.Equal(t, 0, capacity.RecommendPerPod(10, 0, 5, 0.1), "an empty queue asks for nothing; CPU and the minimum decide")
}

// The seed's literal numbers: N_JOBS_PER_WORKER 10 (LangGraph's default), 200 connections per
// pod, 10-50 replicas, 5,000 users with 180 s runs, on a 5,000-connection database.
func TestTheSeedsNumbersFail(t *testing.T) {
	in := prodLike()
	in.JobsPerWorker = 10
	in.PoolPerPod = 200
	in.CPUAtFullLoad = 1
	r := capacity.Evaluate(in)
	failed := map[string]capacity.Check{}
	for _, c := range r.Failed() {
		failed[c.Name] = c
	}
	require.Len(t, failed, 4, r.Table())
	assert.NotContains(t, failed, "CPU of a fully busy pod over the HPA target", "at 100 % the seed's HPA does scale")
	slots := failed["run slots at max replicas"]
	assert.Equal(t, 500.0, slots.Value)
	assert.Equal(t, 3750.0, slots.Limit, "3,250 slots short")
	assert.Equal(t, 536.0, failed["replicas the HPA settles at"].Value, "ceil(3750 / 7)")
	assert.True(t, math.IsInf(failed["p95 queue wait at target load"].Value, 1), "the queue never drains")
	db := failed["database connections at max replicas"]
	assert.Equal(t, 10015.0, db.Value)
	assert.Equal(t, 4000.0, db.Limit, "6,015 over the 80 % threshold; twice RDS's 5,000 ceiling")
}

func BenchmarkModel(b *testing.B) {
	in := prodLike()
	for b.Loop() {
		capacity.Evaluate(in)
	}
}

// The cache's other tenants (the LLM gateway's response cache) count against the Redis memory
// the streams in progress may take.
func TestRedisMemoryCountsTheReservedCache(t *testing.T) {
	find := func(r capacity.Report) capacity.Check {
		for _, c := range r.Checks {
			if c.Name == "Redis memory for streams in progress" {
				return c
			}
		}
		t.Fatal("no Redis memory check")
		return capacity.Check{}
	}
	in := prodLike()
	base := find(capacity.Evaluate(in))
	require.True(t, base.OK)
	assert.NotContains(t, base.Detail, "LLM response cache")
	in.RedisReservedBytes = 2 << 30
	reserved := find(capacity.Evaluate(in))
	assert.InDelta(t, base.Value+2, reserved.Value, 1e-9, "2 GiB more")
	assert.Contains(t, reserved.Detail, "+ 2048 MiB LLM response cache")
	in.RedisReservedBytes = 8 << 30
	assert.False(t, find(capacity.Evaluate(in)).OK, "streams and cache over 75% of the node")
}
