package loadtest_test

import (
	"context"
	"net"
	"net/http/httptest"
	"net/url"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/loadtest"
	"github.com/langgraph-platform/infra/loadtest/fakeapi"
)

func serve(t testing.TB, s *fakeapi.Server) *url.URL {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	return u
}

func options(base *url.URL, users int, ramp, duration, think time.Duration) loadtest.Options {
	return loadtest.Options{
		BaseURL: base, Users: users, Ramp: ramp, Duration: duration, ThinkTime: think,
		RequestTimeout: 10 * time.Second, Mode: loadtest.ModeWait, AssistantID: "agent",
		MetricPrefix: "lg_api_", Interval: 100 * time.Millisecond, Seed: 7,
	}
}

// The tool measures what the server injects. Injected: run latency uniform on [100 ms, 300 ms]
// (mean 200 ms, p95 290 ms), 10 % of runs answered 500, queue wait uniform on [0, 1 s] (mean
// 500 ms, p95 950 ms; uniform within the 500-1000 ms bucket, so bucket interpolation is exact).
// Tolerances: success rate and run error share within 2.5 points (thousands of runs: the
// binomial standard deviation is about 0.6 point); latency within -2 ms/+15 % (the client adds
// loopback and scheduling time, never removes any; 15 % leaves room for a busy CI machine);
// queue wait within 7 % (sampling).
func TestMeasuresTheInjectedDistribution(t *testing.T) {
	fake := fakeapi.New(42)
	fake.Latency = fakeapi.Uniform(100*time.Millisecond, 300*time.Millisecond)
	fake.ErrorRate = 0.10
	fake.QueueWait = fakeapi.Uniform(0, time.Second)
	base := serve(t, fake)
	o := options(base, 300, 200*time.Millisecond, 3*time.Second, 10*time.Millisecond)
	o.MetricsURLs = []*url.URL{base.JoinPath("metrics")}
	_, err := loadtest.Preflight(context.Background(), &o)
	require.NoError(t, err)
	res, err := loadtest.Run(context.Background(), o)
	require.NoError(t, err)

	runs := res.RunsOK + res.RunsFailed
	require.Greater(t, runs, int64(2000), "enough runs for the tolerances")
	assert.InDelta(t, 90.0, res.SuccessRate(), 2.5)
	// A failed run answers 200 with __error__, as the real servers do: a "run error".
	assert.Equal(t, res.RunsFailed, res.Requests[loadtest.OpRun]["run error"], "every failed run is a run error")
	// The server also fails runs the test's end cut off (not counted): at most one per user.
	assert.LessOrEqual(t, res.RunsFailed, fake.RunsFailed.Load())
	assert.GreaterOrEqual(t, res.RunsFailed, fake.RunsFailed.Load()-300)
	assert.Equal(t, int64(300), res.Requests[loadtest.OpThread]["200"], "a thread per user")
	// The error rate counts thread creations too: 10 % of runs over all requests.
	assert.InDelta(t, 100*0.10*float64(runs)/float64(runs+300), res.ErrorRate(), 2.5)

	assert.GreaterOrEqual(t, res.RunLatency.Avg, 0.198)
	assert.LessOrEqual(t, res.RunLatency.Avg, 0.200*1.15)
	assert.GreaterOrEqual(t, res.RunLatency.P95, 0.288)
	assert.LessOrEqual(t, res.RunLatency.P95, 0.290*1.15)
	assert.LessOrEqual(t, res.RunLatency.P50, res.RunLatency.P95)
	assert.LessOrEqual(t, res.RunLatency.P95, res.RunLatency.P99)
	assert.Equal(t, res.RunsOK, res.RunLatency.Count, "latency is recorded for every successful run")

	require.NotNil(t, res.QueueWait)
	assert.Equal(t, fake.Runs.Load(), res.QueueWait.Count, "the queue-wait histogram's delta over the test")
	assert.InDelta(t, 0.95, res.QueueWait.P95, 0.95*0.07)
	assert.InDelta(t, 0.5, res.QueueWait.Avg, 0.5*0.07)
	assert.Greater(t, res.RunsPerSecond, 0.0)
	assert.False(t, res.Interrupted)
}

// A server that breaks a KPI fails exactly that KPI.
func TestVerdictNamesTheBrokenKPIs(t *testing.T) {
	fake := fakeapi.New(1)
	fake.Latency = fakeapi.Uniform(30*time.Millisecond, 40*time.Millisecond)
	fake.ErrorRate = 0.2
	res, err := loadtest.Run(context.Background(), options(serve(t, fake), 20, 0, time.Second, 5*time.Millisecond))
	require.NoError(t, err)
	kpis := loadtest.Evaluate(res, loadtest.Targets{
		SuccessRatePercent: 95, AvgResponseSeconds: 0.02, P95ResponseSeconds: 10, ErrorRatePercent: 2, QueueWaitSeconds: 60,
	})
	assert.ElementsMatch(t, []string{"success rate", "average response time", "error rate"}, loadtest.Failed(kpis))
	assert.False(t, loadtest.Passed(kpis))
	table := loadtest.Table(kpis)
	assert.Contains(t, table, "| success rate | > 95.00 % |")
	assert.Contains(t, table, "| p95 response time | < 10.000 s |")
	assert.Contains(t, table, "| p95 queue wait | < 60.000 s | - | not measured (pass -metrics-url) |")

	// Every measured KPI met, queue wait not measured: not a pass (a KPI nobody measured is not met).
	healthy := loadtest.Evaluate(res, loadtest.Targets{SuccessRatePercent: 70, AvgResponseSeconds: 1, P95ResponseSeconds: 1, ErrorRatePercent: 30, QueueWaitSeconds: 60})
	assert.False(t, loadtest.Passed(healthy), loadtest.Table(healthy))
	assert.Empty(t, loadtest.Failed(healthy))
	assert.Equal(t, []string{"p95 queue wait"}, loadtest.NotMeasured(healthy))
	res.QueueWait = &loadtest.QueueWait{Count: 10, P95: 1, Avg: 0.5}
	measured := loadtest.Evaluate(res, loadtest.Targets{SuccessRatePercent: 70, AvgResponseSeconds: 1, P95ResponseSeconds: 1, ErrorRatePercent: 30, QueueWaitSeconds: 60})
	assert.True(t, loadtest.Passed(measured), loadtest.Table(measured))
}

// Users start evenly over the ramp, all run after it, and the end stops every request without
// counting the cut-off ones as errors.
func TestRampAndStop(t *testing.T) {
	fake := fakeapi.New(3)
	fake.Latency = fakeapi.Uniform(500*time.Millisecond, 500*time.Millisecond)
	const users = 40
	ramp, hold := time.Second, time.Second
	o := options(serve(t, fake), users, ramp, hold, 0)
	start := time.Now()
	res, err := loadtest.Run(context.Background(), o)
	require.NoError(t, err)
	elapsed := time.Since(start)
	assert.GreaterOrEqual(t, elapsed, ramp+hold)
	assert.Less(t, elapsed, ramp+hold+time.Second, "the end cuts off in-flight runs instead of waiting for them")

	require.NotEmpty(t, res.Series)
	for _, s := range res.Series {
		if s.Elapsed < ramp {
			// A user starts at ramp x i / users: never more than elapsed/ramp of them (+1 for timing).
			assert.LessOrEqual(t, s.ActiveUsers, int64(float64(users)*s.Elapsed.Seconds()/ramp.Seconds())+1, "at %s", s.Elapsed)
		}
	}
	first := res.Series[0]
	assert.Less(t, first.ActiveUsers, int64(users), "users are still starting at the first sample")
	assert.Equal(t, int64(users), res.PeakActiveUsers)
	assert.Equal(t, int64(0), res.FailedRequests, "runs cut off by the end are not failures")
	assert.Positive(t, res.StoppedRequests)
	assert.Eventually(t, func() bool { return fake.InFlight.Load() == 0 }, 2*time.Second, 10*time.Millisecond,
		"no request is left running on the server")
	assert.False(t, res.Interrupted)
}

// Cancelling (Ctrl-C) stops early and still returns what was measured.
func TestInterruptStillReports(t *testing.T) {
	fake := fakeapi.New(4)
	fake.Latency = fakeapi.Uniform(10*time.Millisecond, 20*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	start := time.Now()
	res, err := loadtest.Run(ctx, options(serve(t, fake), 10, 0, time.Hour, 0))
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.True(t, res.Interrupted)
	assert.Positive(t, res.RunsOK)
	assert.Equal(t, int64(0), res.FailedRequests)
}

func TestStreamMode(t *testing.T) {
	fake := fakeapi.New(5)
	o := options(serve(t, fake), 5, 0, 300*time.Millisecond, 10*time.Millisecond)
	o.Mode = loadtest.ModeStream
	res, err := loadtest.Run(context.Background(), o)
	require.NoError(t, err)
	assert.Positive(t, res.RunsOK)
	assert.Equal(t, int64(0), res.FailedRequests, "%v", res.Errors)
}

// Bad input and unreachable or wrong servers give errors that say what happened, never a panic.
func TestClearErrors(t *testing.T) {
	ctx := context.Background()
	good := options(&url.URL{Scheme: "http", Host: "127.0.0.1:1"}, 10, 0, time.Second, 0)

	for raw, want := range map[string]string{
		"ftp://example.com":          "-url=ftp://example.com: must be an http:// or https:// URL with a host",
		"example.com":                "-url=example.com: must be an http:// or https:// URL with a host",
		"https://u:p@example.com":    "must not carry credentials",
		"https://example.com/?a=b":   "must not carry credentials, a query or a fragment",
		"http://[::1]:namedport/bad": "",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			continue // the command reports url.Parse's own error
		}
		o := good
		o.BaseURL = u
		err = o.Validate()
		require.Error(t, err, raw)
		if want != "" {
			assert.Contains(t, err.Error(), want)
		}
	}
	bad := good
	bad.Users, bad.Mode, bad.Body, bad.Duration = 0, "poll", []byte(`[1,2]`), 0
	err := bad.Validate()
	require.Error(t, err)
	for _, want := range []string{"-users=0: must be between 1 and 100000", "-mode=poll: must be wait or stream", "-body: not a JSON object", "-duration=0s: must be > 0"} {
		assert.Contains(t, err.Error(), want)
	}

	// A refused connection: a port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	refused := good
	refused.BaseURL = &url.URL{Scheme: "http", Host: addr}
	_, err = loadtest.Preflight(ctx, &refused)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot reach http://"+addr)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)

	// A non-JSON answer (a proxy's HTML page).
	html := fakeapi.New(6)
	html.NotJSON = true
	o := good
	o.BaseURL = serve(t, html)
	_, err = loadtest.Preflight(ctx, &o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the answer is not JSON")
	assert.Contains(t, err.Error(), `starts with "<html>`)

	// A wrong API key.
	locked := fakeapi.New(7)
	locked.APIKey = "right"
	o.BaseURL, o.APIKey = serve(t, locked), "wrong"
	_, err = loadtest.Preflight(ctx, &o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "answered 403")

	// Metrics without the queue histogram.
	plain := fakeapi.New(8)
	o.BaseURL, o.APIKey = serve(t, plain), ""
	o.MetricsURLs = []*url.URL{o.BaseURL.JoinPath("metrics")}
	_, err = loadtest.Preflight(ctx, &o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has no histogram lg_api_run_queue_wait_time_1st_attempt")
}

// 5,000 users on one machine against the fake server over loopback: all run at once on pooled
// connections and memory stays bounded (peak RSS logged; the closing note reports it).
func TestFiveThousandUsers(t *testing.T) {
	const users = 5000
	// Client and server share this process: two descriptors per connection.
	require.NoError(t, loadtest.RaiseFileLimit(2*loadtest.FileLimitNeeded(users)))
	fake := fakeapi.New(9)
	fake.Latency = fakeapi.Uniform(200*time.Millisecond, 400*time.Millisecond)
	o := options(serve(t, fake), users, 2*time.Second, 4*time.Second, time.Second)
	o.Interval = 500 * time.Millisecond
	res, err := loadtest.Run(context.Background(), o)
	require.NoError(t, err)

	assert.Equal(t, int64(users), res.PeakActiveUsers, "every user ran at once")
	assert.Equal(t, int64(users), fake.Threads.Load(), "one thread per user")
	assert.Equal(t, int64(0), res.FailedRequests, "%v", res.Errors)
	assert.Greater(t, res.RunsOK, int64(users), "users kept running after their first run")
	assert.Greater(t, fake.PeakInFlight.Load(), int64(users/10), "hundreds of requests in flight at once")

	var usage syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &usage))
	peakMiB := float64(usage.Maxrss) / 1024 // kilobytes on Linux
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	t.Logf("5000 users: %d runs, %.0f runs/s, peak in flight %d, peak RSS %.0f MiB (client and server), heap %.0f MiB",
		res.RunsOK, res.RunsPerSecond, fake.PeakInFlight.Load(), peakMiB, float64(mem.HeapSys)/(1<<20))
	assert.Less(t, peakMiB, 1024.0, "memory is bounded: histograms are fixed-size, answers are streamed, not kept")
}
