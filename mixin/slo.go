package mixin

import (
	"fmt"
	"strconv"
	"time"
)

// The two service-level objectives, each over 30 days (Google SRE workbook, "Alerting on SLOs"):
// runs succeed (kpi.successRatePercent), and runs are answered within kpi.p95ResponseSeconds
// (LatencyObjective of them: the p95 target as an SLO that has an error budget to burn).
const (
	// LatencyObjective is the share of runs that must be answered within the p95 target.
	LatencyObjective = 0.95
	// SLOGroup holds the long-window series, evaluated every 5 minutes: a 3-day rate every 30
	// seconds would cost the server more than every other rule together.
	SLOGroup = "langgraph.slo"
)

// Series of the SLOs.
const (
	// SeriesRunsFailedRate and SeriesRunsFinishedRate are per-second rates over 5 minutes, the
	// 30-day budget sums them (a ratio of sums weighs every minute by its traffic).
	SeriesRunsFailedRate   = "langgraph:runs_failed:rate5m"
	SeriesRunsFinishedRate = "langgraph:runs_finished:rate5m"
	SeriesRunsSlowRate     = "langgraph:runs_slow:rate5m"
	SeriesRunsAnsweredRate = "langgraph:runs_answered:rate5m"
	// SeriesRunErrorBudgetRemaining and SeriesLatencyErrorBudgetRemaining are the share of the
	// 30-day error budget left: 1 untouched, 0 spent, below 0 overspent.
	SeriesRunErrorBudgetRemaining     = "langgraph:runs_error_budget:remaining_30d"
	SeriesLatencyErrorBudgetRemaining = "langgraph:latency_error_budget:remaining_30d"
)

// SeriesRunSlowRatio is the share of runs on the run routes answered slower than the p95 target,
// over a window.
func SeriesRunSlowRatio(window string) string { return "langgraph:runs_slow:ratio_rate" + window }

// Burn-rate windows. ShortWindows are recorded every 30 s; LongWindows in SLOGroup.
var (
	ShortWindows = []string{"5m", "30m", "1h", "2h", "6h"}
	LongWindows  = []string{"1d", "3d"}
)

// BurnTier is one multi-window burn-rate alert: both windows above Factor x the error budget.
type BurnTier struct {
	Suffix       string // alert name suffix
	Long, Short  string // windows
	Factor       float64
	For          time.Duration
	Severity     string
	BudgetInDays int // how soon the budget is gone at this burn rate, for the summary
}

// BurnTiers are the SRE workbook's four: two that page (the slower one a warning here, as the
// seed asked for the 5 % ceiling to page and the target to warn) and two tickets.
var BurnTiers = []BurnTier{
	{"FastBurn", "1h", "5m", 14.4, 2 * time.Minute, Critical, 2},
	{"SlowBurn", "6h", "30m", 6, 15 * time.Minute, Warning, 5},
	{"Burn1d", "1d", "2h", 3, 30 * time.Minute, Warning, 10},
	{"Burn3d", "3d", "6h", 1, time.Hour, Warning, 30},
}

// failureExprs are the failed and the finished runs' rates over a window (cancelled by the user
// is neither).
func failureExprs(ns, w string) (failed, finished string) {
	failed = fmt.Sprintf(`(sum(rate(lg_api_run_failed_after_retry_counter_total{%[1]s}[%[2]s])) or vector(0)) + (sum(rate(lg_api_run_abandoned_by_shutdown_counter_total{%[1]s}[%[2]s])) or vector(0))`, ns, w)
	succeeded := fmt.Sprintf(`(sum(rate(lg_api_run_success_counter_total{%s}[%s])) or vector(0))`, ns, w)
	return failed, fmt.Sprintf(`(%s) + %s`, failed, succeeded)
}

// latencyExprs are the slow and all answered runs' rates over a window, from the latency
// histogram's bucket at the target. The bucket must be one of the server's boundaries; Prometheus
// 3 writes it as "300000.0", older servers as "300000".
func latencyExprs(runs string, p95Seconds float64, w string) (slow, answered string) {
	le := strconv.FormatFloat(p95Seconds*1000, 'f', -1, 64) // the histogram is in milliseconds
	answered = fmt.Sprintf(`sum(rate(lg_api_http_requests_latency_count{%s}[%s]))`, runs, w)
	fast := fmt.Sprintf(`sum(rate(lg_api_http_requests_latency_bucket{%s, le=~"%s(\\.0)?"}[%s]))`, runs, le, w)
	return fmt.Sprintf(`%s - %s`, answered, fast), answered
}

func ratio(num, den string) string { return fmt.Sprintf(`(%s) / ((%s) > 0)`, num, den) }

// sloRecordingRules are the burn-rate series of both SLOs over windows.
func sloRecordingRules(s Scope, p95Seconds float64, windows []string) []Rule {
	ns := fmt.Sprintf(`namespace=%q`, s.Namespace)
	runs := fmt.Sprintf(`%s, path=~%q`, ns, runRoutes)
	var rules []Rule
	for _, w := range windows {
		failed, finished := failureExprs(ns, w)
		slow, answered := latencyExprs(runs, p95Seconds, w)
		rules = append(rules,
			Rule{Record: SeriesRunFailureRatio(w), Expr: ratio(failed, finished)},
			Rule{Record: SeriesRunSlowRatio(w), Expr: ratio(slow, answered)},
		)
	}
	return rules
}

// budgetRules record the 5-minute rates every 30 s (in the recording group) and the 30-day
// budget left from their sums (in SLOGroup).
func budgetRateRules(s Scope, p95Seconds float64) []Rule {
	ns := fmt.Sprintf(`namespace=%q`, s.Namespace)
	runs := fmt.Sprintf(`%s, path=~%q`, ns, runRoutes)
	failed, finished := failureExprs(ns, "5m")
	slow, answered := latencyExprs(runs, p95Seconds, "5m")
	return []Rule{
		{Record: SeriesRunsFailedRate, Expr: failed},
		{Record: SeriesRunsFinishedRate, Expr: finished},
		{Record: SeriesRunsSlowRate, Expr: slow},
		{Record: SeriesRunsAnsweredRate, Expr: answered},
	}
}

func budgetRemainingRules(t Thresholds) []Rule {
	remaining := func(bad, all string, objective float64) string {
		return fmt.Sprintf(`1 - (sum_over_time(%s[30d]) / (sum_over_time(%s[30d]) > 0)) / %s`, bad, all, num(1-objective))
	}
	return []Rule{
		{Record: SeriesRunErrorBudgetRemaining, Expr: remaining(SeriesRunsFailedRate, SeriesRunsFinishedRate, t.SuccessRatio)},
		{Record: SeriesLatencyErrorBudgetRemaining, Expr: remaining(SeriesRunsSlowRate, SeriesRunsAnsweredRate, LatencyObjective)},
	}
}

// sloAlerts are the burn-rate alerts of both SLOs, every tier.
func sloAlerts(t Thresholds) []Rule {
	var rules []Rule
	for _, tier := range BurnTiers {
		run := tier.Factor * (1 - t.SuccessRatio)
		slow := tier.Factor * (1 - LatencyObjective)
		rules = append(rules,
			Rule{Alert: "LangGraphRunSuccess" + tier.Suffix,
				Expr: fmt.Sprintf(`%s > %s and %s > %s`, SeriesRunFailureRatio(tier.Long), num(run), SeriesRunFailureRatio(tier.Short), num(run)),
				For:  tier.For, Severity: tier.Severity, Signal: "run-success", Threshold: t.SuccessRatio,
				Summary: fmt.Sprintf("Runs fail fast enough to spend the monthly error budget in %d days", tier.BudgetInDays),
				Description: pct + fmt.Sprintf(" of runs failed over the last %s: %s times the error budget of the %s success target.",
					tier.Long, num(tier.Factor), pctOf(t.SuccessRatio))},
			Rule{Alert: "LangGraphLatencySLO" + tier.Suffix,
				Expr: fmt.Sprintf(`%s > %s and %s > %s`, SeriesRunSlowRatio(tier.Long), num(slow), SeriesRunSlowRatio(tier.Short), num(slow)),
				For:  tier.For, Severity: tier.Severity, Signal: "latency-slo", Threshold: LatencyObjective,
				Summary: fmt.Sprintf("Runs answered slower than %ss spend the monthly latency budget in %d days", num(t.P95ResponseSeconds), tier.BudgetInDays),
				Description: pct + fmt.Sprintf(" of runs took longer than %ss over the last %s: %s times the budget of the %s-within-target objective.",
					num(t.P95ResponseSeconds), tier.Long, num(tier.Factor), pctOf(LatencyObjective))},
		)
	}
	return rules
}
