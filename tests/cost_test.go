package tests

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/cost"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stackfile"
	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/program"
	"github.com/langgraph-platform/infra/program/sizing"
)

func stackConfig(t *testing.T, stack string, set map[string]any) *config.Config {
	t.Helper()
	cfg, err := stackfile.LoadTyped(harness.Options{Stack: stack, Secrets: harness.DefaultSecrets(), Set: set}, config.LoadOptions{})
	require.NoError(t, err)
	return cfg
}

func estimate(t *testing.T, cfg *config.Config) cost.Estimate {
	t.Helper()
	e, err := sizing.Cost(cfg, sizing.Report(cfg))
	require.NoError(t, err)
	return e
}

func costLine(e cost.Estimate, prefix string) (cost.Line, bool) {
	for _, l := range e.Lines {
		if strings.HasPrefix(l.Item, prefix) || strings.Contains(l.Item, prefix) {
			return l, true
		}
	}
	return cost.Line{}, false
}

// Every resource type either stack creates is priced by a line of that stack's estimate, or
// listed as not billed with a reason: a new billable resource cannot slip past the model.
func TestEveryResourceTypeIsPricedOrExplained(t *testing.T) {
	for _, stack := range append(slices.Clone(stacktest.Stacks), "sandbox") {
		res := stacktest.Run(t, stack, nil)
		e := estimate(t, stackConfig(t, stack, nil))
		for _, r := range res.Resources {
			if r.Read {
				continue
			}
			line, reason, known := cost.Billing(r.Type)
			require.True(t, known, "%s: resource type %s is neither priced (cost.PricedBy) nor explained (cost.NotBilled)", stack, r.Type)
			if line != "" {
				_, ok := costLine(e, line)
				assert.True(t, ok, "%s: %s is priced by a line %q the estimate does not have", stack, r.Type, line)
			} else {
				assert.NotEmpty(t, reason, r.Type)
			}
		}
	}
}

// The quantities the model bills per unit match what the program creates.
func TestCostQuantitiesMatchTheRendering(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		res := stacktest.Run(t, stack, nil)
		cfg := stackConfig(t, stack, nil)
		e := estimate(t, cfg)
		qty := func(prefix string) float64 {
			l, ok := costLine(e, prefix)
			require.True(t, ok, prefix)
			return l.QtyIdle
		}
		assert.Equal(t, float64(len(res.ByType("aws:kms/key:Key"))), qty("KMS keys"), stack)
		assert.Equal(t, float64(len(res.ByType("aws:secretsmanager/secret:Secret"))), qty("Secrets Manager"), stack)
		acl := stacktest.One(t, res, webACLType, "-edge-waf")
		assert.Equal(t, float64(len(acl.In("rules").([]any))), qty("WAF rules"), stack)
		metrics := 0
		for _, a := range res.ByType(alarmType) {
			if qs, ok := a.In("metricQueries").([]any); ok {
				for _, q := range qs {
					if _, isMetric := q.(map[string]any)["metric"]; isMetric {
						metrics++
					}
				}
			} else {
				metrics++
			}
		}
		assert.Equal(t, float64(metrics), qty("CloudWatch alarms"), stack)
		assert.Equal(t, float64(cfg.Cache.Nodes*730), qty("ElastiCache "+cfg.Cache.Engine), stack)
		replicas := 0
		for _, db := range res.ByType("aws:rds/instance:Instance") {
			if db.Has("replicateSourceDb") {
				replicas++
			}
		}
		if replicas > 0 {
			assert.Equal(t, float64(replicas*730), qty("RDS read replicas"), stack)
		}
		pods, ok := costLine(e, "API pods on "+cfg.Cost.NodeInstanceType)
		require.True(t, ok, stack)
		assert.Contains(t, pods.Item, "("+strconv.Itoa(cfg.HPA.MinReplicas)+" idle", stack)
	}
}

// Budgets and anomaly alerts in both stacks, on the stack's own tag, to the topic and e-mails.
func TestBudgetAndAnomalyAlerts(t *testing.T) {
	for stack, amount := range map[string]string{"prod": "6000.00", "staging": "1300.00"} {
		res := stacktest.Run(t, stack, nil)
		tag := "langgraph-platform/" + stack
		b := stacktest.One(t, res, "aws:budgets/budget:Budget", "-budget")
		assert.Equal(t, amount, b.In("limitAmount"), stack)
		assert.Equal(t, "USD", b.In("limitUnit"))
		assert.Equal(t, "MONTHLY", b.In("timeUnit"))
		assert.Equal(t, []any{map[string]any{"name": "TagKeyValue", "values": []any{"user:Stack$" + tag}}}, b.In("costFilters"))
		topic := stacktest.One(t, res, "aws:sns/topic:Topic", "-notifications-topic")
		notes := b.In("notifications").([]any)
		require.Len(t, notes, 2)
		kinds := map[string]float64{}
		for _, n := range notes {
			m := n.(map[string]any)
			kinds[m["notificationType"].(string)] = m["threshold"].(float64)
			assert.Equal(t, "PERCENTAGE", m["thresholdType"])
			assert.Equal(t, []any{topic.Out("arn")}, m["subscriberSnsTopicArns"])
			assert.NotEmpty(t, m["subscriberEmailAddresses"])
		}
		assert.Equal(t, map[string]float64{"ACTUAL": 80, "FORECASTED": 100}, kinds)

		monitor := stacktest.One(t, res, "aws:costexplorer/anomalyMonitor:AnomalyMonitor", "-budget")
		assert.Equal(t, "CUSTOM", monitor.In("monitorType"))
		assert.JSONEq(t, `{"Tags":{"Key":"Stack","Values":["`+tag+`"],"MatchOptions":["EQUALS"]}}`, monitor.In("monitorSpecification").(string))
		sub := stacktest.One(t, res, "aws:costexplorer/anomalySubscription:AnomalySubscription", "-budget")
		assert.Equal(t, []any{"100"}, sub.In("thresholdExpression.dimension.values"))
		assert.Equal(t, "ANOMALY_TOTAL_IMPACT_ABSOLUTE", sub.In("thresholdExpression.dimension.key"))
		assert.Equal(t, "EMAIL", sub.In("subscribers[0].type"))
		assert.Equal(t, []string{monitor.URN}, sub.PropertyDependencies["monitorArnLists"])

		var keys []string
		for _, tagRes := range res.ByType("aws:costexplorer/costAllocationTag:CostAllocationTag") {
			keys = append(keys, tagRes.In("tagKey").(string))
			assert.True(t, tagRes.RetainOnDelete, "activation is account-wide: destroying a stack leaves it on")
		}
		assert.ElementsMatch(t, []string{"Stack", "Environment", "Project"}, keys)
		// Every taggable resource carries the Stack tag the filters use.
		assert.Equal(t, tag, stacktest.One(t, res, "aws:rds/instance:Instance", "-db-primary").In("tags.Stack"))
		// The topic admits Budgets.
		assert.Contains(t, stacktest.One(t, res, "aws:sns/topicPolicy:TopicPolicy", "-notifications-topic").In("policy"), `"Service":"budgets.amazonaws.com"`)
		assert.Greater(t, res.Outputs["costMonthlyIdleUsd"].Value.(float64), 0.0)
	}
	off := stacktest.Run(t, "prod", map[string]any{"cost.budget.activateTags": false})
	assert.Empty(t, off.ByType("aws:costexplorer/costAllocationTag:CostAllocationTag"))
}

// A budget below the idle estimate would alarm every month: refused, unless a reason is given.
func TestBudgetBelowTheEstimateNeedsAReason(t *testing.T) {
	_, err := harness.Run(program.Build, harness.Options{Stack: "prod", Secrets: harness.DefaultSecrets(), Set: map[string]any{"cost.budget.monthlyUsd": 500}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cost.budget.monthlyUsd=500 is below the cost model's estimate at minimum replicas")
	res, err := harness.Run(program.Build, harness.Options{Stack: "prod", Secrets: harness.DefaultSecrets(),
		Set: map[string]any{"cost.budget.monthlyUsd": 500, "cost.budget.belowEstimateReason": "credits cover the rest this quarter"}})
	require.NoError(t, err)
	assert.Equal(t, "500.00", stacktest.One(t, res, "aws:budgets/budget:Budget", "-budget").In("limitAmount"))
	// A region without prices is refused before anything is created.
	_, err = harness.Run(program.Build, harness.Options{Stack: "prod", Secrets: harness.DefaultSecrets(), Set: map[string]any{
		"aws:region": "eu-west-1", "ingress.certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/0f3e1d2c-4b5a-4c6d-8e7f-9a0b1c2d3e4f"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no price table for region "eu-west-1"`)
}

// The dashboard shows the model's estimate beside the measured LLM spend.
func TestDashboardShowsTheEstimateBesideLLMSpend(t *testing.T) {
	cfg := stackConfig(t, "prod", nil)
	e := estimate(t, cfg)
	th := program.MonitoringThresholds(cfg, e)
	assert.InDelta(t, e.Expected/cost.HoursPerMonth, th.InfraCostPerHour, 0.01)
}

// docs/cost.md shows prod's bill as the model prices it today.
func TestCostDocShowsTodaysProdBill(t *testing.T) {
	doc, err := os.ReadFile(repoPath(t, "docs", "cost.md"))
	require.NoError(t, err)
	assert.Contains(t, string(doc), estimate(t, stackConfig(t, "prod", nil)).Table(), "docs/cost.md is stale: paste `go run ./cmd/cost -stack prod`")
}
