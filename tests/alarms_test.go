package tests

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/dataplane"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/mixin"
)

const alarmType = "aws:cloudwatch/metricAlarm:MetricAlarm"

func alarmsBySuffix(t *testing.T, res *harness.Result) map[string]*harness.Resource {
	t.Helper()
	out := map[string]*harness.Resource{}
	prefix := regexp.MustCompile(`^langgraph-[a-z0-9]+-`) // langgraph-<environment>-
	for _, a := range res.ByType(alarmType) {
		out[prefix.ReplaceAllString(a.In("name").(string), "")] = a
	}
	return out
}

// Every alarm reaches the stack's SNS topic on alarm and on recovery, treats no data as no
// load, is tagged and documented.
func TestAlarmsOutliveTheCluster(t *testing.T) {
	runbook, err := os.ReadFile(repoPath(t, "docs", "runbooks", "aws-alarms.md"))
	require.NoError(t, err)
	for stack, want := range map[string]int{"prod": 17, "staging": 15} {
		res := stacktest.Run(t, stack, nil)
		topic := stacktest.One(t, res, "aws:sns/topic:Topic", "-notifications-topic")
		alarms := alarmsBySuffix(t, res)
		assert.Len(t, alarms, want, stack)
		for suffix, a := range alarms {
			assert.Equal(t, []any{topic.Out("arn")}, a.In("alarmActions"), suffix)
			assert.Equal(t, []any{topic.Out("arn")}, a.In("okActions"), suffix)
			assert.Equal(t, "notBreaching", a.In("treatMissingData"), suffix)
			assert.Equal(t, stack, a.In("tags.Environment"), suffix)
			anchor := regexp.MustCompile(`-\d+-`).ReplaceAllString(suffix, "-")
			assert.Contains(t, a.In("alarmDescription"), "docs/runbooks/aws-alarms.md#"+anchor)
			assert.Contains(t, string(runbook), "\n## "+anchor+"\n", "aws-alarms.md has no section for %s", suffix)
		}
		assert.Len(t, res.Outputs["alarmNames"].Value, want)
		// CloudWatch may publish to the topic and use its key.
		policy := stacktest.One(t, res, "aws:sns/topicPolicy:TopicPolicy", "-notifications-topic").In("policy").(string)
		assert.Contains(t, policy, `"Service":"cloudwatch.amazonaws.com"`)
		key := stacktest.One(t, res, "aws:kms/key:Key", "-notifications-key").In("policy").(string)
		assert.Contains(t, key, `"Service":"cloudwatch.amazonaws.com"`)
	}
}

func TestDataTierAlarms(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	a := alarmsBySuffix(t, res)
	primary := stacktest.One(t, res, "aws:rds/instance:Instance", "-db-primary")
	dims := map[string]any{"DBInstanceIdentifier": primary.Out("identifier")}
	cpu := a["rds-cpu"]
	assert.Equal(t, dims, cpu.In("dimensions"))
	assert.Equal(t, 90.0, cpu.In("threshold"))
	assert.Equal(t, "GreaterThanThreshold", cpu.In("comparisonOperator"))
	assert.Equal(t, 3.0, cpu.In("evaluationPeriods"), "15 minutes of 5-minute periods")
	// 10 % of the allocated storage, in bytes; 10 % of the class's memory.
	assert.Equal(t, 0.1*primary.In("allocatedStorage").(float64)*float64(1<<30), a["rds-free-storage"].In("threshold"))
	assert.Equal(t, "LessThanThreshold", a["rds-free-storage"].In("comparisonOperator"))
	assert.Equal(t, 0.1*catalog.RDSInstanceMemoryGiB[primary.In("instanceClass").(string)]*float64(1<<30), a["rds-freeable-memory"].In("threshold"))
	maxConns := float64(res.Outputs["databaseMaxConnections"].Value.(int))
	assert.Equal(t, 0.8*maxConns, a["rds-connections"].In("threshold"), "80 %% of max_connections, as LangGraphDatabaseConnectionsHigh")
	for i, replica := range []string{"-db-replica-1", "-db-replica-2"} {
		lag := a["rds-replica-"+string(rune('1'+i))+"-lag"]
		require.NotNil(t, lag)
		assert.Equal(t, "ReplicaLag", lag.In("metricName"))
		assert.Equal(t, stacktest.One(t, res, "aws:rds/instance:Instance", replica).Out("identifier"), lag.In("dimensions.DBInstanceIdentifier"))
		assert.Equal(t, 60.0, lag.In("threshold"))
	}
	// ElastiCache: the worst of the three nodes.
	group := stacktest.One(t, res, "aws:elasticache/replicationGroup:ReplicationGroup", "-cache")
	mem := a["cache-memory"]
	queries := mem.In("metricQueries").([]any)
	require.Len(t, queries, 4)
	for i := 0; i < 3; i++ {
		q := queries[i].(map[string]any)
		assert.Equal(t, group.Out("memberClusters").([]any)[i], dig(q, "metric", "dimensions", "CacheClusterId"))
		assert.Equal(t, "DatabaseMemoryUsagePercentage", dig(q, "metric", "metricName"))
	}
	assert.Equal(t, "MAX([n0, n1, n2])", queries[3].(map[string]any)["expression"])
	assert.Equal(t, 90.0, mem.In("threshold"))
	for _, s := range []string{"cache-cpu", "cache-engine-cpu", "cache-evictions", "cache-replication-lag"} {
		assert.Contains(t, a, s)
	}
	assert.Equal(t, 0.0, a["cache-evictions"].In("threshold"), "any eviction for 15 minutes, as LangGraphRedisEvicting")
}

func TestEdgeAlarms(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	a := alarmsBySuffix(t, res)
	acl := stacktest.One(t, res, webACLType, "-edge-waf")
	waf := a["waf-blocked"]
	assert.Equal(t, map[string]any{"WebACL": acl.Out("name"), "Region": "us-east-1", "Rule": "ALL"}, waf.In("dimensions"))
	assert.Equal(t, 1000.0, waf.In("threshold"))
	// The ALB is the controller's: the Ingress tags it, the program finds it by that tag once the
	// Ingress is ready, and both ALB alarms name it.
	ing := stacktest.One(t, res, "kubernetes:networking.k8s.io/v1:Ingress", "-dataplane-ingress")
	tags := ing.In(`metadata.annotations["alb.ingress.kubernetes.io/tags"]`).(string)
	assert.Contains(t, strings.Split(tags, ","), dataplane.LoadBalancerTag+"=langgraph/"+dataplane.Name)
	errors := a["alb-5xx"]
	var expr string
	for _, q := range errors.In("metricQueries").([]any) {
		m := q.(map[string]any)
		if metric, ok := m["metric"].(map[string]any); ok {
			assert.Equal(t, "app/k8s-langgrap-mock/0123456789abcdef", dig(metric, "dimensions", "LoadBalancer"))
		} else {
			expr = m["expression"].(string)
		}
	}
	assert.Equal(t, "IF(requests > 0, (FILL(target5xx, 0) + FILL(alb5xx, 0)) / requests, 0)", expr)
	assert.Equal(t, 0.05, errors.In("threshold"))
	latency := a["alb-response-time"]
	assert.Equal(t, "TargetResponseTime", latency.In("metricName"))
	assert.Equal(t, 300.0, latency.In("threshold"))
}

// One config key, two watchers: the Prometheus rule and the CloudWatch alarm move together.
func TestAlarmsAndRulesShareThresholds(t *testing.T) {
	res := stacktest.Run(t, "prod", map[string]any{"alerts.errorRatePercent": 3, "alerts.dbPoolPercent": 70, "alerts.cacheMemoryPercent": 85, "alerts.avgResponseSeconds": 240})
	a := alarmsBySuffix(t, res)
	assert.Equal(t, 0.03, a["alb-5xx"].In("threshold"))
	assert.Equal(t, 240.0, a["alb-response-time"].In("threshold"))
	assert.Equal(t, 85.0, a["cache-memory"].In("threshold"))
	assert.InDelta(t, 0.7*float64(res.Outputs["databaseMaxConnections"].Value.(int)), a["rds-connections"].In("threshold"), 1e-9)
	rule := stacktest.One(t, res, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "-monitoring-rules")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(rule.In("spec")))
	raw := buf.String()
	for _, want := range []string{mixin.SeriesErrorRatio + " > 0.03", mixin.SeriesPGConnectionRatio + " > 0.7",
		mixin.SeriesRedisMemoryRatio + " > 0.85", mixin.SeriesResponseAvg + " > 240"} {
		assert.Contains(t, raw, want)
	}
	assert.Regexp(t, regexp.MustCompile(`^langgraph-prod-`), a["alb-5xx"].In("name"))
}
