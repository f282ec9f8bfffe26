package langgraph

import (
	"encoding/json"
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/capacity"
	"github.com/langgraph-platform/infra/internal/langgraphtest"
	"github.com/langgraph-platform/infra/loadtest"
)

// The capacity model's surge, proven on LangChain's real server. The test is the model's scenario
// with every duration divided by timeScale (a model minute is a real second): runs of 60 s become
// the graph's 1 s, a think time of 240 s becomes 4 s, the profile's minutes become seconds. Users
// (40) and run slots (N_JOBS_PER_WORKER 4) are the same in both, so the offered load
// U x S / (S + T) = 8 runs against 4 slots, and every ratio of the surge, is the same; the model's
// waits divided by timeScale are what the server should measure.
const (
	timeScale  = 60.0
	rampSlots  = 4
	rampRun    = time.Second
	rampThink  = 4 * time.Second
	rampUsers  = 40
	rampSecond = time.Second // a profile step: the model's minute
)

// rampProfile brings 8 users a step to 40, holds them for 15 steps, and lets the queue drain.
// Held long enough that the users' closed loop shows: a user whose run waits sends no other, so
// the queue settles (at about U x S / slots - S - T = 5 s of wait) where arrivals that ignored it
// would pile up (over 15 s).
var rampProfile = []float64{8, 16, 24, 32, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 40, 0, 0, 0, 0, 0, 0, 0, 0}

// rampTolerance is how far a measured wait may be from the model's: 15 % of it, and 1 s more:
// the in-memory server's run poller sleeps 0.5 s whenever it finds no run, so the first runs of a
// surge on an idle server start up to a second late, and every run queued behind them inherits it
// (the production server's Postgres queue is woken by each new run).
func rampTolerance(predicted float64) float64 { return 0.15*predicted + 1 }

// rampTailTolerance is rampTolerance for the p95, 35 % and 1 s: the model is a fluid one (the mean
// user), so its p95 is the 95th percentile of a wait that varies only with time; the real users'
// random (exponential) think times bunch runs, the likely reason the measured tail is wider. Measured here in 6 runs: p95 7.42
// to 8.01 s against the model's 6.05 to 6.07 s (22 to 32 % above it, 8.01 s with CI's other
// packages on the same two cores), while p50 and mean stay within rampTolerance.
func rampTailTolerance(predicted float64) float64 { return 0.35*predicted + 1 }

// queueWaits are the server's own queue waits, in seconds: run_queue_ms of each run it started
// (created to started), from its JSON log.
func queueWaits(logs string) []float64 {
	var waits []float64
	for _, line := range strings.Split(logs, "\n") {
		var e struct {
			Event string   `json:"event"`
			Queue *float64 `json:"run_queue_ms"`
		}
		if json.Unmarshal([]byte(line), &e) == nil && e.Event == "Starting background run" && e.Queue != nil {
			waits = append(waits, *e.Queue/1000)
		}
	}
	slices.Sort(waits)
	return waits
}

// at is the q-quantile of sorted values (nearest rank).
func at(sorted []float64, q float64) float64 {
	return sorted[min(len(sorted)-1, int(math.Ceil(q*float64(len(sorted))))-1)]
}

// Drive the real server through a ramp that overloads a small worker pool and compare the queue
// waits it measures with the capacity model's prediction for the same arrivals: the model's users
// (a new user's first run at once, the next after the run and a think), its run slots, its first
// in first out queue. The model's run time is what a run holds a slot on this server: the slots
// over the runs per second while every slot is busy (the graph's 1 s and the server's own work).
func TestModelPredictsTheRealServersQueueWait(t *testing.T) {
	s := langgraphtest.Start(t, langgraphtest.Options{JobsPerWorker: rampSlots, Env: map[string]string{"LOG_JSON": "true", "LOG_COLOR": "false"}})
	u, err := url.Parse(s.URL)
	require.NoError(t, err)
	o := loadtest.Options{BaseURL: u, Users: rampUsers, Profile: rampProfile, ProfileStep: rampSecond, ThinkTime: rampThink,
		RequestTimeout: time.Minute, Mode: loadtest.ModeWait, Body: []byte(`{"input":{"sleep_ms":1000}}`), AssistantID: "agent",
		Interval: 500 * time.Millisecond, Seed: 1}
	res := run(t, o)
	require.Zero(t, res.RunsFailed, res.Errors)

	busy, n := 0.0, 0
	for _, x := range res.Series {
		if x.Elapsed > 5*rampSecond && x.Elapsed <= 20*rampSecond { // the queue is never empty here
			busy += x.RunsPerSecond
			n++
		}
	}
	require.Positive(t, n)
	held := rampSlots / (busy / float64(n))
	assert.InDelta(t, rampRun.Seconds(), held, 0.25, "a run holds its slot about as long as the graph sleeps")

	in := capacity.Inputs{Users: rampUsers, RunSeconds: held * timeScale, ThinkSeconds: rampThink.Seconds() * timeScale, QueueWaitTarget: math.Inf(1),
		JobsPerWorker: rampSlots, MinReplicas: 1, MaxReplicas: 1, CPUTarget: 0.7, CPUAtFullLoad: 0.5,
		HPA: capacity.HPAPolicy{SyncSeconds: 15, Tolerance: 0.1, UpPods: 1, UpPeriod: 60, DownPods: 1, DownPeriod: 60}}
	model := capacity.SimulateArrival(in, capacity.Arrival{UsersPerMinute: rampProfile})
	waits := queueWaits(s.Logs())
	require.NotEmpty(t, waits, "the server logged no run start:\n%s", s.Logs())
	mean := 0.0
	for _, w := range waits {
		mean += w / float64(len(waits))
	}
	t.Logf("slot time %.3f s; %d runs started (model %.1f); queue wait measured p50 %.2f s, p95 %.2f s, mean %.2f s; predicted p50 %.2f s, p95 %.2f s, mean %.2f s",
		held, len(waits), model.Runs, at(waits, 0.5), at(waits, 0.95), mean, model.WaitP50/timeScale, model.WaitP95/timeScale, model.WaitMean/timeScale)
	for _, c := range []struct {
		name               string
		measured, expected float64
		tolerance          func(float64) float64
	}{
		{"p50", at(waits, 0.5), model.WaitP50 / timeScale, rampTolerance},
		{"p95", at(waits, 0.95), model.WaitP95 / timeScale, rampTailTolerance},
		{"mean", mean, model.WaitMean / timeScale, rampTolerance},
	} {
		assert.Greater(t, c.expected, 1.0, "the surge makes runs wait (%s)", c.name)
		assert.InDelta(t, c.expected, c.measured, c.tolerance(c.expected), "queue wait %s: measured %.2f s, predicted %.2f s", c.name, c.measured, c.expected)
	}
	assert.InDelta(t, model.Runs, float64(len(waits)), 0.15*model.Runs, "runs started")
}
