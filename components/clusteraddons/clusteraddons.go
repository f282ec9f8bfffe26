// Package clusteraddons installs what the dataplane needs from its cluster and EKS does not
// provide by default: metrics-server (the resource metrics API the CPU and memory HPA reads), the
// AWS Load Balancer Controller (which turns the Ingress into an ALB) with its IAM role,
// prometheus-adapter (the external metrics API serving LangGraph's queue depth to the HPA), and
// AWS for Fluent Bit (container logs to CloudWatch Logs, one log group per namespace).
//
// Each add-on is switchable for clusters that already run it. A switched-off add-on is replaced
// by a preflight: the program reads the API object the add-on would provide through the
// Kubernetes provider, so `pulumi preview` fails early, naming it, on a cluster that lacks it.
package clusteraddons

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	apiregistrationv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiregistration/v1"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/internal/helmsource"
	"github.com/langgraph-platform/infra/internal/helmvalues"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "langgraph:kubernetes:ClusterAddons"

// Names the add-ons are installed and found by: defined once.
const (
	Namespace = "kube-system"

	MetricsServerChart   = catalog.ChartMetricsServer
	MetricsServerRelease = "metrics-server"
	// MetricsAPIService is what metrics-server registers and the HPA's Resource metrics read.
	MetricsAPIService = "v1beta1.metrics.k8s.io"

	LoadBalancerControllerChart          = catalog.ChartAWSLoadBalancerController
	LoadBalancerControllerRelease        = "aws-load-balancer-controller"
	LoadBalancerControllerServiceAccount = "aws-load-balancer-controller"
	// IngressClass is the class the controller serves and the dataplane's Ingress names.
	IngressClass   = "alb"
	IRSAAnnotation = "eks.amazonaws.com/role-arn"

	PrometheusAdapterChart   = catalog.ChartPrometheusAdapter
	PrometheusAdapterRelease = "prometheus-adapter"
	// ExternalMetricsAPIService is what prometheus-adapter registers for External metrics.
	ExternalMetricsAPIService = "v1beta1.external.metrics.k8s.io"
	// QueueMetric is the External metric the dataplane HPA reads: LangGraph's pending runs.
	QueueMetric = "langgraph_runs_pending"
)

// Identity methods for the controller's IAM role (package catalog owns them).
const (
	IdentityPodIdentity = catalog.IdentityPodIdentity
	IdentityIRSA        = catalog.IdentityIRSA
)

// MetricsServer configures metrics-server.
type MetricsServer struct {
	ChartVersion string
	Replicas     int
}

// LoadBalancerController configures the AWS Load Balancer Controller and its IAM role.
type LoadBalancerController struct {
	ChartVersion string
	Replicas     int
	Identity     string // IdentityPodIdentity or IdentityIRSA
	// OIDCIssuerURL is the cluster's OIDC issuer (IRSA only).
	OIDCIssuerURL string
}

// PrometheusAdapter configures prometheus-adapter.
type PrometheusAdapter struct {
	ChartVersion string
	Replicas     int
	// PrometheusURL (http://service.namespace.svc) and PrometheusPort locate the Prometheus to query.
	PrometheusURL  string
	PrometheusPort int
	// QueueSeries is the recorded series of pending runs (a monitoring recording rule).
	QueueSeries string
}

// Args configure the add-ons. A nil add-on is switched off: the cluster must already provide it.
type Args struct {
	ClusterName string
	// Cluster is the cluster's name as an input: the created cluster's output in create mode,
	// so the Pod Identity associations wait for it; nil: ClusterName.
	Cluster pulumi.StringInput
	VPCID   pulumi.StringInput
	Account awsbase.Account
	Tags    map[string]string

	MetricsServer          *MetricsServer
	LoadBalancerController *LoadBalancerController
	PrometheusAdapter      *PrometheusAdapter
	FluentBit              *FluentBit
	Karpenter              *Karpenter

	// Charts are where Helm fetches each chart, by chart name (config.Charts.Sources): the
	// upstream repository or a mirror.
	Charts map[string]catalog.ChartSource

	// Resources size the containers of the add-ons installed, by catalog name.
	Resources helmvalues.Sized
}

// Validate reports what the component needs that package config cannot see: missing inputs and
// the identity wiring. Chart versions are checked against package catalog by config.
func (a *Args) Validate() error {
	var errs []error
	bad := func(field string, v any, allowed string) {
		errs = append(errs, fmt.Errorf("clusteraddons.Args.%s=%q: %s", field, fmt.Sprint(v), allowed))
	}
	version := func(field, v, chart string) {
		if v == "" {
			bad(field, v, "is required (an exact chart version)")
		}
		if _, err := helmsource.Lookup(a.Charts, chart); err != nil {
			bad("Charts", chart, err.Error())
		}
	}
	replicas := func(field string, n int) {
		if n < 1 {
			bad(field, n, "must be >= 1")
		}
	}
	// identity checks how an add-on's IAM role is bound to its ServiceAccount.
	identity := func(addon, mode, issuer string) {
		switch mode {
		case IdentityPodIdentity:
		case IdentityIRSA:
			if issuer == "" {
				bad(addon+".OIDCIssuerURL", "", "is required with IRSA")
			}
		default:
			bad(addon+".Identity", mode, "must be "+IdentityPodIdentity+" or "+IdentityIRSA)
		}
	}
	if m := a.MetricsServer; m != nil {
		version("MetricsServer.ChartVersion", m.ChartVersion, MetricsServerChart)
		replicas("MetricsServer.Replicas", m.Replicas)
	}
	if l := a.LoadBalancerController; l != nil {
		version("LoadBalancerController.ChartVersion", l.ChartVersion, LoadBalancerControllerChart)
		replicas("LoadBalancerController.Replicas", l.Replicas)
		if a.ClusterName == "" || a.VPCID == nil || a.Account.ID == "" || a.Account.Region == "" || a.Account.Partition == "" {
			bad("ClusterName/VPCID/Account", a.ClusterName+"/"+a.Account.ID, "the controller needs the cluster name, VPC, account, region and partition")
		}
		identity("LoadBalancerController", l.Identity, l.OIDCIssuerURL)
	}
	if p := a.PrometheusAdapter; p != nil {
		version("PrometheusAdapter.ChartVersion", p.ChartVersion, PrometheusAdapterChart)
		replicas("PrometheusAdapter.Replicas", p.Replicas)
		if p.PrometheusURL == "" || p.PrometheusPort < 1 || p.QueueSeries == "" {
			bad("PrometheusAdapter.PrometheusURL/PrometheusPort/QueueSeries", p.PrometheusURL, "the adapter needs Prometheus's URL and port and the recorded queue series")
		}
	}
	if f := a.FluentBit; f != nil {
		version("FluentBit.ChartVersion", f.ChartVersion, FluentBitChart)
		if f.RetentionDays < 1 || f.LogGroupPrefix == "" || len(f.Namespaces) == 0 {
			bad("FluentBit", f.LogGroupPrefix, "the retention, log group prefix and namespaces are required")
		}
		if a.ClusterName == "" || a.Account.ID == "" || a.Account.Region == "" || a.Account.Partition == "" {
			bad("ClusterName/Account", a.ClusterName, "Fluent Bit's role needs the cluster name, account, region and partition")
		}
		identity("FluentBit", f.Identity, f.OIDCIssuerURL)
	}
	if k := a.Karpenter; k != nil {
		version("Karpenter.ChartVersion", k.ChartVersion, KarpenterChart)
		replicas("Karpenter.Replicas", k.Replicas)
		for _, problem := range k.check() {
			bad("Karpenter", "", problem)
		}
		identity("Karpenter", k.Identity, k.OIDCIssuerURL)
	}
	errs = append(errs, a.Resources.Check("clusteraddons", a.containers()...))
	return errors.Join(errs...)
}

// containers are the catalog names of the containers the installed add-ons run.
func (a *Args) containers() []string {
	var out []string
	for _, c := range []struct {
		on   bool
		name string
	}{
		{a.MetricsServer != nil, catalog.ContainerMetricsServer},
		{a.LoadBalancerController != nil, catalog.ContainerLoadBalancerController},
		{a.PrometheusAdapter != nil, catalog.ContainerPrometheusAdapter},
		{a.FluentBit != nil, catalog.ContainerFluentBit},
		{a.Karpenter != nil, catalog.ContainerKarpenter},
	} {
		if c.on {
			out = append(out, c.name)
		}
	}
	return out
}

// ClusterAddons is the deployed set.
type ClusterAddons struct {
	pulumi.ResourceState

	// ControllerRoleARN is the Load Balancer Controller's IAM role ("" when it is not installed).
	ControllerRoleARN pulumi.StringOutput `pulumi:"controllerRoleArn"`
	// QueueMetric is the External metric name the HPA can read ("" without the adapter).
	QueueMetric pulumi.StringOutput `pulumi:"queueMetric"`
	// LogGroups are the container log groups Fluent Bit writes to (none when it is off).
	LogGroups pulumi.StringArrayOutput `pulumi:"logGroups"`

	// IngressReady is what an Ingress must wait for: the controller's release (its webhooks
	// reject Ingresses until it runs) or, when switched off, the IngressClass preflight.
	IngressReady pulumi.Resource
}

// New installs the add-ons. Pass the explicit Kubernetes provider with pulumi.Providers.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*ClusterAddons, error) {
	if err := args.Validate(); err != nil {
		return nil, err
	}
	c := &ClusterAddons{}
	if err := ctx.RegisterComponentResource(TypeToken, name, c, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(c)

	if m := args.MetricsServer; m != nil {
		values, err := helmvalues.Map(MetricsServerValues(m.Replicas, args.Resources[catalog.ContainerMetricsServer]))
		if err != nil {
			return nil, err
		}
		if _, err := release(ctx, name+"-metrics-server", MetricsServerRelease, args.Charts[MetricsServerChart],
			m.ChartVersion, values, child); err != nil {
			return nil, err
		}
	} else if _, err := apiregistrationv1.GetAPIService(ctx, name+"-preflight-metrics-api", pulumi.ID(MetricsAPIService), nil, child); err != nil {
		return nil, fmt.Errorf("addons.metricsServer is off, so the cluster must serve APIService %s (metrics-server or an equivalent): %w", MetricsAPIService, err)
	}

	c.ControllerRoleARN = pulumi.String("").ToStringOutput()
	if l := args.LoadBalancerController; l != nil {
		controller, role, err := loadBalancerController(ctx, name, args, *l, child)
		if err != nil {
			return nil, err
		}
		c.IngressReady, c.ControllerRoleARN = controller, role
	} else {
		class, err := networkingv1.GetIngressClass(ctx, name+"-preflight-ingress-class", pulumi.ID(IngressClass), nil, child)
		if err != nil {
			return nil, fmt.Errorf("addons.loadBalancerController is off, so the cluster must have IngressClass %q (the AWS Load Balancer Controller): %w", IngressClass, err)
		}
		c.IngressReady = class
	}

	c.QueueMetric = pulumi.String("").ToStringOutput()
	if p := args.PrometheusAdapter; p != nil {
		values, err := helmvalues.Map(PrometheusAdapterValues(*p, args.Resources[catalog.ContainerPrometheusAdapter]))
		if err != nil {
			return nil, err
		}
		if _, err := release(ctx, name+"-prometheus-adapter", PrometheusAdapterRelease, args.Charts[PrometheusAdapterChart],
			p.ChartVersion, values, child); err != nil {
			return nil, err
		}
		c.QueueMetric = pulumi.String(QueueMetric).ToStringOutput()
	}
	c.LogGroups = pulumi.StringArray{}.ToStringArrayOutput()
	if f := args.FluentBit; f != nil {
		groups, err := fluentBit(ctx, name, args, *f, child)
		if err != nil {
			return nil, err
		}
		c.LogGroups = groups
	}
	if k := args.Karpenter; k != nil {
		if err := karpenter(ctx, name, args, *k, child); err != nil {
			return nil, err
		}
	}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"controllerRoleArn": c.ControllerRoleARN, "queueMetric": c.QueueMetric, "logGroups": c.LogGroups})
}

// loadBalancerController creates the controller's IAM policy and role, binds the role to its
// ServiceAccount (a Pod Identity association, or the IRSA trust plus annotation), and installs
// the chart after the binding so the first pods already get credentials.
func loadBalancerController(ctx *pulumi.Context, name string, args Args, l LoadBalancerController, child pulumi.ResourceOption) (pulumi.Resource, pulumi.StringOutput, error) {
	acct := args.Account
	policyJSON, err := LoadBalancerControllerPolicy(acct.Partition).JSON()
	if err != nil {
		return nil, pulumi.StringOutput{}, err
	}
	policy, err := iam.NewPolicy(ctx, name+"-lbc", &iam.PolicyArgs{
		Description: pulumi.Sprintf("AWS Load Balancer Controller of EKS cluster %s", args.ClusterName),
		Policy:      pulumi.String(policyJSON),
		Tags:        pulumi.ToStringMap(args.Tags),
	}, child)
	if err != nil {
		return nil, pulumi.StringOutput{}, err
	}
	role, binding, err := podRole(ctx, name+"-lbc", args, l.Identity, l.OIDCIssuerURL, LoadBalancerControllerServiceAccount,
		"AWS Load Balancer Controller of EKS cluster "+args.ClusterName, child)
	if err != nil {
		return nil, pulumi.StringOutput{}, err
	}
	attachment, err := iam.NewRolePolicyAttachment(ctx, name+"-lbc", &iam.RolePolicyAttachmentArgs{
		Role: role.Name, PolicyArn: policy.Arn,
	}, child)
	if err != nil {
		return nil, pulumi.StringOutput{}, err
	}
	values, err := helmvalues.Map(LoadBalancerControllerValues(l, args.ClusterName, acct.Region, args.Resources[catalog.ContainerLoadBalancerController]))
	if err != nil {
		return nil, pulumi.StringOutput{}, err
	}
	// The VPC ID is the created VPC's output in create mode.
	values["vpcId"] = args.VPCID
	if l.Identity == IdentityIRSA {
		// IRSA: the ServiceAccount names the role, whose ARN is known only once it exists.
		values["serviceAccount"] = pulumi.Map{
			"create": pulumi.Bool(true), "name": pulumi.String(LoadBalancerControllerServiceAccount),
			"annotations": pulumi.StringMap{IRSAAnnotation: role.Arn},
		}
	}
	controller, err := release(ctx, name+"-load-balancer-controller", LoadBalancerControllerRelease,
		args.Charts[LoadBalancerControllerChart], l.ChartVersion, values, child, pulumi.DependsOn(append(binding, attachment)))
	return controller, role.Arn, err
}

// release installs a pinned chart into kube-system from src.
func release(ctx *pulumi.Context, name, releaseName string, src catalog.ChartSource, version string, values pulumi.Map, opts ...pulumi.ResourceOption) (*helmv3.Release, error) {
	return helmv3.NewRelease(ctx, name, releaseArgs(releaseName, src, version, values), opts...)
}

// releaseWithoutCRDs is release for a chart whose CRDs the program applies itself.
func releaseWithoutCRDs(ctx *pulumi.Context, name, releaseName string, src catalog.ChartSource, version string, values pulumi.Map, opts ...pulumi.ResourceOption) (*helmv3.Release, error) {
	args := releaseArgs(releaseName, src, version, values)
	args.SkipCrds = pulumi.Bool(true)
	return helmv3.NewRelease(ctx, name, args, opts...)
}

func releaseArgs(releaseName string, src catalog.ChartSource, version string, values pulumi.Map) *helmv3.ReleaseArgs {
	chart, repo := helmsource.Fields(src)
	return &helmv3.ReleaseArgs{
		Name: pulumi.String(releaseName), Chart: chart, Version: pulumi.String(version),
		RepositoryOpts: repo,
		Namespace:      pulumi.String(Namespace), Values: values, Timeout: pulumi.Int(600), MaxHistory: pulumi.Int(10),
	}
}
