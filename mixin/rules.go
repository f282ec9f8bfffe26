package mixin

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"gopkg.in/yaml.v3"

	"github.com/langgraph-platform/infra/catalog"
)

// Thresholds are the alert thresholds and KPI targets the rules compare against (ratios as
// fractions, times in seconds). They come from config (alerts.*, kpi.*), defaults the seed's.
type Thresholds struct {
	// Seed section 2, "Alert Thresholds".
	ErrorRatio         float64 // 0.05
	AvgResponseSeconds float64 // 300
	PodResourceRatio   float64 // 0.90
	DBPoolRatio        float64 // 0.80
	QueueDepth         float64 // 100
	// CacheMemoryRatio is the Redis memory alert (alerts.cacheMemoryPercent), shared with the
	// ElastiCache alarm.
	CacheMemoryRatio float64 // 0.90
	// InfraCostPerHour is the cost model's AWS estimate for the expected month, per hour
	// (package cost), shown beside the measured LLM spend.
	InfraCostPerHour float64
	// Seed section 2, "Target Metrics".
	SuccessRatio             float64 // 0.95
	TargetAvgResponseSeconds float64 // 180
	P95ResponseSeconds       float64 // 300
	QueueWaitSeconds         float64 // 60
	TargetErrorRatio         float64 // 0.02
	CPURatio                 float64 // 0.80
	MemoryRatio              float64 // 0.85
	// LLM are the LLM gateway's thresholds; nil without the gateway.
	LLM *LLMThresholds
}

// Scope names the objects the rules watch.
type Scope struct {
	Namespace string // the dataplane's namespace
	Container string // the dataplane's container
	HPA       string // the dataplane's HorizontalPodAutoscaler
	Jobs      []string
	// DataplaneJob is the scrape job of the dataplane's pods (its ServiceMonitor's job label).
	DataplaneJob string
	// GatewayJob is the LLM gateway's scrape job; empty without the gateway.
	GatewayJob string
	RunbookURL string // base; each alert links <base>/<AlertName>.md
}

// Rule is one recording or alerting rule. Alerts carry what a human needs: a severity, the signal
// they watch (critical inhibits warning for the same signal), a summary, and a description that
// names the value and the object.
type Rule struct {
	Record string
	// RecordLabels are set on a recorded series (one name recorded by several rules, told apart
	// by them).
	RecordLabels map[string]string
	Alert        string
	Expr         string
	For          time.Duration
	Severity     string
	Signal       string
	Summary      string
	Description  string
	// Threshold is the number the alert compares with, shown on the dashboard.
	Threshold float64
}

// Severities.
const (
	Critical = "critical"
	Warning  = "warning"
)

// Group names.
const (
	RecordingGroup = "langgraph.recording"
	AlertingGroup  = "langgraph.alerts"
)

// ComponentLabel is set on every alert.
const ComponentLabel = "langgraph-dataplane"

// runRoutes match the routes that hold the connection for the whole run: their latency is the
// user's response time.
const runRoutes = catalog.LangGraphRunRoutes

// Recorded series: alerts and dashboards read only these, so metric names that drift between
// LangGraph versions are fixed in one place (the recording rules below).
const (
	SeriesRequestRate       = "langgraph:http_requests:rate5m"
	SeriesErrorRatio        = "langgraph:http_errors:ratio_rate5m"
	SeriesRunSuccessRatio   = "langgraph:runs_success:ratio_rate5m"
	SeriesResponseP50       = "langgraph:run_response_seconds:p50_5m"
	SeriesResponseP95       = "langgraph:run_response_seconds:p95_5m"
	SeriesResponseP99       = "langgraph:run_response_seconds:p99_5m"
	SeriesResponseAvg       = "langgraph:run_response_seconds:avg_5m"
	SeriesPendingRuns       = "langgraph:runs_pending"
	SeriesRunningRuns       = "langgraph:runs_running"
	SeriesWorkersActive     = "langgraph:workers_active"
	SeriesWorkersAvailable  = "langgraph:workers_available"
	SeriesQueueWaitP95      = "langgraph:queue_wait_seconds:p95_5m"
	SeriesQueueWaitAvg      = "langgraph:queue_wait_seconds:avg_5m"
	SeriesPGPoolRatio       = "langgraph:pg_pool:utilization_max"
	SeriesPGConnectionRatio = "langgraph:pg_connections:utilization"
	SeriesRedisMemoryRatio  = "langgraph:redis_memory:ratio"
	SeriesRedisHitRatio     = "langgraph:redis_hits:ratio_rate5m"
	SeriesRedisEvictionRate = "langgraph:redis_evictions:rate5m"
	SeriesPodCPULimit       = "langgraph:pod_cpu:ratio_limit"
	SeriesPodCPURequest     = "langgraph:pod_cpu:ratio_request"
	SeriesPodMemoryLimit    = "langgraph:pod_memory:ratio_limit"
	SeriesPodMemoryRequest  = "langgraph:pod_memory:ratio_request"
	SeriesHPACurrent        = "langgraph:hpa_replicas:current"
	SeriesHPADesired        = "langgraph:hpa_replicas:desired"
	SeriesHPAMax            = "langgraph:hpa_replicas:max"
	SeriesLLMCostPerHour    = "langgraph:llm_cost_usd:rate1h"
	SeriesInfraCostEstimate = "langgraph:aws_cost_usd:estimate_hourly"
	SeriesTargetUp          = "langgraph:target_up"
)

// SeriesRunFailureRatio is the failed share of finished runs over a window (ShortWindows and
// LongWindows).
func SeriesRunFailureRatio(window string) string { return "langgraph:runs_failed:ratio_rate" + window }

// RecordingRules compute every series the alerts and dashboards read, every 30 s; the long SLO
// windows are in SLORecordingRules. Source metric names (the LangGraph server's lg_api_*, the
// exporters', cAdvisor's and kube-state-metrics') appear only in these two.
func RecordingRules(s Scope, t Thresholds) []Rule {
	ns := fmt.Sprintf(`namespace=%q`, s.Namespace)
	pod := fmt.Sprintf(`namespace=%q, container=%q`, s.Namespace, s.Container)
	hpa := fmt.Sprintf(`namespace=%q, horizontalpodautoscaler=%q`, s.Namespace, s.HPA)
	rec := func(name, expr string) Rule { return Rule{Record: name, Expr: expr} }
	rules := []Rule{
		rec(SeriesRequestRate, fmt.Sprintf(`sum(rate(lg_api_http_requests_total{%s}[5m]))`, ns)),
		rec(SeriesErrorRatio, fmt.Sprintf(`sum(rate(lg_api_http_requests_total{%s, status=~"5.."}[5m])) / sum(rate(lg_api_http_requests_total{%s}[5m]))`, ns, ns)),
	}
	// Failed = failed after retries + abandoned by shutdown; cancelled by the user is not a failure.
	rules = append(rules, sloRecordingRules(s, t.P95ResponseSeconds, ShortWindows)...)
	rules = append(rules, budgetRateRules(s, t.P95ResponseSeconds)...)
	quantile := func(name string, q float64, metric string, selector string) Rule {
		// LangGraph (v0.11+) records latencies in milliseconds.
		return rec(name, fmt.Sprintf(`histogram_quantile(%g, sum by (le) (rate(%s_bucket{%s}[5m]))) / 1000`, q, metric, selector))
	}
	avg := func(name, metric, selector string) Rule {
		return rec(name, fmt.Sprintf(`sum(rate(%[1]s_sum{%[2]s}[5m])) / sum(rate(%[1]s_count{%[2]s}[5m])) / 1000`, metric, selector))
	}
	runs := fmt.Sprintf(`%s, path=~%q`, ns, runRoutes)
	rules = append(rules,
		rec(SeriesRunSuccessRatio, fmt.Sprintf(`1 - %s`, SeriesRunFailureRatio("5m"))),
		quantile(SeriesResponseP50, 0.50, "lg_api_http_requests_latency", runs),
		quantile(SeriesResponseP95, 0.95, "lg_api_http_requests_latency", runs),
		quantile(SeriesResponseP99, 0.99, "lg_api_http_requests_latency", runs),
		avg(SeriesResponseAvg, "lg_api_http_requests_latency", runs),
		rec(SeriesPendingRuns, fmt.Sprintf(`sum(lg_api_num_pending_runs{%s})`, ns)),
		rec(SeriesRunningRuns, fmt.Sprintf(`sum(lg_api_num_running_runs{%s})`, ns)),
		// Across every pod of the dataplane: with a queue tier the API pods report 0 workers.
		rec(SeriesWorkersActive, fmt.Sprintf(`sum(lg_api_workers_active{%s})`, ns)),
		rec(SeriesWorkersAvailable, fmt.Sprintf(`sum(lg_api_workers_available{%s})`, ns)),
		quantile(SeriesQueueWaitP95, 0.95, "lg_api_run_queue_wait_time_1st_attempt", ns),
		avg(SeriesQueueWaitAvg, "lg_api_run_queue_wait_time_1st_attempt", ns),
		// In use = open connections minus idle ones, per pod; the busiest pod decides.
		rec(SeriesPGPoolRatio, fmt.Sprintf(`max((lg_api_pg_pool_size{%[1]s} - lg_api_pg_pool_available{%[1]s}) / lg_api_pg_pool_max{%[1]s})`, ns)),
		rec(SeriesPGConnectionRatio, `sum(pg_stat_database_numbackends) / max(pg_settings_max_connections)`),
		rec(SeriesRedisMemoryRatio, `max(redis_memory_used_bytes / (redis_memory_max_bytes > 0))`),
		rec(SeriesRedisHitRatio, `sum(rate(redis_keyspace_hits_total[5m])) / (sum(rate(redis_keyspace_hits_total[5m])) + sum(rate(redis_keyspace_misses_total[5m])) > 0)`),
		rec(SeriesRedisEvictionRate, `sum(rate(redis_evicted_keys_total[5m]))`),
		rec(SeriesPodCPULimit, fmt.Sprintf(`sum by (pod) (rate(container_cpu_usage_seconds_total{%[1]s}[5m])) / sum by (pod) (kube_pod_container_resource_limits{%[1]s, resource="cpu"})`, pod)),
		rec(SeriesPodCPURequest, fmt.Sprintf(`sum by (pod) (rate(container_cpu_usage_seconds_total{%[1]s}[5m])) / sum by (pod) (kube_pod_container_resource_requests{%[1]s, resource="cpu"})`, pod)),
		rec(SeriesPodMemoryLimit, fmt.Sprintf(`sum by (pod) (container_memory_working_set_bytes{%[1]s}) / sum by (pod) (kube_pod_container_resource_limits{%[1]s, resource="memory"})`, pod)),
		rec(SeriesPodMemoryRequest, fmt.Sprintf(`sum by (pod) (container_memory_working_set_bytes{%[1]s}) / sum by (pod) (kube_pod_container_resource_requests{%[1]s, resource="memory"})`, pod)),
		rec(SeriesHPACurrent, fmt.Sprintf(`max(kube_horizontalpodautoscaler_status_current_replicas{%s})`, hpa)),
		rec(SeriesHPADesired, fmt.Sprintf(`max(kube_horizontalpodautoscaler_status_desired_replicas{%s})`, hpa)),
		rec(SeriesHPAMax, fmt.Sprintf(`max(kube_horizontalpodautoscaler_spec_max_replicas{%s})`, hpa)),
		// The seed's llm_cost_total (US dollars) as dollars per hour: the gateway's measured
		// spend when it runs.
		rec(SeriesLLMCostPerHour, fmt.Sprintf(`sum(rate(%s[1h])) * 3600`, llmCostSource(s))),
		// The cost model's estimate (cmd/cost), a constant: the panel shows it beside the LLM spend.
		rec(SeriesInfraCostEstimate, fmt.Sprintf(`vector(%s)`, num(t.InfraCostPerHour))),
		rec(SeriesTargetUp, fmt.Sprintf(`min by (job) (up{job=~%q})`, strings.Join(s.Jobs, "|"))),
	)
	rules = append(rules, llmRecordingRules(s)...)
	return append(rules, blindRules(s)...)
}

// SLORecordingRules are the long-window SLO series and the 30-day error budget left (SLOGroup).
func SLORecordingRules(s Scope, t Thresholds) []Rule {
	return append(sloRecordingRules(s, t.P95ResponseSeconds, LongWindows), budgetRemainingRules(t)...)
}

// Description templates render the value with Prometheus's template functions.
const (
	pct     = `{{ $value | humanizePercentage }}`
	seconds = `{{ $value | printf "%.0f" }}s`
	count   = `{{ $value | printf "%.0f" }}`
)

func pctOf(r float64) string { return num(r*100) + "%" }

// num formats a threshold with 6 significant digits, so floating-point noise never shows.
func num(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// Unit is how a threshold reads in an alert's text.
type Unit int

// Units of thresholds.
const (
	Ratio   Unit = iota // a fraction, shown as a percentage
	Seconds             // shown as "300s"
	Count               // shown as a plain number
	Dollars             // shown as "$15000"
)

// Format renders v in the unit.
func (u Unit) Format(v float64) string {
	switch u {
	case Ratio:
		return pctOf(v)
	case Seconds:
		return num(v) + "s"
	case Dollars:
		return "$" + num(v)
	default:
		return num(v)
	}
}

// limitToken stands for the threshold in a threshold alert's summary and description.
const limitToken = "<limit>"

// threshold makes r fire while series is above limit. The expression, the dashboard's threshold
// line and the limit the text names (limitToken) all come from this one value.
func threshold(r Rule, series string, limit float64, unit Unit) Rule {
	r.Expr = fmt.Sprintf(`%s > %s`, series, num(limit))
	r.Threshold = limit
	r.Summary = strings.ReplaceAll(r.Summary, limitToken, unit.Format(limit))
	r.Description = strings.ReplaceAll(r.Description, limitToken, unit.Format(limit))
	return r
}

// AlertingRules are the seed's alert thresholds (critical) and its KPI targets (warning), plus
// autoscaling, Redis and scrape health.
func AlertingRules(t Thresholds) []Rule {
	return append(append(append(thresholdAlerts(t), sloAlerts(t)...), blindAlert()), llmAlerts(t)...)
}

func thresholdAlerts(t Thresholds) []Rule {
	return []Rule{
		// Seed alert thresholds.
		threshold(Rule{Alert: "LangGraphHighErrorRate", For: 5 * time.Minute, Severity: Critical, Signal: "error-rate",
			Summary:     "More than <limit> of LangGraph API requests fail",
			Description: pct + " of requests returned 5xx over 5 minutes (alert above <limit>)."},
			SeriesErrorRatio, t.ErrorRatio, Ratio),
		threshold(Rule{Alert: "LangGraphSlowAverageResponse", For: 10 * time.Minute, Severity: Critical, Signal: "avg-response",
			Summary:     "Average run response time above <limit>",
			Description: "Runs on /runs/wait and /runs/stream took " + seconds + " on average over 5 minutes (alert above <limit>)."},
			SeriesResponseAvg, t.AvgResponseSeconds, Seconds),
		threshold(Rule{Alert: "LangGraphPodCPUSaturated", For: 10 * time.Minute, Severity: Critical, Signal: "pod-cpu",
			Summary:     "A LangGraph pod uses more than <limit> of its CPU limit",
			Description: "Pod {{ $labels.pod }} uses " + pct + " of its CPU limit (alert above <limit>)."},
			SeriesPodCPULimit, t.PodResourceRatio, Ratio),
		threshold(Rule{Alert: "LangGraphPodMemorySaturated", For: 10 * time.Minute, Severity: Critical, Signal: "pod-memory",
			Summary:     "A LangGraph pod uses more than <limit> of its memory limit",
			Description: "Pod {{ $labels.pod }} uses " + pct + " of its memory limit (alert above <limit>); it will be OOM-killed at 100%."},
			SeriesPodMemoryLimit, t.PodResourceRatio, Ratio),
		threshold(Rule{Alert: "LangGraphDatabasePoolSaturated", For: 5 * time.Minute, Severity: Critical, Signal: "db-pool",
			Summary:     "A LangGraph pod's database pool is more than <limit> in use",
			Description: "The busiest pod has " + pct + " of its PostgreSQL pool in use (alert above <limit>)."},
			SeriesPGPoolRatio, t.DBPoolRatio, Ratio),
		threshold(Rule{Alert: "LangGraphDatabaseConnectionsHigh", For: 5 * time.Minute, Severity: Critical, Signal: "db-connections",
			Summary:     "PostgreSQL connections above <limit> of max_connections",
			Description: "The database has " + pct + " of max_connections open (alert above <limit>)."},
			SeriesPGConnectionRatio, t.DBPoolRatio, Ratio),
		threshold(Rule{Alert: "LangGraphQueueBacklog", For: 5 * time.Minute, Severity: Critical, Signal: "queue-depth",
			Summary:     "More than <limit> runs are waiting in the queue",
			Description: count + " runs are pending (alert above <limit>)."},
			SeriesPendingRuns, t.QueueDepth, Count),
		{Alert: "LangGraphNoAvailableWorkers", Expr: fmt.Sprintf(`%s > 0 and %s == 0`, SeriesPendingRuns, SeriesWorkersAvailable), For: 5 * time.Minute,
			Severity: Critical, Signal: "workers",
			Summary:     "Runs are waiting and no LangGraph worker is free",
			Description: count + " runs are pending while every worker of the dataplane is busy or gone: nothing drains the queue."},
		// KPI targets.
		threshold(Rule{Alert: "LangGraphP95ResponseAboveTarget", For: 15 * time.Minute, Severity: Warning, Signal: "p95-response",
			Summary:     "P95 run response time above the <limit> target",
			Description: "P95 of runs on /runs/wait and /runs/stream is " + seconds + " (target below <limit>)."},
			SeriesResponseP95, t.P95ResponseSeconds, Seconds),
		threshold(Rule{Alert: "LangGraphAverageResponseAboveTarget", For: 15 * time.Minute, Severity: Warning, Signal: "avg-response",
			Summary:     "Average run response time above the <limit> target",
			Description: "Runs took " + seconds + " on average (target below <limit>)."},
			SeriesResponseAvg, t.TargetAvgResponseSeconds, Seconds),
		threshold(Rule{Alert: "LangGraphQueueWaitAboveTarget", For: 10 * time.Minute, Severity: Warning, Signal: "queue-wait",
			Summary:     "Runs wait more than <limit> in the queue",
			Description: "P95 queue wait before a run's first attempt is " + seconds + " (target below <limit>)."},
			SeriesQueueWaitP95, t.QueueWaitSeconds, Seconds),
		threshold(Rule{Alert: "LangGraphErrorRateAboveTarget", For: 15 * time.Minute, Severity: Warning, Signal: "error-rate",
			Summary:     "LangGraph API error rate above the <limit> target",
			Description: pct + " of requests returned 5xx (target below <limit>)."},
			SeriesErrorRatio, t.TargetErrorRatio, Ratio),
		threshold(Rule{Alert: "LangGraphPodCPUAboveTarget", For: 15 * time.Minute, Severity: Warning, Signal: "pod-cpu",
			Summary:     "A LangGraph pod uses more than the <limit> CPU target",
			Description: "Pod {{ $labels.pod }} uses " + pct + " of its CPU limit (target below <limit>)."},
			SeriesPodCPULimit, t.CPURatio, Ratio),
		threshold(Rule{Alert: "LangGraphPodMemoryAboveTarget", For: 15 * time.Minute, Severity: Warning, Signal: "pod-memory",
			Summary:     "A LangGraph pod uses more than the <limit> memory target",
			Description: "Pod {{ $labels.pod }} uses " + pct + " of its memory limit (target below <limit>)."},
			SeriesPodMemoryLimit, t.MemoryRatio, Ratio),
		// Capacity and dependencies.
		{Alert: "LangGraphHPAAtMaxReplicas", Expr: fmt.Sprintf(`%s >= %s`, SeriesHPACurrent, SeriesHPAMax), For: 15 * time.Minute,
			Severity: Warning, Signal: "autoscaling",
			Summary:     "The dataplane has run at its maximum replica count for 15 minutes",
			Description: "The HPA holds " + count + " replicas, its maximum: load beyond this queues up."},
		{Alert: "LangGraphRedisEvicting", Expr: fmt.Sprintf(`%s > 0`, SeriesRedisEvictionRate), For: 15 * time.Minute,
			Severity: Warning, Signal: "redis-memory",
			Summary:     "Redis is evicting keys",
			Description: "Redis evicts {{ $value | printf \"%.1f\" }} keys per second (allkeys-lru under memory pressure)."},
		threshold(Rule{Alert: "LangGraphRedisMemoryHigh", For: 10 * time.Minute, Severity: Warning, Signal: "redis-memory",
			Summary:     "Redis memory above <limit> of maxmemory",
			Description: "The fullest Redis node uses " + pct + " of maxmemory (alert above <limit>)."},
			SeriesRedisMemoryRatio, t.CacheMemoryRatio, Ratio),
		{Alert: "LangGraphScrapeTargetDown", Expr: fmt.Sprintf(`%s == 0`, SeriesTargetUp), For: 5 * time.Minute,
			Severity: Warning, Signal: "scrape",
			Summary:     "A LangGraph metrics target is down",
			Description: "Prometheus cannot scrape job {{ $labels.job }} (up = {{ $value }}): the alerts that read it are blind."},
	}
}

// Labels are an alert's labels.
func (r Rule) Labels() map[string]string {
	if r.Alert == "" {
		return r.RecordLabels
	}
	return map[string]string{"severity": r.Severity, "signal": r.Signal, "component": ComponentLabel}
}

// Annotations are an alert's annotations.
func (r Rule) Annotations(runbookBase string) map[string]string {
	if r.Alert == "" {
		return nil
	}
	return map[string]string{
		"summary":     r.Summary,
		"description": r.Description,
		"runbook_url": RunbookURL(runbookBase, r.Alert),
	}
}

// RunbookURL is where an alert's runbook lives.
func RunbookURL(base, alert string) string { return base + "/" + alert + ".md" }

// Groups renders the rules as Prometheus rule groups: the one form both the plain rule file and
// the PrometheusRule object are made from.
func Groups(s Scope, t Thresholds) []rulefmt.RuleGroup {
	convert := func(rules []Rule) []rulefmt.Rule {
		out := make([]rulefmt.Rule, len(rules))
		for i, r := range rules {
			out[i] = rulefmt.Rule{
				Record: r.Record, Alert: r.Alert, Expr: r.Expr, For: model.Duration(r.For),
				Labels: r.Labels(), Annotations: r.Annotations(s.RunbookURL),
			}
		}
		return out
	}
	return []rulefmt.RuleGroup{
		{Name: RecordingGroup, Interval: model.Duration(30 * time.Second), Rules: convert(RecordingRules(s, t))},
		{Name: SLOGroup, Interval: model.Duration(5 * time.Minute), Rules: convert(SLORecordingRules(s, t))},
		{Name: AlertingGroup, Interval: model.Duration(30 * time.Second), Rules: convert(AlertingRules(t))},
	}
}

// RuleFile renders the plain Prometheus rule file (promtool reads it).
func RuleFile(s Scope, t Thresholds) ([]byte, error) {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(rulefmt.RuleGroups{Groups: Groups(s, t)}); err != nil {
		return nil, err
	}
	return []byte(b.String()), enc.Close()
}

// AlertNames lists the alerts, sorted.
func AlertNames(t Thresholds) []string {
	var names []string
	for _, r := range AlertingRules(t) {
		names = append(names, r.Alert)
	}
	sort.Strings(names)
	return names
}
