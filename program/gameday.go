package program

import (
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/alarms"
	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/components/dataplane"
	"github.com/langgraph-platform/infra/components/gameday"
	"github.com/langgraph-platform/infra/config"
)

// GameDayArgs map gameday.* and the targets' outputs onto the drills.
func GameDayArgs(cfg *config.Config, account awsbase.Account, cluster *Cluster, data *dataTier, userFacing pulumi.StringArrayInput, loadBalancer pulumi.StringInput) gameday.Args {
	g := cfg.GameDay
	zone := g.AvailabilityZone
	if zone == "" && len(cluster.AZs) > 0 {
		zone = cluster.AZs[0]
	}
	args := gameday.Args{
		Prefix: Prefix(cfg), Stack: cfg.Stack, Account: account, Drills: g.Drills, Zone: zone,
		DurationMinutes: g.DurationMinutes, PodPercent: g.PodPercent, StopErrorRatio: g.StopErrorPercent / 100,
		LogRetentionDays: g.LogRetentionDays,
		DatabaseARN:      data.db.ARN, ReplicationGroupARN: data.redis.ARN,
		ClusterName: cluster.Name, ClusterNameInput: cluster.NameInput,
		Namespace: cfg.Dataplane.Namespace,
		// The API pods: the ones users' requests reach.
		PodSelector:   "app.kubernetes.io/component=" + dataplane.ComponentAPI,
		DataSubnetIDs: cluster.DataSubnetIDs, VPCID: cluster.VPCID,
		LoadBalancer: loadBalancer, StopAlarmARNs: userFacing, TopicARN: data.notes.TopicARN,
		Tags: Tags(cfg),
	}
	if s := g.Schedule; s.Enabled {
		args.Schedule = &gameday.Schedule{Drill: s.Drill, Expression: s.Expression, TimeZone: s.TimeZone}
	}
	return args
}

// wireGameDay creates the drills and, for the pod drills, their access inside the cluster.
func wireGameDay(ctx *pulumi.Context, cfg *config.Config, account awsbase.Account, cluster *Cluster, data *dataTier, kube *kubernetesSide, set *alarms.Alarms, loadBalancer pulumi.StringInput) (*gameday.GameDay, error) {
	prefix := Prefix(cfg)
	args := GameDayArgs(cfg, account, cluster, data, set.UserFacingARNs, loadBalancer)
	zonal := cfg.GameDay.HasDrill(catalog.DrillCacheAZPower) || cfg.GameDay.HasDrill(catalog.DrillAZNetworkLoss)
	if zonal && (len(cluster.AZs) < 2 || !slices.Contains(cluster.AZs, args.Zone)) {
		return nil, &config.Error{Stack: cfg.Stack, Problems: []error{fmt.Errorf(
			"gameday.availabilityZone=%q: the zonal drills (cacheAzPower, azNetworkLoss) need a zone of the data tier's %v, and at least two of them", args.Zone, cluster.AZs)}}
	}
	g, err := gameday.New(ctx, prefix+"-gameday", args)
	if err != nil {
		return nil, err
	}
	if cfg.GameDay.HasPodDrill() {
		labels := maps.Clone(dataplane.Labels(prefix, cfg.Dataplane.Image.Version(), "gameday"))
		if _, err := gameday.NewPodAccess(ctx, prefix+"-gameday-pods", gameday.PodAccessArgs{Namespace: kube.dp.Namespace, Labels: labels},
			pulumi.Providers(kube.provider)); err != nil {
			return nil, err
		}
	}
	return g, nil
}
