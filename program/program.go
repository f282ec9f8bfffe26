// Package program is the Pulumi program: it loads the stack's configuration and wires the
// components. main.go runs it with the real engine; internal/harness runs the same function on
// the mock engine for tests, cmd/synth and the policy checks.
package program

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/capacity"
	"github.com/langgraph-platform/infra/components/alarms"
	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/components/budget"
	"github.com/langgraph-platform/infra/components/cache"
	"github.com/langgraph-platform/infra/components/clusteraddons"
	"github.com/langgraph-platform/infra/components/database"
	"github.com/langgraph-platform/infra/components/dataplane"
	"github.com/langgraph-platform/infra/components/edge"
	"github.com/langgraph-platform/infra/components/monitoring"
	"github.com/langgraph-platform/infra/components/recovery"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/cost"
	"github.com/langgraph-platform/infra/program/sizing"
)

// Run is the program main.go hands to pulumi.Run.
func Run(ctx *pulumi.Context) error {
	outputs, err := Build(ctx)
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(outputs)) {
		ctx.Export(name, outputs[name])
	}
	return nil
}

// Build loads and validates the configuration, wires the components, and returns the stack outputs.
func Build(ctx *pulumi.Context) (map[string]pulumi.Output, error) {
	cfg, err := config.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	report := sizing.Report(cfg)
	if err := sizing.Gate(cfg, report); err != nil {
		return nil, err
	}
	if cfg.Capacity.AcceptRisk != "" && len(report.Failed()) > 0 {
		if err := ctx.Log.Warn(fmt.Sprintf("capacity: %d check(s) fail; deploying anyway because capacity.acceptRisk says: %s", len(report.Failed()), cfg.Capacity.AcceptRisk), nil); err != nil {
			return nil, err
		}
	}
	estimate, err := sizing.Cost(cfg, report)
	if err != nil {
		return nil, &config.Error{Stack: cfg.Stack, Problems: []error{err}}
	}
	if err := sizing.CostGate(cfg, estimate); err != nil {
		return nil, err
	}
	if b := cfg.Cost.Budget; b.MonthlyUSD < estimate.Idle {
		if err := ctx.Log.Warn(fmt.Sprintf("cost.budget.monthlyUsd=%g is below the idle estimate of $%.0f a month: the budget will alarm every month. Accepted because: %s", b.MonthlyUSD, estimate.Idle, b.BelowEstimateReason), nil); err != nil {
			return nil, err
		}
	}
	return Wire(ctx, cfg, report, estimate)
}

// Tags are the tags every taggable AWS resource carries.
func Tags(cfg *config.Config) map[string]string {
	return map[string]string{
		"Environment": cfg.Environment,
		"Project":     cfg.Tags.Project,
		"Owner":       cfg.Tags.Owner,
		"CostCenter":  cfg.Tags.CostCenter,
		"ManagedBy":   "pulumi",
		StackTag:      cfg.Tags.Project + "/" + cfg.Stack,
	}
}

// Wire creates every component from a validated configuration and its capacity report.
func Wire(ctx *pulumi.Context, cfg *config.Config, report capacity.Report, estimate cost.Estimate) (map[string]pulumi.Output, error) {
	prefix := "langgraph-" + cfg.Environment
	tags := Tags(cfg)

	identity, err := aws.GetCallerIdentity(ctx, nil)
	if err != nil {
		return nil, err
	}
	partition, err := aws.GetPartition(ctx, nil)
	if err != nil {
		return nil, err
	}
	region, err := aws.GetRegion(ctx, nil)
	if err != nil {
		return nil, err
	}
	zones, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{State: pulumi.StringRef("available")})
	if err != nil {
		return nil, err
	}
	account := awsbase.Account{ID: identity.AccountId, Partition: partition.Partition, Region: region.Name}
	cluster, err := ResolveCluster(ctx, cfg, account, zones.Names)
	if err != nil {
		return nil, err
	}
	warnings, err := Preflight(ctx, cfg, cluster)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		if err := ctx.Log.Warn(w, nil); err != nil {
			return nil, err
		}
	}
	vpc, subnets, clusterGroups := cluster.VPCID, cluster.DataSubnetIDs, cluster.SecurityGroupIDs

	// The recovery region first: the data tier's secrets replicate under its key.
	var recoveryRegion *recovery.Region
	var secretReplica *awsbase.SecretReplica
	if cfg.DR.Enabled {
		recoveryRegion, err = recovery.NewRegion(ctx, prefix+"-recovery-region", recovery.RegionArgs{Region: cfg.DR.Region, Account: account, Tags: tags})
		if err != nil {
			return nil, err
		}
		secretReplica = &awsbase.SecretReplica{Region: cfg.DR.Region, KMSKeyID: recoveryRegion.KeyARN}
	}

	d := cfg.Database
	var restore *database.Restore
	if d.Restore != nil {
		restore = &database.Restore{
			SourceInstanceIdentifier:  d.Restore.SourceInstanceIdentifier,
			SourceAutomatedBackupsARN: d.Restore.SourceAutomatedBackupsARN,
			RestoreTime:               d.Restore.RestoreTime,
			UseLatestRestorableTime:   d.Restore.UseLatestRestorableTime,
		}
	}
	db, err := database.New(ctx, prefix+"-db", database.Args{
		Account:                          account,
		VPCID:                            vpc,
		SubnetIDs:                        subnets,
		AllowedSecurityGroupIDs:          clusterGroups,
		AvailabilityZones:                cluster.AZs,
		EngineVersion:                    d.EngineVersion,
		InstanceClass:                    d.InstanceClass,
		AllocatedStorageGB:               d.AllocatedStorageGB,
		MaxAllocatedStorageGB:            d.MaxAllocatedStorageGB,
		MultiAZ:                          d.MultiAZ,
		ReadReplicas:                     d.ReadReplicas,
		DatabaseName:                     d.DatabaseName,
		MasterUsername:                   d.MasterUsername,
		BackupRetentionDays:              d.BackupRetentionDays,
		BackupWindow:                     d.BackupWindow,
		MaintenanceWindow:                d.MaintenanceWindow,
		DeletionProtection:               d.DeletionProtection,
		PerformanceInsightsRetentionDays: d.PerformanceInsightsRetentionDays,
		MonitoringIntervalSeconds:        d.MonitoringIntervalSeconds,
		LogMinDurationStatementMs:        d.LogMinDurationStatementMs,
		MaxConnections:                   d.MaxConnections(),
		EventEmails:                      d.EventEmails,
		Restore:                          restore,
		Protect:                          cfg.Production(),
		Tags:                             tags,
		SecretReplica:                    secretReplica,
		RecoveryReplica:                  recoveryReplica(cfg, recoveryRegion),
	})
	if err != nil {
		return nil, err
	}

	k := cfg.Cache
	redis, err := cache.New(ctx, prefix+"-cache", cache.Args{
		Account:                 account,
		VPCID:                   vpc,
		SubnetIDs:               subnets,
		AllowedSecurityGroupIDs: clusterGroups,
		AvailabilityZones:       cluster.AZs,
		Engine:                  k.Engine,
		EngineVersion:           k.EngineVersion,
		Family:                  k.ParameterGroupFamily(),
		NodeType:                k.NodeType,
		Nodes:                   k.Nodes,
		MaxmemoryPolicy:         k.MaxmemoryPolicy,
		SnapshotRetentionDays:   k.SnapshotRetentionDays,
		SnapshotWindow:          k.SnapshotWindow,
		MaintenanceWindow:       k.MaintenanceWindow,
		FinalSnapshot:           cfg.Production(),
		LogRetentionDays:        k.LogRetentionDays,
		Protect:                 cfg.Production(),
		Tags:                    tags,
		SecretReplica:           secretReplica,
	})
	if err != nil {
		return nil, err
	}

	k8s, err := KubernetesProvider(ctx, cfg, cluster)
	if err != nil {
		return nil, err
	}
	addons, err := clusteraddons.New(ctx, prefix+"-addons", AddonsArgs(cfg, account, cluster), pulumi.Providers(k8s))
	if err != nil {
		return nil, err
	}
	if cfg.HPA.QueueScaling && !cfg.QueueMetricActive() {
		// Not silent: the preview shows it. The HPA keeps the seed's CPU and memory metrics.
		if err := ctx.Log.Warn("hpa.queueScaling is on but addons.prometheusAdapter.enabled is false: the dataplane HPA scales on CPU and memory only (no External queue metric)", nil); err != nil {
			return nil, err
		}
	}
	if reason := cfg.Auth.AcceptUnauthenticated; reason != "" {
		// Printed on every preview and update, so nobody forgets the API is open.
		if err := ctx.Log.Warn(fmt.Sprintf("auth.mode is none on an internet-facing ingress: anyone who finds %s can start runs. Accepted because: %s", cfg.Ingress.Host, reason), nil); err != nil {
			return nil, err
		}
	}
	front, err := edge.New(ctx, prefix+"-edge", EdgeArgs(cfg, account))
	if err != nil {
		return nil, err
	}
	// Monitoring first: it applies the operator's CRDs, which the dataplane's ServiceMonitor needs.
	monArgs, err := MonitoringArgs(cfg, cluster, db, redis, estimate)
	if err != nil {
		return nil, err
	}
	mon, err := monitoring.New(ctx, prefix+"-monitoring", monArgs, pulumi.Providers(k8s))
	if err != nil {
		return nil, err
	}
	dpArgs := DataplaneArgs(cfg, cluster, db, redis, front)
	dpArgs.After = []pulumi.Resource{addons.IngressReady}
	dpArgs.ServiceMonitorCRD = mon.CRDs
	dp, err := dataplane.New(ctx, prefix+"-dataplane", dpArgs, pulumi.Providers(k8s))
	if err != nil {
		return nil, err
	}

	// The ALB is the controller's: found by the tag the Ingress puts on it, once it exists.
	// By the name in the Ingress's status when it has one, else by the tag.
	byName := dp.LoadBalancerName.ApplyT(func(n string) *string {
		if n == "" {
			return nil
		}
		return &n
	}).(pulumi.StringPtrOutput)
	byTag := pulumi.All(dp.LoadBalancerName, dp.LoadBalancerTags).ApplyT(func(v []any) map[string]string {
		if v[0].(string) != "" {
			return nil
		}
		return v[1].(map[string]string)
	}).(pulumi.StringMapOutput)
	loadBalancer := lb.LookupLoadBalancerOutput(ctx, lb.LookupLoadBalancerOutputArgs{Name: byName, Tags: byTag})
	awsAlarms, err := alarms.New(ctx, prefix+"-alarms", AlarmsArgs(cfg, db, redis, front, loadBalancer.ArnSuffix(), region.Name))
	if err != nil {
		return nil, err
	}

	guard, err := budget.New(ctx, prefix+"-budget", BudgetArgs(cfg, db))
	if err != nil {
		return nil, err
	}
	drOutputs := map[string]pulumi.Output{}
	if recoveryRegion != nil {
		rec, err := recovery.New(ctx, prefix+"-recovery", RecoveryArgs(cfg, account, recoveryRegion, db, front))
		if err != nil {
			return nil, err
		}
		drOutputs["drReplicatedBackupsArn"] = rec.ReplicatedBackupsARN
		drOutputs["drRecoveryVaultArn"] = rec.RecoveryVaultARN
		drOutputs["drAccessLogReplicaBucket"] = rec.LogReplicaBucket
		drOutputs["drReplicaAddress"] = db.RecoveryReplicaAddress
	}

	outputs := map[string]pulumi.Output{
		"alarmNames":                       awsAlarms.Names,
		"budgetName":                       guard.BudgetName,
		"costMonthlyIdleUsd":               pulumi.Float64(math.Round(estimate.Idle)).ToFloat64Output(),
		"costMonthlyExpectedUsd":           pulumi.Float64(math.Round(estimate.Expected)).ToFloat64Output(),
		"capacityRunsInProgress":           pulumi.Float64(report.OfferedLoad).ToFloat64Output(),
		"capacityRunSlotsAtMax":            pulumi.Int(report.SlotsAtMax).ToIntOutput(),
		"capacityP95QueueWaitSeconds":      pulumi.Float64(report.P95Wait).ToFloat64Output(),
		"capacityDatabaseConnectionsAtMax": pulumi.Int(report.DBConnections).ToIntOutput(),
		"capacityRampSeconds":              seconds(report.Ramp.SecondsToCapacity),
		"capacityStepQueueWaitP95Seconds":  seconds(report.Ramp.WaitP95),
		"capacityFastestRampSeconds":       seconds(report.FastestRampSeconds),
		"dataplaneNamespace":               dp.Namespace,
		"dataplaneHost":                    dp.Host,
		"monitoringNamespace":              mon.Namespace,
		"grafanaAdminPassword":             mon.GrafanaPassword,
		"accessLogBucket":                  front.AccessLogBucket,
		"webAclArn":                        front.WebACLARN,
		"databaseAddress":                  db.Address,
		"databaseReaderAddresses":          db.ReaderAddresses,
		"databasePort":                     db.Port,
		"databaseSecretArn":                db.SecretARN,
		"databaseSecurityGroupId":          db.SecurityGroupID,
		"databaseMaxConnections":           db.MaxConnections,
		"databaseEventTopicArn":            db.EventTopicARN,
		"cachePrimaryEndpoint":             redis.PrimaryEndpoint,
		"cacheReaderEndpoint":              redis.ReaderEndpoint,
		"cachePort":                        redis.Port,
		"cacheSecretArn":                   redis.SecretARN,
		"cacheSecurityGroupId":             redis.SecurityGroupID,
		"loadBalancerControllerRoleArn":    addons.ControllerRoleARN,
		"hpaQueueMetric":                   addons.QueueMetric,
		"containerLogGroups":               addons.LogGroups,
	}
	maps.Copy(outputs, drOutputs)
	maps.Copy(outputs, cluster.Outputs)
	return outputs, nil
}

// seconds is a duration as a stack output: -1 for "never" (state is JSON, which has no infinity).
func seconds(v float64) pulumi.Float64Output {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		v = -1
	}
	return pulumi.Float64(v).ToFloat64Output()
}
