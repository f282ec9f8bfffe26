// Command loadtest drives virtual users against a deployed LangGraph dataplane and judges the
// stack's KPIs (kpi.* in Pulumi.<stack>.yaml): success rate, average and p95 response time,
// error rate and, with -metrics-url, p95 queue wait.
//
//	LANGSMITH_API_KEY=... go run ./cmd/loadtest -stack prod -url https://agents.example.com \
//	    [-users 5000] [-ramp 5m] [-duration 30m] [-body run.json] [-report report.json] [-csv series.csv]
//
// Point it only at a system you own: 5,000 users is a real load.
//
// Exit codes: 0 every KPI passes; 1 a KPI fails (named on stderr); 2 bad usage, bad stack
// configuration, or the server cannot be reached; 3 interrupted (Ctrl-C) before the planned end:
// the report is still written; 4 no KPI failed but one was not measured (queue wait without
// -metrics-url).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/langgraph-platform/infra/capacity"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/stackfile"
	"github.com/langgraph-platform/infra/loadtest"
	"github.com/langgraph-platform/infra/program/sizing"
)

// Exit codes.
const (
	exitPass        = 0
	exitKPIFailed   = 1
	exitUsage       = 2
	exitInterrupted = 3
	// exitNotMeasured: no KPI failed, but one was not measured (queue wait without -metrics-url):
	// the run does not claim the KPIs are met.
	exitNotMeasured = 4
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, isTerminal(os.Stderr))
	stop()
	os.Exit(code)
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, terminal bool) int {
	flags := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stack := flags.String("stack", "", "stack whose kpi.* targets judge the run: a Pulumi.<stack>.yaml must exist (required)")
	dir := flags.String("dir", "", "project directory holding Pulumi.yaml (default: found upwards from here)")
	rawURL := flags.String("url", "", "base URL of the LangGraph server, e.g. https://agents.example.com (required; nothing else is contacted)")
	users := flags.Int("users", 0, "virtual users (default: the stack's kpi.concurrentUsers)")
	ramp := flags.Duration("ramp", 5*time.Minute, "users start evenly over this")
	duration := flags.Duration("duration", 30*time.Minute, "how long all users run after the ramp")
	think := flags.Duration("think", 0, "mean think time between a user's runs (default: the stack's capacity.thinkTimeSeconds)")
	timeout := flags.Duration("timeout", 10*time.Minute, "per-request timeout (above the slowest run you accept)")
	mode := flags.String("mode", loadtest.ModeWait, "wait (POST /threads/{id}/runs/wait) or stream (/runs/stream)")
	bodyFile := flags.String("body", "", "JSON file with the run request (input, config, ...); assistant_id is added from -assistant when absent")
	assistant := flags.String("assistant", "agent", "assistant (graph) ID to run")
	apiKeyEnv := flags.String("api-key-env", "LANGSMITH_API_KEY", "environment variable holding the API key, sent in the stack's auth.header (never a flag: flags show up in process lists)")
	var metrics loadtest.URLList
	flags.Var(&metrics, "metrics-url", "server metrics endpoint (the pod's API port, /metrics) for queue wait; repeat for each pod (kubectl port-forward)")
	prefix := flags.String("metric-prefix", "lg_api_", "the server's METRIC_PREFIX")
	interval := flags.Duration("interval", 5*time.Second, "time-series interval and progress cadence")
	reportFile := flags.String("report", "loadtest-report.json", "JSON report file (\"\" for none)")
	csvFile := flags.String("csv", "loadtest-series.csv", "CSV time series file (\"\" for none)")
	svgFile := flags.String("svg", "", "draw the test as an SVG chart (users and response p95 over time; with -profile, the capacity model's users, pods, nodes and waits beside them) into this file")
	progress := flags.String("progress", "auto", "live progress line on stderr: auto (when stderr is a terminal), on or off")
	seed := flags.Uint64("seed", 1, "seed of the think-time draws")
	profileFile := flags.String("profile", "", "drive the active users from a CSV of users per minute (minute,users, or a -csv series), instead of -users/-ramp/-duration; the report sets each minute beside the capacity model's prediction")
	profileStep := flags.Duration("profile-step", time.Minute, "length of one profile row (a minute; shorten it only to rehearse)")
	if err := flags.Parse(args); err != nil {
		return exitUsage
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "loadtest: "+format+"\n", a...)
		return exitUsage
	}
	if flags.NArg() > 0 {
		return fail("unexpected arguments %q: every setting is a flag", flags.Args())
	}
	if *stack == "" {
		return fail("-stack is required: its kpi.* targets judge the run (for example -stack prod)")
	}
	if *rawURL == "" {
		return fail("-url is required: the base URL of a LangGraph server you own")
	}
	set := map[string]bool{}
	flags.Visit(func(f *flag.Flag) { set[f.Name] = true })

	cfg, err := stackfile.LoadTyped(stackfile.Options{Dir: *dir, Stack: *stack}, config.LoadOptions{CredentialsOptional: true})
	if err != nil {
		return fail("%v", err)
	}
	targets := loadtest.Targets{
		SuccessRatePercent: cfg.KPI.SuccessRatePercent, AvgResponseSeconds: cfg.KPI.AvgResponseSeconds,
		P95ResponseSeconds: cfg.KPI.P95ResponseSeconds, ErrorRatePercent: cfg.KPI.ErrorRatePercent,
		QueueWaitSeconds: cfg.KPI.QueueWaitSeconds,
	}
	var profile capacity.Arrival
	if *profileFile != "" {
		if set["users"] || set["ramp"] || set["duration"] {
			return fail("-profile sets the users over time: leave out -users, -ramp and -duration")
		}
		f, err := os.Open(*profileFile)
		if err != nil {
			return fail("-profile: %v", err)
		}
		profile, err = capacity.ParseProfile(f)
		f.Close()
		if err != nil {
			return fail("-profile %s: %v", *profileFile, err)
		}
		peak := 0.0
		for _, u := range profile.UsersPerMinute {
			peak = max(peak, u)
		}
		*users = int(peak)
	}
	if !set["users"] && *profileFile == "" {
		*users = cfg.KPI.ConcurrentUsers
	}
	if !set["think"] {
		*think = time.Duration(cfg.Capacity.ThinkTimeSeconds * float64(time.Second))
	}
	if *progress != "auto" && *progress != "on" && *progress != "off" {
		return fail("-progress=%q: must be auto, on or off", *progress)
	}

	base, err := url.Parse(*rawURL)
	if err != nil {
		return fail("-url=%q: %v", *rawURL, err)
	}
	var body []byte
	if *bodyFile != "" {
		if body, err = os.ReadFile(*bodyFile); err != nil {
			return fail("-body: %v", err)
		}
	}
	apiKey := os.Getenv(*apiKeyEnv)
	opts := loadtest.Options{
		BaseURL: base, Users: *users, Ramp: *ramp, Duration: *duration, ThinkTime: *think, RequestTimeout: *timeout,
		Mode: *mode, Body: body, AssistantID: *assistant, APIKey: apiKey, MetricsURLs: metrics, MetricPrefix: *prefix,
		AuthHeader: cfg.Auth.Header, AuthRequired: cfg.Auth.Enabled(),
		Profile: profile.UsersPerMinute, ProfileStep: *profileStep,
		Interval: *interval, Seed: *seed,
	}
	if apiKey == "" && cfg.Auth.Enabled() {
		return fail("$%s is empty, but stack %s requires a credential (auth.mode %s) in %s: export the API key in it", *apiKeyEnv, *stack, cfg.Auth.Mode, cfg.Auth.Header)
	}
	if err := opts.Validate(); err != nil {
		return fail("%v", err)
	}
	if apiKey == "" {
		fmt.Fprintf(stderr, "loadtest: $%s is empty: requests carry no %s header\n", *apiKeyEnv, cfg.Auth.Header)
	}
	if err := loadtest.RaiseFileLimit(loadtest.FileLimitNeeded(*users)); err != nil {
		return fail("%v", err)
	}
	preflight, err := loadtest.Preflight(ctx, &opts)
	if err != nil {
		return fail("%v", err)
	}
	if preflight.UnauthenticatedStatus != 0 {
		fmt.Fprintf(stderr, "loadtest: a request without %s was refused with %d, as auth.mode %s requires\n", cfg.Auth.Header, preflight.UnauthenticatedStatus, cfg.Auth.Mode)
	}

	show := *progress == "on" || (*progress == "auto" && terminal)
	if show {
		opts.Progress = func(s loadtest.Sample) {
			if line := loadtest.ProgressLine(s, *users); terminal {
				fmt.Fprint(stderr, line+"\033[K\r") // rewrite one line in place
			} else {
				fmt.Fprintln(stderr, line)
			}
		}
	}
	fmt.Fprintf(stderr, "loadtest: %d users against %s, ramp %s, then %s (Ctrl-C stops and reports)\n", *users, base.Redacted(), *ramp, *duration)
	res, err := loadtest.Run(ctx, opts)
	if show && terminal {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return fail("%v", err)
	}

	kpis := loadtest.Evaluate(res, targets)
	fmt.Fprintf(stdout, "Load test of stack %s: %d users, %d runs (%d failed), %d requests (%d failed), %.1f runs/s\n\n%s",
		*stack, res.Users, res.RunsOK+res.RunsFailed, res.RunsFailed, res.TotalRequests, res.FailedRequests, res.RunsPerSecond, loadtest.Table(kpis))
	fmt.Fprintf(stdout, "\nresponse time (s): p50 %.3f, p95 %.3f, p99 %.3f, max %.3f, avg %.3f\n",
		res.RunLatency.P50, res.RunLatency.P95, res.RunLatency.P99, res.RunLatency.Max, res.RunLatency.Avg)
	var comparison []loadtest.ProfileRow
	var predicted *capacity.Ramp
	if len(profile.UsersPerMinute) > 0 {
		ramp := capacity.SimulateArrival(sizing.Inputs(cfg), profile)
		predicted = &ramp
		var waits []float64
		for _, m := range predicted.Minutes {
			waits = append(waits, m.WaitP95)
		}
		comparison = loadtest.CompareProfile(res.Series, *profileStep, profile.UsersPerMinute, waits, cfg.KPI.AvgResponseSeconds)
		fmt.Fprintf(stdout, "\nProfile %s, minute by minute, beside the capacity model (go run ./cmd/capacity -stack %s -profile %s):\n\n%s",
			*profileFile, *stack, *profileFile, loadtest.ProfileTable(comparison))
	}
	for kind, msg := range res.Errors {
		fmt.Fprintf(stdout, "first %s: %s\n", kind, msg)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "loadtest: warning: %s\n", w)
	}
	var writeErrs []error
	if *reportFile != "" {
		report := loadtest.Report{Stack: *stack, URL: base.Redacted(), Pass: loadtest.Passed(kpis) && !res.Interrupted, KPIs: kpis, Preflight: preflight, Profile: comparison, Result: res}
		b, err := report.JSON()
		if err == nil {
			err = os.WriteFile(*reportFile, append(b, '\n'), 0o644)
		}
		writeErrs = append(writeErrs, err)
	}
	if *svgFile != "" {
		step, title := time.Minute, fmt.Sprintf("Load test of stack %s: %d users", *stack, res.Users)
		if predicted != nil {
			step, title = *profileStep, fmt.Sprintf("Load test of stack %s: the profile %s beside the capacity model", *stack, filepath.Base(*profileFile))
		}
		svg, err := loadChart(title, res.Series, step, predicted, cfg.KPI.AvgResponseSeconds, cfg.KPI.QueueWaitSeconds)
		if err == nil {
			err = os.WriteFile(*svgFile, svg, 0o644)
		}
		writeErrs = append(writeErrs, err)
	}
	if *csvFile != "" {
		f, err := os.Create(*csvFile)
		if err == nil {
			err = errors.Join(loadtest.WriteCSV(f, res.Series), f.Close())
		}
		writeErrs = append(writeErrs, err)
	}
	if err := errors.Join(writeErrs...); err != nil {
		return fail("writing the report: %v", err)
	}
	switch {
	case res.Interrupted:
		fmt.Fprintln(stderr, "loadtest: interrupted before the planned end; the figures cover the time it ran")
		return exitInterrupted
	case len(loadtest.Failed(kpis)) > 0:
		fmt.Fprintf(stderr, "loadtest: KPI failed: %s\n", strings.Join(loadtest.Failed(kpis), ", "))
		return exitKPIFailed
	case len(loadtest.NotMeasured(kpis)) > 0:
		fmt.Fprintf(stderr, "loadtest: no KPI failed, but not measured: %s (a KPI nobody measured is not met)\n", strings.Join(loadtest.NotMeasured(kpis), ", "))
		return exitNotMeasured
	}
	return exitPass
}
