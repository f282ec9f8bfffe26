package mixin

import (
	"fmt"
	"time"

	"github.com/langgraph-platform/infra/catalog"
)

// The LLM gateway's series and alerts: spend in dollars, the providers' 429s and 5xx per model,
// the breaker. Source names are LiteLLM's (catalog), read only here.

// LLMThresholds are the gateway's alert thresholds.
type LLMThresholds struct {
	// ProviderErrorRatio is the share of a model's provider calls answering 429 (or 5xx) that
	// alerts: the seed's error-rate threshold (alerts.errorRatePercent).
	ProviderErrorRatio float64
	// DailyBudgetUSD is gateway.dailyBudgetUsd; 0: no spend alert.
	DailyBudgetUSD float64
}

// The gateway's recorded series.
const (
	// SeriesLLMCostPerModel is dollars an hour per model (the seed's llm_cost_total, by model).
	SeriesLLMCostPerModel = "langgraph:llm_cost_usd_by_model:rate1h"
	// SeriesLLMCostDay is the dollars spent over the last 24 hours.
	SeriesLLMCostDay = "langgraph:llm_cost_usd:increase1d"
	// SeriesLLMProvider429Ratio and SeriesLLMProvider5xxRatio are the share of each model's
	// provider calls answering 429 and 5xx (the gateway's own limit refusals are not calls).
	SeriesLLMProvider429Ratio = "langgraph:llm_provider_429:ratio_rate5m"
	SeriesLLMProvider5xxRatio = "langgraph:llm_provider_5xx:ratio_rate5m"
	// SeriesLLMBreakerOpened counts each deployment's breaker openings over 5 minutes.
	SeriesLLMBreakerOpened = "langgraph:llm_breaker_opened:increase5m"
)

// llmRecordingRules read the gateway's metrics from its scrape job; none without one.
func llmRecordingRules(s Scope) []Rule {
	if s.GatewayJob == "" {
		return nil
	}
	job := fmt.Sprintf(`job=%q`, s.GatewayJob)
	// A provider call is one a deployment made: the gateway's own refusals have no model_id.
	calls := fmt.Sprintf(`(sum by (model_group) (rate(%[1]s{%[3]s}[5m])) + sum by (model_group) (rate(%[2]s{%[3]s, model_id!=""}[5m])) > 0)`,
		catalog.MetricLiteLLMDeploymentOK, catalog.MetricLiteLLMDeploymentFailed, job)
	failed := func(status string) string {
		return fmt.Sprintf(`sum by (model_group) (rate(%s{%s, model_id!="", exception_status=~%q}[5m])) / %s`, catalog.MetricLiteLLMDeploymentFailed, job, status, calls)
	}
	rec := func(name, expr string) Rule { return Rule{Record: name, Expr: expr} }
	return []Rule{
		rec(SeriesLLMCostPerModel, fmt.Sprintf(`sum by (model) (rate(%s{%s}[1h])) * 3600`, catalog.MetricLiteLLMSpend, job)),
		rec(SeriesLLMCostDay, fmt.Sprintf(`sum(increase(%s{%s}[1d]))`, catalog.MetricLiteLLMSpend, job)),
		rec(SeriesLLMProvider429Ratio, failed("429")),
		rec(SeriesLLMProvider5xxRatio, failed("5..")),
		rec(SeriesLLMBreakerOpened, fmt.Sprintf(`sum by (litellm_model_name, model_id) (increase(%s{%s}[5m]))`, catalog.MetricLiteLLMCooledDown, job)),
	}
}

// llmCostSource is what the LLM cost series sums: the gateway's spend when it runs, else the
// seed's llm_cost_total counter that the application would have to emit itself.
func llmCostSource(s Scope) string {
	if s.GatewayJob == "" {
		return `llm_cost_total`
	}
	return fmt.Sprintf(`%s{job=%q}`, catalog.MetricLiteLLMSpend, s.GatewayJob)
}

// llmAlerts are the gateway's alerts; none without its thresholds.
func llmAlerts(t Thresholds) []Rule {
	l := t.LLM
	if l == nil {
		return nil
	}
	rules := []Rule{
		threshold(Rule{Alert: "LLMProviderRateLimited", For: 10 * time.Minute, Severity: Warning, Signal: "llm-provider-429",
			Summary:     "A model provider answers more than <limit> of the gateway's calls with 429",
			Description: pct + " of the calls to model {{ $labels.model_group }} were refused with 429 by the provider over 5 minutes (alert above <limit>): its quota is exhausted."},
			SeriesLLMProvider429Ratio, l.ProviderErrorRatio, Ratio),
		threshold(Rule{Alert: "LLMProviderErrors", For: 5 * time.Minute, Severity: Warning, Signal: "llm-provider-5xx",
			Summary:     "A model provider fails more than <limit> of the gateway's calls with 5xx",
			Description: pct + " of the calls to model {{ $labels.model_group }} failed with 5xx at the provider over 5 minutes (alert above <limit>)."},
			SeriesLLMProvider5xxRatio, l.ProviderErrorRatio, Ratio),
		{Alert: "LLMCircuitOpen", Expr: fmt.Sprintf(`%s > 0`, SeriesLLMBreakerOpened), For: 10 * time.Minute, Severity: Warning, Signal: "llm-breaker",
			Summary:     "The gateway keeps taking a model deployment out of rotation",
			Description: "Deployment {{ $labels.model_id }} of {{ $labels.litellm_model_name }} was cooled down {{ $value | printf \"%.0f\" }} times in 5 minutes, for 10 minutes on end: its key or the provider keeps failing."},
	}
	if l.DailyBudgetUSD > 0 {
		rules = append(rules, threshold(Rule{Alert: "LLMSpendAboveDailyBudget", For: 15 * time.Minute, Severity: Warning, Signal: "llm-spend",
			Summary:     "LLM spend over the last 24 hours above the <limit> daily budget",
			Description: "The gateway measured ${{ $value | printf \"%.0f\" }} of model spend over the last 24 hours (budget <limit>, gateway.dailyBudgetUsd)."},
			SeriesLLMCostDay, l.DailyBudgetUSD, Dollars))
	}
	return rules
}
