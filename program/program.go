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
	"github.com/langgraph-platform/infra/components/dns"
	"github.com/langgraph-platform/infra/components/edge"
	"github.com/langgraph-platform/infra/components/gameday"
	"github.com/langgraph-platform/infra/components/gateway"
	"github.com/langgraph-platform/infra/components/monitoring"
	"github.com/langgraph-platform/infra/components/notifications"
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
		config.EnvironmentTag: cfg.Environment,
		"Project":             cfg.Tags.Project,
		"Owner":               cfg.Tags.Owner,
		"CostCenter":          cfg.Tags.CostCenter,
		"ManagedBy":           "pulumi",
		StackTag:              cfg.Tags.Project + "/" + cfg.Stack,
	}
}

// Wire creates every component from a validated configuration and its capacity report: the
// account and cluster, the AWS data tier, the Kubernetes side, then the guard-rails that watch
// them (alarms, budget, recovery).
func Wire(ctx *pulumi.Context, cfg *config.Config, report capacity.Report, estimate cost.Estimate) (map[string]pulumi.Output, error) {
	account, zones, err := lookupAccount(ctx)
	if err != nil {
		return nil, err
	}
	cluster, err := ResolveCluster(ctx, cfg, account, zones)
	if err != nil {
		return nil, err
	}
	warnings, err := Preflight(ctx, cfg, cluster)
	if err != nil {
		return nil, err
	}
	warnings = append(warnings, RotationWarnings(cfg)...)
	warnings = append(warnings, GatewayWarnings(cfg)...)
	if err := warn(ctx, warnings...); err != nil {
		return nil, err
	}
	data, err := wireData(ctx, cfg, account, cluster)
	if err != nil {
		return nil, err
	}
	kube, err := wireKubernetes(ctx, cfg, account, cluster, data, estimate)
	if err != nil {
		return nil, err
	}
	guards, err := wireGuards(ctx, cfg, account, cluster, data, kube)
	if err != nil {
		return nil, err
	}
	return stackOutputs(cfg, account, report, estimate, cluster, data, kube, guards), nil
}

// warn prints each message as a warning on every preview and update.
func warn(ctx *pulumi.Context, messages ...string) error {
	for _, m := range messages {
		if err := ctx.Log.Warn(m, nil); err != nil {
			return err
		}
	}
	return nil
}

// lookupAccount is the account, partition and region the AWS provider deploys to, and the
// region's available zones.
func lookupAccount(ctx *pulumi.Context) (awsbase.Account, []string, error) {
	account, err := awsbase.LookupAccount(ctx)
	if err != nil {
		return awsbase.Account{}, nil, err
	}
	zones, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{State: pulumi.StringRef("available")})
	if err != nil {
		return awsbase.Account{}, nil, err
	}
	return account, zones.Names, nil
}

// dataTier is what wireData creates.
type dataTier struct {
	recoveryRegion *recovery.Region // nil without dr
	notes          *notifications.Notifications
	db             *database.Database
	redis          *cache.Cache
}

// wireData creates the recovery region's key (the data tier's secrets replicate under it), the
// notification topic, the database and the cache.
func wireData(ctx *pulumi.Context, cfg *config.Config, account awsbase.Account, cluster *Cluster) (*dataTier, error) {
	prefix := Prefix(cfg)
	var t dataTier
	var secretReplica *awsbase.SecretReplica
	if cfg.DR.Enabled {
		region, err := recovery.NewRegion(ctx, prefix+"-recovery-region", recovery.RegionArgs{Region: cfg.DR.Region, Account: account, Tags: Tags(cfg)})
		if err != nil {
			return nil, err
		}
		t.recoveryRegion = region
		secretReplica = &awsbase.SecretReplica{Region: cfg.DR.Region, KMSKeyID: region.KeyARN}
	}
	var err error
	if t.notes, err = notifications.New(ctx, prefix+"-notifications", NotificationsArgs(ctx, cfg, account)); err != nil {
		return nil, err
	}
	dbArgs := DatabaseArgs(cfg, account, cluster, t.notes.TopicARN, secretReplica, t.recoveryRegion)
	if cfg.Standby() {
		if dbArgs.ReplicaOf, err = readPrimary(ctx, cfg, account); err != nil {
			return nil, err
		}
	}
	if t.db, err = database.New(ctx, prefix+"-db", dbArgs); err != nil {
		return nil, err
	}
	if t.redis, err = cache.New(ctx, prefix+"-cache", CacheArgs(cfg, account, cluster, secretReplica)); err != nil {
		return nil, err
	}
	return &t, nil
}

// kubernetesSide is what wireKubernetes creates.
type kubernetesSide struct {
	provider pulumi.ProviderResource
	addons   *clusteraddons.ClusterAddons
	front    *edge.Edge
	mon      *monitoring.Monitoring
	gw       *gateway.Gateway // nil without gateway.enabled
	dp       *dataplane.Dataplane
}

// wireKubernetes creates the cluster add-ons, the edge (WAF and access logs), the monitoring
// stack and the dataplane.
func wireKubernetes(ctx *pulumi.Context, cfg *config.Config, account awsbase.Account, cluster *Cluster, data *dataTier, estimate cost.Estimate) (*kubernetesSide, error) {
	prefix := Prefix(cfg)
	k8s, err := KubernetesProvider(ctx, cfg, cluster)
	if err != nil {
		return nil, err
	}
	k := kubernetesSide{provider: k8s}
	if k.addons, err = clusteraddons.New(ctx, prefix+"-addons", AddonsArgs(cfg, account, cluster), pulumi.Providers(k8s)); err != nil {
		return nil, err
	}
	if cfg.HPA.QueueScaling && !cfg.QueueMetricActive() {
		// Not silent: the preview shows it. The HPA keeps the seed's CPU and memory metrics.
		if err := warn(ctx, "hpa.queueScaling is on but addons.prometheusAdapter.enabled is false: the dataplane HPA scales on CPU and memory only (no External queue metric)"); err != nil {
			return nil, err
		}
	}
	if reason := cfg.Auth.AcceptUnauthenticated; reason != "" {
		// Printed on every preview and update, so nobody forgets the API is open.
		if err := warn(ctx, fmt.Sprintf("auth.mode is none on an internet-facing ingress: anyone who finds %s can start runs. Accepted because: %s", cfg.Ingress.Host, reason)); err != nil {
			return nil, err
		}
	}
	if k.front, err = edge.New(ctx, prefix+"-edge", EdgeArgs(cfg, account)); err != nil {
		return nil, err
	}
	// Monitoring first: it applies the operator's CRDs, which the dataplane's ServiceMonitor needs.
	monArgs, err := MonitoringArgs(cfg, cluster, data.db, data.redis, estimate)
	if err != nil {
		return nil, err
	}
	if k.mon, err = monitoring.New(ctx, prefix+"-monitoring", monArgs, pulumi.Providers(k8s)); err != nil {
		return nil, err
	}
	dpArgs := DataplaneArgs(cfg, cluster, data.db, data.redis, k.front)
	dpArgs.After = []pulumi.Resource{k.addons.IngressReady}
	dpArgs.ServiceMonitorCRD = k.mon.CRDs
	if cfg.Gateway.Enabled {
		gwArgs := GatewayArgs(ctx, cfg, cluster, data.redis)
		gwArgs.ServiceMonitorCRD = k.mon.CRDs
		if k.gw, err = gateway.New(ctx, prefix+"-gateway", gwArgs, pulumi.Providers(k8s)); err != nil {
			return nil, err
		}
		if cfg.Gateway.Routes() {
			// The gateway is the pods' way to the models; HTTPS beyond it only where the stack
			// says (LangSmith).
			dpArgs.LLMGateway = DataplaneGateway(cfg, k.gw.Key)
			dpArgs.Network.HTTPSEgressCIDRs = cfg.Gateway.DataplaneHTTPSEgressCIDRs
		}
	}
	if k.dp, err = dataplane.New(ctx, prefix+"-dataplane", dpArgs, pulumi.Providers(k8s)); err != nil {
		return nil, err
	}
	return &k, nil
}

// guardRails is what wireGuards creates.
type guardRails struct {
	gameDay  *gameday.GameDay // nil without gameday.enabled
	alarms   *alarms.Alarms
	budget   *budget.Budget
	recovery *recovery.Recovery // nil without dr
}

// wireGuards creates the CloudWatch alarms (on the controller's ALB, once the Ingress has one),
// the budget and, with dr, the recovery set.
func wireGuards(ctx *pulumi.Context, cfg *config.Config, account awsbase.Account, cluster *Cluster, data *dataTier, kube *kubernetesSide) (*guardRails, error) {
	prefix := Prefix(cfg)
	topic := data.notes.TopicARN
	var g guardRails
	var err error
	alb := lookupLoadBalancer(ctx, kube.dp)
	loadBalancer := alb.ArnSuffix()
	if g.alarms, err = alarms.New(ctx, prefix+"-alarms", AlarmsArgs(cfg, data.db, data.redis, kube.front, loadBalancer, account.Region, topic)); err != nil {
		return nil, err
	}
	if d := cfg.Ingress.DNS; d.Enabled() {
		if _, err = dns.New(ctx, prefix+"-dns", DNSArgs(cfg, alb.DnsName())); err != nil {
			return nil, err
		}
	}
	if cfg.GameDay.Enabled {
		if g.gameDay, err = wireGameDay(ctx, cfg, account, cluster, data, kube, g.alarms, loadBalancer); err != nil {
			return nil, err
		}
	}
	if g.budget, err = budget.New(ctx, prefix+"-budget", BudgetArgs(cfg, topic)); err != nil {
		return nil, err
	}
	if data.recoveryRegion != nil {
		if g.recovery, err = recovery.New(ctx, prefix+"-recovery", RecoveryArgs(cfg, account, data.recoveryRegion, data.db, kube.front, topic)); err != nil {
			return nil, err
		}
	}
	return &g, nil
}

// loadBalancerARNSuffix finds the controller's ALB: by the name in the Ingress's status when it
// has one, else by the tag the Ingress puts on it.
func lookupLoadBalancer(ctx *pulumi.Context, dp *dataplane.Dataplane) lb.LookupLoadBalancerResultOutput {
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
	return lb.LookupLoadBalancerOutput(ctx, lb.LookupLoadBalancerOutputArgs{Name: byName, Tags: byTag})
}

// stackOutputs are the stack's outputs.
func stackOutputs(cfg *config.Config, account awsbase.Account, report capacity.Report, estimate cost.Estimate, cluster *Cluster, data *dataTier, kube *kubernetesSide, guards *guardRails) map[string]pulumi.Output {
	db, redis := data.db, data.redis
	outputs := map[string]pulumi.Output{
		"alarmNames":                       alarmNames(guards),
		"budgetName":                       guards.budget.BudgetName,
		"costMonthlyIdleUsd":               pulumi.Float64(math.Round(estimate.Idle)).ToFloat64Output(),
		"costMonthlyExpectedUsd":           pulumi.Float64(math.Round(estimate.Expected)).ToFloat64Output(),
		"capacityRunsInProgress":           pulumi.Float64(report.OfferedLoad).ToFloat64Output(),
		"capacityRunSlotsAtMax":            pulumi.Int(report.SlotsAtMax).ToIntOutput(),
		"capacityP95QueueWaitSeconds":      seconds(report.P95Wait),
		"capacityDatabaseConnectionsAtMax": pulumi.Int(report.DBConnections).ToIntOutput(),
		"capacityRampSeconds":              seconds(report.Ramp.SecondsToCapacity),
		"capacityStepQueueWaitP95Seconds":  seconds(report.Ramp.WindowP95),
		"capacityFastestRampSeconds":       seconds(report.FastestRampSeconds),
		"dataplaneNamespace":               kube.dp.Namespace,
		"dataplaneHost":                    kube.dp.Host,
		"monitoringNamespace":              kube.mon.Namespace,
		"grafanaAdminPassword":             kube.mon.GrafanaPassword,
		"accessLogBucket":                  kube.front.AccessLogBucket,
		"webAclArn":                        kube.front.WebACLARN,
		"databaseAddress":                  db.Address,
		"databaseReaderAddresses":          db.ReaderAddresses,
		"databasePort":                     db.Port,
		"databaseSecretArn":                db.SecretARN,
		"databaseSecurityGroupId":          db.SecurityGroupID,
		"databaseMaxConnections":           db.MaxConnections,
		"notificationTopicArn":             data.notes.TopicARN,
		// The same topic under its name from before the notifications component: kept for
		// scripts that read it.
		"databaseEventTopicArn":         data.notes.TopicARN,
		"cachePrimaryEndpoint":          redis.PrimaryEndpoint,
		"cacheReaderEndpoint":           redis.ReaderEndpoint,
		"cachePort":                     redis.Port,
		"cacheSecretArn":                redis.SecretARN,
		"cacheSecurityGroupId":          redis.SecurityGroupID,
		"loadBalancerControllerRoleArn": kube.addons.ControllerRoleARN,
		"hpaQueueMetric":                kube.addons.QueueMetric,
		"containerLogGroups":            kube.addons.LogGroups,
	}
	maps.Copy(outputs, standbyExports(cfg, account, db))
	if cfg.Standby() {
		a := sizing.Absorb(cfg)
		outputs["capacityStandbyAbsorbSeconds"] = seconds(a.WithFailover)
		outputs["capacityStandbyAbsorbHpaOnlySeconds"] = seconds(a.HPAOnly)
	}
	if g := guards.gameDay; g != nil {
		outputs["gamedayTemplateIds"] = g.TemplateIDs
		outputs["gamedayLogGroup"] = g.LogGroupName
	}
	if rec := guards.recovery; rec != nil {
		outputs["drReplicatedBackupsArn"] = rec.ReplicatedBackupsARN
		outputs["drRecoveryVaultArn"] = rec.RecoveryVaultARN
		outputs["drAccessLogReplicaBucket"] = rec.LogReplicaBucket
		outputs["drReplicaAddress"] = db.RecoveryReplicaAddress
	}
	maps.Copy(outputs, cluster.Outputs)
	return outputs
}

// seconds is a duration as a stack output: -1 for "never" (state is JSON, which has no infinity).
func seconds(v float64) pulumi.Float64Output {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		v = -1
	}
	return pulumi.Float64(v).ToFloat64Output()
}

// alarmNames are every CloudWatch alarm of the stack: the set's and the game day's stop alarm.
func alarmNames(g *guardRails) pulumi.StringArrayOutput {
	if g.gameDay == nil {
		return g.alarms.Names
	}
	return pulumi.All(g.alarms.Names, g.gameDay.StopAlarmName).ApplyT(func(v []any) []string {
		return append(append([]string(nil), v[0].([]string)...), v[1].(string))
	}).(pulumi.StringArrayOutput)
}
