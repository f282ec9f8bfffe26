package mixin_test

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/template"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stackfile"
	"github.com/langgraph-platform/infra/internal/tooltest"
	"github.com/langgraph-platform/infra/mixin"
	"github.com/langgraph-platform/infra/program"
	"github.com/langgraph-platform/infra/program/sizing"
)

const ns = "langgraph"

// gatewayJob is the LLM gateway's scrape job.
const gatewayJob = "llm-gateway"

var scope = mixin.Scope{
	Namespace: ns, Container: "langgraph-api", HPA: "langgraph-dataplane",
	Jobs: []string{"langgraph-dataplane", "postgres-exporter", "redis-exporter", gatewayJob}, DataplaneJob: "langgraph-dataplane", GatewayJob: gatewayJob,
	RunbookURL: "https://runbooks.example.test",
}

// prodThresholds are the thresholds the prod stack's configuration yields.
func prodThresholds(t *testing.T) mixin.Thresholds {
	cfg, err := stackfile.LoadTyped(harness.Options{Stack: "prod", Secrets: harness.DefaultSecrets()}, config.LoadOptions{})
	require.NoError(t, err)
	estimate, err := sizing.Cost(cfg, sizing.Report(cfg))
	require.NoError(t, err)
	return program.MonitoringThresholds(cfg, estimate)
}

// --- promtool test cases -------------------------------------------------------------------

type series struct {
	Series string `yaml:"series"`
	Values string `yaml:"values"`
}

func labelText(metric string, labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%q", k, labels[k])
	}
	return metric + "{" + strings.Join(parts, ", ") + "}"
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// counter grows by perMinute every minute for minutes minutes; gauge holds v.
func counter(metric string, labels map[string]string, perMinute float64, minutes int) series {
	return series{labelText(metric, labels), fmt.Sprintf("0+%sx%d", num(perMinute), minutes)}
}

func gauge(metric string, labels map[string]string, v float64, minutes int) series {
	return series{labelText(metric, labels), fmt.Sprintf("%sx%d", num(v), minutes)}
}

func with(base map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

var (
	nsLabels  = map[string]string{"namespace": ns}
	podName   = "langgraph-dataplane-7d9c5b8f6-x2kqp"
	podLabels = map[string]string{"namespace": ns, "pod": podName, "container": "langgraph-api"}
)

// above and below are values just past and just short of a threshold.
func above(th float64) float64 {
	if th >= 0.5 && th < 1 {
		return (th + 1) / 2
	}
	return th * 1.2
}
func below(th float64) float64 { return th * 0.9 }

// alertCase makes an alert fire (at eval) with one input and stay silent with another.
type alertCase struct {
	fire, silent func(minutes int) []series
	eval         time.Duration
	value        float64           // the firing alert's $value
	labels       map[string]string // labels beyond severity, signal, component
}

func errorRatio(v float64) func(int) []series {
	return func(m int) []series {
		l := with(nsLabels, "path", "/threads/{thread_id}/runs/wait", "method", "POST")
		return []series{
			counter("lg_api_http_requests_total", with(l, "status", "500"), v*1000, m),
			counter("lg_api_http_requests_total", with(l, "status", "200"), (1-v)*1000, m),
		}
	}
}

func avgResponse(v float64) func(int) []series {
	return func(m int) []series {
		l := with(nsLabels, "path", "/threads/{thread_id}/runs/wait", "method", "POST")
		return []series{
			counter("lg_api_http_requests_latency_sum", l, v*1000*10, m),
			counter("lg_api_http_requests_latency_count", l, 10, m),
		}
	}
}

// histogram puts every observation in one bucket [0, B]: histogram_quantile(0.95) is 0.95 B.
func p95(metric string, extra map[string]string, seconds float64) func(int) []series {
	return func(m int) []series {
		b := seconds * 1000 / 0.95
		return []series{
			counter(metric+"_bucket", with(extra, "le", num(b)), 10, m),
			counter(metric+"_bucket", with(extra, "le", "+Inf"), 10, m),
		}
	}
}

func podCPU(v float64) func(int) []series {
	return func(m int) []series {
		return []series{
			counter("container_cpu_usage_seconds_total", podLabels, v*2*60, m),
			gauge("kube_pod_container_resource_limits", with(podLabels, "resource", "cpu"), 2, m),
		}
	}
}

func podMemory(v float64) func(int) []series {
	return func(m int) []series {
		const limit = 4 << 30
		return []series{
			gauge("container_memory_working_set_bytes", podLabels, v*limit, m),
			gauge("kube_pod_container_resource_limits", with(podLabels, "resource", "memory"), limit, m),
		}
	}
}

func runFailures(f float64) func(int) []series {
	return func(m int) []series {
		return []series{
			counter("lg_api_run_failed_after_retry_counter_total", nsLabels, f*100, m),
			counter("lg_api_run_success_counter_total", nsLabels, (1-f)*100, m),
		}
	}
}

// slowRuns answers a share v of the runs slower than the p95 target: the histogram's bucket at
// the target holds the rest.
func slowRuns(th mixin.Thresholds, v float64) func(int) []series {
	return func(m int) []series {
		l := with(nsLabels, "path", "/threads/{thread_id}/runs/stream", "method", "POST")
		return []series{
			counter("lg_api_http_requests_latency_bucket", with(l, "le", num(th.P95ResponseSeconds*1000)), (1-v)*100, m),
			counter("lg_api_http_requests_latency_bucket", with(l, "le", "+Inf"), 100, m),
			counter("lg_api_http_requests_latency_count", l, 100, m),
		}
	}
}

// llmCases are the LLM gateway's alerts, on LiteLLM's series (catalog).
func llmCases(th mixin.Thresholds) map[string]alertCase {
	job := map[string]string{"job": gatewayJob}
	group := with(job, "model_group", "gpt-4o")
	// providerErrors: a share v of gpt-4o's provider calls answers status; the gateway's own
	// refusals (no model_id) come on top and do not count.
	providerErrors := func(status string, v float64) func(int) []series {
		return func(m int) []series {
			return []series{
				counter(catalog.MetricLiteLLMDeploymentOK, with(group, "model_id", "gpt-4o-0"), (1-v)*1000, m),
				counter(catalog.MetricLiteLLMDeploymentFailed, with(with(group, "model_id", "gpt-4o-1"), "exception_status", status), v*1000, m),
				counter(catalog.MetricLiteLLMDeploymentFailed, with(with(group, "model_id", ""), "exception_status", "429"), 5000, m),
			}
		}
	}
	deployment := with(with(job, "litellm_model_name", "gpt-4o"), "model_id", "gpt-4o-0")
	cooled := func(perMinute float64) func(int) []series {
		return func(m int) []series {
			return []series{counter(catalog.MetricLiteLLMCooledDown, deployment, perMinute, m)}
		}
	}
	// spend: total dollars spent over 30 minutes in two models, then nothing: the day's spend
	// crosses the budget before minute 30 and holds.
	const spendMinutes = 30
	spend := func(total float64) func(int) []series {
		return func(m int) []series {
			model := func(name string, share float64) series {
				return series{labelText(catalog.MetricLiteLLMSpend, with(job, "model", name)),
					fmt.Sprintf("0+%sx%d %sx%d", num(total*share/spendMinutes), spendMinutes, num(total*share), m-spendMinutes)}
			}
			return []series{model("gpt-4o", 0.75), model("gpt-4o-mini", 0.25)}
		}
	}
	r, budget := th.LLM.ProviderErrorRatio, th.LLM.DailyBudgetUSD
	half := 30 * time.Minute
	gpt4o := map[string]string{"model_group": "gpt-4o"}
	return map[string]alertCase{
		"LLMProviderRateLimited":   {providerErrors("429", above(r)), providerErrors("429", below(r)), half, above(r), gpt4o},
		"LLMProviderErrors":        {providerErrors("503", above(r)), providerErrors("503", below(r)), half, above(r), gpt4o},
		"LLMCircuitOpen":           {cooled(1), cooled(0), half, 5, map[string]string{"litellm_model_name": "gpt-4o", "model_id": "gpt-4o-0"}},
		"LLMSpendAboveDailyBudget": {spend(above(budget)), spend(below(budget)), 50 * time.Minute, above(budget), nil},
	}
}

func cases(th mixin.Thresholds) map[string]alertCase {
	pool := func(v float64) func(int) []series {
		return func(m int) []series {
			l := with(nsLabels, "pod", podName)
			return []series{
				gauge("lg_api_pg_pool_max", l, 60, m), gauge("lg_api_pg_pool_size", l, 60, m),
				gauge("lg_api_pg_pool_available", l, 60*(1-v), m),
			}
		}
	}
	conns := func(v float64) func(int) []series {
		return func(m int) []series {
			l := map[string]string{"job": "postgres-exporter"}
			return []series{
				gauge("pg_stat_database_numbackends", with(l, "datname", "langgraph"), v*5000, m),
				gauge("pg_settings_max_connections", l, 5000, m),
			}
		}
	}
	pending := func(v float64) func(int) []series {
		return func(m int) []series {
			return []series{gauge("lg_api_num_pending_runs", with(nsLabels, "pod", podName), v, m)}
		}
	}
	// workers: runs pending and workers available, split over the API pod (no jobs: 0 of 0)
	// and a queue pod.
	workers := func(pendingRuns, available float64) func(int) []series {
		return func(m int) []series {
			api, queue := with(nsLabels, "pod", podName), with(nsLabels, "pod", podName+"-queue")
			return []series{
				gauge("lg_api_num_pending_runs", queue, pendingRuns, m),
				gauge("lg_api_workers_available", api, 0, m),
				gauge("lg_api_workers_available", queue, available, m),
			}
		}
	}
	hpa := func(current float64) func(int) []series {
		return func(m int) []series {
			l := with(nsLabels, "horizontalpodautoscaler", "langgraph-dataplane")
			return []series{
				gauge("kube_horizontalpodautoscaler_status_current_replicas", l, current, m),
				gauge("kube_horizontalpodautoscaler_spec_max_replicas", l, 50, m),
			}
		}
	}
	redis := func(evictionsPerMinute, memRatio float64) func(int) []series {
		return func(m int) []series {
			l := map[string]string{"job": "redis-exporter", "instance": "10.40.1.9:9121"}
			const maxmemory = 13 << 30
			return []series{
				counter("redis_evicted_keys_total", l, evictionsPerMinute, m),
				gauge("redis_memory_used_bytes", l, memRatio*maxmemory, m),
				gauge("redis_memory_max_bytes", l, maxmemory, m),
			}
		}
	}
	up := func(v float64) func(int) []series {
		return func(m int) []series {
			return []series{gauge("up", map[string]string{"job": "postgres-exporter", "instance": "10.40.1.5:9187"}, v, m)}
		}
	}
	runs := with(nsLabels, "path", "/threads/{thread_id}/runs/wait", "method", "POST")
	// blind: the dataplane is up and answers runs, every sampled series is there, and the run
	// outcome counters are missing (as they are without EXPOSE_INTERNAL_METRICS_PROMETHEUS).
	blind := func(outcomes bool) func(int) []series {
		return func(m int) []series {
			l := with(nsLabels, "pod", podName)
			in := []series{
				gauge("up", with(l, "job", "langgraph-dataplane"), 1, m),
				counter("lg_api_http_requests_total", with(runs, "status", "200"), 60, m),
				counter("lg_api_run_queue_wait_time_1st_attempt_count", l, 60, m),
				gauge("lg_api_num_pending_runs", l, 0, m), gauge("lg_api_workers_available", l, 10, m),
				gauge("lg_api_pg_pool_max", l, 60, m),
			}
			if outcomes {
				in = append(in, counter("lg_api_run_success_counter_total", l, 60, m))
			}
			return in
		}
	}
	half := 30 * time.Minute
	pod := map[string]string{"pod": podName}
	all := map[string]alertCase{
		"LangGraphHighErrorRate":              {errorRatio(above(th.ErrorRatio)), errorRatio(below(th.ErrorRatio)), half, above(th.ErrorRatio), nil},
		"LangGraphErrorRateAboveTarget":       {errorRatio(above(th.TargetErrorRatio)), errorRatio(below(th.TargetErrorRatio)), half, above(th.TargetErrorRatio), nil},
		"LangGraphSlowAverageResponse":        {avgResponse(above(th.AvgResponseSeconds)), avgResponse(below(th.AvgResponseSeconds)), half, above(th.AvgResponseSeconds), nil},
		"LangGraphAverageResponseAboveTarget": {avgResponse(above(th.TargetAvgResponseSeconds)), avgResponse(below(th.TargetAvgResponseSeconds)), half, above(th.TargetAvgResponseSeconds), nil},
		"LangGraphP95ResponseAboveTarget": {p95("lg_api_http_requests_latency", runs, above(th.P95ResponseSeconds)),
			p95("lg_api_http_requests_latency", runs, below(th.P95ResponseSeconds)), half, above(th.P95ResponseSeconds), nil},
		"LangGraphQueueWaitAboveTarget": {p95("lg_api_run_queue_wait_time_1st_attempt", nsLabels, above(th.QueueWaitSeconds)),
			p95("lg_api_run_queue_wait_time_1st_attempt", nsLabels, below(th.QueueWaitSeconds)), half, above(th.QueueWaitSeconds), nil},
		"LangGraphPodCPUSaturated":         {podCPU(above(th.PodResourceRatio)), podCPU(below(th.PodResourceRatio)), half, above(th.PodResourceRatio), pod},
		"LangGraphPodCPUAboveTarget":       {podCPU(above(th.CPURatio)), podCPU(below(th.CPURatio)), half, above(th.CPURatio), pod},
		"LangGraphPodMemorySaturated":      {podMemory(above(th.PodResourceRatio)), podMemory(below(th.PodResourceRatio)), half, above(th.PodResourceRatio), pod},
		"LangGraphPodMemoryAboveTarget":    {podMemory(above(th.MemoryRatio)), podMemory(below(th.MemoryRatio)), half, above(th.MemoryRatio), pod},
		"LangGraphDatabasePoolSaturated":   {pool(above(th.DBPoolRatio)), pool(below(th.DBPoolRatio)), half, above(th.DBPoolRatio), nil},
		"LangGraphDatabaseConnectionsHigh": {conns(above(th.DBPoolRatio)), conns(below(th.DBPoolRatio)), half, above(th.DBPoolRatio), nil},
		"LangGraphQueueBacklog":            {pending(above(th.QueueDepth)), pending(below(th.QueueDepth)), half, above(th.QueueDepth), nil},
		"LangGraphNoAvailableWorkers":      {workers(12, 0), workers(12, 1), half, 12, nil},
		"LangGraphHPAAtMaxReplicas":        {hpa(50), hpa(49), half, 50, nil},
		"LangGraphRedisEvicting":           {redis(6, 0.5), redis(0, 0.5), half, 0.1, nil},
		"LangGraphRedisMemoryHigh":         {redis(0, above(0.9)), redis(0, below(0.9)), half, above(0.9), nil},
		"LangGraphScrapeTargetDown":        {up(0), up(1), half, 0, map[string]string{"job": "postgres-exporter"}},
		"LangGraphMonitoringBlind": {blind(false), blind(true), 20 * time.Minute, 1, map[string]string{
			"namespace": ns, mixin.BlindSignalLabel: "run-success", mixin.BlindMetricLabel: "lg_api_run_success_counter_total",
			mixin.BlindReasonLabel: "internal metric: needs EXPOSE_INTERNAL_METRICS_PROMETHEUS=true and METRIC_MAX_EMITTING_TIER>=1 on the pods; " +
				"recorded only by pods with N_JOBS_PER_WORKER>0; scraped from the API port's /metrics; " +
				"renamed or dropped by a server newer than langgraph-api " + catalog.LangGraphAPIVersion + " (re-check the contract)"}},
	}
	for name, c := range llmCases(th) {
		all[name] = c
	}
	// Both SLOs, every burn tier: just above and just below factor x budget. The long windows
	// are recorded every 5 minutes, so the alert fires 5 minutes + its for after the start.
	evals := map[string]time.Duration{"FastBurn": 70 * time.Minute, "SlowBurn": 390 * time.Minute, "Burn1d": 90 * time.Minute, "Burn3d": 90 * time.Minute}
	for _, tier := range mixin.BurnTiers {
		run := tier.Factor * (1 - th.SuccessRatio)
		slow := tier.Factor * (1 - mixin.LatencyObjective)
		all["LangGraphRunSuccess"+tier.Suffix] = alertCase{runFailures(above(run)), runFailures(below(run)), evals[tier.Suffix], above(run), nil}
		all["LangGraphLatencySLO"+tier.Suffix] = alertCase{slowRuns(th, above(slow)), slowRuns(th, below(slow)), evals[tier.Suffix], above(slow), nil}
	}
	return all
}

type expAlert struct {
	ExpLabels      map[string]string `yaml:"exp_labels"`
	ExpAnnotations map[string]string `yaml:"exp_annotations"`
}

type alertTest struct {
	EvalTime  string     `yaml:"eval_time"`
	Alertname string     `yaml:"alertname"`
	ExpAlerts []expAlert `yaml:"exp_alerts"`
}

type sample struct {
	Labels string  `yaml:"labels"`
	Value  float64 `yaml:"value"`
}

type exprTest struct {
	Expr       string   `yaml:"expr"`
	EvalTime   string   `yaml:"eval_time"`
	ExpSamples []sample `yaml:"exp_samples"`
}

type testGroup struct {
	Name           string      `yaml:"name"`
	Interval       string      `yaml:"interval"`
	InputSeries    []series    `yaml:"input_series"`
	AlertRuleTest  []alertTest `yaml:"alert_rule_test,omitempty"`
	PromqlExprTest []exprTest  `yaml:"promql_expr_test,omitempty"`
}

// budgetTests check the 30-day error budgets: failing half the budget's share of runs (and
// answering that share slowly) leaves half of each budget, all of it when nothing fails.
func budgetTests(th mixin.Thresholds) []testGroup {
	halfRun := (1 - th.SuccessRatio) / 2
	halfSlow := (1 - mixin.LatencyObjective) / 2
	input := func(fail, slow float64) []series {
		return append(runFailures(fail)(180), slowRuns(th, slow)(180)...)
	}
	expect := func(v float64) []exprTest {
		return []exprTest{
			{Expr: "round(" + mixin.SeriesRunErrorBudgetRemaining + ", 0.001)", EvalTime: "2h", ExpSamples: []sample{{"{}", v}}},
			{Expr: "round(" + mixin.SeriesLatencyErrorBudgetRemaining + ", 0.001)", EvalTime: "2h", ExpSamples: []sample{{"{}", v}}},
		}
	}
	return []testGroup{
		{Name: "half of each 30-day budget spent", Interval: "1m", InputSeries: input(halfRun, halfSlow), PromqlExprTest: expect(0.5)},
		{Name: "no budget spent", Interval: "1m", InputSeries: input(0, 0), PromqlExprTest: expect(1)},
		{Name: "twice the budget spent", Interval: "1m", InputSeries: input(4*halfRun, 4*halfSlow), PromqlExprTest: expect(-1)},
	}
}

// expand renders an annotation the way Prometheus's rule manager does.
func expand(t *testing.T, text string, labels map[string]string, value float64) string {
	t.Helper()
	defs := "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"
	data := template.AlertTemplateData(labels, nil, "", promql.Sample{F: value})
	out, err := template.NewTemplateExpander(context.Background(), defs+text, "expected", data, model.Time(0), nil, nil, nil).Expand()
	require.NoError(t, err)
	return out
}

func promtoolTests(t *testing.T, th mixin.Thresholds) []testGroup {
	var groups []testGroup
	all := cases(th)
	for _, r := range mixin.AlertingRules(th) {
		c, ok := all[r.Alert]
		require.True(t, ok, "alert %s has no promtool case: add one to cases()", r.Alert)
		minutes := int(c.eval/time.Minute) + 10
		labels := r.Labels()
		for k, v := range c.labels {
			labels[k] = v
		}
		ann := r.Annotations(scope.RunbookURL)
		tmplLabels := with(labels, "alertname", r.Alert)
		ann["description"] = expand(t, ann["description"], tmplLabels, c.value)
		ann["summary"] = expand(t, ann["summary"], tmplLabels, c.value)
		eval := model.Duration(c.eval).String()
		groups = append(groups,
			testGroup{Name: r.Alert + " fires", Interval: "1m", InputSeries: c.fire(minutes),
				AlertRuleTest: []alertTest{{EvalTime: eval, Alertname: r.Alert, ExpAlerts: []expAlert{{labels, ann}}}}},
			testGroup{Name: r.Alert + " stays silent just below", Interval: "1m", InputSeries: c.silent(minutes),
				AlertRuleTest: []alertTest{{EvalTime: eval, Alertname: r.Alert, ExpAlerts: []expAlert{}}}},
			// And it does not fire before its `for` window has passed.
			testGroup{Name: r.Alert + " waits for its for window", Interval: "1m", InputSeries: c.fire(minutes),
				AlertRuleTest: []alertTest{{EvalTime: model.Duration(r.For - time.Minute).String(), Alertname: r.Alert, ExpAlerts: []expAlert{}}}},
		)
	}
	return groups
}

func TestEveryAlertHasAPromtoolCase(t *testing.T) {
	th := prodThresholds(t)
	all := cases(th)
	for _, name := range mixin.AlertNames(th) {
		assert.Contains(t, all, name, "alert %s has no promtool case", name)
	}
	assert.Len(t, all, len(mixin.AlertNames(th)), "a case for an alert that does not exist")
}

// TestPromtool runs promtool (built from the pinned tools module) on the rendered rule file:
// `check rules`, then `test rules` with a firing, a silent and a too-early case per alert.
func TestPromtool(t *testing.T) {
	th := prodThresholds(t)
	// remove_all_sd is Prometheus's own build tag that leaves out every service-discovery plugin
	// (cloud SDKs, the Kubernetes client): rule checks need none, and the build is much shorter.
	promtool := tooltest.Build(t, "promtool", "github.com/prometheus/prometheus/cmd/promtool", "remove_all_sd")
	dir := t.TempDir()
	rules, err := mixin.RuleFile(scope, th)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "langgraph.rules.yaml"), rules, 0o644))
	out, err := exec.Command(promtool, "check", "rules", filepath.Join(dir, "langgraph.rules.yaml")).CombinedOutput()
	require.NoError(t, err, "promtool check rules:\n%s", out)

	tests, err := yaml.Marshal(map[string]any{
		"rule_files":          []string{"langgraph.rules.yaml"},
		"evaluation_interval": "1m",
		"tests":               append(promtoolTests(t, th), budgetTests(th)...),
	})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "langgraph.rules.test.yaml"), tests, 0o644))
	cmd := exec.Command(promtool, "test", "rules", "langgraph.rules.test.yaml")
	cmd.Dir = dir
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "promtool test rules:\n%s", out)
	assert.Contains(t, string(out), "SUCCESS")
}

func TestRuleFileParsesWithThePrometheusLibraries(t *testing.T) {
	rules, err := mixin.RuleFile(scope, prodThresholds(t))
	require.NoError(t, err)
	groups, errs := rulefmt.Parse(rules, false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
	require.Empty(t, errs)
	require.Len(t, groups.Groups, 3)
	p := parser.NewParser(parser.Options{})
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			_, err := p.ParseExpr(r.Expr)
			assert.NoError(t, err, "%s%s", r.Record, r.Alert)
		}
	}
}

// metricNames returns the metric names an expression selects.
func metricNames(t *testing.T, expr string) []string {
	t.Helper()
	node, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	require.NoError(t, err, expr)
	var names []string
	parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			names = append(names, vs.Name)
		}
		return nil
	})
	return names
}

// Alerts read only recorded series, every one of which a recording rule produces; source
// metric names appear only in recording rules.
func TestAlertsReadOnlyRecordedSeries(t *testing.T) {
	recorded := map[string]bool{}
	th := prodThresholds(t)
	for _, r := range append(mixin.RecordingRules(scope, th), mixin.SLORecordingRules(scope, th)...) {
		assert.True(t, strings.HasPrefix(r.Record, "langgraph:"), r.Record)
		recorded[r.Record] = true
	}
	for _, r := range mixin.AlertingRules(th) {
		names := metricNames(t, r.Expr)
		require.NotEmpty(t, names, r.Alert)
		for _, n := range names {
			assert.True(t, recorded[n], "alert %s reads %s, which no recording rule produces", r.Alert, n)
		}
	}
}

func TestEveryAlertIsDocumented(t *testing.T) {
	root, err := harness.RepoRoot()
	require.NoError(t, err)
	th := prodThresholds(t)
	for _, r := range mixin.AlertingRules(th) {
		assert.Contains(t, []string{mixin.Critical, mixin.Warning}, r.Severity, r.Alert)
		assert.NotEmpty(t, r.Signal, r.Alert)
		assert.NotEmpty(t, r.Summary, r.Alert)
		assert.Contains(t, r.Description, "{{ $value", "%s: the description carries the value", r.Alert)
		ann := r.Annotations(scope.RunbookURL)
		assert.Equal(t, scope.RunbookURL+"/"+r.Alert+".md", ann["runbook_url"])
		body, err := os.ReadFile(filepath.Join(root, "docs", "runbooks", r.Alert+".md"))
		if !assert.NoError(t, err, "docs/runbooks/%s.md must exist", r.Alert) {
			continue
		}
		for _, section := range []string{"## Meaning", "## Impact", "## Diagnosis", "## Mitigation", "## Logs"} {
			assert.Contains(t, string(body), section, "%s runbook lacks %s", r.Alert, section)
		}
		// The logs the alert's signal shows up in: the log group Fluent Bit writes and a query.
		assert.Contains(t, string(body), "Logs Insights on the log group `"+program.ContainerLogGroupPrefix(&config.Config{Environment: "<environment>"})+"/", r.Alert)
		assert.Contains(t, string(body), "| filter ", r.Alert)
	}
}

func TestThresholdsComeFromConfig(t *testing.T) {
	th := prodThresholds(t)
	assert.Equal(t, 0.05, th.ErrorRatio)
	assert.Equal(t, 300.0, th.AvgResponseSeconds)
	assert.Equal(t, 0.9, th.PodResourceRatio)
	assert.Equal(t, 0.8, th.DBPoolRatio)
	assert.Equal(t, 100.0, th.QueueDepth)
	assert.Equal(t, 0.95, th.SuccessRatio)
	assert.InDelta(t, 0.85, th.MemoryRatio, 1e-12)
	changed := th
	changed.ErrorRatio = 0.1
	for _, r := range mixin.AlertingRules(changed) {
		if r.Alert == "LangGraphHighErrorRate" {
			assert.Equal(t, mixin.SeriesErrorRatio+" > 0.1", r.Expr)
		}
	}
	// The multi-window burn rates follow the SRE workbook for a 30-day 95 % SLO.
	for _, r := range mixin.AlertingRules(th) {
		switch r.Alert {
		case "LangGraphRunSuccessFastBurn":
			assert.Contains(t, r.Expr, "> 0.72 and")
		case "LangGraphRunSuccessSlowBurn":
			assert.Contains(t, r.Expr, "> 0.3 and")
		}
	}
	assert.False(t, math.IsNaN(above(th.ErrorRatio)))
}

// A threshold alert reads its limit once: the expression, the dashboard's threshold line and the
// text all change together when one Thresholds field changes, and only the alerts reading it do.
func TestEachThresholdAlertReadsOneValue(t *testing.T) {
	th := prodThresholds(t)
	base := map[string]mixin.Rule{}
	for _, r := range mixin.AlertingRules(th) {
		base[r.Alert] = r
		assert.NotContains(t, r.Summary+r.Description, "<limit>", r.Alert)
	}
	changed := th
	changed.DBPoolRatio = 0.6543
	moved := map[string]bool{}
	for _, r := range mixin.AlertingRules(changed) {
		was := base[r.Alert]
		if r.Expr == was.Expr {
			assert.Equal(t, was, r, "%s: its expression kept, nothing else may move", r.Alert)
			continue
		}
		moved[r.Alert] = true
		assert.True(t, strings.HasSuffix(r.Expr, " > 0.6543"), r.Expr)
		assert.Equal(t, 0.6543, r.Threshold, r.Alert)
		assert.Contains(t, r.Summary, "65.43%", r.Alert)
		assert.Contains(t, r.Description, "65.43%", r.Alert)
	}
	assert.Equal(t, map[string]bool{"LangGraphDatabasePoolSaturated": true, "LangGraphDatabaseConnectionsHigh": true}, moved)

	changed = th
	changed.QueueWaitSeconds = 42
	for _, r := range mixin.AlertingRules(changed) {
		if r.Alert == "LangGraphQueueWaitAboveTarget" {
			assert.Equal(t, mixin.SeriesQueueWaitP95+" > 42", r.Expr)
			assert.Contains(t, r.Summary, "42s")
		}
	}
}
