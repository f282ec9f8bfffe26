package catalog

import (
	"fmt"
	"slices"
	"strings"
)

// The LangGraph server contract: what LangChain's Agent Server exposes and reads, as read from
// the server itself. tests/langgraph starts that server (the PyPI packages pinned in
// tools/langgraph-server/requirements.txt), scrapes it with the env the program sets and reads
// its metric definitions and OpenAPI document; it fails when this file and the server disagree.
// After an image upgrade: bump the pins there to the image's langgraph-api, run
// `go test ./tests/langgraph`, and fix what it names (docs/monitoring.md, "Re-checking the contract").
const (
	// LangGraphAPIVersion is the langgraph-api release this contract was read from.
	LangGraphAPIVersion = "0.16.7"
	// LangGraphRuntimeInmemVersion is the in-memory runtime the tests run it with.
	LangGraphRuntimeInmemVersion = "0.36.7"
)

// The server's HTTP surface. One port serves the API, /ok and the Prometheus endpoint: the API
// process on PORT, and the queue entrypoint's health server on PORT as well. (LSD_PROM_METRICS_*
// and a separate port 9464, which earlier notes assumed, do not exist in langgraph-api 0.16.7.)
const (
	LangGraphHealthPath  = "/ok"
	LangGraphMetricsPath = "/metrics"
	// LangGraphDependencyCheckQuery asks /ok to probe the server's data dependencies (PostgreSQL
	// and Redis in the licensed runtime) too: api/__init__.py's ok() answers 200 with
	// {"ok": true, "services": {<name>: "healthy"}}, 500 with "unhealthy" for a dependency that
	// failed its probe, 503 when overloaded. Without it every dependency is "skipped".
	LangGraphDependencyCheckQuery = "check_db=1"
	// LangGraphMetricPrefix is METRIC_PREFIX's default.
	LangGraphMetricPrefix = "lg_api_"
)

// Environment variables of the server that the contract depends on.
const (
	// EnvExposeInternalMetrics lifts the Prometheus endpoint's filter to the Deployment-UI set.
	EnvExposeInternalMetrics = "EXPOSE_INTERNAL_METRICS_PROMETHEUS"
	// EnvMaxEmittingTier: internal metrics of a higher tier are never recorded (default 2, 1 on
	// dev deployments). Deployment-UI metrics bypass it.
	EnvMaxEmittingTier = "METRIC_MAX_EMITTING_TIER"
	// EnvJobsPerWorker: worker gauges exist only where it is above 0.
	EnvJobsPerWorker = "N_JOBS_PER_WORKER"
)

// LangGraph metric tiers (metrics_otlp.METRIC_TIER_*).
const (
	TierCritical  = 1
	TierInfo      = 2
	TierDebug     = 3
	TierDeepDebug = 4
)

// LangGraph server processes: the API server (N_JOBS_PER_WORKER 0 when a queue tier exists, else
// it runs the workers too) and the queue entrypoint.
const (
	ProcessAPI   = "api"
	ProcessQueue = "queue"
)

// Where a series can come from.
const (
	// RuntimeAny: recorded by the Python server on every runtime (the tests see it in memory).
	RuntimeAny = "any"
	// RuntimePostgres: recorded only on the Postgres runtime (the production image, whose core
	// records it); the in-memory server does not, so it is checked against the server's metric
	// definitions and LangChain's documentation, not a scrape.
	RuntimePostgres = "postgres"
)

// LangGraphMetric is one series family on the server's Prometheus endpoint.
type LangGraphMetric struct {
	// Name as Prometheus exposes it after the prefix (counters end in _total; histograms add
	// _bucket, _sum and _count).
	Name string
	Type string // counter, gauge, histogram
	Unit string
	Tier int
	// DeploymentUI metrics are always on the endpoint and bypass the tier ceiling; the others
	// need EnvExposeInternalMetrics=true and Tier <= EnvMaxEmittingTier.
	DeploymentUI bool
	// Processes that record it, with JobsOnly: only where N_JOBS_PER_WORKER > 0.
	Processes []string
	JobsOnly  bool
	Runtime   string
	// OnEvent series appear after the first event they count (a run, a request); the others are
	// sampled every STATS_INTERVAL_SECS from the server's start.
	OnEvent bool
}

// LangGraphMetrics is every lg_api_* family of langgraph-api 0.16.7 (metrics_otlp.py's
// definitions, which tests/langgraph compares with this list).
var LangGraphMetrics = []LangGraphMetric{
	// Deployment-UI set.
	{Name: "http_requests_total", Type: "counter", Unit: "requests", Tier: TierInfo, DeploymentUI: true, Processes: []string{ProcessAPI}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "http_requests_latency", Type: "histogram", Unit: "milliseconds", Tier: TierInfo, DeploymentUI: true, Processes: []string{ProcessAPI}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "run_queue_wait_time_1st_attempt", Type: "histogram", Unit: "milliseconds", Tier: TierInfo, DeploymentUI: true, Processes: []string{ProcessAPI, ProcessQueue}, JobsOnly: true, Runtime: RuntimePostgres, OnEvent: true},
	{Name: "num_pending_runs", Type: "gauge", Unit: "runs", Tier: TierInfo, DeploymentUI: true, Processes: []string{ProcessAPI}, Runtime: RuntimePostgres},
	{Name: "num_running_runs", Type: "gauge", Unit: "runs", Tier: TierInfo, DeploymentUI: true, Processes: []string{ProcessAPI}, Runtime: RuntimePostgres},
	{Name: "workers_max", Type: "gauge", Unit: "workers", Tier: TierCritical, DeploymentUI: true, Processes: []string{ProcessAPI, ProcessQueue}, JobsOnly: true, Runtime: RuntimeAny},
	{Name: "workers_active", Type: "gauge", Unit: "workers", Tier: TierCritical, DeploymentUI: true, Processes: []string{ProcessAPI, ProcessQueue}, JobsOnly: true, Runtime: RuntimeAny},
	{Name: "workers_available", Type: "gauge", Unit: "workers", Tier: TierCritical, DeploymentUI: true, Processes: []string{ProcessAPI, ProcessQueue}, JobsOnly: true, Runtime: RuntimeAny},
	{Name: "pg_pool_max", Type: "gauge", Unit: "connections", Tier: TierCritical, DeploymentUI: true, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimePostgres},
	{Name: "pg_pool_size", Type: "gauge", Unit: "connections", Tier: TierCritical, DeploymentUI: true, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimePostgres},
	{Name: "pg_pool_available", Type: "gauge", Unit: "connections", Tier: TierInfo, DeploymentUI: true, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimePostgres},
	{Name: "pg_pool_requests_queued_total", Type: "counter", Unit: "requests", Tier: TierCritical, DeploymentUI: true, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimePostgres, OnEvent: true},
	{Name: "pg_pool_requests_errors_total", Type: "counter", Unit: "requests", Tier: TierCritical, DeploymentUI: true, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimePostgres, OnEvent: true},
	{Name: "redis_pool_max", Type: "gauge", Unit: "connections", Tier: TierInfo, DeploymentUI: true, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimePostgres},
	{Name: "redis_pool_size", Type: "gauge", Unit: "connections", Tier: TierInfo, DeploymentUI: true, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimePostgres},
	{Name: "redis_pool_available", Type: "gauge", Unit: "connections", Tier: TierInfo, DeploymentUI: true, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimePostgres},
	// Internal set: recorded where runs execute (the worker), Prometheus only on request.
	{Name: "run_attempt_started_counter_total", Type: "counter", Unit: "runs", Tier: TierCritical, Processes: []string{ProcessAPI, ProcessQueue}, JobsOnly: true, Runtime: RuntimeAny, OnEvent: true},
	{Name: "run_success_counter_total", Type: "counter", Unit: "runs", Tier: TierCritical, Processes: []string{ProcessAPI, ProcessQueue}, JobsOnly: true, Runtime: RuntimeAny, OnEvent: true},
	{Name: "run_failed_retriable_counter_total", Type: "counter", Unit: "runs", Tier: TierCritical, Processes: []string{ProcessAPI, ProcessQueue}, JobsOnly: true, Runtime: RuntimeAny, OnEvent: true},
	{Name: "run_failed_after_retry_counter_total", Type: "counter", Unit: "runs", Tier: TierCritical, Processes: []string{ProcessAPI, ProcessQueue}, JobsOnly: true, Runtime: RuntimeAny, OnEvent: true},
	{Name: "run_canceled_by_request_counter_total", Type: "counter", Unit: "runs", Tier: TierCritical, Processes: []string{ProcessAPI, ProcessQueue}, JobsOnly: true, Runtime: RuntimeAny, OnEvent: true},
	{Name: "run_abandoned_by_shutdown_counter_total", Type: "counter", Unit: "runs", Tier: TierCritical, Processes: []string{ProcessAPI, ProcessQueue}, JobsOnly: true, Runtime: RuntimeAny, OnEvent: true},
	{Name: "run_exceed_max_attempts_at_start_counter_total", Type: "counter", Unit: "runs", Tier: TierCritical, Processes: []string{ProcessAPI, ProcessQueue}, JobsOnly: true, Runtime: RuntimeAny, OnEvent: true},
	{Name: "run_set_status_error_counter_total", Type: "counter", Unit: "runs", Tier: TierCritical, Processes: []string{ProcessAPI, ProcessQueue}, JobsOnly: true, Runtime: RuntimeAny, OnEvent: true},
	{Name: "run_execution_latency", Type: "histogram", Unit: "milliseconds", Tier: TierInfo, Processes: []string{ProcessAPI, ProcessQueue}, JobsOnly: true, Runtime: RuntimeAny, OnEvent: true},
	{Name: "run_queue_wait_time_retry_attempt", Type: "histogram", Unit: "milliseconds", Tier: TierInfo, Processes: []string{ProcessAPI, ProcessQueue}, JobsOnly: true, Runtime: RuntimePostgres, OnEvent: true},
	{Name: "graph_recursion_limit_error_counter_total", Type: "counter", Unit: "runs", Tier: TierInfo, Processes: []string{ProcessAPI, ProcessQueue}, JobsOnly: true, Runtime: RuntimeAny, OnEvent: true},
	{Name: "failed_to_fetch_runs_counter_total", Type: "counter", Unit: "errors", Tier: TierCritical, Processes: []string{ProcessAPI, ProcessQueue}, JobsOnly: true, Runtime: RuntimeAny, OnEvent: true},
	{Name: "streaming_data_loss_counter_total", Type: "counter", Unit: "events", Tier: TierCritical, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "stream_publish_latency", Type: "histogram", Unit: "milliseconds", Tier: TierInfo, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "stream_data_size_bytes", Type: "histogram", Unit: "bytes", Tier: TierDebug, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "publish_queue_availability", Type: "gauge", Unit: "slots", Tier: TierCritical, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "server_started_counter_total", Type: "counter", Unit: "starts", Tier: TierInfo, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "server_requested_to_stop_counter_total", Type: "counter", Unit: "stops", Tier: TierInfo, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "server_stopped_counter_total", Type: "counter", Unit: "stops", Tier: TierInfo, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "protocol_v2_buffer_evicted_counter_total", Type: "counter", Unit: "events", Tier: TierInfo, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "protocol_v2_event_emitted_counter_total", Type: "counter", Unit: "events", Tier: TierDebug, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "protocol_v2_resume_gap_counter_total", Type: "counter", Unit: "events", Tier: TierInfo, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "protocol_v2_transport_send_failure_counter_total", Type: "counter", Unit: "events", Tier: TierInfo, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "protocol_v2_buffer_size", Type: "gauge", Unit: "events", Tier: TierDebug, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "protocol_v2_replayed_events", Type: "histogram", Unit: "events", Tier: TierDebug, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "delta_channel_read_counter_total", Type: "counter", Unit: "reads", Tier: TierInfo, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "delta_channel_walk_past_bound_counter_total", Type: "counter", Unit: "reads", Tier: TierInfo, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimeAny, OnEvent: true},
	{Name: "delta_channel_replay_depth", Type: "histogram", Unit: "checkpoints", Tier: TierInfo, Processes: []string{ProcessAPI, ProcessQueue}, Runtime: RuntimeAny, OnEvent: true},
}

// LangGraphLatencyBucketsMS are the upper bounds (ms) of every latency histogram
// (http_metrics_utils.HTTP_LATENCY_BUCKETS in seconds, times 1000). A latency SLO's target must be
// one of them: Prometheus cannot count "faster than X" between two boundaries.
var LangGraphLatencyBucketsMS = []float64{10, 100, 500, 1000, 5000, 15000, 30000, 60000, 120000, 300000, 600000, 1800000, 3600000}

// LangGraphMetricByName finds a family by its exposed name, prefix and histogram suffixes allowed.
func LangGraphMetricByName(prefix, series string) (LangGraphMetric, bool) {
	name, ok := strings.CutPrefix(series, prefix)
	if !ok {
		return LangGraphMetric{}, false
	}
	for _, m := range LangGraphMetrics {
		if name == m.Name {
			return m, true
		}
		if m.Type == "histogram" {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if name == m.Name+suffix {
					return m, true
				}
			}
		}
	}
	return LangGraphMetric{}, false
}

// PresenceSeries is the series whose presence on the endpoint shows the family is there (a
// histogram's _count).
func (m LangGraphMetric) PresenceSeries() string {
	if m.Type == "histogram" {
		return LangGraphMetricPrefix + m.Name + "_count"
	}
	return LangGraphMetricPrefix + m.Name
}

// LangGraphPodEnv is what a pod tells the server, as far as the contract cares.
type LangGraphPodEnv struct {
	Process         string // ProcessAPI or ProcessQueue
	JobsPerWorker   int
	ExposeInternal  bool
	MaxEmittingTier int // 0: the server's production default, TierInfo
}

// EmittedBy reports whether a pod with env puts m on its Prometheus endpoint (on a runtime m is
// recorded on), and if not, why: the reason a blind alert and a failing test print.
func (m LangGraphMetric) EmittedBy(env LangGraphPodEnv) (bool, string) {
	if !slices.Contains(m.Processes, env.Process) {
		return false, fmt.Sprintf("recorded only by the %s process", strings.Join(m.Processes, " and "))
	}
	if m.JobsOnly && env.JobsPerWorker <= 0 {
		return false, fmt.Sprintf("recorded only where %s > 0", EnvJobsPerWorker)
	}
	if m.DeploymentUI {
		return true, ""
	}
	if !env.ExposeInternal {
		return false, fmt.Sprintf("an internal metric: on the Prometheus endpoint only with %s=true", EnvExposeInternalMetrics)
	}
	tier := env.MaxEmittingTier
	if tier == 0 {
		tier = TierInfo
	}
	if m.Tier > tier {
		return false, fmt.Sprintf("tier %d, above %s=%d", m.Tier, EnvMaxEmittingTier, tier)
	}
	return true, ""
}

// LangGraphCredentialedRoutes are the first path segments of the server's OpenAPI document
// (0.16.7) whose routes take a credential: each reads or changes data, starts runs or serves an
// agent protocol (MCP since 0.2.3, A2A). The WAF's credential rule covers every one.
var LangGraphCredentialedRoutes = []string{"/a2a", "/assistants", "/mcp", "/runs", "/store", "/threads"}

// LangGraphOpenRoutes are the remaining segments, which the server serves without a credential.
// /metrics is open on the server: the Ingress answers it 404 so only Prometheus, inside the
// cluster, reads it.
var LangGraphOpenRoutes = []string{"/docs", "/info", "/metrics", "/ok", "/openapi.json"}

// LangGraphRunRoutes matches the routes that hold the connection for the whole run (the path
// label's route templates): their latency is the user's response time.
const LangGraphRunRoutes = `.*/runs/(wait|stream)`

// LangGraphRunRouteTemplates are the run routes of the OpenAPI document that LangGraphRunRoutes
// must match (threaded and stateless), and ones it must not (a join or a run's own stream).
var (
	LangGraphRunRouteTemplates    = []string{"/threads/{thread_id}/runs/wait", "/threads/{thread_id}/runs/stream", "/runs/wait", "/runs/stream"}
	LangGraphNonRunRouteTemplates = []string{"/threads/{thread_id}/runs/{run_id}/join", "/threads/{thread_id}/runs/{run_id}/stream", "/threads/{thread_id}/runs", "/runs"}
)

// LangGraphEmittingTier is the METRIC_MAX_EMITTING_TIER every dataplane pod sets: the server's
// production default, stated so a changed default cannot silently drop what the rules read.
const LangGraphEmittingTier = TierInfo
