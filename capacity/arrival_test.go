package capacity_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/capacity"
)

// prodWithQueueMetric is prod's sizing with the queue metric, as the stack runs it.
func prodWithQueueMetric() capacity.Inputs {
	in := prodLike()
	in.PendingPerPod = 5
	return in
}

// A step to full load: every user's first run at once, so 4,000 of the 5,000 wait for the 1,000
// slots of 10 pods; the queue metric asks for the missing pods at once, and they serve 390 s later
// at the seed's 5 pods a minute. The runs that waited, waited minutes.
func TestStepReproducesTheKnownRamp(t *testing.T) {
	r := capacity.SimulateArrival(prodWithQueueMetric(), capacity.Step)
	assert.Equal(t, 390.0, r.SecondsToCapacity)
	assert.InDelta(t, 4000, r.PeakQueue, 1)
	assert.Greater(t, r.WindowP95, 60.0, "a step breaks the queue-wait target")
	assert.GreaterOrEqual(t, r.WindowP95, r.WaitP95, "the worst window is never better than the hour")
	assert.GreaterOrEqual(t, r.WaitMax, r.WindowP95)
	assert.GreaterOrEqual(t, r.WaitP95, r.WaitP50)
	require.Len(t, r.Minutes, 60, "a step is followed for an hour")
	assert.Equal(t, 5000.0, r.Minutes[0].Users)
}

// The users are a closed loop: in the steady state they send U / (S + T) runs a second (Little's
// law), and a user whose run waits sends no other meanwhile, so an overloaded pool settles where
// the slots' throughput equals the users' cycle: U / (S + T + W) = slots / S.
func TestUsersAreAClosedLoop(t *testing.T) {
	in := prodWithQueueMetric()
	in.MinReplicas, in.MaxReplicas = 50, 50 // 5,000 slots for 3,750 runs in progress
	r := capacity.SimulateArrival(in, capacity.LinearRamp(1800))
	last := r.Minutes[len(r.Minutes)-1]
	assert.Zero(t, last.WaitP95, "a pool with room: no run waits in the steady state")
	small := in
	small.MinReplicas, small.MaxReplicas = 25, 25 // 2,500 slots: W = 5,000 x 180 / 2,500 - 240 = 120 s
	r = capacity.SimulateArrival(small, capacity.LinearRamp(1800))
	last = r.Minutes[len(r.Minutes)-1]
	assert.InDelta(t, 120, last.WaitP50, 3, "the overloaded pool settles; it does not grow without end")
	assert.InDelta(t, 2500*120/180.0, last.Waiting, 30, "Little's law on the queue: runs waiting = slots / S x W")
}

// Hand-worked: with pods that start at once and fresh metrics, a ramp slower than the scale-up
// policy (5 pods per minute of 100 slots each, about 2,080 users a minute at 240 s per run cycle
// and 180 s runs) is followed within one stabilization window plus one sync: no run waits longer.
func TestRampSlowerThanTheScaleUpRateWaitsAtMostOneWindow(t *testing.T) {
	in := prodWithQueueMetric()
	in.PodStartupSeconds, in.MetricDelaySeconds = 0, 0
	r := capacity.SimulateArrival(in, capacity.LinearRamp(20*60)) // 250 users a minute
	assert.LessOrEqual(t, r.WaitMax, in.HPA.UpWindow+in.HPA.SyncSeconds)
	assert.Less(t, r.WaitP95, in.QueueWaitTarget)
}

// Slower arrivals never wait longer, and the search finds the boundary: just faster than the
// headline ramp breaks the target in its worst window, the headline ramp meets it.
func TestFastestRampIsTheBoundary(t *testing.T) {
	in := prodWithQueueMetric()
	fastest, ok := capacity.FastestRamp(in)
	require.True(t, ok)
	assert.Greater(t, fastest, 0.0, "prod does not absorb a step")
	assert.Less(t, capacity.SimulateArrival(in, capacity.LinearRamp(fastest)).WindowP95, in.QueueWaitTarget)
	assert.GreaterOrEqual(t, capacity.SimulateArrival(in, capacity.LinearRamp(fastest-15)).WindowP95, in.QueueWaitTarget)
	prev := math.Inf(1)
	for d := 0.0; d <= 1800; d += 300 {
		w := capacity.SimulateArrival(in, capacity.LinearRamp(d)).WindowP95
		assert.LessOrEqual(t, w, prev+1e-9, "a %v s ramp waits longer than a faster one", d)
		prev = w
	}
	in.MaxReplicas = 30 // 3,000 slots for 3,750 runs: no ramp is absorbed
	_, ok = capacity.FastestRamp(in)
	assert.False(t, ok)
}

// The levers: a higher minimum absorbs faster ramps; stale metrics absorb slower ones; a percent
// scale-up policy beside the seed's pod policy (the HPA takes the larger) never hurts, and absorbs
// faster ramps once pods start quickly (with 90 s start-ups the first minutes' crowd meets only the
// pods already running, whatever the policy adds).
func TestLeversMoveTheHeadline(t *testing.T) {
	base := prodWithQueueMetric()
	fastest, _ := capacity.FastestRamp(base)
	percent := base
	percent.HPA.UpPercent = 100
	p, ok := capacity.FastestRamp(percent)
	require.True(t, ok)
	assert.LessOrEqual(t, p, fastest)
	quick, quickPercent := base, percent
	quick.PodStartupSeconds, quickPercent.PodStartupSeconds = 10, 10
	q, _ := capacity.FastestRamp(quick)
	qp, _ := capacity.FastestRamp(quickPercent)
	assert.Less(t, qp, q, "+100 %% per minute beats +5 pods per minute from 10 pods when pods start in 10 s")
	higher := base
	higher.MinReplicas = 30
	h, _ := capacity.FastestRamp(higher)
	assert.Less(t, h, fastest)
	stale := base
	stale.MetricDelaySeconds = 60
	s, _ := capacity.FastestRamp(stale)
	assert.GreaterOrEqual(t, s, fastest)
}

// A recorded profile of users per minute drives the same simulation: a flat profile at full load
// is a step, and the minutes report the users of the profile.
func TestProfileDrivesTheSimulation(t *testing.T) {
	in := prodWithQueueMetric()
	flat := capacity.Arrival{UsersPerMinute: []float64{5000}}
	assert.Equal(t, capacity.SimulateArrival(in, capacity.Step).WindowP95, capacity.SimulateArrival(in, flat).WindowP95)
	rising := capacity.Arrival{UsersPerMinute: []float64{0, 1000, 2000, 3000, 4000, 5000}}
	r := capacity.SimulateArrival(in, rising)
	assert.Equal(t, 2000.0, r.Minutes[2].Users)
	assert.Equal(t, 5000.0, r.Minutes[40].Users, "the last minute holds")
}

// The model with the ramp search stays well under 50 ms.
func BenchmarkEvaluateWithRampSearch(b *testing.B) {
	in := prodWithQueueMetric()
	for b.Loop() {
		capacity.Evaluate(in)
	}
}

func TestParseProfile(t *testing.T) {
	a, err := capacity.ParseProfile(strings.NewReader("minute,users\n0,0\n1,2500\n2,5000\n"))
	require.NoError(t, err)
	assert.Equal(t, []float64{0, 2500, 5000}, a.UsersPerMinute)
	// A load test's series: the last sample of each minute counts.
	series := "elapsed_s,active_users,requests\n30,100,5\n60,200,9\n90,300,12\n119,400,20\n150,500,30\n"
	a, err = capacity.ParseProfile(strings.NewReader(series))
	require.NoError(t, err)
	assert.Equal(t, []float64{100, 400, 500}, a.UsersPerMinute)
	for text, want := range map[string]string{
		"minute,users\n0,-5\n":          `profile line 2: users "-5" is not a number >= 0`,
		"minute,users\n0,many\n":        `profile line 2: users "many" is not a number >= 0`,
		"minute,users\n0,10\n2,20\n":    "profile line 3: minute 2; allowed: 1",
		"time,people\n0,10\n":           `header "time,people" has no users column`,
		"minute,users\n":                "needs a header and at least one row",
		"minute,users\n0,NaN\n":         `users "NaN" is not a number >= 0`,
		"elapsed_s,active_users\nx,1\n": `elapsed_s "x" is not a number >= 0`,
	} {
		_, err := capacity.ParseProfile(strings.NewReader(text))
		require.Error(t, err, text)
		assert.Contains(t, err.Error(), want, text)
	}
}

// apply is a plan's settings on the inputs.
func apply(in capacity.Inputs, p capacity.Plan) capacity.Inputs {
	in.HPA.UpPercent, in.HPA.UpPods, in.HeadroomPods, in.MinReplicas = p.Percent, p.Pods, p.Headroom, p.MinReplicas
	return in
}

// The plans all meet the scenario in its worst window; the cheapest comes first, and each
// runner-up costs more and holds a step better; a plan's price is its pods' room: headroom and a
// higher minimum all month, a scheduled minimum only around the rush.
func TestRecommendPlansChoosesTheCheapestCombination(t *testing.T) {
	in := prodWithQueueMetric()
	in.PodsPerNode, in.NodeProvisioningSeconds, in.PreemptionSeconds, in.MetricDelaySeconds = 6, 60, 5, 30
	const podHour = 0.05
	five := capacity.LinearRamp(300)
	plans := capacity.RecommendPlans(in, five, capacity.PlanOptions{PodHourUSD: podHour})
	require.NotEmpty(t, plans)
	require.LessOrEqual(t, len(plans), capacity.MaxPlans)
	for i, p := range plans {
		assert.Less(t, capacity.SimulateArrival(apply(in, p), five).WindowP95, in.QueueWaitTarget, p.String())
		assert.InDelta(t, capacity.SimulateArrival(apply(in, p), capacity.Step).WindowP95, p.StepWaitP95, 1e-9, p.String())
		assert.False(t, p.Scheduled, "without a known rush, no plan holds the minimum only around it")
		assert.InDelta(t, float64(p.Headroom+p.MinReplicas-in.MinReplicas)*730*podHour, p.MonthlyUSD, 1e-6, p.String())
		if i > 0 {
			assert.GreaterOrEqual(t, p.MonthlyUSD, plans[i-1].MonthlyUSD, "cheapest first")
			assert.Less(t, p.StepWaitP95, plans[i-1].StepWaitP95, "a runner-up buys a lower wait in a step")
		}
	}
	// With 90 s pods, no free lever absorbs five minutes of new users' first runs: only pods
	// already running do. The cheapest plan is a higher minimum; a faster policy adds nothing.
	assert.Greater(t, plans[0].MonthlyUSD, 0.0)
	assert.Greater(t, plans[0].MinReplicas, in.MinReplicas, plans[0].String())
	assert.Equal(t, in.HPA.UpPercent, plans[0].Percent, plans[0].String())

	// Pods that start in 30 s on nodes that take 180 s (the Cluster Autoscaler): placeholders
	// that spare the first pods the node's wait are part of the cheapest plan.
	slow := in
	slow.NodeProvisioningSeconds, slow.PodStartupSeconds = 180, 30
	plans = capacity.RecommendPlans(slow, five, capacity.PlanOptions{PodHourUSD: podHour})
	require.NotEmpty(t, plans)
	assert.Greater(t, plans[0].Headroom, 0, plans[0].String())
	assert.Contains(t, plans[0].Changes, fmt.Sprintf("capacity.headroomPods 0 -> %d", plans[0].Headroom))

	// A rush at a known time: a minimum held around it costs its pods for the rush and an hour
	// to settle, 22 working days a month.
	known := capacity.RecommendPlans(in, five, capacity.PlanOptions{PodHourUSD: podHour, KnownRush: true})
	require.NotEmpty(t, known)
	unknown := capacity.RecommendPlans(in, five, capacity.PlanOptions{PodHourUSD: podHour})
	assert.Less(t, known[0].MonthlyUSD, unknown[0].MonthlyUSD, "holding the minimum only around the rush is cheaper")
	require.True(t, known[0].Scheduled, known[0].String())
	assert.InDelta(t, (float64(known[0].Headroom)*730+float64(known[0].MinReplicas-in.MinReplicas)*2*22)*podHour, known[0].MonthlyUSD, 1e-6)
	assert.Contains(t, strings.Join(known[0].Changes, ";"), "hpa.schedules minReplicas (around the rush)")

	// An hour-long ramp fits as it is: the cheapest plan costs nothing; 30 pods of 100 slots
	// never carry 3,750 runs.
	fits := capacity.RecommendPlans(in, capacity.LinearRamp(3600), capacity.PlanOptions{PodHourUSD: podHour})
	require.NotEmpty(t, fits)
	assert.Equal(t, 0.0, fits[0].MonthlyUSD)
	small := in
	small.MaxReplicas = 30
	assert.Nil(t, capacity.RecommendPlans(small, five, capacity.PlanOptions{PodHourUSD: podHour}))
}

// A pod beyond the nodes present waits for a node, then starts: the step takes longer to absorb
// by at least one node's provisioning, and a pod that fits a node already there does not wait.
func TestNodeProvisioningDelaysPodsBeyondTheNodes(t *testing.T) {
	warm := prodWithQueueMetric()
	cold := warm
	cold.PodsPerNode, cold.NodeProvisioningSeconds = 6, 60
	w, c := capacity.SimulateArrival(warm, capacity.Step), capacity.SimulateArrival(cold, capacity.Step)
	assert.GreaterOrEqual(t, c.SecondsToCapacity, w.SecondsToCapacity+60, "every pod past the first nodes waits 60 s for its node")
	assert.Greater(t, c.WaitP95, w.WaitP95)

	// 10 pods on 6-pod nodes: two nodes, room for 12. The first two pods the HPA adds start on
	// them at once; the third waits for a node.
	early := cold
	early.MaxReplicas = 12
	e := capacity.SimulateArrival(early, capacity.Step)
	noNodes := early
	noNodes.NodeProvisioningSeconds = 0
	assert.Equal(t, capacity.SimulateArrival(noNodes, capacity.Step).SecondsToCapacity, e.SecondsToCapacity, "pods that fit the existing nodes never wait for one")

	slower := cold
	slower.NodeProvisioningSeconds = 180
	assert.Greater(t, capacity.SimulateArrival(slower, capacity.Step).SecondsToCapacity, c.SecondsToCapacity, "a slower node autoscaler, a slower ramp")
}

// Headroom: pods that fit the placeholders' room start after a preemption instead of a node's
// provisioning, and each evicted placeholder asks for a node at once, so a surge waits less.
func TestHeadroomStartsPodsWithoutWaitingForANode(t *testing.T) {
	cold := prodWithQueueMetric()
	cold.PodsPerNode, cold.NodeProvisioningSeconds, cold.PreemptionSeconds = 6, 60, 5

	// 10 pods and 8 placeholders on 6-pod nodes: three nodes, room for 18. Up to 18 pods, every
	// pod the HPA adds preempts a placeholder: the same as nodes that are always there and a
	// start-up 5 s longer. 2,000 users keep 1,500 runs in progress: 15 pods.
	held := cold
	held.Users, held.HeadroomPods, held.MaxReplicas = 2000, 8, 18
	present := held
	present.HeadroomPods, present.NodeProvisioningSeconds, present.PodsPerNode = 0, 0, 0
	present.PodStartupSeconds += held.PreemptionSeconds
	assert.Equal(t, capacity.SimulateArrival(present, capacity.Step).SecondsToCapacity, capacity.SimulateArrival(held, capacity.Step).SecondsToCapacity)
	without := held
	without.HeadroomPods = 0
	assert.Greater(t, capacity.SimulateArrival(without, capacity.Step).SecondsToCapacity, capacity.SimulateArrival(held, capacity.Step).SecondsToCapacity,
		"without placeholders the pods past the first nodes wait for a node")

	// More headroom never absorbs a step later, and the evicted placeholders' nodes serve the
	// pods after them: a full step is absorbed sooner with some headroom than with none.
	prev := math.Inf(1)
	for _, h := range []int{0, 5, 10, 20, 40} {
		in := cold
		in.HeadroomPods = h
		r := capacity.SimulateArrival(in, capacity.Step)
		assert.LessOrEqual(t, r.SecondsToCapacity, prev, "headroom %d", h)
		if h > 0 {
			assert.Less(t, r.SecondsToCapacity, capacity.SimulateArrival(cold, capacity.Step).SecondsToCapacity, "headroom %d", h)
		}
		prev = r.SecondsToCapacity
	}
	assert.Contains(t, capacity.Evaluate(held).Checks[7].Detail, "8 headroom pods' room is ready")
}
