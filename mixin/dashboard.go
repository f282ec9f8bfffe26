// Package dashboards holds the Grafana dashboards as code (grafana-foundation-sdk). Panels read
// only the recorded langgraph: series and draw the thresholds the alerts use.
package mixin

import (
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// DataplaneUID is the stable uid of the LangGraph dataplane dashboard.
const DataplaneUID = "langgraph-dataplane"

// DataplaneFile is the dashboard's file name in its ConfigMap and in synth's output.
const DataplaneFile = "langgraph-dataplane.json"

// Grid: panels are laid out three to a row, each 8 columns by 8 rows.
const (
	panelWidth  = 8
	panelHeight = 8
	perRow      = 24 / panelWidth
)

// datasource is the Prometheus datasource kube-prometheus-stack provisions in Grafana.
var datasource = common.DataSourceRef{Type: ptr("prometheus"), Uid: ptr("prometheus")}

// Query is one line on a panel.
type Query struct {
	Expr, Legend string
}

// Panel is one time series panel. Thresholds are drawn as lines; HigherIsBetter flips colours.
type Panel struct {
	Title, Description, Unit string
	Queries                  []Query
	Warning, Critical        *float64
	HigherIsBetter           bool
}

func ptr[T any](v T) *T { return &v }

// DataplanePanels are the seed's panels (request rate, response time percentiles, error rate,
// pod CPU and memory, database pool, queue depth and wait) plus Redis, autoscaling and LLM cost.
func DataplanePanels(t Thresholds) []Panel {
	return []Panel{
		{Title: "Request rate", Unit: "reqps", Description: "Requests per second to the LangGraph API.",
			Queries: []Query{{SeriesRequestRate, "requests/s"}}},
		{Title: "Error rate", Unit: "percentunit", Description: "Share of requests answered with 5xx.",
			Queries: []Query{{SeriesErrorRatio, "5xx share"}}, Warning: ptr(t.TargetErrorRatio), Critical: ptr(t.ErrorRatio)},
		{Title: "Run success rate", Unit: "percentunit", Description: "Share of finished runs that succeeded (5m).",
			Queries: []Query{{SeriesRunSuccessRatio, "success"}}, Critical: ptr(t.SuccessRatio), HigherIsBetter: true},
		{Title: "Error budget left (30 days)", Unit: "percentunit", Description: "Share of the 30-day error budgets not yet spent: run success and runs answered within the p95 target. Below 0: the SLO is missed this month.",
			Queries: []Query{{SeriesRunErrorBudgetRemaining, "run success"}, {SeriesLatencyErrorBudgetRemaining, "latency"}},
			Warning: ptr(0.25), Critical: ptr(0.0), HigherIsBetter: true},
		{Title: "Response time (runs)", Unit: "s", Description: "End-to-end time of /runs/wait and /runs/stream.",
			Queries: []Query{{SeriesResponseP50, "p50"}, {SeriesResponseP95, "p95"}, {SeriesResponseP99, "p99"}, {SeriesResponseAvg, "average"}},
			Warning: ptr(t.TargetAvgResponseSeconds), Critical: ptr(t.AvgResponseSeconds)},
		{Title: "Queue depth", Unit: "short", Description: "Runs waiting for a worker, and running.",
			Queries: []Query{{SeriesPendingRuns, "pending"}, {SeriesRunningRuns, "running"}}, Critical: ptr(t.QueueDepth)},
		{Title: "Workers", Unit: "short", Description: "Run slots in use and free across the dataplane; pending runs with no free worker page (LangGraphNoAvailableWorkers).",
			Queries: []Query{{SeriesWorkersActive, "active"}, {SeriesWorkersAvailable, "available"}}},
		{Title: "Queue wait", Unit: "s", Description: "Time a run waits before its first attempt.",
			Queries: []Query{{SeriesQueueWaitP95, "p95"}, {SeriesQueueWaitAvg, "average"}}, Critical: ptr(t.QueueWaitSeconds)},
		{Title: "Pod CPU", Unit: "percentunit", Description: "CPU use per pod, as a share of its limit.",
			Queries: []Query{{SeriesPodCPULimit, "{{pod}}"}}, Warning: ptr(t.CPURatio), Critical: ptr(t.PodResourceRatio)},
		{Title: "Pod memory", Unit: "percentunit", Description: "Working set per pod, as a share of its limit.",
			Queries: []Query{{SeriesPodMemoryLimit, "{{pod}}"}}, Warning: ptr(t.MemoryRatio), Critical: ptr(t.PodResourceRatio)},
		{Title: "Database connection pool", Unit: "percentunit", Description: "Busiest pod's pool in use; server connections over max_connections.",
			Queries:  []Query{{SeriesPGPoolRatio, "pool in use (busiest pod)"}, {SeriesPGConnectionRatio, "server connections / max_connections"}},
			Critical: ptr(t.DBPoolRatio)},
		{Title: "Redis memory and hit rate", Unit: "percentunit", Description: "Memory over maxmemory; keyspace hit ratio.",
			Queries: []Query{{SeriesRedisMemoryRatio, "memory"}, {SeriesRedisHitRatio, "hit ratio"}}, Critical: ptr(t.CacheMemoryRatio)},
		{Title: "Redis evictions", Unit: "ops", Description: "Keys evicted per second (allkeys-lru).",
			Queries: []Query{{SeriesRedisEvictionRate, "evictions/s"}}},
		{Title: "HPA replicas", Unit: "short", Description: "Current, desired and maximum replicas of the dataplane.",
			Queries: []Query{{SeriesHPACurrent, "current"}, {SeriesHPADesired, "desired"}, {SeriesHPAMax, "max"}}},
		{Title: "LLM cost", Unit: "currencyUSD", Description: "LLM spend per hour (the application's llm_cost_total counter) beside the cost model's AWS estimate for the expected month (go run ./cmd/cost), per hour.",
			Queries: []Query{{SeriesLLMCostPerHour, "LLM USD/hour"}, {SeriesInfraCostEstimate, "AWS estimate USD/hour"}}},
	}
}

// Dataplane builds the "LangGraph dataplane" dashboard.
func Dataplane(t Thresholds) (dashboard.Dashboard, error) {
	b := dashboard.NewDashboardBuilder("LangGraph dataplane").
		Uid(DataplaneUID).
		Tags([]string{"langgraph", "dataplane"}).
		Time("now-6h", "now").
		Refresh("30s").
		Timezone("utc")
	for i, p := range DataplanePanels(t) {
		panel := timeseries.NewPanelBuilder().
			Title(p.Title).
			Description(p.Description).
			Unit(p.Unit).
			Datasource(datasource).
			GridPos(dashboard.GridPos{W: panelWidth, H: panelHeight, X: uint32(i%perRow) * panelWidth, Y: uint32(i/perRow) * panelHeight}).
			Thresholds(thresholds(p)).
			ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeLine)).
			Legend(common.NewVizLegendOptionsBuilder().ShowLegend(true).DisplayMode(common.LegendDisplayModeList).Placement(common.LegendPlacementBottom)).
			Tooltip(common.NewVizTooltipOptionsBuilder().Mode(common.TooltipDisplayModeMulti).Sort(common.SortOrderDescending))
		for j, q := range p.Queries {
			panel = panel.WithTarget(prometheus.NewDataqueryBuilder().Expr(q.Expr).LegendFormat(q.Legend).RefId(fmt.Sprintf("%c", 'A'+j)))
		}
		b = b.WithPanel(panel)
	}
	return b.Build()
}

func thresholds(p Panel) *dashboard.ThresholdsConfigBuilder {
	good, warn, bad := "green", "orange", "red"
	if p.HigherIsBetter {
		good, bad = bad, good
	}
	steps := []dashboard.Threshold{{Value: nil, Color: good}}
	if p.Warning != nil {
		steps = append(steps, dashboard.Threshold{Value: p.Warning, Color: warn})
	}
	if p.Critical != nil {
		steps = append(steps, dashboard.Threshold{Value: p.Critical, Color: bad})
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(steps)
}

// DataplaneJSON renders the dashboard as Grafana JSON.
func DataplaneJSON(t Thresholds) ([]byte, error) {
	d, err := Dataplane(t)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(d, "", "  ")
}
