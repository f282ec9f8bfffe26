// Package monitoring deploys the monitoring namespace: kube-prometheus-stack (Prometheus,
// Alertmanager, Grafana, kube-state-metrics, node-exporter) from a pinned chart, the PostgreSQL and
// Redis exporters, the LangGraph recording and alert rules, and the Grafana dashboards.
package monitoring

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	storagev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/storage/v1"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/internal/helmsource"
	"github.com/langgraph-platform/infra/internal/helmvalues"
	"github.com/langgraph-platform/infra/internal/rollout"
	"github.com/langgraph-platform/infra/mixin"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "langgraph:kubernetes:Monitoring"

// Names the stack is wired by: defined once.
const (
	StackChart  = catalog.ChartKubePrometheusStack
	ReleaseName = "kube-prometheus-stack" // selectors pick objects labelled release=<this>
	// PrometheusService and PrometheusPort are where Prometheus answers queries in the
	// namespace (the chart's fullname is pinned to ReleaseName).
	PrometheusService = ReleaseName + "-prometheus"
	PrometheusPort    = 9090
	PostgresChart     = catalog.ChartPostgresExporter
	PostgresExporter  = "postgres-exporter" // release, fullname and scrape job
	RedisChart        = catalog.ChartRedisExporter
	RedisExporter     = "redis-exporter" // release, fullname and scrape job
	GrafanaSecret     = "grafana-admin"
	ReceiversSecret   = "alertmanager-receivers"
	PostgresDSNSecret = "postgres-exporter-dsn"
	RedisAuthSecret   = "redis-exporter-auth"
	RulesName         = "langgraph-rules"
	DashboardLabel    = "grafana_dashboard"
	// GrafanaLivenessPath answers while Grafana's process serves; the chart's readiness probe
	// keeps /api/health, which also checks Grafana's database.
	GrafanaLivenessPath = "/healthz"
	// receiversDir is where the operator mounts alertmanagerSpec.secrets.
	receiversDir = "/etc/alertmanager/secrets/" + ReceiversSecret + "/"
)

// Receiver file names in the receivers Secret (mounted into Alertmanager at receiversDir).
const (
	SlackFile     = "slack-webhook-url"
	PagerDutyFile = "pagerduty-routing-key"
	HeartbeatFile = "heartbeat-url"
)

// Labels are the app.kubernetes.io labels of the monitoring objects this project creates.
func Labels(a Args) map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":       "langgraph-monitoring",
		"app.kubernetes.io/instance":   a.Instance,
		"app.kubernetes.io/version":    a.ChartVersion,
		"app.kubernetes.io/component":  "monitoring",
		"app.kubernetes.io/part-of":    "langgraph-platform",
		"app.kubernetes.io/managed-by": "pulumi",
	}
}

// PrometheusURL is Prometheus's in-cluster URL, without the port, in namespace.
func PrometheusURL(namespace string) string {
	return fmt.Sprintf("http://%s.%s.svc", PrometheusService, namespace)
}

// SelectorLabels are the labels kube-prometheus-stack's rule and ServiceMonitor selectors match.
func SelectorLabels() map[string]string { return map[string]string{"release": ReleaseName} }

// Args configure the monitoring stack.
type Args struct {
	Namespace    string
	Instance     string // app.kubernetes.io/instance, e.g. langgraph-prod
	ChartVersion string // kube-prometheus-stack, exact
	// CRDVersion is the prometheus-operator version whose CRDs ChartVersion needs (catalog).
	CRDVersion string
	// NodeExporterNamespace holds node-exporter alone, at the privileged Pod Security level.
	NodeExporterNamespace        string
	Network                      Network
	PostgresExporterChartVersion string
	RedisExporterChartVersion    string
	// Charts are where Helm fetches each chart, by chart name (config.Charts.Sources): the
	// upstream repository or a mirror.
	Charts map[string]catalog.ChartSource

	StorageClass         string
	CreateStorageClass   bool
	PrometheusReplicas   int
	PrometheusRetention  string
	PrometheusStorageGB  int
	AlertmanagerReplicas int
	GrafanaReplicas      int
	// GrafanaPasswordGeneration regenerates Grafana's admin password when it changes (0: never
	// rotated).
	GrafanaPasswordGeneration int

	// Mixin is the rules, dashboards and Alertmanager routing this component deploys.
	Mixin mixin.Config

	// Resources size every container the three charts run, by catalog name (Containers).
	Resources helmvalues.Sized

	// DatabaseURI is the exporter's connection (secret); sslmode=require.
	DatabaseURI pulumi.StringInput
	// RedisAddress is host:port of the cache; RedisAuthToken its AUTH token (secret).
	RedisAddress   pulumi.StringInput
	RedisAuthToken pulumi.StringInput

	// Alert receivers (secret); nil when not configured.
	SlackWebhookURL     pulumi.StringInput
	PagerDutyRoutingKey pulumi.StringInput
	// HeartbeatURL receives the always-firing Watchdog every minute (a dead man's switch).
	HeartbeatURL pulumi.StringInput
}

// Containers are the catalog names of the containers this component's charts run.
func Containers() []string {
	var out []string
	for _, c := range catalog.ChartContainers {
		if c.Chart == StackChart || c.Chart == PostgresChart || c.Chart == RedisChart {
			out = append(out, c.Name)
		}
	}
	return out
}

// Validate reports every Args problem.
func (a *Args) Validate() error {
	var errs []error
	bad := func(field string, v any, allowed string) {
		errs = append(errs, fmt.Errorf("monitoring.Args.%s=%v: %s", field, v, allowed))
	}
	if a.Namespace == "" || a.ChartVersion == "" || a.PostgresExporterChartVersion == "" || a.RedisExporterChartVersion == "" || a.CRDVersion == "" {
		bad("Namespace/ChartVersions/CRDVersion", "\"\"", "are required and exact")
	}
	for _, chart := range []string{StackChart, PostgresChart, RedisChart} {
		if _, err := helmsource.Lookup(a.Charts, chart); err != nil {
			bad("Charts", chart, err.Error())
		}
	}
	if a.NodeExporterNamespace == "" || a.NodeExporterNamespace == a.Namespace {
		bad("NodeExporterNamespace", a.NodeExporterNamespace, "is required and differs from Namespace (node-exporter alone runs privileged)")
	}
	if len(a.Network.NodeCIDRs) == 0 || len(a.Network.DataStoreCIDRs) == 0 || a.Network.DatabasePort < 1 || a.Network.CachePort < 1 {
		bad("Network", fmt.Sprint(a.Network.NodeCIDRs, a.Network.DataStoreCIDRs), "the node and data-store CIDRs and ports are required")
	}
	if a.PrometheusReplicas < 1 || a.AlertmanagerReplicas < 1 || a.GrafanaReplicas < 1 {
		bad("Replicas", fmt.Sprint(a.PrometheusReplicas, a.AlertmanagerReplicas, a.GrafanaReplicas), "every replica count must be >= 1")
	}
	if a.PrometheusStorageGB < 1 || a.StorageClass == "" {
		bad("PrometheusStorageGB/StorageClass", a.PrometheusStorageGB, "a volume size and class are required")
	}
	if a.DatabaseURI == nil || a.RedisAddress == nil || a.RedisAuthToken == nil {
		bad("DatabaseURI/RedisAddress/RedisAuthToken", "nil", "the exporters need them")
	}
	errs = append(errs, a.Resources.Check("monitoring", Containers()...))
	return errors.Join(errs...)
}

// Monitoring is the deployed stack.
type Monitoring struct {
	pulumi.ResourceState

	Namespace       pulumi.StringOutput `pulumi:"namespace"`
	GrafanaPassword pulumi.StringOutput `pulumi:"grafanaPassword"` // secret

	// CRDs are the prometheus-operator CRDs: anything that creates a ServiceMonitor or a
	// PrometheusRule outside this component depends on them.
	CRDs pulumi.Resource
}

// New deploys the monitoring stack. Pass the explicit Kubernetes provider with pulumi.Providers.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Monitoring, error) {
	if err := args.Validate(); err != nil {
		return nil, err
	}
	m := &Monitoring{}
	if err := ctx.RegisterComponentResource(TypeToken, name, m, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(m)
	base := Labels(args)
	labels := pulumi.ToStringMap(base)
	with := func(extra map[string]string) pulumi.StringMap {
		out := pulumi.ToStringMap(base)
		for k, v := range extra {
			out[k] = pulumi.String(v)
		}
		return out
	}
	meta := func(objName string) *metav1.ObjectMetaArgs {
		return &metav1.ObjectMetaArgs{Name: pulumi.String(objName), Namespace: pulumi.String(args.Namespace), Labels: labels}
	}

	// node-exporter needs the host's network and PID namespaces (privileged) and runs alone in
	// its namespace; the stack's own namespace enforces baseline and warns (and audits) at
	// restricted, whose contexts every chart's values below set where the chart takes them.
	ns, err := corev1.NewNamespace(ctx, name+"-namespace", &corev1.NamespaceArgs{Metadata: &metav1.ObjectMetaArgs{
		Name:   pulumi.String(args.Namespace),
		Labels: with(PodSecurityLabels(PodSecurityStack)),
	}}, child)
	if err != nil {
		return nil, err
	}
	nodeNS, err := corev1.NewNamespace(ctx, name+"-node-exporter-namespace", &corev1.NamespaceArgs{Metadata: &metav1.ObjectMetaArgs{
		Name:   pulumi.String(args.NodeExporterNamespace),
		Labels: with(PodSecurityLabels(PodSecurityNodeExporter)),
	}}, child)
	if err != nil {
		return nil, err
	}
	crds, err := NewOperatorCRDs(ctx, name+"-crds", args.CRDVersion, child)
	if err != nil {
		return nil, err
	}
	m.CRDs = crds.Applied
	inNS := []pulumi.ResourceOption{child, pulumi.DependsOn([]pulumi.Resource{ns})}

	deps := []pulumi.Resource{ns, nodeNS, crds.Applied}
	if err := networkPolicies(ctx, name, args, func(n string) *metav1.ObjectMetaArgs { return meta(n) }, inNS); err != nil {
		return nil, err
	}
	grafanaRBAC, err := grafanaRole(ctx, name, args, meta, inNS)
	if err != nil {
		return nil, err
	}
	deps = append(deps, grafanaRBAC...)
	if args.CreateStorageClass {
		sc, err := storagev1.NewStorageClass(ctx, name+"-storageclass", &storagev1.StorageClassArgs{
			Metadata:             &metav1.ObjectMetaArgs{Name: pulumi.String(args.StorageClass), Labels: labels},
			Provisioner:          pulumi.String("ebs.csi.aws.com"),
			Parameters:           pulumi.StringMap{"type": pulumi.String("gp3"), "encrypted": pulumi.String("true")},
			VolumeBindingMode:    pulumi.String("WaitForFirstConsumer"),
			AllowVolumeExpansion: pulumi.Bool(true),
			ReclaimPolicy:        pulumi.String("Retain"),
		}, child)
		if err != nil {
			return nil, err
		}
		deps = append(deps, sc)
	}

	passwordArgs := &random.RandomPasswordArgs{Length: pulumi.Int(32), Special: pulumi.Bool(false)}
	// Keepers only from the first rotation on: a stack that never rotated keeps its password.
	if args.GrafanaPasswordGeneration > 0 {
		passwordArgs.Keepers = pulumi.StringMap{"generation": pulumi.String(strconv.Itoa(args.GrafanaPasswordGeneration))}
	}
	password, err := random.NewRandomPassword(ctx, name+"-grafana-admin", passwordArgs, child)
	if err != nil {
		return nil, err
	}
	grafanaData := pulumi.StringMap{"admin-user": pulumi.String("admin"), "admin-password": password.Result}
	grafanaSecret, err := corev1.NewSecret(ctx, name+"-grafana-admin", &corev1.SecretArgs{
		Metadata:   meta(GrafanaSecret),
		StringData: pulumi.ToSecret(grafanaData).(pulumi.StringMapOutput),
	}, inNS...)
	if err != nil {
		return nil, err
	}
	receivers := pulumi.StringMap{}
	for file, v := range map[string]pulumi.StringInput{SlackFile: args.SlackWebhookURL, PagerDutyFile: args.PagerDutyRoutingKey, HeartbeatFile: args.HeartbeatURL} {
		if v != nil {
			receivers[file] = v
		}
	}
	receiverSecret, err := corev1.NewSecret(ctx, name+"-alertmanager-receivers", &corev1.SecretArgs{
		Metadata:   meta(ReceiversSecret),
		StringData: pulumi.ToSecret(receivers).(pulumi.StringMapOutput),
	}, inNS...)
	if err != nil {
		return nil, err
	}
	deps = append(deps, grafanaSecret, receiverSecret)

	plain, err := helmvalues.Plain(StackValues(args))
	if err != nil {
		return nil, err
	}
	values := pulumi.ToMap(plain.(map[string]any))
	// Grafana reads its admin password at start (its database is an emptyDir): a rotated one
	// restarts it, after the Secret holds it.
	grafanaValues := pulumi.ToMap(plain.(map[string]any)["grafana"].(map[string]any))
	grafanaValues["podAnnotations"] = pulumi.StringMap{rollout.Annotation: rollout.Checksum(grafanaData)}
	values["grafana"] = grafanaValues
	chart, repo := helmsource.Fields(args.Charts[StackChart])
	stack, err := helmv3.NewRelease(ctx, name+"-stack", &helmv3.ReleaseArgs{
		Name:           pulumi.String(ReleaseName),
		Chart:          chart,
		Version:        pulumi.String(args.ChartVersion),
		RepositoryOpts: repo,
		Namespace:      pulumi.String(args.Namespace),
		Values:         values,
		// The CRDs are applied above (NewOperatorCRDs), from the version the chart needs.
		SkipCrds:   pulumi.Bool(true),
		Timeout:    pulumi.Int(900),
		MaxHistory: pulumi.Int(10),
	}, append(inNS, pulumi.DependsOn(deps))...)
	if err != nil {
		return nil, err
	}
	// The exporters' ServiceMonitors and the rules are objects of the operator's CRD kinds: each
	// depends on the CRD set explicitly, and on the stack whose operator reconciles them.

	exporters := []exporterRelease{
		{release: PostgresExporter, chart: PostgresChart, version: args.PostgresExporterChartVersion,
			secret: PostgresDSNSecret, data: pulumi.StringMap{"DATA_SOURCE_NAME": args.DatabaseURI}, values: PostgresExporterValues(args.Resources[catalog.ContainerPostgresExporter])},
		{release: RedisExporter, chart: RedisChart, version: args.RedisExporterChartVersion,
			secret: RedisAuthSecret, data: pulumi.StringMap{"password": args.RedisAuthToken}, values: RedisExporterValues(args.Resources[catalog.ContainerRedisExporter]),
			extra: pulumi.Map{"redisAddress": pulumi.Sprintf("rediss://%s", args.RedisAddress)}},
	}
	for _, e := range exporters {
		if err := e.deploy(ctx, name, args.Namespace, args.Charts[e.chart], meta(e.secret), inNS, stack, crds.Applied); err != nil {
			return nil, err
		}
	}

	spec, err := helmvalues.Plain(args.Mixin.PrometheusRuleSpec())
	if err != nil {
		return nil, err
	}
	if _, err := apiextensions.NewCustomResource(ctx, name+"-rules", &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String("monitoring.coreos.com/v1"),
		Kind:        pulumi.String("PrometheusRule"),
		Metadata:    &metav1.ObjectMetaArgs{Name: pulumi.String(RulesName), Namespace: pulumi.String(args.Namespace), Labels: with(SelectorLabels())},
		OtherFields: map[string]any{"spec": spec},
	}, append(inNS, pulumi.DependsOn([]pulumi.Resource{stack, crds.Applied}))...); err != nil {
		return nil, err
	}

	dashboards, err := args.Mixin.Dashboards()
	if err != nil {
		return nil, err
	}
	for _, file := range slices.Sorted(maps.Keys(dashboards)) {
		cmMeta := meta(dashboardName(file))
		cmMeta.Labels = with(map[string]string{DashboardLabel: "1"})
		if _, err := corev1.NewConfigMap(ctx, name+"-dashboard-"+dashboardName(file), &corev1.ConfigMapArgs{
			Metadata: cmMeta,
			Data:     pulumi.StringMap{file: pulumi.String(string(dashboards[file]))},
		}, inNS...); err != nil {
			return nil, err
		}
	}

	m.Namespace = ns.Metadata.Name().Elem()
	m.GrafanaPassword = pulumi.ToSecret(password.Result).(pulumi.StringOutput)
	return m, ctx.RegisterResourceOutputs(m, pulumi.Map{"namespace": m.Namespace, "grafanaPassword": m.GrafanaPassword})
}

// exporterRelease is a prometheus-community exporter chart whose credentials live in a Secret.
type exporterRelease struct {
	release, chart, version string
	secret                  string
	data                    pulumi.StringMap // the Secret's entries (secret values)
	values                  any              // typed Helm values
	extra                   pulumi.Map       // values known only as outputs
}

// deploy creates the exporter's Secret and its release, after the stack whose CRDs its
// ServiceMonitor needs.
func (e exporterRelease) deploy(ctx *pulumi.Context, name, namespace string, src catalog.ChartSource, meta *metav1.ObjectMetaArgs, inNS []pulumi.ResourceOption, after ...pulumi.Resource) error {
	secret, err := corev1.NewSecret(ctx, name+"-"+e.secret, &corev1.SecretArgs{
		Metadata:   meta,
		StringData: pulumi.ToSecret(e.data).(pulumi.StringMapOutput),
	}, inNS...)
	if err != nil {
		return err
	}
	values, err := helmvalues.Map(e.values)
	if err != nil {
		return err
	}
	for k, v := range e.extra {
		values[k] = v
	}
	// Both exporter charts put .Values.annotations on the pod template (prometheus-postgres-
	// exporter 8.x, prometheus-redis-exporter 6.x): a rotated credential rolls the exporter.
	values["annotations"] = pulumi.StringMap{rollout.Annotation: rollout.Checksum(e.data)}
	opts := append(append([]pulumi.ResourceOption(nil), inNS...), pulumi.DependsOn(append(after, secret)))
	chart, repo := helmsource.Fields(src)
	_, err = helmv3.NewRelease(ctx, name+"-"+e.release, &helmv3.ReleaseArgs{
		Name: pulumi.String(e.release), Chart: chart, Version: pulumi.String(e.version),
		RepositoryOpts: repo, Namespace: pulumi.String(namespace),
		Values: values, MaxHistory: pulumi.Int(10),
	}, opts...)
	return err
}

func dashboardName(file string) string {
	if n := len(file); n > 5 && file[n-5:] == ".json" {
		return "dashboard-" + file[:n-5]
	}
	return "dashboard-" + file
}
