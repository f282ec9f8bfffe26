// Command gameday runs one game-day drill against a deployed stack: it puts the load test's load
// on the dataplane, starts the stack's FIS experiment for the drill under it, and measures from
// the fault to recovery (error rate and queue wait back under the stack's kpi.* targets), the
// time the dataplane and its database or cache were unreachable, and the runs lost or retried,
// each beside the seed's recovery targets. It exits 1 when a target is missed, 2 on bad input or
// when the drill could not run.
//
//	go run ./cmd/gameday -stack staging -drill databaseFailover -url https://agents.staging.example.com \
//	    -users 200 -metrics-url http://localhost:8000/metrics
//
// AWS credentials and region come from the SDK's default chain (a profile, the environment);
// AWS_ENDPOINT_URL points it at an emulator. docs/gameday.md says how to run a drill.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/gameday"
	"github.com/langgraph-platform/infra/internal/stackfile"
	"github.com/langgraph-platform/infra/loadtest"
)

// Exit codes.
const (
	exitMissed = 1 // the drill ran and a target was missed (or not measured)
	exitUsage  = 2 // bad input, or the drill could not run
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("gameday", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stack := flags.String("stack", "", "the deployed stack (its Pulumi.<stack>.yaml gives the targets and environment; required)")
	dir := flags.String("dir", "", "project directory holding Pulumi.yaml (default: found upwards from here)")
	drill := flags.String("drill", "", "the drill: databaseFailover, cacheAzPower, podDelete, podCpuStress, azNetworkLoss or nodeTermination (required)")
	allowProd := flags.Bool("allow-prod", false, "run a drill on a production stack (a person's decision: docs/gameday.md)")
	rawURL := flags.String("url", "", "base URL of the stack's dataplane (required)")
	users := flags.Int("users", 0, "virtual users during the drill (default: a tenth of the stack's kpi.concurrentUsers)")
	ramp := flags.Duration("ramp", time.Minute, "users start evenly over this")
	warmup := flags.Duration("warmup", 2*time.Minute, "load before the fault, after the ramp")
	observe := flags.Duration("observe", 15*time.Minute, "longest wait for recovery after the fault")
	hold := flags.Duration("hold", time.Minute, "how long the targets must hold to count as recovered")
	poll := flags.Duration("poll", 5*time.Second, "how often the experiment's state is read")
	interval := flags.Duration("interval", 5*time.Second, "load interval: the resolution of the recovery time")
	think := flags.Duration("think", 0, "mean think time (default: the stack's capacity.thinkTimeSeconds)")
	timeout := flags.Duration("timeout", 10*time.Minute, "per-request timeout")
	mode := flags.String("mode", loadtest.ModeWait, "wait or stream")
	assistant := flags.String("assistant", "agent", "assistant (graph) ID to run")
	apiKeyEnv := flags.String("api-key-env", "LANGSMITH_API_KEY", "environment variable holding the API key, sent in the stack's auth.header")
	var metrics loadtest.URLList
	flags.Var(&metrics, "metrics-url", "server metrics endpoint for queue wait and retried runs; repeat per pod")
	prefix := flags.String("metric-prefix", "lg_api_", "the server's METRIC_PREFIX")
	jsonFile := flags.String("json", "gameday-report.json", "JSON report file (\"\" for none)")
	if err := flags.Parse(args); err != nil {
		return exitUsage
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "gameday: "+format+"\n", a...)
		return exitUsage
	}
	if flags.NArg() > 0 {
		return fail("unexpected arguments %q: every setting is a flag", flags.Args())
	}
	if *stack == "" || *rawURL == "" || *drill == "" {
		return fail("-stack, -drill and -url are required")
	}
	cfg, err := stackfile.LoadTyped(stackfile.Options{Dir: *dir, Stack: *stack}, config.LoadOptions{CredentialsOptional: true})
	if err != nil {
		return fail("%v", err)
	}
	set := map[string]bool{}
	flags.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["users"] {
		*users = max(cfg.KPI.ConcurrentUsers/10, 1)
	}
	if !set["think"] {
		*think = time.Duration(cfg.Capacity.ThinkTimeSeconds * float64(time.Second))
	}
	base, err := url.Parse(*rawURL)
	if err != nil || base.Scheme == "" || base.Host == "" {
		return fail("-url=%q: an absolute http(s) URL", *rawURL)
	}
	apiKey := os.Getenv(*apiKeyEnv)
	if apiKey == "" && cfg.Auth.Enabled() {
		return fail("$%s is empty, but stack %s requires a credential in %s", *apiKeyEnv, *stack, cfg.Auth.Header)
	}
	load := loadtest.Options{
		BaseURL: base, Users: *users, Ramp: *ramp, Duration: *warmup + *observe, ThinkTime: *think, RequestTimeout: *timeout,
		Mode: *mode, AssistantID: *assistant, APIKey: apiKey, AuthHeader: cfg.Auth.Header, AuthRequired: cfg.Auth.Enabled(),
		MetricsURLs: metrics, MetricPrefix: *prefix, Interval: *interval, Seed: 1,
	}
	if err := load.Validate(); err != nil {
		return fail("%v", err)
	}
	opts := gameday.Options{
		Stack: *stack, Drill: *drill, Environment: cfg.Environment, AllowProd: *allowProd, Load: load,
		Warmup: *warmup, Observe: *observe, Hold: *hold, PollEvery: *poll,
		Targets: gameday.Targets{ErrorRatePercent: cfg.KPI.ErrorRatePercent, QueueWaitSeconds: cfg.KPI.QueueWaitSeconds},
		Log:     stderr,
	}
	// The checks that need no AWS first: a bad drill or a prod stack fails before any call.
	if err := opts.Validate(); err != nil {
		return fail("%v", err)
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return fail("AWS configuration: %v", err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = cfg.Region
	}
	opts.Clients = gameday.NewClients(awsCfg)
	if err := loadtest.RaiseFileLimit(loadtest.FileLimitNeeded(*users)); err != nil {
		return fail("%v", err)
	}
	rep, err := gameday.Run(ctx, opts)
	if err != nil {
		return fail("%v", err)
	}
	if err := rep.Text(stdout); err != nil {
		return fail("%v", err)
	}
	if *jsonFile != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err == nil {
			err = os.WriteFile(*jsonFile, append(b, '\n'), 0o644)
		}
		if err != nil {
			return fail("-json: %v", err)
		}
	}
	if !rep.Passed {
		return exitMissed
	}
	return 0
}
