package tests

import (
	"strings"
	"testing"

	"github.com/langgraph-platform/infra/components/gameday"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/policy"
	"github.com/langgraph-platform/infra/internal/render"
	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/program"
)

// drTypes are what disaster recovery adds; staging has none of them.
var drTypes = []string{
	"aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
	"aws:backup/vault:Vault", "aws:backup/plan:Plan", "aws:backup/selection:Selection",
	"aws:backup/restoreTestingPlan:RestoreTestingPlan", "aws:backup/restoreTestingSelection:RestoreTestingSelection",
	"aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/eventTarget:EventTarget",
	"aws:s3/bucketReplicationConfig:BucketReplicationConfig", "pulumi:providers:aws",
}

func inRecoveryRegion(t *testing.T, res *harness.Result, r *harness.Resource) bool {
	t.Helper()
	provider := stacktest.One(t, res, "pulumi:providers:aws", "-recovery-region-provider")
	return strings.HasPrefix(r.Provider, provider.URN+"::")
}

func TestProdReplicatesToTheRecoveryRegion(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	provider := stacktest.One(t, res, "pulumi:providers:aws", "-recovery-region-provider")
	assert.Equal(t, "us-west-2", provider.In("region"))
	key := stacktest.One(t, res, "aws:kms/key:Key", "-recovery-region-key")
	assert.True(t, inRecoveryRegion(t, res, key))
	assert.Equal(t, true, key.In("enableKeyRotation"))

	primary := stacktest.One(t, res, "aws:rds/instance:Instance", "-db-primary")
	rep := stacktest.One(t, res, "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "-recovery-db-backups")
	assert.True(t, inRecoveryRegion(t, res, rep), "the replication is created in the recovery region")
	assert.Equal(t, primary.Out("arn"), rep.In("sourceDbInstanceArn"))
	assert.Equal(t, key.Out("arn"), rep.In("kmsKeyId"))
	assert.Equal(t, 14.0, rep.In("retentionPeriod"))
	assert.Equal(t, rep.ID, res.Outputs["drReplicatedBackupsArn"].Value, "what database.restore.sourceAutomatedBackupsArn names after a region loss")

	for _, s := range res.ByType("aws:secretsmanager/secret:Secret") {
		assert.Equal(t, []any{map[string]any{"region": "us-west-2", "kmsKeyId": key.Out("arn")}}, s.In("replicas"), s.Name)
	}

	vault := stacktest.One(t, res, "aws:backup/vault:Vault", "-recovery-vault")
	copyVault := stacktest.One(t, res, "aws:backup/vault:Vault", "-recovery-copy-vault")
	assert.False(t, inRecoveryRegion(t, res, vault))
	assert.True(t, inRecoveryRegion(t, res, copyVault))
	assert.Equal(t, key.Out("arn"), copyVault.In("kmsKeyArn"))
	plan := stacktest.One(t, res, "aws:backup/plan:Plan", "-recovery-plan")
	assert.Equal(t, "cron(0 3 * * ? *)", plan.In("rules[0].schedule"))
	assert.Equal(t, 14.0, plan.In("rules[0].lifecycle.deleteAfter"))
	assert.Equal(t, copyVault.Out("arn"), plan.In("rules[0].copyActions[0].destinationVaultArn"))
	sel := stacktest.One(t, res, "aws:backup/selection:Selection", "-recovery-selection")
	assert.Equal(t, []any{primary.Out("arn")}, sel.In("resources"))

	drill := stacktest.One(t, res, "aws:backup/restoreTestingPlan:RestoreTestingPlan", "-recovery-drill")
	assert.Equal(t, "cron(0 6 1 1,4,7,10 ? *)", drill.In("scheduleExpression"), "quarterly, the seed's DR test cadence")
	assert.Equal(t, "UTC", drill.In("scheduleExpressionTimezone"))
	assert.Equal(t, []any{vault.Out("arn")}, drill.In("recoveryPointSelection.includeVaults"))
	ds := stacktest.One(t, res, "aws:backup/restoreTestingSelection:RestoreTestingSelection", "-recovery-drill-database")
	assert.Equal(t, "RDS", ds.In("protectedResourceType"))
	assert.Equal(t, []any{primary.Out("arn")}, ds.In("protectedResourceArns"))

	// Results: every drill's end with its times, every failed backup or copy, to the topic.
	topic := stacktest.One(t, res, "aws:sns/topic:Topic", "-notifications-topic")
	for _, kind := range []string{"drill-result", "backup-failed", "copy-failed"} {
		rule := stacktest.One(t, res, "aws:cloudwatch/eventRule:EventRule", "-recovery-"+kind)
		assert.Contains(t, rule.In("eventPattern"), `"source":["aws.backup"]`)
		target := stacktest.One(t, res, "aws:cloudwatch/eventTarget:EventTarget", "-recovery-"+kind)
		assert.Equal(t, topic.Out("arn"), target.In("arn"))
	}
	drillTarget := stacktest.One(t, res, "aws:cloudwatch/eventTarget:EventTarget", "-recovery-drill-result")
	assert.Contains(t, drillTarget.In("inputTransformer.inputTemplate"), "<status>")
	assert.Contains(t, drillTarget.In("inputTransformer.inputTemplate"), "<started>")
	assert.Contains(t, stacktest.One(t, res, "aws:sns/topicPolicy:TopicPolicy", "-notifications-topic").In("policy"), `"Service":"events.amazonaws.com"`)

	// The access logs: replicated to a private, versioned, encrypted bucket there, deletions not.
	replica := stacktest.One(t, res, "aws:s3/bucketV2:BucketV2", "-recovery-access-logs")
	assert.True(t, inRecoveryRegion(t, res, replica))
	assert.Equal(t, "audit", replica.In("tags.DataClass"))
	assert.Equal(t, "Enabled", stacktest.One(t, res, "aws:s3/bucketVersioningV2:BucketVersioningV2", "-recovery-access-logs").In("versioningConfiguration.status"))
	cfg := stacktest.One(t, res, "aws:s3/bucketReplicationConfig:BucketReplicationConfig", "-recovery-access-logs")
	assert.False(t, inRecoveryRegion(t, res, cfg), "replication is configured on the source bucket")
	source := stacktest.One(t, res, "aws:s3/bucketV2:BucketV2", "-edge-access-logs")
	assert.Equal(t, source.Out("bucket"), cfg.In("bucket"))
	assert.Equal(t, replica.Out("arn"), cfg.In("rules[0].destination.bucket"))
	assert.Equal(t, "Disabled", cfg.In("rules[0].deleteMarkerReplication.status"))
}

func TestStagingHasNoRecoveryRegion(t *testing.T) {
	res := stacktest.Run(t, "staging", nil)
	for _, typ := range drTypes {
		for _, r := range res.ByType(typ) {
			// The game day's result rule is staging's own: no recovery region in it.
			assert.Contains(t, r.URN, gameday.TypeToken, typ)
		}
	}
	for _, s := range res.ByType("aws:secretsmanager/secret:Secret") {
		assert.False(t, s.Has("replicas"), s.Name)
	}
	_, ok := res.Outputs["drReplicatedBackupsArn"]
	assert.False(t, ok)
}

// After a region loss: the stack deployed in the recovery region restores the replicated backups.
func TestRestoreFromReplicatedBackups(t *testing.T) {
	arn := "arn:aws:rds:us-west-2:123456789012:auto-backup:ab-4lsrk2ebtqaq4bkgfqjn3q7lp4"
	res, err := harness.Run(program.Build, harness.Options{Stack: "prod", Secrets: harness.DefaultSecrets(), Set: map[string]any{
		"aws:region": "us-west-2", "dr.region": "us-east-1",
		"ingress.certificateArn": "arn:aws:acm:us-west-2:123456789012:certificate/0f3e1d2c-4b5a-4c6d-8e7f-9a0b1c2d3e4f",
		"database.restore":       map[string]any{"sourceAutomatedBackupsArn": arn, "useLatestRestorableTime": true},
	}})
	require.NoError(t, err)
	primary := stacktest.One(t, res, "aws:rds/instance:Instance", "-db-primary")
	assert.Equal(t, arn, primary.In("restoreToPointInTime.sourceDbInstanceAutomatedBackupsArn"))
	assert.Equal(t, true, primary.In("restoreToPointInTime.useLatestRestorableTime"))
	assert.False(t, primary.Has("restoreToPointInTime.sourceDbInstanceIdentifier"))
}

var drReplica = map[string]any{"dr.replica": map[string]any{"enabled": true,
	"subnetIds": []any{"subnet-0d1e2f3a4b5c6d7e8", "subnet-0a9b8c7d6e5f4a3b2"}, "securityGroupIds": []any{"sg-0f1e2d3c4b5a69788"}}}

// The optional cross-region read replica: in the recovery region, encrypted with its key, with a
// parameter group there that forces TLS like the primary's; priced; passing the pack.
func TestCrossRegionReplica(t *testing.T) {
	res := stacktest.Run(t, "prod", drReplica)
	primary := stacktest.One(t, res, "aws:rds/instance:Instance", "-db-primary")
	replica := stacktest.One(t, res, "aws:rds/instance:Instance", "-db-recovery-replica")
	key := stacktest.One(t, res, "aws:kms/key:Key", "-recovery-region-key")
	assert.True(t, inRecoveryRegion(t, res, replica))
	assert.Equal(t, primary.Out("arn"), replica.In("replicateSourceDb"), "across regions the source is named by ARN")
	assert.Equal(t, key.Out("arn"), replica.In("kmsKeyId"))
	assert.Equal(t, []any{"sg-0f1e2d3c4b5a69788"}, replica.In("vpcSecurityGroupIds"))
	params := stacktest.One(t, res, "aws:rds/parameterGroup:ParameterGroup", "-db-recovery-params")
	assert.True(t, inRecoveryRegion(t, res, params))
	assert.Contains(t, params.In("parameters"), map[string]any{"name": "rds.force_ssl", "value": "1", "applyMethod": "pending-reboot"})
	assert.Equal(t, replica.Out("address"), res.Outputs["drReplicaAddress"].Value)
	cfg := stackConfig(t, "prod", drReplica)
	line, ok := costLine(estimate(t, cfg), "DR: read replica "+cfg.Database.InstanceClass)
	require.True(t, ok)
	assert.Equal(t, 730.0, line.QtyIdle)
	assert.Empty(t, stacktest.Run(t, "prod", nil).Outputs["drReplicaAddress"].Value, "off by default")
	vs := evaluate(t, loadPack(t), "prod", render.AnalyzerDocuments(res))
	assert.Empty(t, policy.MandatoryViolations(vs), "the replica meets the pack's database rules")
}
