package tests

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/gameday"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/program"
)

// policyOf parses a resource's JSON policy property.
func policyOf(t *testing.T, r *harness.Resource, property string) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.In(property).(string)), &doc))
	return doc
}

// What each drill breaks: its action, its target type and the target.
var drillActions = map[string][2]string{
	catalog.DrillDatabaseFailover: {catalog.FISActionRebootDBInstances, catalog.FISTargetDBInstance},
	catalog.DrillCacheAZPower:     {catalog.FISActionInterruptCacheAZ, catalog.FISTargetReplicationGroup},
	catalog.DrillPodDelete:        {catalog.FISActionPodDelete, catalog.FISTargetPod},
	catalog.DrillPodCPUStress:     {catalog.FISActionPodCPUStress, catalog.FISTargetPod},
	catalog.DrillAZNetworkLoss:    {catalog.FISActionDisruptConnectivity, catalog.FISTargetSubnet},
	catalog.DrillNodeTermination:  {catalog.FISActionTerminateInstances, catalog.FISTargetInstance},
}

func TestStagingRendersEveryDrill(t *testing.T) {
	res := stacktest.Run(t, "staging", nil)
	templates := res.ByType(fisTemplateType)
	require.Len(t, templates, len(catalog.Drills))
	stop := stacktest.One(t, res, alarmType, "-"+gameday.StopAlarmSuffix)
	userFacing := []any{stop.Out("arn"), stacktest.One(t, res, alarmType, "-alb-5xx").Out("arn"), stacktest.One(t, res, alarmType, "-alb-response-time").Out("arn")}
	logs := stacktest.One(t, res, "aws:cloudwatch/logGroup:LogGroup", "-gameday-logs")
	key := stacktest.One(t, res, "aws:kms/key:Key", "-gameday-logs-key")
	assert.Equal(t, key.Out("arn"), logs.In("kmsKeyId"), "experiment logs are KMS-encrypted")
	assert.Equal(t, gameday.LogGroupPrefix+"langgraph-staging", logs.In("name"))
	db := stacktest.One(t, res, rdsType, "-db-primary")
	cache := stacktest.One(t, res, cacheType, "-cache")
	for _, d := range catalog.Drills {
		tpl := stacktest.One(t, res, fisTemplateType, "-gameday-"+d)
		assert.Equal(t, d, tpl.In("tags."+gameday.DrillTag), d)
		assert.Equal(t, "staging", tpl.In("tags."+gameday.StackTag), d)
		assert.Equal(t, "staging", tpl.In("tags.Environment"), d)
		// Every drill stops on the fast stop alarm and the stack's user-facing alarms.
		var stops []any
		for _, s := range tpl.In("stopConditions").([]any) {
			assert.Equal(t, catalog.FISStopConditionAlarm, s.(map[string]any)["source"], d)
			stops = append(stops, s.(map[string]any)["value"])
		}
		assert.ElementsMatch(t, userFacing, stops, d)
		assert.Equal(t, logs.Out("arn").(string)+":*", tpl.In("logConfiguration.cloudwatchLogsConfiguration.logGroupArn"), d)
		assert.Equal(t, "fail", tpl.In("experimentOptions.emptyTargetResolutionMode"), d)
		assert.Equal(t, drillActions[d][0], tpl.In("actions[0].actionId"), d)
		assert.Equal(t, drillActions[d][1], tpl.In("targets[0].resourceType"), d)
		// Its own role, trusted by FIS for this account's experiments only.
		role := stacktest.One(t, res, "aws:iam/role:Role", "-gameday-"+d+"-role")
		assert.Equal(t, role.Out("arn"), tpl.In("roleArn"), d)
		assert.Equal(t, gameday.RoleName("langgraph-staging", d), role.In("name"))
		trust := policyOf(t, role, "assumeRolePolicy")["Statement"].([]any)[0].(map[string]any)
		assert.Equal(t, catalog.FISServicePrincipal, trust["Principal"].(map[string]any)["Service"], d)
		assert.Equal(t, "123456789012", trust["Condition"].(map[string]any)["StringEquals"].(map[string]any)["aws:SourceAccount"], d)
		policy := stacktest.One(t, res, "aws:iam/rolePolicy:RolePolicy", "-gameday-"+d+"-policy").In("policy").(string)
		// A drill's role cannot touch another drill's target.
		if d != catalog.DrillDatabaseFailover {
			assert.NotContains(t, policy, "rds:Reboot", d)
		}
		if d != catalog.DrillCacheAZPower {
			assert.NotContains(t, policy, "elasticache:Interrupt", d)
		}
		if d != catalog.DrillNodeTermination {
			assert.NotContains(t, policy, "ec2:TerminateInstances", d)
		}
	}
	failover := stacktest.One(t, res, fisTemplateType, "-gameday-databaseFailover")
	assert.Equal(t, []any{db.Out("arn")}, failover.In("targets[0].resourceArns"))
	assert.Equal(t, "forceFailover", failover.In("actions[0].parameters[0].key"))
	assert.Equal(t, "true", failover.In("actions[0].parameters[0].value"))
	az := stacktest.One(t, res, fisTemplateType, "-gameday-cacheAzPower")
	assert.Equal(t, []any{cache.Out("arn")}, az.In("targets[0].resourceArns"))
	assert.Equal(t, "us-east-1a", az.In("targets[0].parameters.availabilityZoneIdentifier"))
	pods := stacktest.One(t, res, fisTemplateType, "-gameday-podDelete")
	assert.Equal(t, "langgraph", pods.In("targets[0].parameters.namespace"))
	assert.Equal(t, "langgraph-staging", pods.In("targets[0].parameters.clusterIdentifier"))
	assert.Equal(t, "PERCENT(50)", pods.In("targets[0].selectionMode"))
	assert.Equal(t, gameday.ServiceAccount, pods.In("actions[0].parameters[0].value"))
	network := stacktest.One(t, res, fisTemplateType, "-gameday-azNetworkLoss")
	assert.Len(t, network.In("targets[0].resourceArns"), 2, "the data subnets")
	assert.Equal(t, []any{"us-east-1a"}, network.In("targets[0].filters[0].values"), "one zone only")
	nodes := stacktest.One(t, res, fisTemplateType, "-gameday-nodeTermination")
	assert.Equal(t, "COUNT(1)", nodes.In("targets[0].selectionMode"))
	assert.Equal(t, "kubernetes.io/cluster/langgraph-staging", nodes.In("targets[0].resourceTags[0].key"))

	// The pod drills reach the cluster as fis-experiment, bound in the dataplane namespace only.
	entries := res.ByType("aws:eks/accessEntry:AccessEntry")
	var fisEntries int
	for _, e := range entries {
		if strings.Contains(e.Name, "-gameday-") {
			fisEntries++
			assert.Equal(t, catalog.FISKubernetesUser, e.In("userName"))
		}
	}
	assert.Equal(t, 2, fisEntries, "podDelete and podCpuStress")
	binding := stacktest.One(t, res, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "-gameday-pods-binding")
	assert.Equal(t, "langgraph", binding.In("metadata.namespace"))
	assert.Equal(t, catalog.FISKubernetesUser, binding.In("subjects[1].name"))
	assert.Empty(t, res.ByType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"), "no cluster-wide grant")

	// The quarterly failover drill: started by EventBridge Scheduler with a role that may start
	// that template only; every drill's end reaches the topic.
	schedule := stacktest.One(t, res, "aws:scheduler/schedule:Schedule", "-gameday-scheduled")
	assert.Equal(t, "cron(0 10 ? 1,4,7,10 3#2 *)", schedule.In("scheduleExpression"))
	assert.Equal(t, gameday.StartExperimentTarget, schedule.In("target.arn"))
	var input map[string]string
	require.NoError(t, json.Unmarshal([]byte(schedule.In("target.input").(string)), &input))
	assert.Equal(t, failover.ID, input["ExperimentTemplateId"])
	start := policyOf(t, stacktest.One(t, res, "aws:iam/rolePolicy:RolePolicy", "-gameday-scheduler-policy"), "policy")
	resources := start["Statement"].([]any)[0].(map[string]any)["Resource"].([]any)
	assert.Equal(t, "arn:aws:fis:us-east-1:123456789012:experiment-template/"+failover.ID, resources[0])
	rule := stacktest.One(t, res, "aws:cloudwatch/eventRule:EventRule", "-gameday-result")
	var pattern map[string]any
	require.NoError(t, json.Unmarshal([]byte(rule.In("eventPattern").(string)), &pattern))
	assert.Len(t, pattern["detail"].(map[string]any)["experiment-template-id"], len(catalog.Drills))
	topic := stacktest.One(t, res, "aws:sns/topic:Topic", "-notifications-topic")
	assert.Equal(t, topic.Out("arn"), stacktest.One(t, res, "aws:cloudwatch/eventTarget:EventTarget", "-gameday-result").In("arn"))
	assert.Contains(t, res.Outputs["alarmNames"].Value, "langgraph-staging-"+gameday.StopAlarmSuffix)
}

func TestProdDrillsAreOffUntilEnabledAndNeverScheduled(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	assert.Empty(t, res.ByType(fisTemplateType))
	assert.Empty(t, res.ByType("aws:scheduler/schedule:Schedule"))
	res = stacktest.Run(t, "prod", map[string]any{"gameday.enabled": true})
	assert.Len(t, res.ByType(fisTemplateType), len(catalog.Drills))
	assert.Empty(t, res.ByType("aws:scheduler/schedule:Schedule"), "prod drills are started by a person")
	// The drills pass the pack in prod too.
	vs := evaluate(t, loadPack(t), "prod", lightDocs(res))
	for _, v := range vs {
		assert.NotContains(t, v.Rule, "fis", v.Message)
	}
}

// A zonal drill needs a zone the data tier is in; config alone cannot know the region's zones.
func TestZonalDrillsNeedAZoneOfTheDataTier(t *testing.T) {
	_, err := harness.Run(program.Build, harness.Options{Stack: "staging", Secrets: harness.DefaultSecrets(),
		Set: map[string]any{"gameday.availabilityZone": "us-east-1z"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `gameday.availabilityZone="us-east-1z": the zonal drills (cacheAzPower, azNetworkLoss) need a zone of the data tier's`)
	// Without a zonal drill the zone is not used.
	_, err = harness.Run(program.Build, harness.Options{Stack: "staging", Secrets: harness.DefaultSecrets(),
		Set: map[string]any{"gameday.availabilityZone": "us-east-1z", "gameday.drills": []any{"databaseFailover", "podDelete"}}})
	assert.NoError(t, err)
}

// The pod drills reach the cluster through EKS access entries: a cluster that authenticates with
// the aws-auth ConfigMap only is refused before any resource, not at the entry's create.
func TestPodDrillsNeedAccessEntries(t *testing.T) {
	_, err := harness.Run(program.Build, harness.Options{Stack: "staging", Secrets: harness.DefaultSecrets(), ConfigMapClusters: []string{"langgraph-staging"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `gameday.drills has podDelete/podCpuStress but EKS cluster "langgraph-staging" authenticates with CONFIG_MAP only`)
	_, err = harness.Run(program.Build, harness.Options{Stack: "staging", Secrets: harness.DefaultSecrets(), ConfigMapClusters: []string{"langgraph-staging"},
		Set: map[string]any{"gameday.drills": []any{"databaseFailover", "cacheAzPower"}}})
	assert.NoError(t, err, "without the pod drills there is no access entry")
}
