package cache_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/components/cache"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

const groupType = "aws:elasticache/replicationGroup:ReplicationGroup"

func TestReplicationGroup(t *testing.T) {
	for stack, nodes := range map[string]float64{"prod": 3, "staging": 2} {
		t.Run(stack, func(t *testing.T) {
			res := stacktest.Run(t, stack, nil)
			prod := stack == "prod"
			g := stacktest.One(t, res, groupType, "-cache")
			key := stacktest.One(t, res, "aws:kms/key:Key", "-cache-key")
			assert.Equal(t, "valkey", g.In("engine"))
			assert.Equal(t, "8.0", g.In("engineVersion"))
			assert.Equal(t, "disabled", g.In("clusterMode"))
			assert.Equal(t, nodes, g.In("numCacheClusters"))
			assert.Equal(t, true, g.In("automaticFailoverEnabled"))
			assert.Equal(t, true, g.In("multiAzEnabled"))
			azs := g.In("preferredCacheClusterAzs").([]any)
			assert.Len(t, azs, int(nodes))
			distinct := map[any]bool{}
			for _, z := range azs {
				distinct[z] = true
			}
			assert.Len(t, distinct, int(nodes), "one node per AZ")
			assert.Equal(t, true, g.In("atRestEncryptionEnabled"))
			assert.Equal(t, key.Out("arn"), g.In("kmsKeyId"))
			assert.Equal(t, true, key.In("enableKeyRotation"))
			assert.Equal(t, true, g.In("transitEncryptionEnabled"))
			assert.Equal(t, "required", g.In("transitEncryptionMode"))
			assert.True(t, g.SecretIn("authToken"), "the AUTH token must be secret")
			assert.Equal(t, 6379.0, g.In("port"))
			if prod {
				assert.Equal(t, "cache.r7g.large", g.In("nodeType"))
				assert.GreaterOrEqual(t, g.In("snapshotRetentionLimit"), 7.0)
				assert.Equal(t, g.Name+"-final", g.In("finalSnapshotIdentifier"))
			} else {
				assert.GreaterOrEqual(t, g.In("snapshotRetentionLimit"), 1.0)
				assert.False(t, g.Has("finalSnapshotIdentifier"))
			}
			assert.Equal(t, "05:00-06:00", g.In("snapshotWindow"))
			assert.Equal(t, "sun:06:30-sun:07:30", g.In("maintenanceWindow"))
			assert.Equal(t, prod, g.Protect)
			assert.Equal(t, prod, key.Protect)
			assert.Equal(t, prod, stacktest.One(t, res, "aws:secretsmanager/secret:Secret", "-cache-auth").Protect)
		})
	}
}

func TestParameterGroupAllKeysLRUAndNoAOF(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		res := stacktest.Run(t, stack, nil)
		g := stacktest.One(t, res, groupType, "-cache")
		params := stacktest.One(t, res, "aws:elasticache/parameterGroup:ParameterGroup", "-cache-params")
		assert.Equal(t, params.Out("name"), g.In("parameterGroupName"))
		assert.Equal(t, "valkey8", params.In("family"))
		assert.Equal(t, []any{map[string]any{"name": "maxmemory-policy", "value": "allkeys-lru"}}, params.In("parameters"))
		assert.NotContains(t, mustJSON(t, params.Inputs), "appendonly")
	}
	// Any valid policy may be configured instead.
	res := stacktest.Run(t, "prod", map[string]any{"cache.maxmemoryPolicy": "volatile-lfu"})
	params := stacktest.One(t, res, "aws:elasticache/parameterGroup:ParameterGroup", "-cache-params")
	assert.Equal(t, []any{map[string]any{"name": "maxmemory-policy", "value": "volatile-lfu"}}, params.In("parameters"))
	// Redis OSS 7 maps to its own family.
	res = stacktest.Run(t, "prod", map[string]any{"cache.engine": "redis", "cache.engineVersion": "7.1"})
	params = stacktest.One(t, res, "aws:elasticache/parameterGroup:ParameterGroup", "-cache-params")
	assert.Equal(t, "redis7", params.In("family"))
}

func TestAuthTokenMeetsElastiCacheRules(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	tok := stacktest.One(t, res, "random:index/randomPassword:RandomPassword", "-cache-auth-token")
	length := tok.In("length").(float64)
	assert.GreaterOrEqual(t, length, 16.0)
	assert.LessOrEqual(t, length, 128.0)
	specials := tok.In("overrideSpecial").(string)
	for _, c := range specials {
		assert.Contains(t, "!&#$^<>-", string(c), "ElastiCache allows only !&#$^<>- as punctuation")
	}
	for _, forbidden := range []string{"@", `"`, "/", " "} {
		assert.NotContains(t, specials, forbidden)
	}
	value := tok.Out("result").(string)
	assert.Len(t, value, int(length))
	for _, c := range value {
		assert.True(t, c > 32 && c < 127, "printable ASCII only")
	}
	g := stacktest.One(t, res, groupType, "-cache")
	assert.Equal(t, value, g.In("authToken"))
}

func TestSecurityGroupAndSubnets(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	sg := stacktest.One(t, res, "aws:ec2/securityGroup:SecurityGroup", "-cache-sg")
	ingress := sg.In("ingress").([]any)
	require.Len(t, ingress, 1)
	rule := ingress[0].(map[string]any)
	assert.Equal(t, 6379.0, rule["fromPort"])
	assert.Equal(t, 6379.0, rule["toPort"])
	assert.Equal(t, []any{"sg-0c0ffee0c0ffee001"}, rule["securityGroups"])
	assert.NotContains(t, rule, "cidrBlocks")
	assert.Equal(t, []any{}, sg.In("egress"))
	g := stacktest.One(t, res, groupType, "-cache")
	assert.Equal(t, []any{sg.ID}, g.In("securityGroupIds"))
	subnets := stacktest.One(t, res, "aws:elasticache/subnetGroup:SubnetGroup", "-cache-subnets")
	assert.Equal(t, subnets.Out("name"), g.In("subnetGroupName"))
	assert.Len(t, subnets.In("subnetIds"), 3)
}

func TestLogsToCloudWatch(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	g := stacktest.One(t, res, groupType, "-cache")
	key := stacktest.One(t, res, "aws:kms/key:Key", "-cache-key")
	got := map[string]string{}
	for _, c := range g.In("logDeliveryConfigurations").([]any) {
		m := c.(map[string]any)
		assert.Equal(t, "cloudwatch-logs", m["destinationType"])
		assert.Equal(t, "json", m["logFormat"])
		got[m["logType"].(string)] = m["destination"].(string)
	}
	for _, logType := range []string{"slow-log", "engine-log"} {
		group := stacktest.One(t, res, "aws:cloudwatch/logGroup:LogGroup", "-cache-"+logType)
		assert.Equal(t, group.Out("name"), got[logType])
		assert.Equal(t, 30.0, group.In("retentionInDays"))
		assert.Equal(t, key.Out("arn"), group.In("kmsKeyId"))
	}
	assert.Contains(t, key.In("policy"), "logs.us-east-1.amazonaws.com", "CloudWatch Logs must be able to use the key")
}

func TestSecretAndOutputs(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	version := stacktest.One(t, res, "aws:secretsmanager/secretVersion:SecretVersion", "-cache-auth-value")
	assert.True(t, version.SecretIn("secretString"))
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(version.In("secretString").(string)), &doc))
	tok := stacktest.One(t, res, "random:index/randomPassword:RandomPassword", "-cache-auth-token").Out("result").(string)
	assert.Equal(t, tok, doc["authToken"])
	assert.True(t, strings.HasPrefix(doc["uri"].(string), "rediss://"), doc["uri"])
	for _, name := range []string{"cachePrimaryEndpoint", "cacheReaderEndpoint", "cachePort", "cacheSecretArn", "cacheSecurityGroupId"} {
		assert.Contains(t, res.Outputs, name)
		assert.False(t, res.Outputs[name].Secret, name)
	}
}

func TestComponentURIIsSecretRediss(t *testing.T) {
	res, err := harness.Run(func(ctx *pulumi.Context) (map[string]pulumi.Output, error) {
		c, err := cache.New(ctx, "solo", cache.Args{
			VPCID: pulumi.String("vpc-12345678"), SubnetIDs: pulumi.ToStringArray([]string{"subnet-11111111"}),
			AllowedSecurityGroupIDs: pulumi.ToStringArray([]string{"sg-12345678"}), AvailabilityZones: []string{"a", "b"},
			Engine: "valkey", EngineVersion: "8.0", Family: "valkey8", NodeType: "cache.t4g.small", SnapshotRetentionDays: 1,
			SnapshotWindow: "05:00-06:00", MaintenanceWindow: "sun:06:30-sun:07:30",
			Nodes: 3, MaxmemoryPolicy: "allkeys-lru", LogRetentionDays: 30,
			Account: awsbase.Account{ID: "210987654321", Region: "eu-west-1", Partition: "aws"},
		})
		if err != nil {
			return nil, err
		}
		return map[string]pulumi.Output{"uri": c.URI, "token": c.AuthToken}, nil
	}, harness.Options{Stack: "staging"})
	require.NoError(t, err)
	assert.True(t, res.Outputs["uri"].Secret)
	assert.True(t, res.Outputs["token"].Secret)
	assert.True(t, strings.HasPrefix(res.Outputs["uri"].Value.(string), "rediss://:"))
	g := stacktest.One(t, res, groupType, "solo")
	assert.Equal(t, 3.0, g.In("numCacheClusters"))
	assert.Equal(t, []any{"a", "b", "a"}, g.In("preferredCacheClusterAzs"))
}

func TestArgsValidate(t *testing.T) {
	args := cache.Args{Engine: "memcached", Family: "redis7", Nodes: 1, SnapshotRetentionDays: 0, AvailabilityZones: []string{"a"}}
	err := args.Validate()
	require.Error(t, err)
	for _, want := range []string{`cache.Args.Family=redis7: must be a parameter group family of Engine="memcached"`, "cache.Args.Nodes=1", "cache.Args.SnapshotRetentionDays/LogRetentionDays=0/0",
		"cache.Args.AvailabilityZones", "cache.Args.VPCID", "cache.Args.NodeType", "cache.Args.Account"} {
		assert.Contains(t, err.Error(), want)
	}
	for _, bad := range []cache.Args{{AuthTokenStrategy: "SET"}, {AuthTokenGeneration: 2}, {AuthTokenGeneration: 1, AuthTokenStrategy: "DELETE"}} {
		assert.ErrorContains(t, bad.Validate(), "cache.Args.AuthTokenStrategy", "%+v", bad)
	}
	for _, good := range []cache.Args{{}, {AuthTokenGeneration: 1, AuthTokenStrategy: "ROTATE"}, {AuthTokenGeneration: 3, AuthTokenStrategy: "SET"}} {
		assert.NotContains(t, good.Validate().Error(), "AuthTokenStrategy", "%+v", good)
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
