package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/internal/stackfile/stackfiletest"
	"github.com/langgraph-platform/infra/loadtest"
	"github.com/langgraph-platform/infra/loadtest/fakeapi"
)

type outcome struct {
	code           int
	stdout, stderr string
	report         loadtest.Report
	series         [][]string
}

// testKey is the API key the fake servers require and the tests export: the stacks require one.
const testKey = "lsv2_pt_loadtest_test_key_000000000001"

// loadtestRun runs the command for a few seconds with small numbers against url.
func loadtestRun(t *testing.T, ctx context.Context, url string, extra ...string) outcome {
	t.Helper()
	t.Setenv("LANGSMITH_API_KEY", testKey)
	dir := t.TempDir()
	report, series := filepath.Join(dir, "report.json"), filepath.Join(dir, "series.csv")
	args := append([]string{"-stack", "staging", "-url", url, "-users", "20", "-ramp", "200ms", "-duration", "1s",
		"-think", "10ms", "-interval", "250ms", "-report", report, "-csv", series, "-progress", "off"}, extra...)
	var out, errOut bytes.Buffer
	o := outcome{code: run(ctx, args, &out, &errOut, false), stdout: out.String(), stderr: errOut.String()}
	if b, err := os.ReadFile(report); err == nil {
		require.NoError(t, json.Unmarshal(b, &o.report))
	}
	if f, err := os.Open(series); err == nil {
		defer f.Close()
		o.series, err = csv.NewReader(f).ReadAll()
		require.NoError(t, err)
	}
	return o
}

// server serves s, which requires testKey unless the test set another key.
func server(t *testing.T, s *fakeapi.Server) string {
	if s.APIKey == "" {
		s.APIKey = testKey
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv.URL
}

// A healthy server passes every KPI of the stack; the targets come from its config.
func TestHealthyServerPasses(t *testing.T) {
	fake := fakeapi.New(1)
	fake.Latency = fakeapi.Uniform(5*time.Millisecond, 15*time.Millisecond)
	fake.QueueWait = fakeapi.Uniform(0, 100*time.Millisecond)
	url := server(t, fake)
	o := loadtestRun(t, context.Background(), url, "-metrics-url", url+"/metrics")
	require.Equal(t, exitPass, o.code, "%s\n%s", o.stdout, o.stderr)
	assert.Contains(t, o.stdout, "| success rate | > 95.00 % | 100.00 % | pass |", "staging's kpi.successRatePercent")
	assert.Contains(t, o.stdout, "| p95 response time | < 300.000 s |")
	assert.Contains(t, o.stdout, "| p95 queue wait | < 60.000 s |")
	assert.True(t, o.report.Pass)
	assert.Equal(t, "staging", o.report.Stack)
	require.Len(t, o.report.KPIs, 5)
	for _, k := range o.report.KPIs {
		assert.True(t, k.Measured, k.Name)
	}
	assert.Equal(t, 20, o.report.Result.Users)
	require.Greater(t, len(o.series), 2, "a header and a row per interval")
	assert.Equal(t, loadtest.CSVHeader, o.series[0])
}

// A server that breaks a KPI makes the command exit non-zero naming it.
func TestBrokenKPIExitsOneNamingIt(t *testing.T) {
	fake := fakeapi.New(2)
	fake.ErrorRate = 0.3
	o := loadtestRun(t, context.Background(), server(t, fake))
	assert.Equal(t, exitKPIFailed, o.code, "%s\n%s", o.stdout, o.stderr)
	assert.Contains(t, o.stderr, "KPI failed: success rate, error rate")
	assert.Contains(t, o.stdout, "first run error: POST ")
	assert.Contains(t, o.stdout, "the run failed: {\"error\":\"RuntimeError\",\"message\":\"injected failure\"}", "the server's own message")
	assert.False(t, o.report.Pass)

	// Latency KPIs come from the stack file too: a copy with a 20 ms p95 target.
	slow := fakeapi.New(3)
	slow.Latency = fakeapi.Uniform(40*time.Millisecond, 60*time.Millisecond)
	dir := stackfiletest.ProjectCopy(t, "staging", "concurrentUsers: 500", "concurrentUsers: 500\n    p95ResponseSeconds: 0.01\n    avgResponseSeconds: 0.01")
	o = loadtestRun(t, context.Background(), server(t, slow), "-dir", dir)
	assert.Equal(t, exitKPIFailed, o.code, "%s\n%s", o.stdout, o.stderr)
	assert.Contains(t, o.stderr, "KPI failed: average response time, p95 response time")
}

func TestUsageAndServerErrorsExitTwo(t *testing.T) {
	t.Setenv("LANGSMITH_API_KEY", testKey)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	html := fakeapi.New(4)
	html.NotJSON = true
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"no stack":        {[]string{"-url", "http://x"}, "-stack is required"},
		"no url":          {[]string{"-stack", "prod"}, "-url is required"},
		"unknown stack":   {[]string{"-stack", "qa", "-url", "http://x"}, "Pulumi.qa.yaml"},
		"wrong url":       {[]string{"-stack", "prod", "-url", "agents.example.com"}, "-url=agents.example.com: must be an http:// or https:// URL with a host"},
		"zero users":      {[]string{"-stack", "prod", "-url", "http://x", "-users", "0"}, "-users=0: must be between 1 and 100000"},
		"bad body":        {[]string{"-stack", "prod", "-url", "http://x", "-body", "/does/not/exist.json"}, "-body: open /does/not/exist.json"},
		"refused":         {[]string{"-stack", "prod", "-url", refused, "-users", "1"}, "cannot reach " + refused},
		"not json":        {[]string{"-stack", "prod", "-url", server(t, html), "-users", "1"}, "the answer is not JSON"},
		"bad progress":    {[]string{"-stack", "prod", "-url", "http://x", "-progress", "sometimes"}, `-progress="sometimes": must be auto, on or off`},
		"stray arguments": {[]string{"-stack", "prod", "-url", "http://x", "5000"}, "unexpected arguments"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), tc.args, &out, &errOut, false)
		assert.Equal(t, exitUsage, code, name)
		assert.Contains(t, errOut.String(), tc.want, name)
	}
}

// Ctrl-C stops the run, still prints and writes the report, and exits 3.
func TestInterruptExitsThreeWithAReport(t *testing.T) {
	fake := fakeapi.New(5)
	fake.Latency = fakeapi.Uniform(5*time.Millisecond, 10*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(600*time.Millisecond, cancel)
	o := loadtestRun(t, ctx, server(t, fake), "-duration", "1h")
	assert.Equal(t, exitInterrupted, o.code, "%s\n%s", o.stdout, o.stderr)
	assert.Contains(t, o.stderr, "interrupted")
	assert.Contains(t, o.stdout, "| success rate |")
	assert.True(t, o.report.Result.Interrupted)
	assert.False(t, o.report.Pass, "an interrupted run never passes")
	assert.Positive(t, o.report.Result.RunsOK)
}

// The API key is read from the environment and sent; the report never contains it.
func TestAPIKeyFromTheEnvironment(t *testing.T) {
	fake := fakeapi.New(6)
	fake.APIKey = "lsv2_test_key_0123456789"
	t.Setenv("LOADTEST_KEY", fake.APIKey)
	url := server(t, fake)
	o := loadtestRun(t, context.Background(), url, "-api-key-env", "LOADTEST_KEY")
	// No -metrics-url: queue wait is not measured, and the run does not claim the KPIs are met.
	require.Equal(t, exitNotMeasured, o.code, "%s\n%s", o.stdout, o.stderr)
	assert.Contains(t, o.stderr, "no KPI failed, but not measured: p95 queue wait")
	assert.Contains(t, o.stdout, "| p95 queue wait | < 60.000 s | - | not measured (pass -metrics-url) |")
	assert.False(t, o.report.Pass)
	b, err := json.Marshal(o.report)
	require.NoError(t, err)
	assert.NotContains(t, string(b)+o.stdout+o.stderr, fake.APIKey)

	o = loadtestRun(t, context.Background(), url, "-api-key-env", "LOADTEST_MISSING_KEY")
	assert.Equal(t, exitUsage, o.code)
	assert.Contains(t, o.stderr, "$LOADTEST_MISSING_KEY is empty, but stack staging requires a credential (auth.mode custom) in x-api-key")

	t.Setenv("LOADTEST_WRONG_KEY", "lsv2_pt_wrong")
	o = loadtestRun(t, context.Background(), url, "-api-key-env", "LOADTEST_WRONG_KEY")
	assert.Equal(t, exitUsage, o.code)
	assert.Contains(t, o.stderr, "answered 403")
}

// A stack with authentication on refuses to load-test a server that lets anonymous calls in: the
// preflight's request without the credential must be answered 401 or 403. A healthy run records
// the answer in its report.
func TestPreflightStopsOnAnOpenServer(t *testing.T) {
	open := fakeapi.New(9)
	open.APIKey = "" // accepts anything
	srv := httptest.NewServer(open)
	t.Cleanup(srv.Close)
	o := loadtestRun(t, context.Background(), srv.URL)
	assert.Equal(t, exitUsage, o.code, "%s\n%s", o.stdout, o.stderr)
	assert.Contains(t, o.stderr, "the server accepted a thread request without x-api-key (answered 200)")
	assert.Equal(t, int64(0), open.Runs.Load(), "no user started")

	locked := fakeapi.New(10)
	o = loadtestRun(t, context.Background(), server(t, locked))
	require.Equal(t, exitNotMeasured, o.code, "%s\n%s", o.stdout, o.stderr)
	assert.Equal(t, 401, o.report.Preflight.UnauthenticatedStatus)
	assert.Contains(t, o.stderr, "a request without x-api-key was refused with 401")
}

// -profile drives the active users minute by minute (shortened steps here) and sets each step
// beside the capacity model's prediction for the same arrivals, on stdout and in the report.
func TestProfileDrivenRunComparesWithTheModel(t *testing.T) {
	fake := fakeapi.New(21)
	fake.Latency = fakeapi.Uniform(5*time.Millisecond, 10*time.Millisecond)
	csvPath := filepath.Join(t.TempDir(), "morning.csv")
	require.NoError(t, os.WriteFile(csvPath, []byte("minute,users\n0,4\n1,12\n2,8\n"), 0o644))
	t.Setenv("LANGSMITH_API_KEY", testKey)
	dir := t.TempDir()
	report := filepath.Join(dir, "report.json")
	var out, errOut bytes.Buffer
	series, svg := filepath.Join(dir, "series.csv"), filepath.Join(dir, "chart.svg")
	code := run(context.Background(), []string{"-stack", "staging", "-url", server(t, fake), "-profile", csvPath, "-profile-step", "400ms",
		"-think", "10ms", "-interval", "100ms", "-report", report, "-csv", series, "-svg", svg, "-progress", "off"}, &out, &errOut, false)
	require.Equal(t, exitNotMeasured, code, "%s\n%s", out.String(), errOut.String())
	// The chart: the model's account and the measurement on the same axes.
	picture, err := os.ReadFile(svg)
	require.NoError(t, err)
	for _, want := range []string{"<svg", "the profile morning.csv beside the capacity model", "model: pods ready", "model: queue wait", "measured: users", "measured: response time", "KPI: queue wait p95 &lt; 60 s"} {
		assert.Contains(t, string(picture), want)
	}
	assert.Contains(t, out.String(), "| minute | users | predicted queue wait p95 | predicted response p95 | measured response p95 | measured runs/s |")
	var rep loadtest.Report
	b, err := os.ReadFile(report)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep))
	require.Len(t, rep.Profile, 3)
	for i, users := range []float64{4, 12, 8} {
		assert.Equal(t, users, rep.Profile[i].Users)
		assert.Positive(t, rep.Profile[i].RunsPerSecond, "minute %d ran", i)
		assert.GreaterOrEqual(t, rep.Profile[i].PredictedCompletion, 180.0, "the model's response includes the average run")
	}
	f, err := os.Open(series)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	peak := 0
	for _, row := range rows[1:] {
		n, err := strconv.Atoi(row[1]) // active_users
		require.NoError(t, err)
		peak = max(peak, n)
	}
	assert.Greater(t, peak, 4, "the second minute brought more users")
	assert.LessOrEqual(t, peak, 12, "never more users than the profile's peak")

	out.Reset()
	errOut.Reset()
	code = run(context.Background(), []string{"-stack", "staging", "-url", server(t, fake), "-profile", csvPath, "-users", "5"}, &out, &errOut, false)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut.String(), "leave out -users, -ramp and -duration")
}
