// Package program is the Pulumi program: it loads the stack's configuration and wires the
// components. main.go runs it with the real engine; internal/harness runs the same function on
// the mock engine for tests, cmd/synth and the policy checks.
package program

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/capacity"
	"github.com/langgraph-platform/infra/catalog"
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
	"github.com/langgraph-platform/infra/dashboards"
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
	vpc := pulumi.String(cfg.Cluster.VPCID)
	subnets := pulumi.ToStringArray(cfg.Cluster.PrivateSubnetIDs)
	clusterGroups := pulumi.ToStringArray(cfg.Cluster.SecurityGroupIDs)

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
		AvailabilityZones:                zones.Names,
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
		AvailabilityZones:       zones.Names,
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

	k8s, err := KubernetesProvider(ctx, cfg)
	if err != nil {
		return nil, err
	}
	addons, err := clusteraddons.New(ctx, prefix+"-addons", AddonsArgs(cfg, account), pulumi.Providers(k8s))
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
	monArgs, err := MonitoringArgs(cfg, db, redis)
	if err != nil {
		return nil, err
	}
	mon, err := monitoring.New(ctx, prefix+"-monitoring", monArgs, pulumi.Providers(k8s))
	if err != nil {
		return nil, err
	}
	dpArgs := DataplaneArgs(cfg, db, redis, front)
	dpArgs.After = []pulumi.Resource{addons.IngressReady, mon.CRDs}
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
	return outputs, nil
}

// recoveryReplica places the cross-region read replica when dr.replica asks for one.
func recoveryReplica(cfg *config.Config, region *recovery.Region) *database.RecoveryReplica {
	if region == nil || !cfg.DR.Replica.Enabled {
		return nil
	}
	r := cfg.DR.Replica
	return &database.RecoveryReplica{Provider: region.Provider, KMSKeyID: region.KeyARN, SubnetIDs: r.SubnetIDs, SecurityGroupIDs: r.SecurityGroupIDs}
}

// RecoveryArgs maps the dr settings and the data tier's and edge's outputs onto the recovery set.
func RecoveryArgs(cfg *config.Config, account awsbase.Account, region *recovery.Region, db *database.Database, front *edge.Edge) recovery.Args {
	r := cfg.DR
	return recovery.Args{
		Name: "langgraph-" + cfg.Environment, Account: account,
		Recovery: region.Provider, RecoveryName: region.Name, RecoveryKey: region.KeyARN,
		DatabaseARN: db.ARN, RetentionDays: r.BackupRetentionDays,
		BackupSchedule: r.BackupSchedule, DrillSchedule: r.DrillSchedule, DrillTimeZone: r.DrillTimeZone,
		AccessLogBucket: front.AccessLogBucket, AccessLogBucketARN: front.AccessLogBucketARN,
		AccessLogExpireDays: cfg.Ingress.AccessLogRetentionDays,
		AccessLogTags:       edge.AuditTags(Tags(cfg)),
		TopicARN:            db.EventTopicARN, Tags: Tags(cfg),
	}
}

// StackTag is the tag that tells this stack's resources from every other's in the account: the
// budget and the anomaly monitor filter on it.
const StackTag = "Stack"

// BudgetArgs maps the cost configuration onto the budget and its anomaly alerts.
func BudgetArgs(cfg *config.Config, db *database.Database) budget.Args {
	b := cfg.Cost.Budget
	args := budget.Args{
		Name: "langgraph-" + cfg.Environment, AmountUSD: b.MonthlyUSD,
		TagKey: StackTag, TagValue: Tags(cfg)[StackTag], TopicARN: db.EventTopicARN,
		Emails: b.Emails, AnomalyUSD: b.AnomalyThresholdUSD, Tags: Tags(cfg),
	}
	if b.ActivateTags {
		args.ActivateTags = []string{StackTag, "Environment", "Project"}
	}
	return args
}

// AlarmThresholds are the CloudWatch alarms' thresholds: the keys the Prometheus rules read too
// (alerts.errorRatePercent, avgResponseSeconds, dbPoolPercent, cacheMemoryPercent) and the data
// tier's own.
func AlarmThresholds(cfg *config.Config) alarms.Thresholds {
	a := cfg.Alerts
	return alarms.Thresholds{
		ErrorRatio:         a.ErrorRatePercent / 100,
		AvgResponseSeconds: a.AvgResponseSeconds,
		DBConnectionsRatio: a.DBPoolPercent / 100,
		CacheMemoryRatio:   a.CacheMemoryPercent / 100,
		CPURatio:           a.DataTierCPUPercent / 100,
		FreeStorageRatio:   a.DatabaseFreeStoragePercent / 100,
		FreeMemoryRatio:    a.DatabaseFreeMemoryPercent / 100,
		ReplicaLagSeconds:  a.ReplicaLagSeconds,
		WAFBlockedRequests: a.WAFBlockedRequests,
	}
}

// AlarmsArgs maps the configuration and the AWS components' outputs onto the alarms.
func AlarmsArgs(cfg *config.Config, db *database.Database, redis *cache.Cache, front *edge.Edge, loadBalancer pulumi.StringInput, region string) alarms.Args {
	d := cfg.Database
	return alarms.Args{
		Prefix:     "langgraph-" + cfg.Environment,
		TopicARN:   db.EventTopicARN,
		Thresholds: AlarmThresholds(cfg),
		Database: alarms.Database{
			Identifier: db.Identifier, ReplicaIdentifiers: db.ReplicaIdentifiers, Replicas: d.ReadReplicas,
			AllocatedStorageGB: d.AllocatedStorageGB, MemoryGiB: catalog.RDSInstanceMemoryGiB[d.InstanceClass], MaxConnections: d.MaxConnections(),
		},
		Cache: alarms.Cache{MemberClusters: redis.MemberClusters, Nodes: cfg.Cache.Nodes},
		Edge:  alarms.Edge{Region: region, WebACLName: front.WebACLName, LoadBalancer: loadBalancer},
		Tags:  Tags(cfg),
	}
}

// EdgeArgs maps the ingress and auth settings onto the WAF and the access-log bucket.
func EdgeArgs(cfg *config.Config, account awsbase.Account) edge.Args {
	args := edge.Args{
		Account:                account,
		RateLimit:              cfg.Ingress.WAFRateLimit,
		AccessLogRetentionDays: cfg.Ingress.AccessLogRetentionDays,
		LogRetentionDays:       cfg.Ingress.WAFLogRetentionDays,
		CredentialHeader:       cfg.Auth.Header,
		ClientRateLimit:        cfg.Ingress.WAFClientRateLimit,
		Tags:                   Tags(cfg),
	}
	if cfg.Auth.Enabled() {
		args.RequireCredentialOn = edge.APIRoutePrefixes
	}
	return args
}

// seconds is a duration as a stack output: -1 for "never" (state is JSON, which has no infinity).
func seconds(v float64) pulumi.Float64Output {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		v = -1
	}
	return pulumi.Float64(v).ToFloat64Output()
}

// AddonsArgs maps the configuration onto the cluster add-ons; a switched-off add-on is nil.
func AddonsArgs(cfg *config.Config, account awsbase.Account) clusteraddons.Args {
	a := cfg.Addons
	args := clusteraddons.Args{ClusterName: cfg.Cluster.Name, VPCID: cfg.Cluster.VPCID, Account: account, Tags: Tags(cfg)}
	if a.MetricsServer.Enabled {
		args.MetricsServer = &clusteraddons.MetricsServer{ChartVersion: a.MetricsServer.ChartVersion, Replicas: a.MetricsServer.Replicas}
	}
	if l := a.LoadBalancerController; l.Enabled {
		args.LoadBalancerController = &clusteraddons.LoadBalancerController{
			ChartVersion: l.ChartVersion, Replicas: l.Replicas, Identity: l.Identity, OIDCIssuerURL: l.OIDCIssuerURL,
		}
	}
	if f := a.FluentBit; f.Enabled {
		l := a.LoadBalancerController
		args.FluentBit = &clusteraddons.FluentBit{
			ChartVersion: f.ChartVersion, RetentionDays: f.LogRetentionDays, LogGroupPrefix: ContainerLogGroupPrefix(cfg),
			Namespaces: LoggedNamespaces(cfg), Identity: l.Identity, OIDCIssuerURL: l.OIDCIssuerURL,
		}
	}
	if p := a.PrometheusAdapter; p.Enabled {
		args.PrometheusAdapter = &clusteraddons.PrometheusAdapter{
			ChartVersion: p.ChartVersion, Replicas: p.Replicas,
			PrometheusURL: monitoring.PrometheusURL(cfg.Monitoring.Namespace), PrometheusPort: monitoring.PrometheusPort,
			QueueSeries: monitoring.SeriesPendingRuns,
		}
	}
	return args
}

// ContainerLogGroupPrefix is where the stack's container logs go: <prefix>/<namespace>.
func ContainerLogGroupPrefix(cfg *config.Config) string {
	return "/langgraph/" + cfg.Environment + "/containers"
}

// LoggedNamespaces are the namespaces whose containers' logs Fluent Bit ships: the dataplane's,
// the monitoring stack's, node-exporter's and kube-system (the add-ons).
func LoggedNamespaces(cfg *config.Config) []string {
	return []string{cfg.Dataplane.Namespace, cfg.Monitoring.Namespace, cfg.Monitoring.NodeExporterNamespace, clusteraddons.Namespace}
}

// KubernetesProvider is the one explicit provider every Kubernetes resource uses: the kubeconfig
// from secret config when set, else the ambient kubeconfig with cluster.kubeContext.
func KubernetesProvider(ctx *pulumi.Context, cfg *config.Config) (*kubernetes.Provider, error) {
	args := &kubernetes.ProviderArgs{}
	if cfg.Secrets.Kubeconfig.IsSet() {
		args.Kubeconfig = cfg.Secrets.Kubeconfig.Output()
	}
	if cfg.Cluster.KubeContext != "" {
		args.Context = pulumi.String(cfg.Cluster.KubeContext)
	}
	return kubernetes.NewProvider(ctx, "k8s-"+cfg.Cluster.Name, args)
}

// DataplaneArgs maps the configuration and the data tier's outputs onto the dataplane.
func DataplaneArgs(cfg *config.Config, db *database.Database, redis *cache.Cache, front *edge.Edge) dataplane.Args {
	d, h := cfg.Dataplane, cfg.HPA
	res := func(r config.Resources) dataplane.Resources {
		return dataplane.Resources{CPURequest: r.CPURequest, MemoryRequest: r.MemoryRequest, CPULimit: r.CPULimit, MemoryLimit: r.MemoryLimit}
	}
	rule := func(r config.ScalingRule) dataplane.ScalingRule {
		return dataplane.ScalingRule{Pods: r.Pods, PeriodSeconds: r.PeriodSeconds, StabilizationWindowSeconds: r.StabilizationWindowSeconds}
	}
	var queueMetric *dataplane.QueueMetric
	if cfg.QueueMetricActive() {
		queueMetric = &dataplane.QueueMetric{Name: clusteraddons.QueueMetric, PendingRunsPerPod: h.PendingRunsPerPod}
	}
	var queue *dataplane.Queue
	if d.Queue.Enabled {
		queue = &dataplane.Queue{MinReplicas: d.Queue.MinReplicas, MaxReplicas: d.Queue.MaxReplicas, Resources: res(d.Queue.Resources)}
	}
	conns := dataplane.Connections{PostgresURI: db.URI, PostgresReaderURI: db.ReaderURI, RedisURI: redis.URI}
	if cfg.Secrets.LangSmithAPIKey.IsSet() {
		conns.LangSmithAPIKey = cfg.Secrets.LangSmithAPIKey.Output()
	} else {
		conns.LicenseKey = cfg.Secrets.LangGraphLicenseKey.Output()
	}
	return dataplane.Args{
		Namespace:                     d.Namespace,
		Instance:                      "langgraph-" + cfg.Environment,
		Image:                         d.Image.Reference(),
		Version:                       d.Image.Version(),
		Resources:                     res(d.Resources),
		JobsPerWorker:                 d.JobsPerWorker,
		DBPoolMaxSize:                 d.DBPoolMaxSize,
		TerminationGracePeriodSeconds: d.TerminationGracePeriodSeconds,
		PreStopSeconds:                d.PreStopSeconds,
		Autoscaling: dataplane.Autoscaling{
			MinReplicas: h.MinReplicas, MaxReplicas: h.MaxReplicas,
			CPUUtilization: h.CPUUtilization, MemoryUtilization: h.MemoryUtilization,
			ScaleUp: dataplane.ScalingRule{Pods: h.ScaleUp.Pods, Percent: h.ScaleUp.Percent, PeriodSeconds: h.ScaleUp.PeriodSeconds,
				StabilizationWindowSeconds: h.ScaleUp.StabilizationWindowSeconds},
			ScaleDown:   rule(h.ScaleDown),
			QueueMetric: queueMetric,
		},
		EmergencyReplicas:     d.EmergencyReplicas,
		Schedules:             schedules(h.Schedules),
		ScheduleImage:         h.ScheduleImage,
		PDBMaxUnavailable:     d.PDBMaxUnavailable,
		Queue:                 queue,
		ServiceAccountRoleARN: d.ServiceAccountRoleARN,
		Auth:                  DataplaneAuth(cfg),
		Ingress: dataplane.Ingress{
			ClassName: clusteraddons.IngressClass,
			Host:      cfg.Ingress.Host, CertificateARN: cfg.Ingress.CertificateARN, Scheme: cfg.Ingress.Scheme,
			SSLPolicy: cfg.Ingress.SSLPolicy, IdleTimeoutSeconds: cfg.Ingress.IdleTimeoutSeconds,
			MaintenanceMode: d.MaintenanceMode, AccessLogBucket: front.AccessLogBucket, AccessLogPrefix: cfg.Environment,
			WebACLARN: front.WebACLARN, DeletionProtection: cfg.Production(), Tags: Tags(cfg),
		},
		Network: dataplane.Network{
			LoadBalancerCIDRs:   cfg.Cluster.LoadBalancerSubnetCIDRs,
			DataStoreCIDRs:      cfg.Cluster.PrivateSubnetCIDRs,
			HTTPSEgressCIDRs:    d.LLMEgressCIDRs,
			MonitoringNamespace: cfg.Monitoring.Namespace,
			DatabasePort:        database.Port,
			CachePort:           cache.Port,
		},
		Connections:          conns,
		ServiceMonitorLabels: monitoring.SelectorLabels(),
	}
}

func schedules(in []config.Schedule) []dataplane.Schedule {
	var out []dataplane.Schedule
	for _, s := range in {
		out = append(out, dataplane.Schedule{Cron: s.Cron, TimeZone: s.TimeZone, MinReplicas: s.MinReplicas})
	}
	return out
}

// DataplaneAuth maps auth.* onto the server's LANGGRAPH_AUTH_TYPE and LangSmith settings.
func DataplaneAuth(cfg *config.Config) dataplane.Auth {
	a := cfg.Auth
	switch a.Mode {
	case config.AuthLangSmith:
		return dataplane.Auth{Type: dataplane.AuthTypeLangSmith, LangSmithEndpoint: a.LangSmithAuthEndpoint, LangSmithTenantID: a.LangSmithTenantID}
	case config.AuthCustom:
		return dataplane.Auth{Type: dataplane.AuthTypeCustom}
	default:
		return dataplane.Auth{Type: dataplane.AuthTypeNoop, UnauthenticatedReason: a.AcceptUnauthenticated}
	}
}

// MonitoringArgs maps the configuration and the data tier's outputs onto the monitoring stack.
func MonitoringArgs(cfg *config.Config, db *database.Database, redis *cache.Cache) (monitoring.Args, error) {
	m := cfg.Monitoring
	thresholds := MonitoringThresholds(cfg)
	dashboard, err := dashboards.DataplaneJSON(thresholds)
	if err != nil {
		return monitoring.Args{}, err
	}
	crdVersion, ok := catalog.OperatorCRDVersion(m.ChartVersion)
	if !ok { // config refuses it; a component invariant all the same
		return monitoring.Args{}, fmt.Errorf("monitoring.chartVersion=%q has no known prometheus-operator CRD version", m.ChartVersion)
	}
	network := monitoring.Network{
		NodeCIDRs: cfg.Cluster.PrivateSubnetCIDRs, DataStoreCIDRs: cfg.Cluster.PrivateSubnetCIDRs,
		DatabasePort: database.Port, CachePort: cache.Port, ScrapePorts: []int{dataplane.MetricsPort},
	}
	if cfg.Addons.PrometheusAdapter.Enabled {
		network.AdapterNamespace = clusteraddons.Namespace
	}
	args := monitoring.Args{
		Namespace:                    m.Namespace,
		CRDVersion:                   crdVersion,
		NodeExporterNamespace:        m.NodeExporterNamespace,
		Network:                      network,
		Instance:                     "langgraph-" + cfg.Environment,
		ChartVersion:                 m.ChartVersion,
		PostgresExporterChartVersion: m.PostgresExporterChartVersion,
		RedisExporterChartVersion:    m.RedisExporterChartVersion,
		StorageClass:                 m.StorageClass,
		CreateStorageClass:           m.CreateStorageClass,
		PrometheusReplicas:           m.PrometheusReplicas,
		PrometheusRetention:          m.PrometheusRetention,
		PrometheusStorageGB:          m.PrometheusStorageGB,
		AlertmanagerReplicas:         m.AlertmanagerReplicas,
		GrafanaReplicas:              m.GrafanaReplicas,
		Scope:                        MonitoringScope(cfg),
		Thresholds:                   thresholds,
		Dashboards:                   map[string][]byte{dashboards.DataplaneFile: dashboard},
		DatabaseURI:                  db.URI,
		RedisAddress:                 pulumi.Sprintf("%s:%d", redis.PrimaryEndpoint, cache.Port),
		RedisAuthToken:               redis.AuthToken,
	}
	if cfg.Secrets.SlackWebhookURL.IsSet() {
		args.SlackWebhookURL = cfg.Secrets.SlackWebhookURL.Output()
	}
	if cfg.Secrets.PagerDutyRoutingKey.IsSet() {
		args.PagerDutyRoutingKey = cfg.Secrets.PagerDutyRoutingKey.Output()
	}
	if cfg.Secrets.HeartbeatURL.IsSet() {
		args.HeartbeatURL = cfg.Secrets.HeartbeatURL.Output()
	}
	return args, nil
}

// MonitoringScope names what the rules watch: the dataplane's namespace, container, HPA and
// the scrape jobs (a ServiceMonitor's job is its Service's name).
func MonitoringScope(cfg *config.Config) monitoring.Scope {
	return monitoring.Scope{
		Namespace:  cfg.Dataplane.Namespace,
		Container:  dataplane.ContainerName,
		HPA:        dataplane.Name,
		Jobs:       []string{dataplane.Name, monitoring.PostgresExporter, monitoring.RedisExporter},
		RunbookURL: cfg.Monitoring.RunbookBaseURL,
	}
}

// MonitoringThresholds converts the configured alert thresholds and KPI targets (percentages)
// into the fractions and seconds the rules compare with.
func MonitoringThresholds(cfg *config.Config) monitoring.Thresholds {
	a, k := cfg.Alerts, cfg.KPI
	return monitoring.Thresholds{
		ErrorRatio:               a.ErrorRatePercent / 100,
		AvgResponseSeconds:       a.AvgResponseSeconds,
		PodResourceRatio:         a.PodResourcePercent / 100,
		DBPoolRatio:              a.DBPoolPercent / 100,
		QueueDepth:               a.QueueDepth,
		CacheMemoryRatio:         a.CacheMemoryPercent / 100,
		InfraCostPerHour:         infraCostPerHour(cfg),
		SuccessRatio:             k.SuccessRatePercent / 100,
		TargetAvgResponseSeconds: k.AvgResponseSeconds,
		P95ResponseSeconds:       k.P95ResponseSeconds,
		QueueWaitSeconds:         k.QueueWaitSeconds,
		TargetErrorRatio:         k.ErrorRatePercent / 100,
		CPURatio:                 k.CPUPercent / 100,
		MemoryRatio:              k.MemoryPercent / 100,
	}
}

// infraCostPerHour is the expected month's AWS estimate per hour; Build has already refused a
// stack the model cannot price, so an error here leaves the panel's line at 0.
func infraCostPerHour(cfg *config.Config) float64 {
	e, err := sizing.Cost(cfg, sizing.Report(cfg))
	if err != nil {
		return 0
	}
	return math.Round(e.Expected/cost.HoursPerMonth*100) / 100
}

// The cost estimate's files in a rendering: the table, and the JSON the offline diff compares.
const (
	CostTableFile = "cost.md"
	CostFile      = "cost.json"
)

// Artifacts are the files a stack produces besides its resources: the plain Prometheus rule file
// (what promtool checks) and the dashboards' JSON. cmd/synth writes them.
func Artifacts(cfg *config.Config, report capacity.Report) (map[string][]byte, error) {
	thresholds := MonitoringThresholds(cfg)
	rules, err := monitoring.RuleFile(MonitoringScope(cfg), thresholds)
	if err != nil {
		return nil, err
	}
	dashboard, err := dashboards.DataplaneJSON(thresholds)
	if err != nil {
		return nil, err
	}
	estimate, err := sizing.Cost(cfg, report)
	if err != nil {
		return nil, err
	}
	costJSON, err := json.MarshalIndent(estimate, "", "  ")
	if err != nil {
		return nil, err
	}
	return map[string][]byte{
		"capacity.md":                            []byte("# Capacity of stack " + cfg.Stack + "\n\n" + report.Table()),
		CostTableFile:                            []byte("# Monthly cost of stack " + cfg.Stack + " (" + estimate.Region + ", on-demand list prices)\n\n" + estimate.Table()),
		CostFile:                                 append(costJSON, '\n'),
		"monitoring/langgraph.rules.yaml":        rules,
		"dashboards/" + dashboards.DataplaneFile: dashboard,
	}, nil
}
