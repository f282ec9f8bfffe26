package tests

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/rollout"
	"github.com/langgraph-platform/infra/internal/stackfile"
	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/program"
)

const (
	passwordType = "random:index/randomPassword:RandomPassword"
	groupType    = "aws:elasticache/replicationGroup:ReplicationGroup"
	secretType   = "kubernetes:core/v1:Secret"
)

// A stack that never rotated keeps its credentials when this code lands: no keepers (adding
// them would replace every password on the next up) and no token strategy (SET is refused
// unless a ROTATE came first).
func TestNoRotationKeepsEveryCredential(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		res := stacktest.Run(t, stack, nil)
		for _, p := range res.ByType(passwordType) {
			assert.False(t, p.Has("keepers"), "%s: %s has keepers before any rotation", stack, p.Name)
		}
		assert.False(t, stacktest.One(t, res, groupType, "-cache").Has("authTokenUpdateStrategy"), stack)
	}
}

// The cache's token rotates in two updates: the first adds a new token beside the old (ROTATE),
// the second, with the same token, drops the old (SET).
func TestCacheTokenRotationTakesTwoUpdates(t *testing.T) {
	token := func(res *harness.Result) any {
		return stacktest.One(t, res, passwordType, "-cache-auth-token").Out("result")
	}
	before := stacktest.Run(t, "prod", nil)
	rotate := stacktest.Run(t, "prod", map[string]any{"rotation.cacheAuthToken.generation": 1})
	set := stacktest.Run(t, "prod", map[string]any{"rotation.cacheAuthToken.generation": 1, "rotation.cacheAuthToken.retiredBefore": 1})

	group := stacktest.One(t, rotate, groupType, "-cache")
	assert.Equal(t, "ROTATE", group.In("authTokenUpdateStrategy"))
	assert.Equal(t, map[string]any{"generation": "1"}, stacktest.One(t, rotate, passwordType, "-cache-auth-token").In("keepers"))
	assert.NotEqual(t, token(before), token(rotate), "a new generation is a new token")
	assert.Equal(t, token(rotate), group.In("authToken"))

	assert.Equal(t, "SET", stacktest.One(t, set, groupType, "-cache").In("authTokenUpdateStrategy"))
	assert.Equal(t, token(rotate), token(set), "retiring the old token keeps the new one")
	assert.Equal(t, annotations(t, rotate), annotations(t, set), "retiring the old token rolls no pod")

	cfg := stackConfig(t, "prod", map[string]any{"rotation.cacheAuthToken.generation": 1})
	warnings := strings.Join(program.RotationWarnings(cfg), "\n")
	assert.Contains(t, warnings, "set rotation.cacheAuthToken.retiredBefore to 1")
	assert.Empty(t, program.RotationWarnings(stackConfig(t, "prod", map[string]any{"rotation.cacheAuthToken.generation": 1, "rotation.cacheAuthToken.retiredBefore": 1})))
}

// annotations are the credential checksums of the pods that read each credential.
func annotations(t *testing.T, res *harness.Result) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, d := range res.ByType("kubernetes:apps/v1:Deployment") {
		if strings.HasSuffix(d.Name, "-dataplane-deployment") {
			out["dataplane"] = d.In(`spec.template.metadata.annotations["` + rollout.Annotation + `"]`)
		}
	}
	for _, r := range res.ByType(releaseType) {
		switch {
		case strings.HasSuffix(r.Name, "-postgres-exporter"):
			out["postgres-exporter"] = r.In(`values.annotations["` + rollout.Annotation + `"]`)
		case strings.HasSuffix(r.Name, "-redis-exporter"):
			out["redis-exporter"] = r.In(`values.annotations["` + rollout.Annotation + `"]`)
		case strings.HasSuffix(r.Name, "-monitoring-stack"):
			out["grafana"] = r.In(`values.grafana.podAnnotations["` + rollout.Annotation + `"]`)
		}
	}
	require.Len(t, out, 4)
	for k, v := range out {
		require.NotEmpty(t, v, k)
	}
	return out
}

// Each rotation rolls exactly the pods that read the credential, and a change elsewhere rolls
// none of them.
func TestRotationRollsThePodsThatReadTheCredential(t *testing.T) {
	base := annotations(t, stacktest.Run(t, "staging", nil))
	assert.Equal(t, base, annotations(t, stacktest.Run(t, "staging", map[string]any{"hpa.maxReplicas": 7})), "an unrelated change rolls nothing")
	for setting, rolled := range map[string][]string{
		"rotation.cacheAuthToken.generation": {"dataplane", "redis-exporter"},
		"rotation.databasePassword":          {"dataplane", "postgres-exporter"},
		"rotation.grafanaAdminPassword":      {"grafana"},
	} {
		after := annotations(t, stacktest.Run(t, "staging", map[string]any{setting: 1}))
		for workload := range base {
			if slices.Contains(rolled, workload) {
				assert.NotEqual(t, base[workload], after[workload], "%s rolls %s", setting, workload)
			} else {
				assert.Equal(t, base[workload], after[workload], "%s leaves %s", setting, workload)
			}
		}
	}
}

// dependsOn says whether r waits for the resource with URN target, directly or through others.
func dependsOn(res *harness.Result, r *harness.Resource, target string) bool {
	byURN := map[string]*harness.Resource{}
	for _, x := range res.Resources {
		byURN[x.URN] = x
	}
	seen := map[string]bool{}
	var walk func(*harness.Resource) bool
	walk = func(x *harness.Resource) bool {
		if x == nil || seen[x.URN] {
			return false
		}
		seen[x.URN] = true
		deps := append([]string(nil), x.Dependencies...)
		for _, ds := range x.PropertyDependencies {
			deps = append(deps, ds...)
		}
		for _, d := range deps {
			if d == target || walk(byURN[d]) {
				return true
			}
		}
		return false
	}
	return walk(r)
}

// The order that never hands a client a refused credential: the service takes the new one
// first (ElastiCache's ROTATE, RDS's modify), then the secrets that carry it, then the pods.
func TestRotatedCredentialsReachClientsOnlyAfterTheServiceTakesThem(t *testing.T) {
	res := stacktest.Run(t, "staging", map[string]any{"rotation.cacheAuthToken.generation": 1, "rotation.databasePassword": 1})
	group := stacktest.One(t, res, groupType, "-cache")
	primary := stacktest.One(t, res, "aws:rds/instance:Instance", "-db-primary")
	env := stacktest.One(t, res, secretType, "-dataplane-env")
	for _, service := range []*harness.Resource{group, primary} {
		assert.True(t, dependsOn(res, env, service.URN), "the dataplane's Secret is written after %s takes the new credential", service.Name)
	}
	assert.True(t, dependsOn(res, stacktest.One(t, res, secretType, "-redis-exporter-auth"), group.URN))
	assert.True(t, dependsOn(res, stacktest.One(t, res, secretType, "-postgres-exporter-dsn"), primary.URN))
	for _, v := range res.ByType("aws:secretsmanager/secretVersion:SecretVersion") {
		switch {
		case strings.Contains(v.Name, "-cache-auth"):
			assert.True(t, dependsOn(res, v, group.URN), v.Name)
		case strings.Contains(v.Name, "-db-credentials"):
			assert.True(t, dependsOn(res, v, primary.URN), v.Name)
		}
	}
	deployment := stacktest.One(t, res, "kubernetes:apps/v1:Deployment", "-dataplane-deployment")
	assert.True(t, dependsOn(res, deployment, env.URN), "the pods roll after their Secret holds the new values")
	for _, r := range res.ByType(releaseType) {
		for suffix, secret := range map[string]string{"-redis-exporter": "-redis-exporter-auth", "-postgres-exporter": "-postgres-exporter-dsn", "-monitoring-stack": "-grafana-admin"} {
			if strings.HasSuffix(r.Name, suffix) {
				assert.True(t, dependsOn(res, r, stacktest.One(t, res, secretType, secret).URN), r.Name)
			}
		}
	}
}

func TestRotationRefusesBadGenerations(t *testing.T) {
	for name, c := range map[string]struct {
		set  map[string]any
		want string
	}{
		"retiring ahead":         {map[string]any{"rotation.cacheAuthToken.generation": 1, "rotation.cacheAuthToken.retiredBefore": 2}, "rotation.cacheAuthToken.retiredBefore=2 must be 0 (the old token still accepted: ROTATE) or 1"},
		"skipping a generation":  {map[string]any{"rotation.cacheAuthToken.generation": 3, "rotation.cacheAuthToken.retiredBefore": 1}, "rotation.cacheAuthToken.retiredBefore=1 must be 2 (the old token still accepted: ROTATE) or 3"},
		"retiring before any":    {map[string]any{"rotation.cacheAuthToken.retiredBefore": 1}, "must be 0 before the first rotation"},
		"a negative generation":  {map[string]any{"rotation.databasePassword": -1}, "rotation.databasePassword=-1 must be between 0 and 1000000"},
		"a generation as a date": {map[string]any{"rotation.grafanaAdminPassword": "2026-12-05"}, "rotation.grafanaAdminPassword"},
		"an unknown credential":  {map[string]any{"rotation.langsmithApiKey": 1}, "rotation.langsmithApiKey"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := stackfile.LoadTyped(harness.Options{Stack: "staging", Secrets: harness.DefaultSecrets(), Set: c.set}, config.LoadOptions{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}
