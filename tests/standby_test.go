package tests

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/program"
)

const primaryRef = "organization/langgraph-platform/prod"

// primaryOutputs are prod's rendered outputs, as its standby's StackReference reads them.
func primaryOutputs(t *testing.T) map[string]any {
	t.Helper()
	opts, err := harness.WithPrimary(program.Build, harness.Options{Stack: "prod-standby", Secrets: harness.DefaultSecrets()})
	require.NoError(t, err)
	return opts.ReferencedStacks[primaryRef]
}

func runStandby(t *testing.T, primary map[string]any, set map[string]any) (*harness.Result, error) {
	return harness.Run(program.Build, harness.Options{Stack: "prod-standby", Secrets: harness.DefaultSecrets(), Set: set,
		ReferencedStacks: map[string]map[string]any{primaryRef: primary}})
}

func TestPrimaryExportsTheStandbyContract(t *testing.T) {
	out := primaryOutputs(t)
	for _, name := range program.StandbyContract {
		assert.Contains(t, out, name)
	}
	assert.Equal(t, "primary", out[program.OutputDRRole])
	assert.Equal(t, "us-east-1", out[program.OutputRegion])
	res := stacktest.Run(t, "prod", nil)
	assert.True(t, res.Outputs[program.OutputDatabasePassword].Secret, "the password reaches the standby as a secret")
	// Staging names no standby: it exports its role only.
	staging := stacktest.Run(t, "staging", nil)
	assert.Contains(t, staging.Outputs, program.OutputDRRole)
	assert.NotContains(t, staging.Outputs, program.OutputDatabasePassword)
}

func TestStandbyReplicatesThePrimaryAndStandsSmall(t *testing.T) {
	primary := primaryOutputs(t)
	res, err := runStandby(t, primary, nil)
	require.NoError(t, err)
	db := stacktest.One(t, res, rdsType, "-db-primary")
	assert.Equal(t, primary[program.OutputDatabaseARN], db.In("replicateSourceDb"))
	key := stacktest.One(t, res, "aws:kms/key:Key", "-db-key")
	assert.Equal(t, key.Out("arn"), db.In("kmsKeyId"), "encrypted with this region's key")
	assert.Equal(t, true, db.In("storageEncrypted"))
	assert.Equal(t, false, db.In("publiclyAccessible"))
	assert.False(t, db.Has("password"), "a replica inherits the source's credentials")
	for _, p := range res.ByType("random:index/randomPassword:RandomPassword") {
		assert.NotContains(t, p.Name, "-db-master-password", "the standby's password is the primary's")
	}
	// Its clients' credentials are the primary's, as a secret.
	assert.True(t, res.Outputs[program.OutputDatabasePassword].Secret)
	for _, r := range res.ByType(rdsType) {
		assert.Equal(t, db.URN, r.URN, "no read replicas of its own")
	}
	hpa := stacktest.One(t, res, hpaType, "-dataplane-hpa")
	assert.Equal(t, 3.0, hpa.In("spec.minReplicas"), "the standing size")
	assert.Equal(t, 50.0, hpa.In("spec.maxReplicas"))
	assert.Equal(t, "standby", res.Outputs[program.OutputDRRole].Value)
	// Its own cache.
	assert.Len(t, res.ByType(cacheType), 1)
	// The standby passes the pack with its policy config.
	vs := evaluate(t, loadPack(t), "prod-standby", lightDocs(res))
	for _, v := range vs {
		assert.NotEqual(t, "mandatory", string(v.Level), "%s: %s", v.Rule, v.Message)
	}
}

// A standby refuses a reference that is not a primary, one in its own region, and a standing
// size above the primary's maximum.
func TestStandbyRefusesAWrongPrimary(t *testing.T) {
	base := primaryOutputs(t)
	edit := func(k string, v any) map[string]any {
		out := map[string]any{}
		for name, value := range base {
			out[name] = value
		}
		out[k] = v
		return out
	}
	for _, tc := range []struct {
		primary map[string]any
		set     map[string]any
		want    string
	}{
		{edit(program.OutputDRRole, "standby"), nil, `dr.primaryStack="organization/langgraph-platform/prod" is not a primary (its dr.role is "standby")`},
		{edit(program.OutputRegion, "us-west-2"), nil, `aws:region="us-west-2" is the primary's region`},
		{edit(program.OutputHPAMaxReplicas, 2.0), nil, `dr.standby.minReplicas=3 is above the primary's hpa.maxReplicas (2)`},
		{map[string]any{}, nil, `has no output "drRole"`},
	} {
		_, err := runStandby(t, tc.primary, tc.set)
		if assert.Error(t, err, tc.want) {
			assert.Contains(t, err.Error(), tc.want)
		}
	}
}

// Route 53 fails the name over: PRIMARY to prod's ALB, SECONDARY to the standby's, each with an
// HTTPS health check of its own ALB's /ok, which the Ingress serves on any host name for it.
func TestDNSFailsOverToTheStandby(t *testing.T) {
	prod := stacktest.Run(t, "prod", nil)
	standby, err := runStandby(t, primaryOutputs(t), nil)
	require.NoError(t, err)
	for stack, res := range map[string]*harness.Result{"PRIMARY": prod, "SECONDARY": standby} {
		record := stacktest.One(t, res, "aws:route53/record:Record", "-dns-record")
		check := stacktest.One(t, res, "aws:route53/healthCheck:HealthCheck", "-dns-health")
		assert.Equal(t, "agents.example.com", record.In("name"), stack)
		assert.Equal(t, "Z04512345ABCDEFGHIJKL", record.In("zoneId"), stack)
		assert.Equal(t, "CNAME", record.In("type"), stack)
		assert.Equal(t, 60.0, record.In("ttl"), stack)
		assert.Equal(t, stack, record.In("failoverRoutingPolicies[0].type"))
		assert.Equal(t, check.ID, record.In("healthCheckId"), stack)
		assert.Equal(t, []any{check.In("fqdn")}, record.In("records"), "the record and its check name the same ALB")
		assert.Equal(t, "HTTPS", check.In("type"))
		assert.Equal(t, "/ok", check.In("resourcePath"))
		assert.Equal(t, 10.0, check.In("requestInterval"))
		assert.Equal(t, 3.0, check.In("failureThreshold"))
		ingress := stacktest.One(t, res, ingressType, "-dataplane-ingress")
		rules := ingress.In("spec.rules").([]any)
		require.Len(t, rules, 2, stack)
		anyHost := rules[1].(map[string]any)
		assert.NotContains(t, anyHost, "host", "the health check asks by the ALB's own name")
		assert.Equal(t, []any{map[string]any{"path": "/ok", "pathType": "Exact", "backend": rules[0].(map[string]any)["http"].(map[string]any)["paths"].([]any)[1].(map[string]any)["backend"]}},
			anyHost["http"].(map[string]any)["paths"], "only /ok, exactly")
	}
	assert.NotEqual(t, stacktest.One(t, prod, "aws:route53/record:Record", "-dns-record").In("setIdentifier"),
		stacktest.One(t, standby, "aws:route53/record:Record", "-dns-record").In("setIdentifier"))
	// Without ingress.dns: no record, and the Ingress answers its host only.
	staging := stacktest.Run(t, "staging", nil)
	assert.Empty(t, staging.ByType("aws:route53/record:Record"))
	assert.Len(t, stacktest.One(t, staging, ingressType, "-dataplane-ingress").In("spec.rules"), 1)
}

// The RPO is alarmed in both regions: the replica's lag on the standby, the WAL the primary
// holds for it on the primary.
func TestStandbyLagIsAlarmedInBothRegions(t *testing.T) {
	prod := stacktest.Run(t, "prod", nil)
	slot := stacktest.One(t, prod, alarmType, "-rds-standby-slot-lag")
	assert.Equal(t, "OldestReplicationSlotLag", slot.In("metricName"))
	assert.Equal(t, 1024.0*(1<<20), slot.In("threshold"))
	assert.Equal(t, stacktest.One(t, prod, rdsType, "-db-primary").Out("identifier"), slot.In("dimensions.DBInstanceIdentifier"))
	standby, err := runStandby(t, primaryOutputs(t), nil)
	require.NoError(t, err)
	lag := stacktest.One(t, standby, alarmType, "-rds-standby-lag")
	assert.Equal(t, "ReplicaLag", lag.In("metricName"))
	assert.Equal(t, 60.0, lag.In("threshold"))
	assert.Equal(t, stacktest.One(t, standby, rdsType, "-db-primary").Out("identifier"), lag.In("dimensions.DBInstanceIdentifier"))
	for _, a := range stacktest.Run(t, "staging", nil).ByType(alarmType) {
		assert.NotContains(t, a.Name, "standby", "no standby, no standby alarms")
	}
}

// The capacity model tells how long the standby takes to carry the full load from its standing
// size: with cmd/failover's scale-up faster than with the HPA alone, and both within the
// application's recovery target once DNS has moved.
func TestStandbyAbsorbTimeIsModelled(t *testing.T) {
	res, err := runStandby(t, primaryOutputs(t), nil)
	require.NoError(t, err)
	with := res.Outputs["capacityStandbyAbsorbSeconds"].Value.(float64)
	alone := res.Outputs["capacityStandbyAbsorbHpaOnlySeconds"].Value.(float64)
	t.Logf("standby absorbs 5,000 users in %.0f s with cmd/failover, %.0f s with the HPA alone", with, alone)
	assert.Positive(t, with)
	assert.Less(t, with, alone, "raising the minimum at once beats the HPA's steps")
	// A larger standing size absorbs sooner.
	bigger, err := runStandby(t, primaryOutputs(t), map[string]any{"dr.standby.minReplicas": 20})
	require.NoError(t, err)
	assert.Less(t, bigger.Outputs["capacityStandbyAbsorbHpaOnlySeconds"].Value.(float64), alone)
	assert.NotContains(t, stacktest.Run(t, "prod", nil).Outputs, "capacityStandbyAbsorbSeconds")
}

// The pack holds the standby's replica to the database rules: encrypted, never public.
func TestPackRefusesAnUnencryptedOrPublicStandbyReplica(t *testing.T) {
	res, err := runStandby(t, primaryOutputs(t), nil)
	require.NoError(t, err)
	pack := loadPack(t)
	for rule, m := range map[string]mutation{
		"deny_rds_encrypted": {typ: rdsType, name: "-db-primary", path: []any{"storageEncrypted"}, value: false},
		"deny_rds_public":    {typ: rdsType, name: "-db-primary", path: []any{"publiclyAccessible"}, value: true},
	} {
		vs := evaluate(t, pack, "prod-standby", mutate(t, m, lightDocs(res), res))
		fired := false
		for _, v := range vs {
			fired = fired || v.Rule == rule
		}
		assert.True(t, fired, "%s on the standby's replica", rule)
	}
}
