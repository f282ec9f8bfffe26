// Package capacity checks that a stack's configuration can carry its target load, with the
// formulas written out:
//
//   - Run slots (LangGraph's sizing rule): slots = replicas x N_JOBS_PER_WORKER.
//   - Offered load: each of U concurrent users alternates a run of S seconds (kpi.avgResponseSeconds)
//     and T seconds of think time (capacity.thinkTimeSeconds). Arrival rate lambda = U / (S + T);
//     by Little's law the runs in progress are a = lambda x S (in Erlangs).
//   - The CPU HPA settles where a pod's CPU equals its target. A pod whose slots are all busy uses
//     F (capacity.cpuAtFullLoadPercent) of its request, so it settles at a busy fraction of
//     target / F. Only when F > target does the HPA scale on load at all; the replicas it then
//     wants are ceil(a / (N_JOBS_PER_WORKER x target / F)).
//   - With the External queue metric (pending runs per pod, target P), the HPA also wants
//     ceil(pending / P) replicas and takes the largest recommendation: runs wait only when every
//     slot is busy, so it settles with at least ceil(a / N_JOBS_PER_WORKER) replicas whatever F is.
//   - Queue wait, M/M/c with c = run slots at max replicas, service rate mu = 1/S: the Erlang C
//     probability that a run waits, C(c, a); mean wait Wq = C / (c mu - lambda); the wait exceeds
//     t with probability C e^(-(c mu - lambda) t), so the p95 wait is ln(C / 0.05) / (c mu - lambda)
//     (0 when C <= 0.05). Stable only when a < c.
//   - Database connections at max replicas: replicas x LANGGRAPH_POSTGRES_POOL_MAX_SIZE + exporter
//   - admin reserve, against max_connections (AWS's LEAST(memory / 9531392, 5000) unless set) x
//     the 80 % pool alert threshold.
//   - Redis: replicas x connections per pod against ElastiCache's 65,000 clients; the streams of
//     the runs in progress (a x bytes per run) against the node's memory less 25 % reserved.
//   - HPA ramp: a step from idle to the target load, simulated with autoscaling/v2's algorithm,
//     with the users as a closed loop (a new user's first run at once, the next after the run and
//     a think; a user whose run waits sends none) and judged by the worst p95 queue wait of any
//     5 minutes, the queue-wait alert's window. tests/langgraph holds it to the real server.
package capacity

import (
	"fmt"
	"math"
)

// Inputs are the figures the model needs, from a stack's configuration.
type Inputs struct {
	Users           int     // concurrent users
	RunSeconds      float64 // average run duration S
	ThinkSeconds    float64 // think time between a user's runs T
	QueueWaitTarget float64 // seconds, KPI: p95 queue wait below this
	JobsPerWorker   int
	MinReplicas     int // of the pods that execute runs
	MaxReplicas     int // of the pods that execute runs
	// NonWorkerPodsAtMax are pods that hold database and Redis connections but execute no runs
	// (the API tier beside a queue tier); 0 without a queue tier.
	NonWorkerPodsAtMax int
	CPUTarget          float64 // HPA CPU target, fraction of requests
	CPUAtFullLoad      float64 // CPU use, fraction of requests, when every slot of a pod is busy
	PendingPerPod      float64 // External queue metric target, pending runs per pod; 0: no queue metric
	PoolPerPod         int
	ExporterConns      int
	AdminReserveConns  int
	MaxConnections     int
	DBPoolRatio        float64 // 0.8
	RedisConnsPerPod   int
	RedisBytesPerRun   float64
	// RedisReservedBytes is memory other tenants of the cache may take (the LLM gateway's
	// response cache): the streams in progress must fit beside it.
	RedisReservedBytes float64
	RedisNodeMemoryGiB float64
	HPA                HPAPolicy
	PodStartupSeconds  float64
	// NodeProvisioningSeconds is the time from a pod no node has room for to a new node being
	// Ready (the node autoscaler's); PodsPerNode is how many of the pods a node holds. The ramp
	// starts with nodes for MinReplicas; a pod beyond the nodes' room waits for a node, then
	// starts. 0 PodsPerNode: nodes are always there (the model before node provisioning).
	NodeProvisioningSeconds float64
	PodsPerNode             int
	// HeadroomPods are placeholders of a run-executing pod's size (capacity.headroomPods): the
	// ramp starts with nodes for MinReplicas + HeadroomPods, a pod that takes a placeholder's room
	// starts after PreemptionSeconds instead of a node's provisioning, and each evicted
	// placeholder asks for a node at once, so the room is there again for the pods after it.
	HeadroomPods      int
	PreemptionSeconds float64
	// MetricDelaySeconds is how old the metrics are that the HPA acts on.
	MetricDelaySeconds float64
}

// Check is one figure with its limit and verdict.
type Check struct {
	Name   string
	Value  float64
	Limit  float64
	Unit   string
	OK     bool
	Detail string
	Info   bool // informational: no verdict
}

// Report is the model's result.
type Report struct {
	ArrivalRate   float64 // runs per second
	OfferedLoad   float64 // runs in progress (Erlangs)
	SlotsAtMin    int
	SlotsAtMax    int
	ReplicasFor   int // replicas the HPA settles at under the target load
	WaitProb      float64
	MeanWait      float64
	P95Wait       float64
	DBConnections int
	DBLimit       float64
	Ramp          Ramp
	// FastestRampSeconds is the shortest linear ramp to full load the stack absorbs inside the
	// queue-wait target (+Inf: none within MaxRampSearchSeconds).
	FastestRampSeconds float64
	Checks             []Check
}

// Failed lists the checks that fail.
func (r Report) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if !c.Info && !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// ErlangC is the probability that an arrival waits in an M/M/c queue with c servers and offered
// load a Erlangs. It uses the Erlang B recurrence B(k) = a B(k-1) / (k + a B(k-1)), which stays
// stable for thousands of servers, and C = c B / (c - a (1 - B)). It is 1 when a >= c.
func ErlangC(c int, a float64) float64 {
	if c <= 0 || a >= float64(c) {
		return 1
	}
	if a <= 0 {
		return 0
	}
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return float64(c) * b / (float64(c) - a*(1-b))
}

// Wait returns the probability of waiting, the mean wait and the p95 wait (seconds) of an M/M/c
// queue with c servers, arrival rate lambda and mean service time s. Unstable queues wait forever.
func Wait(c int, lambda, s float64) (prob, mean, p95 float64) {
	a := lambda * s
	if a >= float64(c) {
		return 1, math.Inf(1), math.Inf(1)
	}
	prob = ErlangC(c, a)
	drain := float64(c)/s - lambda
	mean = prob / drain
	if prob > 0.05 {
		p95 = math.Log(prob/0.05) / drain
	}
	return prob, mean, p95
}

// Evaluate runs the model.
func Evaluate(in Inputs) Report {
	var r Report
	r.ArrivalRate = float64(in.Users) / (in.RunSeconds + in.ThinkSeconds)
	r.OfferedLoad = r.ArrivalRate * in.RunSeconds
	r.SlotsAtMin = in.MinReplicas * in.JobsPerWorker
	r.SlotsAtMax = in.MaxReplicas * in.JobsPerWorker
	cpuScales := in.CPUAtFullLoad > in.CPUTarget
	queueScales := in.PendingPerPod > 0
	scales := cpuScales || queueScales
	r.ReplicasFor = math.MaxInt
	how := "the HPA sees no load: neither CPU over its target nor a queue metric"
	if cpuScales {
		r.ReplicasFor = int(math.Ceil(r.OfferedLoad / (float64(in.JobsPerWorker) * in.CPUTarget / in.CPUAtFullLoad)))
		how = fmt.Sprintf("CPU: ceil(%.0f / (%d x %.2f / %.2f))", r.OfferedLoad, in.JobsPerWorker, in.CPUTarget, in.CPUAtFullLoad)
	}
	if queueScales {
		byQueue := int(math.Ceil(r.OfferedLoad / float64(in.JobsPerWorker)))
		if !cpuScales || byQueue > r.ReplicasFor {
			r.ReplicasFor = byQueue
			how = fmt.Sprintf("queue metric: pods until no run waits, ceil(%.0f / %d)", r.OfferedLoad, in.JobsPerWorker)
		} else {
			how += fmt.Sprintf("; the queue metric alone would hold ceil(%.0f / %d) = %d", r.OfferedLoad, in.JobsPerWorker, byQueue)
		}
	}
	cpuDetail := "at or below the target the HPA never scales on CPU: busy pods sit at the minimum while the queue grows"
	if queueScales {
		cpuDetail = fmt.Sprintf("informational with the queue metric (%.0f pending runs per pod): it scales on the queue", in.PendingPerPod)
	}
	r.WaitProb, r.MeanWait, r.P95Wait = Wait(r.SlotsAtMax, r.ArrivalRate, in.RunSeconds)
	pods := in.MaxReplicas + in.NonWorkerPodsAtMax
	r.DBConnections = pods*in.PoolPerPod + in.ExporterConns + in.AdminReserveConns
	r.DBLimit = in.DBPoolRatio * float64(in.MaxConnections)
	redisConns := float64(pods * in.RedisConnsPerPod)
	redisBytes := r.OfferedLoad*in.RedisBytesPerRun + in.RedisReservedBytes
	redisLimit := in.RedisNodeMemoryGiB * (1 << 30) * 0.75
	r.Ramp = Simulate(in)
	r.FastestRampSeconds, _ = FastestRamp(in)

	r.Checks = []Check{
		{Name: "run slots at max replicas", Value: float64(r.SlotsAtMax), Limit: r.OfferedLoad, Unit: "runs", OK: float64(r.SlotsAtMax) > r.OfferedLoad,
			Detail: fmt.Sprintf("%d replicas x %d jobs against %.0f runs in progress", in.MaxReplicas, in.JobsPerWorker, r.OfferedLoad)},
		{Name: "CPU of a fully busy pod over the HPA target", Value: in.CPUAtFullLoad * 100, Limit: in.CPUTarget * 100, Unit: "%", OK: scales,
			Info: queueScales, Detail: cpuDetail},
		{Name: "replicas the HPA settles at", Value: replicasValue(r.ReplicasFor), Limit: float64(in.MaxReplicas), Unit: "replicas", OK: scales && r.ReplicasFor <= in.MaxReplicas,
			Detail: how},
		{Name: "p95 queue wait at target load", Value: r.P95Wait, Limit: in.QueueWaitTarget, Unit: "s", OK: r.P95Wait < in.QueueWaitTarget,
			Detail: fmt.Sprintf("Erlang C: P(wait) %.4f, mean wait %.2f s", r.WaitProb, r.MeanWait)},
		{Name: "database connections at max replicas", Value: float64(r.DBConnections), Limit: r.DBLimit, Unit: "connections", OK: float64(r.DBConnections) <= r.DBLimit,
			Detail: fmt.Sprintf("%d pods x %d + %d exporter + %d reserve, against %.0f%% of max_connections %d", pods, in.PoolPerPod, in.ExporterConns, in.AdminReserveConns, in.DBPoolRatio*100, in.MaxConnections)},
		{Name: "Redis connections at max replicas", Value: redisConns, Limit: 65000, Unit: "connections", OK: redisConns <= 65000,
			Detail: fmt.Sprintf("%d pods x %d", pods, in.RedisConnsPerPod)},
		{Name: "Redis memory for streams in progress", Value: redisBytes / (1 << 30), Limit: redisLimit / (1 << 30), Unit: "GiB", OK: redisBytes <= redisLimit,
			Detail: fmt.Sprintf("%.0f runs x %.0f KiB%s against 75%% of %.2f GiB", r.OfferedLoad, in.RedisBytesPerRun/1024, reserved(in.RedisReservedBytes), in.RedisNodeMemoryGiB)},
		{Name: "HPA ramp: time until capacity covers a step to full load", Value: r.Ramp.SecondsToCapacity, Unit: "s", Info: true,
			Detail: fmt.Sprintf("from %d to %d ready replicas; %s; peak queue %.0f runs; queue wait p95 %.0f s in the worst %d minutes (%.0f s over the hour), max %.0f s", in.MinReplicas, r.Ramp.FinalReplicas, startup(in), r.Ramp.PeakQueue, r.Ramp.WindowP95, WindowMinutes, r.Ramp.WaitP95, r.Ramp.WaitMax)},
		{Name: "fastest linear ramp to full load inside the queue-wait target", Value: r.FastestRampSeconds, Unit: "s", Info: true,
			Detail: fmt.Sprintf("users from 0 to %d in this time or slower keep the p95 queue wait under %.0f s", in.Users, in.QueueWaitTarget)},
	}
	return r
}

func replicasValue(n int) float64 {
	if n == math.MaxInt {
		return math.Inf(1)
	}
	return float64(n)
}

// Table renders the report as a markdown table.
func (r Report) Table() string {
	s := "| figure | value | limit | verdict | how |\n| --- | --- | --- | --- | --- |\n"
	for _, c := range r.Checks {
		verdict := "pass"
		switch {
		case c.Info:
			verdict = "info"
		case !c.OK:
			verdict = "FAIL"
		}
		limit := fmt.Sprintf("%.4g %s", c.Limit, c.Unit)
		if c.Info {
			limit = "-"
		}
		s += fmt.Sprintf("| %s | %.4g %s | %s | %s | %s |\n", c.Name, c.Value, c.Unit, limit, verdict, c.Detail)
	}
	return s
}

// startup says what a new pod's start-up is made of in the ramp.
func startup(in Inputs) string {
	if in.PodsPerNode <= 0 {
		return fmt.Sprintf("a pod serves %.0f s after the HPA adds it (nodes assumed present)", in.PodStartupSeconds)
	}
	s := fmt.Sprintf("a pod serves %.0f s after the HPA adds it, %.0f s more when it waits for a new node (%d pods per node)", in.PodStartupSeconds, in.NodeProvisioningSeconds, in.PodsPerNode)
	if in.HeadroomPods > 0 {
		s += fmt.Sprintf("; %d headroom pods' room is ready (%.0f s to preempt a placeholder)", in.HeadroomPods, in.PreemptionSeconds)
	}
	return s
}

// reserved describes the cache memory other tenants take, if any.
func reserved(bytes float64) string {
	if bytes == 0 {
		return ""
	}
	return fmt.Sprintf(" + %.0f MiB LLM response cache", bytes/(1<<20))
}
