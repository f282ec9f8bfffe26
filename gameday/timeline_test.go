package gameday

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var t0 = time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)

// ticks builds 5-second intervals from t0 with the given error counts out of 100 requests.
func ticks(failed ...int64) []Tick {
	var out []Tick
	for i, f := range failed {
		out = append(out, Tick{End: t0.Add(time.Duration(i+1) * 5 * time.Second), Requests: 100, FailedRequests: f, RunsOK: 100 - f, RunsFailed: f})
	}
	return out
}

var targets = Targets{ErrorRatePercent: 1, QueueWaitSeconds: 2}

func TestRecoveryIsTheStartOfTheFirstHealthyStreakThatLasts(t *testing.T) {
	// Fault at 10 s; breaches in the intervals ending 15 and 20 s, a blip at 30 s, then healthy.
	tl := ticks(0, 0, 50, 20, 0, 5, 0, 0, 0, 0)
	r := Analyze(tl, t0.Add(10*time.Second), targets, 15*time.Second)
	assert.True(t, r.Degraded)
	assert.True(t, r.Recovered)
	// The streak after the blip starts at 30 s: 20 s after the fault.
	assert.Equal(t, 20.0, r.Seconds)
	assert.Equal(t, 50.0, r.PeakErrorRate)
	assert.Equal(t, int64(75), r.RunsLost, "the failed runs between the fault and recovery")
	assert.Equal(t, 0.0, r.AfterErrorRate)
}

func TestNeverDegradedRecoversAtOnce(t *testing.T) {
	r := Analyze(ticks(0, 0, 0, 0, 0), t0.Add(5*time.Second), targets, 10*time.Second)
	assert.False(t, r.Degraded)
	assert.True(t, r.Recovered)
	assert.Equal(t, 0.0, r.Seconds)
}

func TestNoLastingStreakIsNotRecovered(t *testing.T) {
	r := Analyze(ticks(0, 50, 0, 50, 0), t0, targets, 10*time.Second)
	assert.True(t, r.Degraded)
	assert.False(t, r.Recovered, "no 10 s of health after the last breach")
	assert.Equal(t, int64(100), r.RunsLost)
}

func TestQueueWaitBreachesCountOnlyWithQueuedRuns(t *testing.T) {
	tl := ticks(0, 0, 0, 0)
	tl[1].QueueWaitP95, tl[1].QueueWaitRuns = 9, 4 // 9 s p95 over 4 runs: a breach
	tl[2].QueueWaitP95, tl[2].QueueWaitRuns = 9, 0 // no run queued: says nothing
	r := Analyze(tl, t0, targets, 10*time.Second)
	assert.True(t, r.Degraded)
	assert.Equal(t, 10.0, r.Seconds)
	assert.Equal(t, 9.0, r.PeakQueueWait)
}

func TestAnIntervalWithoutRequestsIsNotAnError(t *testing.T) {
	tl := ticks(0, 0)
	tl[1].Requests, tl[1].FailedRequests = 0, 0
	assert.True(t, targets.healthy(tl[1]))
	assert.Equal(t, 0.0, tl[1].ErrorRate())
}

func TestUnreachableMeasuresTheLongestOutage(t *testing.T) {
	var probes []Probe
	up := []bool{true, true, false, false, false, true, false, true}
	for i, u := range up {
		probes = append(probes, Probe{At: t0.Add(time.Duration(i) * time.Second), Server: u})
	}
	o := Unreachable(probes, t0.Add(time.Second), func(p Probe) bool { return p.Server })
	assert.Equal(t, 3.0, o.LongestSeconds)
	assert.Equal(t, 4.0, o.TotalSeconds)
	assert.Equal(t, 7, o.Probes)
	// Before the fault nothing counts.
	assert.Equal(t, 0.0, Unreachable(probes[:2], t0, func(p Probe) bool { return p.Server }).TotalSeconds)
}

func TestCounterDeltaCountsRestartsAndAbsentCounters(t *testing.T) {
	before := []map[string]float64{{attemptsCounter: 10, "run_failed_retriable_counter_total": 4}}
	// The process restarted (its counters start again) and has retried once since.
	after := []map[string]float64{{attemptsCounter: 3, "run_failed_retriable_counter_total": 1}}
	d, ok := counterDelta(before, after, "run_failed_retriable_counter_total")
	assert.True(t, ok)
	assert.Equal(t, 1.0, d)
	// Exposed but never counted: none.
	d, ok = counterDelta(before, []map[string]float64{{attemptsCounter: 12}}, "run_failed_after_retry_counter_total")
	assert.True(t, ok)
	assert.Equal(t, 0.0, d)
	// Internal metrics off: not measured.
	_, ok = counterDelta(before, []map[string]float64{{}}, "run_failed_retriable_counter_total")
	assert.False(t, ok)
}
