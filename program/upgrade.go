package program

// The upgrade preflights: what RDS and EKS allow from what runs now, asked before anything moves.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/config"
)

// upgradePreflight refuses an upgrade the services would refuse halfway: a database target
// that RDS does not list as a valid upgrade of the running version, and a created cluster's
// version that skips a minor or goes back.
func upgradePreflight(ctx *pulumi.Context, cfg *config.Config) error {
	var problems []error
	if d := cfg.Database; d.Upgrading() {
		found, err := rds.GetEngineVersion(ctx, &rds.GetEngineVersionArgs{Engine: "postgres", Version: pulumi.StringRef(d.EngineVersion)})
		if err != nil {
			return fmt.Errorf("preflight: asking RDS for the upgrade targets of postgres %s: %w", d.EngineVersion, err)
		}
		if !slices.Contains(found.ValidUpgradeTargets, d.Upgrade.TargetVersion) {
			problems = append(problems, fmt.Errorf("database.upgrade.targetVersion=%q is not a valid upgrade target of postgres %s (database.engineVersion) in RDS; RDS allows: %s",
				d.Upgrade.TargetVersion, d.EngineVersion, strings.Join(found.ValidUpgradeTargets, ", ")))
		}
	}
	if cfg.Cluster.Mode == config.ModeCreate {
		live, err := liveClusterVersion(ctx, cfg.Cluster.Name)
		if err != nil {
			return err
		}
		want := cfg.Cluster.Create.Version
		switch {
		case live == "" || live == want:
		case catalog.CompareVersions(want, live) < 0:
			problems = append(problems, fmt.Errorf("cluster.create.version=%q is older than the running cluster %q (%s): EKS never downgrades a control plane", want, cfg.Cluster.Name, live))
		case want != catalog.NextEKSVersion(live):
			problems = append(problems, fmt.Errorf("cluster.create.version=%q skips a minor: cluster %q runs %s, and EKS upgrades one minor at a time; set %s, run pulumi up, then %s (README \"Upgrading\")",
				want, cfg.Cluster.Name, live, catalog.NextEKSVersion(live), want))
		}
	}
	if len(problems) > 0 {
		return &config.Error{Stack: cfg.Stack, Problems: problems}
	}
	return nil
}

// liveClusterVersion is the Kubernetes version of the EKS cluster named name, or "" when the
// account has none by that name (a first deployment).
func liveClusterVersion(ctx *pulumi.Context, name string) (string, error) {
	clusters, err := eks.GetClusters(ctx)
	if err != nil {
		return "", fmt.Errorf("preflight: listing EKS clusters: %w", err)
	}
	if !slices.Contains(clusters.Names, name) {
		return "", nil
	}
	found, err := eks.LookupCluster(ctx, &eks.LookupClusterArgs{Name: name})
	if err != nil {
		return "", fmt.Errorf("preflight: reading EKS cluster %q: %w", name, err)
	}
	return found.Version, nil
}
