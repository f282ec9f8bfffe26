package capacity

import (
	"math"
	"sort"
)

// HPAPolicy is the autoscaling/v2 behavior the simulation applies.
type HPAPolicy struct {
	SyncSeconds float64 // the controller's sync period: 15 s
	Tolerance   float64 // no change while |metric/target - 1| <= tolerance: 0.1
	UpPods      int     // scale-up Pods policy: at most UpPods added per UpPeriod seconds
	UpPercent   int     // scale-up Percent policy beside it (selectPolicy Max); 0: none
	UpPeriod    float64
	UpWindow    float64 // scale-up stabilization window: the lowest recommendation in it wins
	DownPods    int
	DownPeriod  float64
	DownWindow  float64 // scale-down stabilization window: the highest recommendation in it wins
}

// Ramp is the outcome of an arrival scenario, from idle.
type Ramp struct {
	SecondsToCapacity float64 // until ready run slots cover the runs in progress at peak load
	PeakQueue         float64 // runs waiting, at worst
	FinalReplicas     int
	// Queue wait of the runs that started during the simulated hour (a run waits from its
	// arrival to its start), weighted by runs; Runs is how many started.
	WaitP50, WaitP95, WaitMax, WaitMean float64
	Runs                                float64
	// WindowP95 is the worst p95 queue wait of the runs starting in any WindowMinutes minutes:
	// what the queue-wait alert reads (a 5-minute histogram quantile). A surge is judged by it:
	// an hour of calm after it must not hide minutes of waiting.
	WindowP95 float64
	Steps     []RampStep   // one per sync period
	Minutes   []RampMinute // one per minute
}

// RampMinute is one minute of a scenario: the users active at its start and the queue wait of
// the runs that started in it.
type RampMinute struct {
	Minute                    int
	Users                     float64
	Replicas, Ready           int
	Nodes                     int // the dataplane's nodes Ready; 0 where nodes are not modelled
	Waiting                   float64
	WaitP50, WaitP95, WaitMax float64
}

// Arrival is how users arrive: a step to Users at t = 0, a linear ramp over RampSeconds, or a
// recorded profile of users per minute (the last minute holds).
type Arrival struct {
	RampSeconds    float64   // 0: a step
	UsersPerMinute []float64 // a profile; wins over RampSeconds
}

// WindowMinutes is the queue-wait alert's window (mixin: the p95 over 5 minutes).
const WindowMinutes = 5

// Step is every user at once.
var Step = Arrival{}

// LinearRamp brings users from 0 to the target evenly over seconds.
func LinearRamp(seconds float64) Arrival { return Arrival{RampSeconds: seconds} }

// users is the number of active users at second t.
func (a Arrival) users(t float64, target int) float64 {
	switch {
	case len(a.UsersPerMinute) > 0:
		return a.UsersPerMinute[min(int(t/60), len(a.UsersPerMinute)-1)]
	case a.RampSeconds > 0:
		return float64(target) * math.Max(0, math.Min(1, t/a.RampSeconds))
	}
	return float64(target)
}

// duration is how long the arrivals keep changing.
func (a Arrival) duration() float64 {
	if len(a.UsersPerMinute) > 0 {
		return float64(60 * len(a.UsersPerMinute))
	}
	return a.RampSeconds
}

// peak is the most users the scenario reaches.
func (a Arrival) peak(target int) float64 {
	if len(a.UsersPerMinute) == 0 {
		return float64(target)
	}
	m := 0.0
	for _, u := range a.UsersPerMinute {
		m = math.Max(m, u)
	}
	return m
}

// cohort is the runs that arrived in one second and still wait.
type cohort struct{ at, runs float64 }

// waitSample is runs that started after waiting.
type waitSample struct{ wait, runs float64 }

// percentiles of weighted samples: p50, p95 and max.
func percentiles(samples []waitSample) (p50, p95, maxWait float64) {
	if len(samples) == 0 {
		return 0, 0, 0
	}
	s := append([]waitSample(nil), samples...)
	sort.Slice(s, func(i, j int) bool { return s[i].wait < s[j].wait })
	total := 0.0
	for _, x := range s {
		total += x.runs
	}
	at := func(q float64) float64 {
		acc := 0.0
		for _, x := range s {
			acc += x.runs
			if acc >= q*total {
				return x.wait
			}
		}
		return s[len(s)-1].wait
	}
	return at(0.50), at(0.95), s[len(s)-1].wait
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

// Simulate steps the load from zero to the target at t = 0 (see SimulateArrival).
func Simulate(in Inputs) Ramp { return SimulateArrival(in, Step) }

// SimulateArrival follows the HPA second by second while users arrive as a says, and for an hour
// after the last change. Users send runs as a closed loop (below: a new user's first run at once,
// the next after the run and a think time), runs take S seconds, and start when a ready slot is
// free; a pod is ready PodStartupSeconds after the HPA adds it. At each sync the CPU metric is the
// average over all pods, not-yet-ready pods counting as 0 % (the controller's conservative choice
// when scaling up); with the queue metric, the larger of that and ceil(waiting / PendingPerPod) is
// taken; the recommendation is stabilized (scale-up: the minimum over UpWindow;
// scale-down: the maximum over DownWindow), limited by the Pods policies, and clamped to min..max.
// The metrics the HPA reads at a sync are those of MetricDelaySeconds earlier (scrape interval,
// recording rules, the adapter's cache). Queue wait is tracked per arrival second, first in
// first out.
func SimulateArrival(in Inputs, a Arrival) Ramp {
	p := in.HPA
	perUser := 1 / (in.RunSeconds + in.ThinkSeconds) // runs per second per user, in the steady state
	target := a.peak(in.Users) * perUser * in.RunSeconds
	// The users, as a fluid: each is thinking, or has a run waiting or running. A user who
	// arrives sends a run at once; a finished run's user thinks (exponentially, mean T), then
	// sends the next. Users who leave (the arrival falls) leave from thinking first, then as
	// their runs finish. In the steady state this is lambda = U / (S + T); in a surge the new
	// users' first runs come on top of the others' next ones, and users whose runs wait send
	// none meanwhile (the load test's users behave so).
	thinking, leaving, present := 0.0, 0.0, 0.0
	replicas := in.MinReplicas
	readyAt := make([]float64, replicas) // when each pod becomes ready
	nodes := newNodeSlots(in)
	var recs []recommendation
	var history []recommendation // replicas after each sync, for the policies' periods
	running, waiting := 0.0, 0.0
	ramp := Ramp{SecondsToCapacity: math.Inf(1)}
	// An hour past the end of the arrivals: long enough to see the stack settle at the peak.
	horizon := 3600 + a.duration()
	var queue []cohort
	var all, minute []waitSample
	var recent [][]waitSample // the last WindowMinutes minutes' samples
	type seen struct{ running, waiting float64 }
	observed := make([]seen, 0, int(horizon)+1)
	sync := max(1, int(p.SyncSeconds))
	for second := 0; second <= int(horizon); second++ {
		t := float64(second)
		lambda := 0.0
		if now := a.users(t, in.Users); now > present {
			lambda += now - present // arrivals send their first run
			present = now
		} else if now < present {
			gone := math.Min(thinking, present-now)
			thinking -= gone
			leaving += present - now - gone // leave when their runs finish
			present = now
		}
		returning := thinking // no think time: the next run at once
		if in.ThinkSeconds > 0 {
			returning = thinking / in.ThinkSeconds
		}
		thinking -= returning
		lambda += returning
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
		done := running / in.RunSeconds
		running -= done
		back := math.Max(0, done-leaving)
		leaving -= done - back
		thinking += back
		waiting += lambda
		start := math.Min(waiting, math.Max(0, slots-running))
		running += start
		waiting -= start
		ramp.PeakQueue = math.Max(ramp.PeakQueue, waiting)
		queue = append(queue, cohort{t, lambda})
		for left := start; left > 1e-12 && len(queue) > 0; {
			take := math.Min(left, queue[0].runs)
			sample := waitSample{t - queue[0].at, take}
			all, minute = append(all, sample), append(minute, sample)
			queue[0].runs -= take
			left -= take
			if queue[0].runs <= 1e-12 {
				queue = queue[1:]
			}
		}
		observed = append(observed, seen{running, waiting})
		if (second+1)%60 == 0 {
			m := RampMinute{Minute: int(t / 60), Users: a.users(t-59, in.Users), Replicas: replicas, Ready: ready, Nodes: nodes.ready(t), Waiting: waiting}
			m.WaitP50, m.WaitP95, m.WaitMax = percentiles(minute)
			ramp.Minutes = append(ramp.Minutes, m)
			recent = append(recent, append([]waitSample(nil), minute...))
			if len(recent) > WindowMinutes {
				recent = recent[1:]
			}
			var window []waitSample
			for _, m := range recent {
				window = append(window, m...)
			}
			_, p95, _ := percentiles(window)
			ramp.WindowP95 = math.Max(ramp.WindowP95, p95)
			minute = minute[:0]
		}

		if second%sync != 0 {
			continue
		}
		metrics := observed[max(0, int(t-in.MetricDelaySeconds))]
		util := in.CPUAtFullLoad * metrics.running / float64(replicas*in.JobsPerWorker)
		rec := Recommend(replicas, util, in.CPUTarget, p.Tolerance)
		if in.PendingPerPod > 0 {
			rec = max(rec, RecommendPerPod(replicas, metrics.waiting, in.PendingPerPod, p.Tolerance))
		}
		recs = append(recs, recommendation{t, clamp(rec, in.MinReplicas, in.MaxReplicas)})
		for len(recs) > 0 && t-recs[0].at > max(p.UpWindow, p.DownWindow) {
			recs = recs[1:] // outside both windows: never read again
		}
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
			base := replicasAt(history, t-p.UpPeriod, in.MinReplicas)
			step := p.UpPods
			if p.UpPercent > 0 { // selectPolicy Max: the policy that allows the larger change
				step = max(step, int(math.Ceil(float64(base)*float64(p.UpPercent)/100)))
			}
			desired = min(up, base+step)
		case down < replicas:
			desired = max(down, replicasAt(history, t-p.DownPeriod, in.MinReplicas)-p.DownPods)
		}
		desired = clamp(desired, in.MinReplicas, in.MaxReplicas)
		for len(readyAt) < desired {
			readyAt = append(readyAt, nodes.start(len(readyAt), t)+in.PodStartupSeconds)
		}
		readyAt = readyAt[:desired]
		replicas = desired
		history = append(history, recommendation{t, replicas})
		ramp.Steps = append(ramp.Steps, RampStep{Second: t, Replicas: replicas, Ready: ready, Running: running, Waiting: waiting})
	}
	ramp.FinalReplicas = replicas
	ramp.WaitP50, ramp.WaitP95, ramp.WaitMax = percentiles(all)
	waited := 0.0
	for _, x := range all {
		ramp.Runs += x.runs
		waited += x.wait * x.runs
	}
	if ramp.Runs > 0 {
		ramp.WaitMean = waited / ramp.Runs
	}
	return ramp
}

// MaxRampSearchSeconds bounds FastestRamp's search: a crowd arriving over more than an hour is
// not a rush.
const MaxRampSearchSeconds = 3600

// FastestRamp is the shortest linear ramp from 0 to in.Users (to 15 s) whose p95 queue wait stays
// under in.QueueWaitTarget in every WindowMinutes (Ramp.WindowP95), and whether one exists within MaxRampSearchSeconds. A slower ramp
// never waits longer (the HPA sees the same arrivals spread thinner), so the search is binary.
func FastestRamp(in Inputs) (seconds float64, ok bool) {
	meets := func(d float64) bool { return SimulateArrival(in, LinearRamp(d)).WindowP95 < in.QueueWaitTarget }
	if meets(0) {
		return 0, true
	}
	if !meets(MaxRampSearchSeconds) {
		return math.Inf(1), false
	}
	lo, hi := 0.0, float64(MaxRampSearchSeconds)
	for hi-lo > 15 {
		mid := math.Round((lo+hi)/2/15) * 15
		if mid <= lo || mid >= hi {
			break
		}
		if meets(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, true
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

// nodeSlots are the places pods run. The nodes present at the start hold MinReplicas and the
// HeadroomPods placeholders. Pod slot i is the i-th place, in the order nodes became Ready; the
// placeholders sit beyond the real pods, so while pod slot i is asked, places up to
// i + HeadroomPods are wanted, and a place beyond the nodes' room gets a new node, Ready
// NodeProvisioningSeconds after it was wanted (the autoscaler launches a whole node, whose other
// places the next pods use). A pod on a place a placeholder held starts once the placeholder is
// preempted. Nodes stay for the ramp: consolidation removes empty nodes minutes after a
// scale-down, not during a rush.
type nodeSlots struct {
	in        Inputs
	nodeReady []float64 // per place: when its node is Ready
}

func newNodeSlots(in Inputs) *nodeSlots {
	n := &nodeSlots{in: in}
	if in.PodsPerNode > 0 {
		wanted := in.MinReplicas + in.HeadroomPods
		initial := (wanted + in.PodsPerNode - 1) / in.PodsPerNode * in.PodsPerNode
		n.nodeReady = make([]float64, initial)
	}
	return n
}

// start is when pod slot i can start its pod, asked at time t.
func (n *nodeSlots) start(i int, t float64) float64 {
	if n.in.PodsPerNode <= 0 {
		return t
	}
	for len(n.nodeReady) <= i+n.in.HeadroomPods {
		for range n.in.PodsPerNode {
			n.nodeReady = append(n.nodeReady, t+n.in.NodeProvisioningSeconds)
		}
	}
	ready := n.nodeReady[i]
	if ready <= t && n.in.HeadroomPods > 0 {
		// Placeholders fill the free places first, so one holds this place: it is preempted.
		return t + n.in.PreemptionSeconds
	}
	return math.Max(t, ready)
}

// ready is how many nodes are Ready at t (each place of a node carries its Ready time).
func (n *nodeSlots) ready(t float64) int {
	if n.in.PodsPerNode <= 0 {
		return 0
	}
	places := 0
	for _, r := range n.nodeReady {
		if r <= t {
			places++
		}
	}
	return places / n.in.PodsPerNode
}
