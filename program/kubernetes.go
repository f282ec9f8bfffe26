package program

// The Kubernetes components' arguments: the add-ons, the dataplane and the monitoring stack.

import (
	"fmt"
	"math"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/components/cache"
	"github.com/langgraph-platform/infra/components/clusteraddons"
	"github.com/langgraph-platform/infra/components/database"
	"github.com/langgraph-platform/infra/components/dataplane"
	"github.com/langgraph-platform/infra/components/edge"
	"github.com/langgraph-platform/infra/components/gateway"
	"github.com/langgraph-platform/infra/components/monitoring"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/cost"
	"github.com/langgraph-platform/infra/internal/helmvalues"
	"github.com/langgraph-platform/infra/mixin"
	"github.com/langgraph-platform/infra/program/sizing"
)

// AddonsArgs maps the configuration onto the cluster add-ons; a switched-off add-on is nil.
func AddonsArgs(cfg *config.Config, account awsbase.Account, cluster *Cluster) clusteraddons.Args {
	a := cfg.Addons
	args := clusteraddons.Args{ClusterName: cluster.Name, Cluster: cluster.NameInput, VPCID: cluster.VPCID, Account: account, Tags: Tags(cfg), Charts: cfg.Charts.Sources(),
		Resources: ChartResources(cfg)}
	if a.MetricsServer.Enabled {
		args.MetricsServer = &clusteraddons.MetricsServer{ChartVersion: a.MetricsServer.ChartVersion, Replicas: a.MetricsServer.Replicas}
	}
	if l := a.LoadBalancerController; l.Enabled {
		args.LoadBalancerController = &clusteraddons.LoadBalancerController{
			ChartVersion: l.ChartVersion, Replicas: l.Replicas, Identity: l.Identity, OIDCIssuerURL: cluster.OIDCIssuerURL,
		}
	}
	if f := a.FluentBit; f.Enabled {
		l := a.LoadBalancerController
		args.FluentBit = &clusteraddons.FluentBit{
			ChartVersion: f.ChartVersion, RetentionDays: f.LogRetentionDays, LogGroupPrefix: ContainerLogGroupPrefix(cfg),
			Namespaces: LoggedNamespaces(cfg), Identity: l.Identity, OIDCIssuerURL: cluster.OIDCIssuerURL,
		}
	}
	if k := a.Karpenter; k.Enabled {
		args.Karpenter = KarpenterArgs(cfg, cluster)
	}
	if p := a.PrometheusAdapter; p.Enabled {
		args.PrometheusAdapter = &clusteraddons.PrometheusAdapter{
			ChartVersion: p.ChartVersion, Replicas: p.Replicas,
			PrometheusURL: monitoring.PrometheusURL(cfg.Monitoring.Namespace), PrometheusPort: monitoring.PrometheusPort,
			QueueSeries: mixin.SeriesPendingRuns,
		}
	}
	return args
}

// KarpenterArgs maps the add-on's settings, the cluster and the dataplane's requests onto
// Karpenter: nodes launch in the cluster's node subnets with its node security groups (which
// the data tier admits), and share the created cluster's node role.
func KarpenterArgs(cfg *config.Config, cluster *Cluster) *clusteraddons.Karpenter {
	k := cfg.Addons.Karpenter
	cpus, limitCPU, limitMemory := sizing.NodePool(cfg)
	return &clusteraddons.Karpenter{
		ChartVersion: k.ChartVersion, Replicas: k.Replicas, CapacityTypes: k.CapacityTypes,
		Identity: cfg.Addons.LoadBalancerController.Identity, OIDCIssuerURL: cluster.OIDCIssuerURL,
		NodeRoleName: cluster.NodeRoleName, SubnetIDs: cluster.NodeSubnetIDs, SecurityGroupIDs: cluster.SecurityGroupIDs,
		InstanceCPUs: cpus, LimitCPU: limitCPU, LimitMemoryGiB: limitMemory, AMIAlias: catalog.KarpenterAMIAlias,
	}
}

// ContainerLogGroupPrefix is where the stack's container logs go: <prefix>/<namespace>.
func ContainerLogGroupPrefix(cfg *config.Config) string {
	return "/langgraph/" + cfg.Environment + "/containers"
}

// LoggedNamespaces are the namespaces whose containers' logs Fluent Bit ships: the dataplane's,
// the monitoring stack's, node-exporter's and kube-system (the add-ons).
func LoggedNamespaces(cfg *config.Config) []string {
	ns := []string{cfg.Dataplane.Namespace, cfg.Monitoring.Namespace, cfg.Monitoring.NodeExporterNamespace, clusteraddons.Namespace}
	if cfg.Gateway.Enabled {
		ns = append(ns, cfg.Gateway.Namespace)
	}
	return ns
}

// KubernetesProvider is the one explicit provider every Kubernetes resource uses: the created or
// referenced cluster's kubeconfig, the kubeconfig from secret config when set, else the ambient
// kubeconfig with cluster.kubeContext.
func KubernetesProvider(ctx *pulumi.Context, cfg *config.Config, cluster *Cluster) (*kubernetes.Provider, error) {
	args := &kubernetes.ProviderArgs{}
	if cluster.Kubeconfig != nil {
		args.Kubeconfig = cluster.Kubeconfig
	}
	if cluster.KubeContext != "" {
		args.Context = pulumi.String(cluster.KubeContext)
	}
	return kubernetes.NewProvider(ctx, "k8s-"+cluster.Name, args)
}

// DataplaneArgs maps the configuration and the data tier's outputs onto the dataplane.
func DataplaneArgs(cfg *config.Config, cluster *Cluster, db *database.Database, redis *cache.Cache, front *edge.Edge) dataplane.Args {
	d, h := cfg.Dataplane, cfg.HPA
	res := func(r config.Resources) dataplane.Resources {
		return dataplane.Resources{CPURequest: r.CPURequest, MemoryRequest: r.MemoryRequest, CPULimit: r.CPULimit, MemoryLimit: r.MemoryLimit,
			EphemeralStorageRequest: r.EphemeralStorageRequest, EphemeralStorageLimit: r.EphemeralStorageLimit}
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
	var headroom *dataplane.Headroom
	if k := cfg.Capacity; k.HeadroomPods > 0 {
		headroom = &dataplane.Headroom{Pods: k.HeadroomPods, Image: k.HeadroomImage, UID: catalog.HeadroomImageUID, Priority: catalog.HeadroomPriority}
	}
	conns := dataplane.Connections{PostgresURI: db.URI, PostgresReaderURI: db.ReaderURI, RedisURI: redis.URI}
	if cfg.Secrets.LangSmithAPIKey.IsSet() {
		conns.LangSmithAPIKey = cfg.Secrets.LangSmithAPIKey.Output()
	} else {
		conns.LicenseKey = cfg.Secrets.LangGraphLicenseKey.Output()
	}
	return dataplane.Args{
		Namespace:                     d.Namespace,
		Instance:                      Prefix(cfg),
		Image:                         d.Image.Reference(),
		Version:                       d.Image.Version(),
		Resources:                     res(d.Resources),
		JobsPerWorker:                 d.JobsPerWorker,
		DBPoolMaxSize:                 d.DBPoolMaxSize,
		TerminationGracePeriodSeconds: d.TerminationGracePeriodSeconds,
		PreStopSeconds:                d.PreStopSeconds,
		Autoscaling: dataplane.Autoscaling{
			MinReplicas: cfg.StandingReplicas(), MaxReplicas: h.MaxReplicas,
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
		Headroom:              headroom,
		ServiceAccountRoleARN: d.ServiceAccountRoleARN,
		Auth:                  DataplaneAuth(cfg),
		Ingress: dataplane.Ingress{
			ClassName: clusteraddons.IngressClass,
			Host:      cfg.Ingress.Host, CertificateARN: cfg.Ingress.CertificateARN, Scheme: cfg.Ingress.Scheme,
			SSLPolicy: cfg.Ingress.SSLPolicy, IdleTimeoutSeconds: cfg.Ingress.IdleTimeoutSeconds,
			MaintenanceMode: d.MaintenanceMode, AccessLogBucket: front.AccessLogBucket, AccessLogPrefix: front.AccessLogPrefix,
			WebACLARN: front.WebACLARN, DeletionProtection: cfg.Production(), Tags: Tags(cfg),
			HealthOnAnyHost: cfg.Ingress.DNS.Enabled(),
		},
		Network: dataplane.Network{
			LoadBalancerCIDRs:   cluster.LoadBalancerCIDRs,
			DataStoreCIDRs:      cluster.DataSubnetCIDRs,
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
func MonitoringArgs(cfg *config.Config, cluster *Cluster, db *database.Database, redis *cache.Cache, estimate cost.Estimate) (monitoring.Args, error) {
	m := cfg.Monitoring
	crdVersion, ok := catalog.OperatorCRDVersion(m.ChartVersion)
	if !ok { // config refuses it; a component invariant all the same
		return monitoring.Args{}, fmt.Errorf("monitoring.chartVersion=%q has no known prometheus-operator CRD version", m.ChartVersion)
	}
	network := monitoring.Network{
		NodeCIDRs: cluster.NodeCIDRs, DataStoreCIDRs: cluster.DataSubnetCIDRs,
		DatabasePort: database.Port, CachePort: cache.Port, ScrapePorts: []int{dataplane.MetricsPort},
	}
	if cfg.Addons.PrometheusAdapter.Enabled {
		network.AdapterNamespace = clusteraddons.Namespace
	}
	args := monitoring.Args{
		Namespace:                    m.Namespace,
		CRDVersion:                   crdVersion,
		Charts:                       cfg.Charts.Sources(),
		Resources:                    ChartResources(cfg),
		NodeExporterNamespace:        m.NodeExporterNamespace,
		Network:                      network,
		Instance:                     Prefix(cfg),
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
		GrafanaPasswordGeneration:    cfg.Rotation.GrafanaAdminPassword,
		Mixin:                        MonitoringMixin(cfg, estimate),
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
func MonitoringScope(cfg *config.Config) mixin.Scope {
	s := mixin.Scope{
		Namespace:    cfg.Dataplane.Namespace,
		Container:    dataplane.ContainerName,
		HPA:          dataplane.Name,
		Jobs:         []string{dataplane.Name, monitoring.PostgresExporter, monitoring.RedisExporter},
		DataplaneJob: dataplane.Name,
		RunbookURL:   cfg.Monitoring.RunbookBaseURL,
	}
	if cfg.Gateway.Enabled {
		// The gateway's ServiceMonitor takes its job from the release's instance label.
		s.GatewayJob = gateway.ReleaseName
		s.Jobs = append(s.Jobs, gateway.ReleaseName)
	}
	return s
}

// MonitoringThresholds converts the configured alert thresholds and KPI targets (percentages)
// into the fractions and seconds the rules compare with; the cost estimate gives the AWS cost
// per hour the LLM cost panel shows beside the spend.
func MonitoringThresholds(cfg *config.Config, estimate cost.Estimate) mixin.Thresholds {
	a, k := cfg.Alerts.Ratios(), cfg.KPI.Ratios()
	return mixin.Thresholds{
		ErrorRatio:               a.Error,
		AvgResponseSeconds:       cfg.Alerts.AvgResponseSeconds,
		PodResourceRatio:         a.PodResource,
		DBPoolRatio:              a.DBPool,
		QueueDepth:               cfg.Alerts.QueueDepth,
		CacheMemoryRatio:         a.CacheMemory,
		InfraCostPerHour:         math.Round(estimate.Expected/cost.HoursPerMonth*100) / 100,
		SuccessRatio:             k.Success,
		TargetAvgResponseSeconds: cfg.KPI.AvgResponseSeconds,
		P95ResponseSeconds:       cfg.KPI.P95ResponseSeconds,
		QueueWaitSeconds:         cfg.KPI.QueueWaitSeconds,
		TargetErrorRatio:         k.Error,
		CPURatio:                 k.CPU,
		MemoryRatio:              k.Memory,
		LLM:                      llmThresholds(cfg),
	}
}

// llmThresholds are the gateway's alert thresholds: the seed's error-rate threshold for the
// providers' 429s and 5xx, and the daily budget; nil without the gateway.
func llmThresholds(cfg *config.Config) *mixin.LLMThresholds {
	if !cfg.Gateway.Enabled {
		return nil
	}
	return &mixin.LLMThresholds{ProviderErrorRatio: cfg.Alerts.Ratios().Error, DailyBudgetUSD: cfg.Gateway.DailyBudgetUSD}
}

// MonitoringMixin is the mixin's config: what the rules watch and the numbers they compare with.
func MonitoringMixin(cfg *config.Config, estimate cost.Estimate) mixin.Config {
	return mixin.Config{Scope: MonitoringScope(cfg), Thresholds: MonitoringThresholds(cfg, estimate)}
}

// ChartResources are the chart containers' requests and limits as the charts take them.
func ChartResources(cfg *config.Config) helmvalues.Sized {
	out := helmvalues.Sized{}
	for name, r := range cfg.ChartResources.ByName() {
		out[name] = ContainerResources(r)
	}
	return out
}

// ContainerResources are a container's requests and limits in Kubernetes's shape: CPU is
// limited only where a limit is set.
func ContainerResources(r config.Resources) helmvalues.Resources {
	req := map[string]string{"cpu": r.CPURequest, "memory": r.MemoryRequest}
	lim := map[string]string{"memory": r.MemoryLimit}
	if r.CPULimit != "" {
		lim["cpu"] = r.CPULimit
	}
	if r.EphemeralStorageRequest != "" {
		req["ephemeral-storage"] = r.EphemeralStorageRequest
	}
	if r.EphemeralStorageLimit != "" {
		lim["ephemeral-storage"] = r.EphemeralStorageLimit
	}
	return helmvalues.Resources{Requests: req, Limits: lim}
}
