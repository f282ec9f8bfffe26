package capacity

import "math"

// HPAPolicy is the autoscaling/v2 behavior the simulation applies.
type HPAPolicy struct {
	SyncSeconds float64 // the controller's sync period: 15 s
	Tolerance   float64 // no change while |metric/target - 1| <= tolerance: 0.1
	UpPods      int     // scale-up Pods policy: at most UpPods added per UpPeriod seconds
	UpPeriod    float64
	UpWindow    float64 // scale-up stabilization window: the lowest recommendation in it wins
	DownPods    int
	DownPeriod  float64
	DownWindow  float64 // scale-down stabilization window: the highest recommendation in it wins
}

// Ramp is the outcome of a step from idle to the target load.
type Ramp struct {
	SecondsToCapacity float64 // until ready run slots cover the runs in progress at target load
	PeakQueue         float64 // runs waiting, at worst
	FinalReplicas     int
	Steps             []RampStep // one per sync period
}

// RampStep is the state at one sync.
type RampStep struct {
	Second           float64
	Replicas, Ready  int
	Running, Waiting float64
}

type recommendation struct {
	at       float64
	replicas int
}

// Recommend is the HPA's raw recommendation for one resource metric (Kubernetes documentation,
// "Algorithm details"): desired = ceil(current x metric / target), unchanged within the tolerance.
func Recommend(current int, metric, target, tolerance float64) int {
	ratio := metric / target
	if math.Abs(ratio-1) <= tolerance {
		return current
	}
	return int(math.Ceil(float64(current) * ratio))
}

// RecommendPerPod is the HPA's recommendation for an External metric with an AverageValue
// target: the total divided by the per-pod target, unchanged within the tolerance of it.
func RecommendPerPod(current int, total, perPod, tolerance float64) int {
	if math.Abs(total/(perPod*float64(current))-1) <= tolerance {
		return current
	}
	return int(math.Ceil(total / perPod))
}

// Simulate steps the load from zero to the target at t = 0 and follows the HPA second by second
// for an hour. Runs arrive at lambda per second, take S seconds, and start when a ready slot is
// free; a pod is ready PodStartupSeconds after the HPA adds it. At each sync the CPU metric is the
// average over all pods, not-yet-ready pods counting as 0 % (the controller's conservative choice
// when scaling up); with the queue metric, the larger of that and ceil(waiting / PendingPerPod) is
// taken; the recommendation is stabilized (scale-up: the minimum over UpWindow;
// scale-down: the maximum over DownWindow), limited by the Pods policies, and clamped to min..max.
func Simulate(in Inputs) Ramp {
	p := in.HPA
	lambda := float64(in.Users) / (in.RunSeconds + in.ThinkSeconds)
	target := lambda * in.RunSeconds
	replicas := in.MinReplicas
	readyAt := make([]float64, replicas) // when each pod becomes ready
	var recs []recommendation
	var history []recommendation // replicas after each sync, for the policies' periods
	running, waiting := 0.0, 0.0
	ramp := Ramp{SecondsToCapacity: math.Inf(1)}
	const horizon = 3600.0
	for t := 0.0; t <= horizon; t++ {
		ready := 0
		for _, r := range readyAt {
			if r <= t {
				ready++
			}
		}
		slots := float64(ready * in.JobsPerWorker)
		if slots >= target && math.IsInf(ramp.SecondsToCapacity, 1) {
			ramp.SecondsToCapacity = t
		}
		// One second of flow: completions, arrivals, starts.
		running -= running / in.RunSeconds
		waiting += lambda
		start := math.Min(waiting, math.Max(0, slots-running))
		running += start
		waiting -= start
		ramp.PeakQueue = math.Max(ramp.PeakQueue, waiting)

		if math.Mod(t, p.SyncSeconds) != 0 {
			continue
		}
		util := in.CPUAtFullLoad * running / float64(replicas*in.JobsPerWorker)
		rec := Recommend(replicas, util, in.CPUTarget, p.Tolerance)
		if in.PendingPerPod > 0 {
			rec = max(rec, RecommendPerPod(replicas, waiting, in.PendingPerPod, p.Tolerance))
		}
		recs = append(recs, recommendation{t, clamp(rec, in.MinReplicas, in.MaxReplicas)})
		desired := replicas
		up, down := math.MaxInt, 0
		for _, r := range recs {
			if t-r.at <= p.UpWindow {
				up = min(up, r.replicas)
			}
			if t-r.at <= p.DownWindow {
				down = max(down, r.replicas)
			}
		}
		switch {
		case up > replicas:
			desired = min(up, replicasAt(history, t-p.UpPeriod, in.MinReplicas)+p.UpPods)
		case down < replicas:
			desired = max(down, replicasAt(history, t-p.DownPeriod, in.MinReplicas)-p.DownPods)
		}
		desired = clamp(desired, in.MinReplicas, in.MaxReplicas)
		for len(readyAt) < desired {
			readyAt = append(readyAt, t+in.PodStartupSeconds)
		}
		readyAt = readyAt[:desired]
		replicas = desired
		history = append(history, recommendation{t, replicas})
		ramp.Steps = append(ramp.Steps, RampStep{Second: t, Replicas: replicas, Ready: ready, Running: running, Waiting: waiting})
	}
	ramp.FinalReplicas = replicas
	return ramp
}

// replicasAt is the replica count at the latest sync at or before t (the start of a policy period).
func replicasAt(history []recommendation, t float64, initial int) int {
	n := initial
	for _, h := range history {
		if h.at > t {
			break
		}
		n = h.replicas
	}
	return n
}

func clamp(v, lo, hi int) int { return max(lo, min(hi, v)) }
