package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stackfile"
	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/program"
)

const (
	instanceType = "aws:rds/instance:Instance"
	clusterType  = "aws:eks/cluster:Cluster"
)

// Without an upgrade RDS owns the running minor version: the primary ignores engineVersion and
// runs no Blue/Green deployment.
func TestNoUpgradeLeavesTheVersionToRDS(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	primary := stacktest.One(t, res, instanceType, "-db-primary")
	assert.Equal(t, []string{"engineVersion"}, primary.IgnoreChanges)
	assert.False(t, primary.Has("blueGreenUpdate"))
	assert.False(t, primary.Has("allowMajorVersionUpgrade"))
	assert.Equal(t, "17.6", primary.In("engineVersion"))
}

// A major upgrade runs now, through an RDS Blue/Green deployment, with the new major's parameter
// group; a minor one needs no major permission.
func TestDatabaseUpgradeRunsThroughBlueGreen(t *testing.T) {
	res := stacktest.Run(t, "prod", map[string]any{"database.engineVersion": "16.11", "database.upgrade.targetVersion": "17.7"})
	primary := stacktest.One(t, res, instanceType, "-db-primary")
	assert.Empty(t, primary.IgnoreChanges, "the engine version moves in this update")
	assert.Equal(t, "17.7", primary.In("engineVersion"))
	assert.Equal(t, true, primary.In("blueGreenUpdate.enabled"))
	assert.Equal(t, true, primary.In("allowMajorVersionUpgrade"))
	assert.Equal(t, true, primary.In("applyImmediately"))
	params := stacktest.One(t, res, "aws:rds/parameterGroup:ParameterGroup", "-db-params")
	assert.Equal(t, "postgres17", params.In("family"), "the parameter group is the target major's")

	minor := stacktest.One(t, stacktest.Run(t, "prod", map[string]any{"database.upgrade.targetVersion": "17.7"}), instanceType, "-db-primary")
	assert.Equal(t, false, minor.In("allowMajorVersionUpgrade"))
	assert.Equal(t, "17.7", minor.In("engineVersion"))

	inPlace := stacktest.One(t, stacktest.Run(t, "staging", map[string]any{"database.engineVersion": "16.11", "database.upgrade.targetVersion": "17.7", "database.upgrade.method": "inPlace"}), instanceType, "-db-primary")
	assert.False(t, inPlace.Has("blueGreenUpdate"), "in place: RDS upgrades the instances where they run")
	assert.Equal(t, true, inPlace.In("allowMajorVersionUpgrade"))
}

// The preflight asks RDS for the running version's valid upgrade targets and refuses any other.
func TestDatabaseUpgradePreflightAsksRDS(t *testing.T) {
	_, err := harness.Run(program.Build, harness.Options{Stack: "prod", Secrets: harness.DefaultSecrets(),
		Set:               map[string]any{"database.engineVersion": "16.11", "database.upgrade.targetVersion": "17.7"},
		RDSUpgradeTargets: map[string][]string{"16.11": {"16.12", "17.8"}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `database.upgrade.targetVersion="17.7" is not a valid upgrade target of postgres 16.11 (database.engineVersion) in RDS; RDS allows: 16.12, 17.8`)
	assert.Equal(t, []string{"17.7"}, catalog.PostgresUpgradeTargets("17.6"), "the mock's answer: every newer offered version")
}

func TestDatabaseUpgradeRefusesWhatRDSWouldFailHalfway(t *testing.T) {
	for name, c := range map[string]struct {
		stack string
		set   map[string]any
		want  string
	}{
		"a downgrade":            {"prod", map[string]any{"database.upgrade.targetVersion": "16.11"}, `database.upgrade.targetVersion="16.11" is not newer than database.engineVersion="17.6": RDS never downgrades`},
		"the running version":    {"prod", map[string]any{"database.upgrade.targetVersion": "17.6"}, `is not newer than database.engineVersion="17.6"`},
		"a version not offered":  {"prod", map[string]any{"database.upgrade.targetVersion": "17.2"}, `database.upgrade.targetVersion="17.2" is not a version RDS offers`},
		"an unknown major":       {"prod", map[string]any{"database.upgrade.targetVersion": "19.1"}, `database.upgrade.targetVersion="19.1" has an unsupported major`},
		"in place in prod":       {"prod", map[string]any{"database.engineVersion": "16.11", "database.upgrade.targetVersion": "17.7", "database.upgrade.method": "inPlace"}, `database.upgrade.method="inPlace" is refused for a major upgrade (16.11 to 17.7) in prod`},
		"a cross-region replica": {"prod", map[string]any{"database.upgrade.targetVersion": "17.7", "dr.replica.enabled": true}, `RDS Blue/Green deployments do not support cross-Region read replicas`},
		"an unknown method":      {"staging", map[string]any{"database.upgrade.method": "dumpAndRestore"}, `database.upgrade.method="dumpAndRestore"`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := stackfile.LoadTyped(harness.Options{Stack: c.stack, Secrets: harness.DefaultSecrets(), Set: c.set}, config.LoadOptions{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// A created cluster moves one minor at a time: the preflight reads the running version, refuses a
// skip and a downgrade, and the nodes and add-ons follow the control plane.
func TestEKSUpgradesOneMinorAtATime(t *testing.T) {
	run := func(live string) (*harness.Result, error) {
		opts := harness.Options{Stack: "sandbox", Secrets: harness.DefaultSecrets()}
		if live != "" {
			opts.CreatedClusters = map[string]string{"langgraph-sandbox": live}
		}
		return harness.Run(program.Build, opts)
	}
	for _, live := range []string{"", "1.35", "1.34"} {
		res, err := run(live)
		require.NoError(t, err, "running %q, sandbox wants 1.35", live)
		cluster := stacktest.One(t, res, clusterType, "-eks")
		assert.Equal(t, "1.35", cluster.In("version"))
		nodes := stacktest.One(t, res, "aws:eks/nodeGroup:NodeGroup", "-eks-system")
		assert.Equal(t, "1.35", nodes.In("version"))
		assert.Contains(t, nodes.PropertyDependencies["version"], cluster.URN, "the nodes take the control plane's version, after its update")
		for _, a := range res.ByType("aws:eks/addon:Addon") {
			assert.Equal(t, catalog.EKSVersions["1.35"].Addons[a.In("addonName").(string)], a.In("addonVersion"), a.Name)
			assert.Contains(t, a.PropertyDependencies["clusterName"], cluster.URN, "%s moves after the control plane", a.Name)
		}
	}
	_, err := run("1.33")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `cluster.create.version="1.35" skips a minor: cluster "langgraph-sandbox" runs 1.33, and EKS upgrades one minor at a time; set 1.34, run pulumi up, then 1.35`)
	_, err = run("1.36")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `cluster.create.version="1.35" is older than the running cluster "langgraph-sandbox" (1.36): EKS never downgrades`)
	assert.True(t, strings.HasPrefix(catalog.NextEKSVersion("1.9"), "1.10"))
}
