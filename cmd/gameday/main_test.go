package main

// The command end to end: moto's AWS emulation (RDS, ElastiCache, CloudWatch and FIS, from PyPI)
// holds the stack's resources and the drills' templates as the program renders them; LangChain's
// real LangGraph server serves the load behind a small load balancer; and faultStandIn does the
// one thing moto's FIS does not, carry out an experiment's action.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/gameday"
	rep "github.com/langgraph-platform/infra/gameday"
	"github.com/langgraph-platform/infra/internal/awsclient"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/langgraphtest"
	"github.com/langgraph-platform/infra/internal/mototest"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

// serverEnv is the dataplane's metrics settings: the internal counters (runs retried) on.
var serverEnv = map[string]string{catalog.EnvExposeInternalMetrics: "true"}

// world is one stack's worth of emulated AWS and a dataplane.
type world struct {
	t       *testing.T
	aws     aws.Config
	standin *httptest.Server // AWS_ENDPOINT_URL: moto, through faultStandIn
	lb      *httptest.Server // the dataplane's URL: the "ALB"
	backend atomic.Pointer[url.URL]
	mu      sync.Mutex
	server  *langgraphtest.Server
	faults  []string // what faultStandIn did, in order
	alarms  map[string]string
}

func newWorld(t *testing.T) *world {
	w := &world{t: t, alarms: map[string]string{}}
	moto := mototest.Start(t)
	w.aws = mototest.Config(moto, "us-east-1")
	motoURL, err := url.Parse(moto)
	require.NoError(t, err)
	w.standin = httptest.NewServer(w.faultStandIn(httputil.NewSingleHostReverseProxy(motoURL)))
	t.Cleanup(w.standin.Close)
	w.server = langgraphtest.Start(t, langgraphtest.Options{Env: serverEnv})
	u, _ := url.Parse(w.server.URL)
	w.backend.Store(u)
	w.lb = httptest.NewServer(&httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(w.backend.Load()) },
		// No healthy target: the ALB's own 502.
		ErrorHandler: func(rw http.ResponseWriter, _ *http.Request, _ error) { rw.WriteHeader(http.StatusBadGateway) },
	})
	t.Cleanup(w.lb.Close)
	// The command's AWS configuration: the SDK's default chain, pointed at the stand-in.
	mototest.UseEndpoint(t, w.standin.URL, "us-east-1")
	t.Setenv("LANGSMITH_API_KEY", "lsv2_pt_gameday_e2e_0001")
	return w
}

// faultStandIn passes every call to moto and, when FIS starts an experiment, does what the
// experiment's action would: delete the dataplane's pod (the server dies; its replacement starts
// and the load balancer routes to it) or reboot the database with failover (RDS's API on moto).
func (w *world) faultStandIn(moto *httputil.ReverseProxy) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/experiments" {
			moto.ServeHTTP(rw, r)
			return
		}
		rec := httptest.NewRecorder()
		moto.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			rw.Header()[k] = v
		}
		rw.WriteHeader(rec.Code)
		_, _ = rw.Write(rec.Body.Bytes())
		var started struct {
			Experiment struct {
				Actions map[string]struct {
					ActionID string `json:"actionId"`
				} `json:"actions"`
				Targets map[string]struct {
					ResourceArns []string `json:"resourceArns"`
				} `json:"targets"`
			} `json:"experiment"`
		}
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &started) != nil {
			return
		}
		for _, a := range started.Experiment.Actions {
			switch a.ActionID {
			case catalog.FISActionPodDelete:
				w.record("pod-delete")
				go w.replacePod()
			case catalog.FISActionRebootDBInstances:
				for _, target := range started.Experiment.Targets {
					for _, arn := range target.ResourceArns {
						id := arn[strings.LastIndex(arn, ":")+1:]
						_, err := rds.NewFromConfig(w.aws).RebootDBInstance(context.Background(), &rds.RebootDBInstanceInput{DBInstanceIdentifier: &id, ForceFailover: aws.Bool(true)})
						w.record("reboot-with-failover " + id + errString(err))
					}
				}
			}
		}
	})
}

func errString(err error) string {
	if err != nil {
		return ": " + err.Error()
	}
	return ""
}

func (w *world) record(fault string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.faults = append(w.faults, fault)
}

// replacePod kills the server and starts its replacement, as the Deployment would.
func (w *world) replacePod() {
	w.mu.Lock()
	old := w.server
	w.mu.Unlock()
	if err := old.Kill(); err != nil {
		w.t.Errorf("killing the server: %v", err)
		return
	}
	next := langgraphtest.Start(w.t, langgraphtest.Options{Env: serverEnv})
	u, _ := url.Parse(next.URL)
	w.mu.Lock()
	w.server = next
	w.mu.Unlock()
	w.backend.Store(u)
}

// seed creates the stack's database, cache and stop alarms in moto, and the drills' templates
// from the staging rendering (the program's own templates, with moto's ARNs for its targets).
func (w *world) seed(ctx context.Context, drills ...string) {
	t := w.t
	db := rds.NewFromConfig(w.aws)
	for id, multiAZ := range map[string]bool{"langgraph-staging-db-primary": true, "langgraph-staging-single": false} {
		_, err := db.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
			DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.r7g.large"),
			MasterUsername: aws.String("langgraph"), MasterUserPassword: aws.String("not-a-secret-0001"), AllocatedStorage: aws.Int32(50), MultiAZ: aws.Bool(multiAZ),
		})
		require.NoError(t, err)
	}
	_, err := elasticache.NewFromConfig(w.aws).CreateReplicationGroup(ctx, &elasticache.CreateReplicationGroupInput{
		ReplicationGroupId: aws.String("langgraph-staging-cache"), ReplicationGroupDescription: aws.String("cache"),
		Engine: aws.String("valkey"), CacheNodeType: aws.String("cache.t4g.medium"), NumCacheClusters: aws.Int32(2),
		AutomaticFailoverEnabled: aws.Bool(true), MultiAZEnabled: aws.Bool(true),
	})
	require.NoError(t, err)
	cw := awsclient.NewCloudWatch(w.aws)
	for _, suffix := range []string{gameday.StopAlarmSuffix, "alb-5xx", "alb-response-time"} {
		name := "langgraph-staging-" + suffix
		_, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String(name), Namespace: aws.String("AWS/ApplicationELB"), MetricName: aws.String("HTTPCode_Target_5XX_Count"),
			Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(2), Threshold: aws.Float64(1),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		})
		require.NoError(t, err)
		_, err = cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(name), StateValue: cwtypes.StateValueOk, StateReason: aws.String("quiet")})
		require.NoError(t, err)
		w.alarms[suffix] = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + name
	}
	res := stacktest.Run(t, "staging", nil)
	for _, d := range drills {
		w.createTemplate(ctx, stacktest.One(t, res, "aws:fis/experimentTemplate:ExperimentTemplate", "-gameday-"+d), map[string]string{
			catalog.FISTargetDBInstance: "arn:aws:rds:us-east-1:123456789012:db:langgraph-staging-db-primary",
		}, true)
	}
}

// createTemplate creates a rendered template in moto; targets of the listed types get moto's
// ARN, the stop conditions the alarms seed made (or none).
func (w *world) createTemplate(ctx context.Context, r *harness.Resource, arns map[string]string, stops bool) {
	in := &fis.CreateExperimentTemplateInput{
		ClientToken: aws.String(r.Name), Description: aws.String(r.In("description").(string)), RoleArn: aws.String("arn:aws:iam::123456789012:role/" + r.Name),
		Actions: map[string]fistypes.CreateExperimentTemplateActionInput{}, Targets: map[string]fistypes.CreateExperimentTemplateTargetInput{},
		Tags: map[string]string{},
	}
	for k, v := range r.In("tags").(map[string]any) {
		in.Tags[k] = v.(string)
	}
	for _, a := range r.In("actions").([]any) {
		m := a.(map[string]any)
		params := map[string]string{}
		for _, p := range asSlice(m["parameters"]) {
			params[p.(map[string]any)["key"].(string)] = p.(map[string]any)["value"].(string)
		}
		target := m["target"].(map[string]any)
		in.Actions[m["name"].(string)] = fistypes.CreateExperimentTemplateActionInput{ActionId: aws.String(m["actionId"].(string)), Parameters: params,
			Targets: map[string]string{target["key"].(string): target["value"].(string)}}
	}
	for _, tg := range r.In("targets").([]any) {
		m := tg.(map[string]any)
		typ := m["resourceType"].(string)
		target := fistypes.CreateExperimentTemplateTargetInput{ResourceType: aws.String(typ), SelectionMode: aws.String(m["selectionMode"].(string))}
		if arn, ok := arns[typ]; ok {
			target.ResourceArns = []string{arn}
		}
		if p, ok := m["parameters"].(map[string]any); ok {
			target.Parameters = map[string]string{}
			for k, v := range p {
				target.Parameters[k] = v.(string)
			}
		}
		in.Targets[m["name"].(string)] = target
	}
	if stops {
		for _, suffix := range []string{gameday.StopAlarmSuffix, "alb-5xx", "alb-response-time"} {
			in.StopConditions = append(in.StopConditions, fistypes.CreateExperimentTemplateStopConditionInput{Source: aws.String(catalog.FISStopConditionAlarm), Value: aws.String(w.alarms[suffix])})
		}
	} else {
		in.StopConditions = []fistypes.CreateExperimentTemplateStopConditionInput{{Source: aws.String(catalog.FISStopConditionNone)}}
	}
	_, err := fis.NewFromConfig(w.aws).CreateExperimentTemplate(ctx, in)
	require.NoError(w.t, err)
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// gamedayRun runs the command; it returns the exit code, stdout and stderr.
func gamedayRun(t *testing.T, args ...string) (int, string, string) {
	root, err := harness.RepoRoot()
	require.NoError(t, err)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"-dir", root}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// fast are the drill's timings shortened for a test: a second's interval, seconds of warm-up and
// hold; the users think briefly so every interval has requests.
func (w *world) fast(drill string, report string) []string {
	return []string{"-stack", "staging", "-drill", drill, "-url", w.lb.URL, "-metrics-url", w.lb.URL + "/metrics",
		"-users", "6", "-ramp", "1s", "-warmup", "6s", "-observe", "120s", "-hold", "5s", "-poll", "1s", "-interval", "1s",
		"-think", "200ms", "-timeout", "20s", "-json", report}
}

func TestPodDeleteDrillMeasuresTheRealServersRecovery(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.seed(ctx, catalog.DrillPodDelete, catalog.DrillDatabaseFailover)
	report := filepath.Join(t.TempDir(), "report.json")
	code, stdout, stderr := gamedayRun(t, w.fast(catalog.DrillPodDelete, report)...)
	t.Logf("report:\n%s", stdout)
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Equal(t, []string{"pod-delete"}, w.faults)
	r, figures := readReport(t, report)
	assert.True(t, r.Passed)
	assert.Equal(t, "completed", r.Experiment)
	recovery := figures["time to recover"]
	assert.True(t, recovery.Measured)
	assert.Positive(t, recovery.Value, "the killed server broke requests until its replacement answered")
	assert.Less(t, recovery.Value, rep.ApplicationRTO.Seconds())
	assert.Equal(t, "application < 5 min", recovery.TargetName)
	assert.Positive(t, figures["dataplane unreachable (longest)"].Value)
	assert.Positive(t, figures["runs lost (clients)"].Value)
	assert.Equal(t, rep.Pass, figures["error rate after recovery"].Verdict)
	assert.Contains(t, stdout, "PASS: every target met")
	// Why the lost runs failed: the load balancer's 502 or a cut answer while no server listened.
	require.NotEmpty(t, r.LoadErrors)
	for kind, msg := range r.LoadErrors {
		assert.Contains(t, stdout, "failed requests ("+kind+"), the first: "+msg)
	}

	// The database failover: moto's RDS takes the reboot with failover; the dataplane (in memory)
	// keeps answering, and the drill is judged against the database's target. Whether not a single
	// run failed is not asserted: on a shared 2-core CI machine the in-memory server now and then
	// cancels a run under CPU contention ("Background run failed, will retry. CancelledError": 1 to
	// 9 of about 100 runs in 6 of 13 runs of this test beside two busy cores), a breach the fault did
	// not cause; the analysis of a breach-free timeline is gameday/timeline_test.go's.
	db := filepath.Join(t.TempDir(), "db.json")
	code, stdout, stderr = gamedayRun(t, w.fast(catalog.DrillDatabaseFailover, db)...)
	t.Logf("report:\n%s", stdout)
	require.Equal(t, 0, code, "stderr:\n%s", stderr)
	assert.Equal(t, "reboot-with-failover langgraph-staging-db-primary", w.faults[1])
	r, figures = readReport(t, db)
	assert.True(t, r.Passed)
	assert.Equal(t, "database < 15 min", figures["time to recover"].TargetName)
	assert.Less(t, figures["time to recover"].Value, rep.DatabaseRTO.Seconds())
	deps := figures["database or cache unreachable (longest)"]
	assert.True(t, deps.Measured)
	assert.Equal(t, "database < 15 min", deps.TargetName)
	assert.Less(t, deps.Value, rep.DatabaseRTO.Seconds())
	assert.Contains(t, stdout, "database < 15 min")
}

// readReport reads a -json report and its figures by name.
func readReport(t *testing.T, path string) (rep.Report, map[string]rep.Figure) {
	t.Helper()
	var r rep.Report
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &r))
	figures := map[string]rep.Figure{}
	for _, f := range r.Figures {
		figures[f.Name] = f
	}
	return r, figures
}

// Bad input and unsafe starts are refused with exit 2 before any experiment starts.
func TestGameDayRefusesWhatItCannotRunSafely(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.seed(ctx, catalog.DrillDatabaseFailover)
	res := stacktest.Run(t, "staging", nil)
	// A template whose target is single-AZ, and one without an alarm stop condition.
	tpl := stacktest.One(t, res, "aws:fis/experimentTemplate:ExperimentTemplate", "-gameday-cacheAzPower")
	w.createTemplate(ctx, tpl, map[string]string{catalog.FISTargetReplicationGroup: "arn:aws:elasticache:us-east-1:123456789012:replicationgroup:langgraph-staging-cache"}, false)
	report := filepath.Join(t.TempDir(), "r.json")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown drill", w.fast("chaosMonkey", report), `-drill="chaosMonkey" is not a drill`},
		{"prod without the flag", append(w.fast(catalog.DrillDatabaseFailover, report)[2:], "-stack", "prod"), "is a production stack"},
		{"a drill the stack lacks", w.fast(catalog.DrillNodeTermination, report), "has no nodeTermination experiment template (deployed: [cacheAzPower, databaseFailover])"},
		{"no stop condition", w.fast(catalog.DrillCacheAZPower, report), "has no CloudWatch alarm stop condition"},
	} {
		code, _, stderr := gamedayRun(t, tc.args...)
		assert.Equal(t, exitUsage, code, tc.name)
		assert.Contains(t, stderr, tc.want, tc.name)
	}
	// A stop alarm already firing: users are hurt, no drill on top.
	cw := awsclient.NewCloudWatch(w.aws)
	_, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("langgraph-staging-alb-5xx"), StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("incident")})
	require.NoError(t, err)
	code, _, stderr := gamedayRun(t, w.fast(catalog.DrillDatabaseFailover, report)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "stop alarm langgraph-staging-alb-5xx is in ALARM")
	_, err = cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("langgraph-staging-alb-5xx"), StateValue: cwtypes.StateValueOk, StateReason: aws.String("resolved")})
	require.NoError(t, err)
	// The database turned single-AZ: no standby to fail over to.
	_, err = rds.NewFromConfig(w.aws).ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("langgraph-staging-db-primary"), MultiAZ: aws.Bool(false), ApplyImmediately: aws.Bool(true)})
	require.NoError(t, err)
	code, _, stderr = gamedayRun(t, w.fast(catalog.DrillDatabaseFailover, report)...)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "database langgraph-staging-db-primary is not Multi-AZ")
	assert.Empty(t, w.faults, "no experiment started")
}
