package capacity_test

import (
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

// A step to full load with the queue metric takes today's 510 s to absorb and peaks near 2,700
// waiting runs; the runs that waited, waited minutes.
func TestStepReproducesTheKnownRamp(t *testing.T) {
	r := capacity.SimulateArrival(prodWithQueueMetric(), capacity.Step)
	assert.Equal(t, 510.0, r.SecondsToCapacity)
	assert.InDelta(t, 2700, r.PeakQueue, 150)
	assert.Greater(t, r.WaitP95, 60.0, "a step breaks the queue-wait target")
	assert.GreaterOrEqual(t, r.WaitMax, r.WaitP95)
	assert.GreaterOrEqual(t, r.WaitP95, r.WaitP50)
	require.Len(t, r.Minutes, 60, "a step is followed for an hour")
	assert.Equal(t, 5000.0, r.Minutes[0].Users)
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
// headline ramp breaks the target, the headline ramp meets it.
func TestFastestRampIsTheBoundary(t *testing.T) {
	in := prodWithQueueMetric()
	fastest, ok := capacity.FastestRamp(in)
	require.True(t, ok)
	assert.Greater(t, fastest, 0.0, "prod does not absorb a step")
	assert.Less(t, capacity.SimulateArrival(in, capacity.LinearRamp(fastest)).WaitP95, in.QueueWaitTarget)
	assert.GreaterOrEqual(t, capacity.SimulateArrival(in, capacity.LinearRamp(fastest-15)).WaitP95, in.QueueWaitTarget)
	prev := math.Inf(1)
	for d := 0.0; d <= 1800; d += 300 {
		w := capacity.SimulateArrival(in, capacity.LinearRamp(d)).WaitP95
		assert.LessOrEqual(t, w, prev+1e-9, "a %v s ramp waits longer than a faster one", d)
		prev = w
	}
	in.MaxReplicas = 30 // 3,000 slots for 3,750 runs: no ramp is absorbed
	_, ok = capacity.FastestRamp(in)
	assert.False(t, ok)
}

// The levers: a percent scale-up policy beside the seed's pod policy (the HPA takes the larger)
// and a higher minimum each absorb faster ramps; stale metrics absorb slower ones.
func TestLeversMoveTheHeadline(t *testing.T) {
	base := prodWithQueueMetric()
	fastest, _ := capacity.FastestRamp(base)
	percent := base
	percent.HPA.UpPercent = 100
	p, ok := capacity.FastestRamp(percent)
	require.True(t, ok)
	assert.Less(t, p, fastest, "+100 %% per minute beats +5 pods per minute from 10 pods")
	assert.Less(t, capacity.SimulateArrival(percent, capacity.Step).SecondsToCapacity, 510.0)
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
	assert.Equal(t, capacity.SimulateArrival(in, capacity.Step).WaitP95, capacity.SimulateArrival(in, flat).WaitP95)
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

// The recommendation names, per lever, the smallest value that fits, cheapest at rest first, and
// nothing when the scenario already fits.
func TestRecommendLevers(t *testing.T) {
	in := prodWithQueueMetric()
	levers := capacity.RecommendLevers(in, capacity.LinearRamp(300))
	require.NotEmpty(t, levers)
	for _, l := range levers {
		changed := in
		switch l.Setting {
		case "hpa.scaleUp.percent":
			changed.HPA.UpPercent = l.To
		case "hpa.scaleUp.pods":
			changed.HPA.UpPods = l.To
		case "hpa.minReplicas":
			changed.MinReplicas = l.To
			assert.Equal(t, float64((l.To-in.MinReplicas)*730), l.PodHoursPerMonth)
		case "hpa.schedules (minReplicas around the rush)":
			changed.MinReplicas = l.To
			assert.Equal(t, float64(l.To-in.MinReplicas)*2*22, l.PodHoursPerMonth, "a 5-minute rush and an hour to settle, 22 days a month")
		default:
			t.Fatalf("unknown lever %s", l.Setting)
		}
		assert.Less(t, capacity.SimulateArrival(changed, capacity.LinearRamp(300)).WaitP95, in.QueueWaitTarget, l.String())
	}
	assert.Equal(t, "hpa.scaleUp.percent", levers[0].Setting, "a faster policy costs nothing at rest")
	assert.Nil(t, capacity.RecommendLevers(in, capacity.LinearRamp(3600)), "an hour-long ramp already fits")
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
