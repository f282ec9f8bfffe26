package mixin

import (
	"fmt"
	"strings"
	"time"

	"github.com/langgraph-platform/infra/catalog"
)

// SeriesMonitoringBlind is 1 for each signal a paging alert or an SLO reads whose source series
// the server does not expose while it is up and serving: the alert on it would stay silent
// however bad things get. Its labels say which signal, which series and why it may be missing.
const SeriesMonitoringBlind = "langgraph:monitoring_blind"

// Labels of SeriesMonitoringBlind.
const (
	BlindSignalLabel = "blind_signal"
	BlindMetricLabel = "metric"
	BlindReasonLabel = "reason"
)

// blindSource is a signal and the LangGraph series it cannot do without. A sampled series
// (a gauge the server records every STATS_INTERVAL_SECS) must exist whenever the dataplane's
// target is up; a per-run series must exist whenever runs were answered (it appears with the
// first run it counts). Any one of metrics present is enough.
type blindSource struct {
	signal  string
	metrics []catalog.LangGraphMetric
}

// blindSources are the signals of the run-success SLO and of the alerts that page on LangGraph's
// own series. (The HTTP series, which the error rate and latency SLO read, have no independent
// evidence of traffic to compare with; LangGraphScrapeTargetDown covers their scrape.)
var blindSources = []blindSource{
	{"run-success", contract("run_success_counter_total", "run_failed_after_retry_counter_total")},
	{"queue-wait", contract("run_queue_wait_time_1st_attempt")},
	{"queue-depth", contract("num_pending_runs")},
	{"workers", contract("workers_available")},
	{"db-pool", contract("pg_pool_max")},
}

// contract looks families up in the server contract; a name it lacks is a programming error,
// which stops every program and test at start.
func contract(names ...string) []catalog.LangGraphMetric {
	var out []catalog.LangGraphMetric
	for _, name := range names {
		m, ok := catalog.LangGraphMetricByName(catalog.LangGraphMetricPrefix, catalog.LangGraphMetricPrefix+name)
		if !ok {
			panic("monitoring: " + name + " is not in the LangGraph server contract")
		}
		out = append(out, m)
	}
	return out
}

// Windows of the blind rules: a sampled series is missing after 3 scrape intervals of the
// collector's 60 s; a per-run one after half an hour of answered runs without it.
const (
	blindSampledWindow = "15m"
	blindPerRunWindow  = "30m"
)

// blindReason says why a series may be missing, from the server contract.
func blindReason(m catalog.LangGraphMetric) string {
	var why []string
	if !m.DeploymentUI {
		why = append(why, fmt.Sprintf("internal metric: needs %s=true and %s>=%d on the pods", catalog.EnvExposeInternalMetrics, catalog.EnvMaxEmittingTier, m.Tier))
	}
	if m.JobsOnly {
		why = append(why, fmt.Sprintf("recorded only by pods with %s>0", catalog.EnvJobsPerWorker))
	}
	if m.Runtime == catalog.RuntimePostgres {
		why = append(why, "recorded only by the server's Postgres runtime")
	}
	why = append(why, fmt.Sprintf("scraped from the API port's %s", catalog.LangGraphMetricsPath),
		fmt.Sprintf("renamed or dropped by a server newer than langgraph-api %s (re-check the contract)", catalog.LangGraphAPIVersion))
	return strings.Join(why, "; ")
}

// blindRules record SeriesMonitoringBlind, one rule per source.
func blindRules(s Scope) []Rule {
	ns := fmt.Sprintf(`namespace=%q`, s.Namespace)
	up := fmt.Sprintf(`max(up{%s, job=%q}) == 1`, ns, s.DataplaneJob)
	answered := fmt.Sprintf(`sum(increase(lg_api_http_requests_total{%s, path=~%q, status=~"2.."}[%s])) > 0`, ns, catalog.LangGraphRunRoutes, blindPerRunWindow)
	var rules []Rule
	for _, src := range blindSources {
		first := src.metrics[0]
		window, evidence := blindSampledWindow, up
		if first.OnEvent {
			window, evidence = blindPerRunWindow, answered
		}
		var absent []string
		for _, m := range src.metrics {
			absent = append(absent, fmt.Sprintf(`absent_over_time(%s{%s}[%s])`, m.PresenceSeries(), ns, window))
		}
		rules = append(rules, Rule{
			Record: SeriesMonitoringBlind,
			Expr:   fmt.Sprintf(`%s and on() (%s)`, strings.Join(absent, " and "), evidence),
			RecordLabels: map[string]string{
				BlindSignalLabel: src.signal,
				BlindMetricLabel: catalog.LangGraphMetricPrefix + first.Name,
				BlindReasonLabel: blindReason(first),
			},
		})
	}
	return rules
}

// blindAlert is the ticket that says an alert is blind.
func blindAlert() Rule {
	return Rule{Alert: "LangGraphMonitoringBlind", Expr: SeriesMonitoringBlind + " > 0", For: 15 * time.Minute,
		Severity: Warning, Signal: "monitoring-blind",
		Summary: "An SLO or alert of the dataplane is blind: the server does not expose a series it reads",
		Description: "Signal {{ $labels.blind_signal }} reads {{ $labels.metric }}, absent in {{ $labels.namespace }} while the dataplane is up and serving (blind = {{ $value }}): " +
			"its alerts cannot fire. Likely causes: {{ $labels.reason }}."}
}
