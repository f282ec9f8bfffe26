package database_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/components/database"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

const (
	instanceType = "aws:rds/instance:Instance"
	primaryName  = "-db-primary"
)

func replicas(res *harness.Result) []*harness.Resource {
	var out []*harness.Resource
	for _, r := range res.ByType(instanceType) {
		if r.Has("replicateSourceDb") {
			out = append(out, r)
		}
	}
	return out
}

func TestPrimaryInstance(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		t.Run(stack, func(t *testing.T) {
			res := stacktest.Run(t, stack, nil)
			prod := stack == "prod"
			p := stacktest.One(t, res, instanceType, primaryName)
			key := stacktest.One(t, res, "aws:kms/key:Key", "-db-key")
			assert.Equal(t, "postgres", p.In("engine"))
			assert.Equal(t, "17.6", p.In("engineVersion"))
			assert.Equal(t, "gp3", p.In("storageType"))
			assert.Equal(t, true, p.In("storageEncrypted"))
			assert.Equal(t, key.Out("arn"), p.In("kmsKeyId"))
			assert.Equal(t, true, key.In("enableKeyRotation"))
			assert.Equal(t, false, p.In("publiclyAccessible"))
			// Both: prod for its RTO, staging for its quarterly failover drill (gameday).
			assert.Equal(t, true, p.In("multiAz"))
			assert.Greater(t, p.In("maxAllocatedStorage"), p.In("allocatedStorage"), "storage autoscaling")
			retention := p.In("backupRetentionPeriod").(float64)
			assert.GreaterOrEqual(t, retention, 1.0)
			if prod {
				assert.GreaterOrEqual(t, retention, 14.0)
				assert.Equal(t, "db.r7g.2xlarge", p.In("instanceClass"))
			}
			assert.Equal(t, "03:00-04:00", p.In("backupWindow"))
			assert.Equal(t, "sun:04:30-sun:05:30", p.In("maintenanceWindow"))
			assert.Equal(t, prod, p.In("deletionProtection"))
			assert.Equal(t, !prod, p.In("skipFinalSnapshot"))
			if prod {
				assert.Equal(t, p.Name+"-final", p.In("finalSnapshotIdentifier"))
			} else {
				assert.False(t, p.Has("finalSnapshotIdentifier"))
			}
			assert.Equal(t, true, p.In("copyTagsToSnapshot"))
			assert.Equal(t, true, p.In("performanceInsightsEnabled"))
			assert.Equal(t, 7.0, p.In("performanceInsightsRetentionPeriod"))
			assert.Equal(t, key.Out("arn"), p.In("performanceInsightsKmsKeyId"))
			assert.Equal(t, 60.0, p.In("monitoringInterval"))
			role := stacktest.One(t, res, "aws:iam/role:Role", "-db-monitoring")
			assert.Equal(t, role.Out("arn"), p.In("monitoringRoleArn"))
			assert.Contains(t, role.In("assumeRolePolicy"), "monitoring.rds.amazonaws.com")
			attach := stacktest.One(t, res, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "-db-monitoring")
			assert.Equal(t, "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole", attach.In("policyArn"))
			assert.Equal(t, []any{"postgresql", "upgrade"}, p.In("enabledCloudwatchLogsExports"))
			assert.Equal(t, true, p.In("iamDatabaseAuthenticationEnabled"))
			assert.Equal(t, "langgraph", p.In("dbName"))
			assert.Equal(t, "langgraph_admin", p.In("username"))
			assert.True(t, p.SecretIn("password"), "the master password must be secret")
			assert.False(t, p.Has("manageMasterUserPassword"), "manageMasterUserPassword and password are exclusive")
			params := stacktest.One(t, res, "aws:rds/parameterGroup:ParameterGroup", "-db-params")
			assert.Equal(t, params.Out("name"), p.In("parameterGroupName"))
			subnets := stacktest.One(t, res, "aws:rds/subnetGroup:SubnetGroup", "-db-subnets")
			assert.Equal(t, subnets.Out("name"), p.In("dbSubnetGroupName"))
			assert.Equal(t, res.Config["langgraph-platform:cluster"] != "", len(subnets.In("subnetIds").([]any)) >= 2)
		})
	}
}

func TestParameterGroup(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		res := stacktest.Run(t, stack, nil)
		params := stacktest.One(t, res, "aws:rds/parameterGroup:ParameterGroup", "-db-params")
		assert.Equal(t, "postgres17", params.In("family"))
		got := map[string]string{}
		methods := map[string]string{}
		for _, p := range params.In("parameters").([]any) {
			m := p.(map[string]any)
			got[m["name"].(string)] = m["value"].(string)
			methods[m["name"].(string)] = m["applyMethod"].(string)
		}
		maxConn := res.Outputs["databaseMaxConnections"].Value.(int)
		assert.Equal(t, map[string]string{
			"rds.force_ssl":              "1",
			"log_min_duration_statement": "1000",
			"shared_preload_libraries":   "pg_stat_statements",
			"max_connections":            fmt.Sprint(maxConn),
		}, got, stack)
		assert.Equal(t, "pending-reboot", methods["max_connections"], "max_connections is static: it needs a reboot")
		if stack == "prod" {
			// db.r7g.2xlarge: 64 GiB / 9531392 = 7209, capped at RDS's 5,000.
			assert.Equal(t, 5000, maxConn)
		} else {
			// db.r7g.large: 16 GiB / 9531392 = 1802.
			assert.Equal(t, 1802, maxConn)
		}
	}
	res := stacktest.Run(t, "prod", map[string]any{"database.maxConnections": 4000, "database.logMinDurationStatementMs": 250})
	params := stacktest.One(t, res, "aws:rds/parameterGroup:ParameterGroup", "-db-params")
	assert.Contains(t, params.In("parameters"), map[string]any{"name": "max_connections", "value": "4000", "applyMethod": "pending-reboot"})
	assert.Contains(t, params.In("parameters"), map[string]any{"name": "log_min_duration_statement", "value": "250", "applyMethod": "immediate"})
	assert.Equal(t, 4000, res.Outputs["databaseMaxConnections"].Value)
}

func TestReadReplicas(t *testing.T) {
	for stack, want := range map[string]int{"prod": 2, "staging": 1} {
		res := stacktest.Run(t, stack, nil)
		primary := stacktest.One(t, res, instanceType, primaryName)
		reps := replicas(res)
		require.Len(t, reps, want, stack)
		zones := map[any]bool{}
		for _, r := range reps {
			assert.Equal(t, primary.Out("identifier"), r.In("replicateSourceDb"))
			for _, forbidden := range []string{"username", "password", "dbName", "engine", "engineVersion", "allocatedStorage"} {
				assert.False(t, r.Has(forbidden), "%s: a replica inherits %s from its source", r.Name, forbidden)
			}
			for _, same := range []string{"storageEncrypted", "kmsKeyId", "performanceInsightsEnabled", "performanceInsightsKmsKeyId",
				"performanceInsightsRetentionPeriod", "monitoringInterval", "monitoringRoleArn", "parameterGroupName", "vpcSecurityGroupIds", "publiclyAccessible"} {
				assert.Equal(t, primary.In(same), r.In(same), "%s.%s", r.Name, same)
			}
			zones[r.In("availabilityZone")] = true
			assert.Equal(t, stack == "prod", r.Protect)
		}
		assert.Len(t, zones, want, "replicas are spread across AZs")
		readers := res.Outputs["databaseReaderAddresses"].Value.([]string)
		require.Len(t, readers, want)
		assert.Equal(t, reps[0].Out("address"), readers[0])
	}
}

func TestSecurityGroupAdmitsOnlyTheCluster(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	sg := stacktest.One(t, res, "aws:ec2/securityGroup:SecurityGroup", "-db-sg")
	assert.Equal(t, "vpc-0a1b2c3d4e5f60718", sg.In("vpcId"))
	ingress := sg.In("ingress").([]any)
	require.Len(t, ingress, 1)
	rule := ingress[0].(map[string]any)
	assert.Equal(t, "tcp", rule["protocol"])
	assert.Equal(t, 5432.0, rule["fromPort"])
	assert.Equal(t, 5432.0, rule["toPort"])
	assert.Equal(t, []any{"sg-0c0ffee0c0ffee001"}, rule["securityGroups"])
	assert.NotContains(t, rule, "cidrBlocks")
	assert.NotContains(t, rule, "ipv6CidrBlocks")
	assert.Equal(t, []any{}, sg.In("egress"), "no egress rules")
	p := stacktest.One(t, res, instanceType, primaryName)
	assert.Equal(t, []any{sg.ID}, p.In("vpcSecurityGroupIds"))
}

func TestCredentialsInSecretsManager(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	pw := stacktest.One(t, res, "random:index/randomPassword:RandomPassword", "-db-master-password")
	assert.Equal(t, 32.0, pw.In("length"))
	assert.NotContains(t, pw.In("overrideSpecial"), "/")
	assert.NotContains(t, pw.In("overrideSpecial"), "@")
	assert.NotContains(t, pw.In("overrideSpecial"), `"`)
	assert.True(t, pw.SecretOut("result"))
	secret := stacktest.One(t, res, "aws:secretsmanager/secret:Secret", "-db-credentials")
	key := stacktest.One(t, res, "aws:kms/key:Key", "-db-key")
	assert.Equal(t, key.Out("arn"), secret.In("kmsKeyId"))
	version := stacktest.One(t, res, "aws:secretsmanager/secretVersion:SecretVersion", "-db-credentials-value")
	assert.True(t, version.SecretIn("secretString"))
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(version.In("secretString").(string)), &doc))
	password := pw.Out("result").(string)
	assert.Equal(t, "langgraph_admin", doc["username"])
	assert.Equal(t, password, doc["password"])
	assert.Equal(t, 5432.0, doc["port"])
	assert.Len(t, doc["readerHosts"], 2)
	uri := doc["uri"].(string)
	assert.True(t, strings.HasPrefix(uri, "postgresql://"+url.UserPassword("langgraph_admin", password).String()+"@"),
		"the URI carries the password URL-encoded: %s", uri)
	assert.True(t, strings.HasSuffix(uri, ":5432/langgraph?sslmode=require"), uri)
	assert.Equal(t, res.Outputs["databaseSecretArn"].Value, secret.Out("arn"))
}

func TestEventsGoToTheStackTopic(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	sub := stacktest.One(t, res, "aws:rds/eventSubscription:EventSubscription", "-db-events")
	topic := stacktest.One(t, res, "aws:sns/topic:Topic", "-notifications-topic")
	assert.Equal(t, topic.Out("arn"), sub.In("snsTopic"))
	assert.Equal(t, "db-instance", sub.In("sourceType"))
	assert.ElementsMatch(t, []any{"backup", "failover", "failure", "low storage", "maintenance", "recovery"}, sub.In("eventCategories"))
	ids := sub.In("sourceIds").([]any)
	assert.Len(t, ids, 3, "primary and both replicas")
	// The database's key encrypts its own data only: the topic has a key of its own.
	key := stacktest.One(t, res, "aws:kms/key:Key", "-db-key")
	assert.NotContains(t, key.In("policy"), "events.rds.amazonaws.com")
	assert.Equal(t, stacktest.One(t, res, "aws:kms/key:Key", "-notifications-key").Out("arn"), topic.In("kmsMasterKeyId"))
}

// Enhanced monitoring's role trusts RDS acting for this account's instances only.
func TestMonitoringRoleTrustCarriesConfusedDeputyConditions(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	var trust map[string]any
	require.NoError(t, json.Unmarshal([]byte(stacktest.One(t, res, "aws:iam/role:Role", "-db-monitoring").In("assumeRolePolicy").(string)), &trust))
	st := trust["Statement"].([]any)[0].(map[string]any)
	assert.Equal(t, map[string]any{"Service": "monitoring.rds.amazonaws.com"}, st["Principal"])
	assert.Equal(t, map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": harness.AccountID},
		"ArnLike":      map[string]any{"aws:SourceArn": "arn:aws:rds:*:" + harness.AccountID + ":db:*"},
	}, st["Condition"])
}

func TestPointInTimeRestore(t *testing.T) {
	res := stacktest.Run(t, "prod", map[string]any{"database.restore": map[string]any{
		"sourceInstanceIdentifier": "langgraph-prod-db-primary-0a1b2c", "restoreTime": "2026-11-27T14:05:00Z",
	}})
	p := stacktest.One(t, res, instanceType, primaryName)
	assert.Equal(t, map[string]any{"sourceDbInstanceIdentifier": "langgraph-prod-db-primary-0a1b2c", "restoreTime": "2026-11-27T14:05:00Z"},
		p.In("restoreToPointInTime"))
	assert.False(t, p.Has("dbName"), "a restored instance keeps its source's database")
	assert.False(t, p.Has("username"))
	assert.True(t, p.SecretIn("password"))

	res = stacktest.Run(t, "prod", map[string]any{"database.restore": map[string]any{
		"sourceInstanceIdentifier": "langgraph-prod-db-primary-0a1b2c", "useLatestRestorableTime": true,
	}})
	p = stacktest.One(t, res, instanceType, primaryName)
	assert.Equal(t, map[string]any{"sourceDbInstanceIdentifier": "langgraph-prod-db-primary-0a1b2c", "useLatestRestorableTime": true},
		p.In("restoreToPointInTime"))
	// Without the block, no restore.
	p = stacktest.One(t, stacktest.Run(t, "prod", nil), instanceType, primaryName)
	assert.False(t, p.Has("restoreToPointInTime"))
}

func TestProtectOnlyInProd(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		res := stacktest.Run(t, stack, nil)
		for _, typ := range []string{instanceType, "aws:kms/key:Key", "aws:secretsmanager/secret:Secret"} {
			for _, r := range res.ByType(typ) {
				if strings.Contains(r.Name, "-db-") {
					assert.Equal(t, stack == "prod", r.Protect, "%s %s", stack, r.Name)
				}
			}
		}
	}
}

// The component builds alone from plain inputs, as a Kubernetes-free program would use it.
func TestComponentStandsAlone(t *testing.T) {
	res, err := harness.Run(func(ctx *pulumi.Context) (map[string]pulumi.Output, error) {
		db, err := database.New(ctx, "solo", database.Args{
			Account: awsbase.Account{ID: "210987654321", Region: "eu-west-1", Partition: "aws"},
			VPCID:   pulumi.String("vpc-12345678"), SubnetIDs: pulumi.ToStringArray([]string{"subnet-11111111", "subnet-22222222"}),
			AllowedSecurityGroupIDs: pulumi.ToStringArray([]string{"sg-12345678"}), AvailabilityZones: []string{"eu-west-1a", "eu-west-1b"},
			EngineVersion: "16.4", InstanceClass: "db.t4g.medium", AllocatedStorageGB: 20, MaxAllocatedStorageGB: 40,
			DatabaseName: "app", MasterUsername: "app_admin", BackupRetentionDays: 1, BackupWindow: "01:00-02:00",
			MaintenanceWindow: "mon:03:00-mon:04:00", MaxConnections: 400, ReadReplicas: 1,
			PerformanceInsightsRetentionDays: 7, MonitoringIntervalSeconds: 60,
			TopicARN: pulumi.String("arn:aws:sns:eu-west-1:210987654321:ops"),
		})
		if err != nil {
			return nil, err
		}
		return map[string]pulumi.Output{"uri": db.URI, "readerUri": db.ReaderURI}, nil
	}, harness.Options{Stack: "staging"})
	require.NoError(t, err)
	assert.True(t, res.Outputs["uri"].Secret)
	assert.True(t, res.Outputs["readerUri"].Secret)
	assert.Contains(t, res.Outputs["uri"].Value, "postgresql://app_admin:")
	assert.Contains(t, res.Outputs["uri"].Value, "solo-primary.address") // the placeholder names its source
	assert.Contains(t, res.Outputs["readerUri"].Value, "solo-replica-1.address")
	params := stacktest.One(t, res, "aws:rds/parameterGroup:ParameterGroup", "solo-params")
	assert.Equal(t, "postgres16", params.In("family"))
	key := stacktest.One(t, res, "aws:kms/key:Key", "solo-key")
	assert.Contains(t, key.In("policy"), "arn:aws:iam::210987654321:root")
}

func TestArgsValidate(t *testing.T) {
	good := database.Args{
		Account: awsbase.Account{ID: "210987654321", Region: "eu-west-1", Partition: "aws"},
		VPCID:   pulumi.String("vpc-1"), SubnetIDs: pulumi.StringArray{}, AllowedSecurityGroupIDs: pulumi.StringArray{},
		AvailabilityZones: []string{"a"}, EngineVersion: "17.6", InstanceClass: "db.t4g.medium", DatabaseName: "d",
		MasterUsername: "u", AllocatedStorageGB: 20, MaxAllocatedStorageGB: 40, BackupRetentionDays: 1,
		PerformanceInsightsRetentionDays: 7, MonitoringIntervalSeconds: 60, MaxConnections: 100,
		TopicARN: pulumi.String("arn:aws:sns:eu-west-1:210987654321:ops"),
	}
	require.NoError(t, good.Validate())
	bad := good
	bad.BackupRetentionDays = 0
	bad.MonitoringIntervalSeconds = 0
	bad.Account.Partition = ""
	bad.Restore = &database.Restore{SourceInstanceIdentifier: "x"}
	bad.TopicARN = nil
	err := bad.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "database.Args.BackupRetentionDays=0")
	assert.Contains(t, err.Error(), "database.Args.PerformanceInsightsRetentionDays/MonitoringIntervalSeconds=7/0: are required")
	assert.Contains(t, err.Error(), "database.Args.Account=")
	assert.Contains(t, err.Error(), "database.Args.Restore=")
	assert.Contains(t, err.Error(), "database.Args.TopicARN=nil")
}
