// Package gateway deploys the LLM gateway: LiteLLM's proxy from its published chart (pinned in
// catalog), in its own namespace under restricted Pod Security and default-deny
// NetworkPolicies, holding the provider keys, with its HPA, disruption budget and ServiceMonitor.
// The dataplane's model clients call it instead of the providers (docs/gateway.md).
package gateway

import (
	"maps"
	"strconv"

	apiextensions "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/internal/helmsource"
	"github.com/langgraph-platform/infra/internal/helmvalues"
	"github.com/langgraph-platform/infra/internal/rollout"
)

// PodLabels select the gateway's pods: the chart's selector labels for the release.
var PodLabels = map[string]string{"app.kubernetes.io/name": "litellm", "app.kubernetes.io/instance": ReleaseName}

// Gateway is the deployed gateway.
type Gateway struct {
	pulumi.ResourceState

	Namespace pulumi.StringOutput `pulumi:"namespace"`
	// BaseURL is the proxy's in-cluster URL (http://<service>.<namespace>.svc:<port>).
	BaseURL pulumi.StringOutput `pulumi:"baseUrl"`
	// Key is the gateway's key (secret): the dataplane's model clients send it.
	Key pulumi.StringOutput `pulumi:"key"`
}

// BaseURL is the gateway's in-cluster URL in namespace.
func BaseURL(namespace string) string {
	return "http://" + ServiceName + "." + namespace + ".svc:" + strconv.Itoa(catalog.LiteLLMPort)
}

// New deploys the gateway. Pass the explicit Kubernetes provider with pulumi.Providers.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Gateway, error) {
	if err := args.Validate(); err != nil {
		return nil, err
	}
	config, err := ProxyConfig(args.Settings)
	if err != nil {
		return nil, err
	}
	g := &Gateway{}
	if err := ctx.RegisterComponentResource(TypeToken, name, g, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(g)
	labels := pulumi.ToStringMap(args.Labels)
	meta := func(objName string) *metav1.ObjectMetaArgs {
		return &metav1.ObjectMetaArgs{Name: pulumi.String(objName), Namespace: pulumi.String(args.Namespace), Labels: labels}
	}
	nsLabels := maps.Clone(args.Labels)
	for _, mode := range []string{"enforce", "audit", "warn"} {
		nsLabels["pod-security.kubernetes.io/"+mode] = "restricted"
	}
	ns, err := corev1.NewNamespace(ctx, name+"-namespace", &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(args.Namespace), Labels: pulumi.ToStringMap(nsLabels)},
	}, child)
	if err != nil {
		return nil, err
	}
	inNS := []pulumi.ResourceOption{child, pulumi.DependsOn([]pulumi.Resource{ns})}
	if err := networkPolicies(ctx, name, args, meta, inNS); err != nil {
		return nil, err
	}

	// LiteLLM takes a master key only with its sk- prefix.
	password, err := random.NewRandomPassword(ctx, name+"-key", &random.RandomPasswordArgs{Length: pulumi.Int(40), Special: pulumi.Bool(false)}, child)
	if err != nil {
		return nil, err
	}
	key := pulumi.ToSecret(pulumi.Sprintf("sk-%s", password.Result)).(pulumi.StringOutput)
	data := pulumi.StringMap{MasterKeySecretKey: key, RedisPasswordEnv: args.RedisPassword}
	for env, key := range args.Keys {
		data[env] = key
	}
	secret, err := corev1.NewSecret(ctx, name+"-keys", &corev1.SecretArgs{
		Metadata: meta(SecretName), Type: pulumi.String("Opaque"), StringData: pulumi.ToSecret(data).(pulumi.StringMapOutput),
	}, inNS...)
	if err != nil {
		return nil, err
	}

	plain, err := helmvalues.Plain(ChartValues(args, config))
	if err != nil {
		return nil, err
	}
	values := pulumi.ToMap(plain.(map[string]any))
	// The chart reads the Secret through envFrom at start: a rotated key rolls the pods.
	values["podAnnotations"] = pulumi.StringMap{rollout.Annotation: rollout.Checksum(data)}
	values["envVars"] = pulumi.Map{RedisHostEnv: args.RedisHost}
	chart, repo := helmsource.Fields(args.Charts[catalog.ChartLiteLLM])
	release, err := helmv3.NewRelease(ctx, name+"-release", &helmv3.ReleaseArgs{
		Name: pulumi.String(ReleaseName), Chart: chart, Version: pulumi.String(args.ChartVersion),
		RepositoryOpts: repo, Namespace: pulumi.String(args.Namespace),
		Values: values, MaxHistory: pulumi.Int(10), Timeout: pulumi.Int(600),
	}, append(inNS, pulumi.DependsOn([]pulumi.Resource{ns, secret}))...)
	if err != nil {
		return nil, err
	}

	smLabels := maps.Clone(args.Labels)
	maps.Copy(smLabels, args.ServiceMonitorLabels)
	deps := []pulumi.Resource{release}
	if args.ServiceMonitorCRD != nil {
		deps = append(deps, args.ServiceMonitorCRD)
	}
	if _, err := apiextensions.NewCustomResource(ctx, name+"-servicemonitor", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String("monitoring.coreos.com/v1"),
		Kind:       pulumi.String("ServiceMonitor"),
		Metadata:   &metav1.ObjectMetaArgs{Name: pulumi.String(ReleaseName), Namespace: pulumi.String(args.Namespace), Labels: pulumi.ToStringMap(smLabels)},
		OtherFields: map[string]any{"spec": map[string]any{
			"selector":          map[string]any{"matchLabels": PodLabels},
			"namespaceSelector": map[string]any{"matchNames": []string{args.Namespace}},
			"jobLabel":          "app.kubernetes.io/instance",
			"endpoints": []map[string]any{{
				"port": "http", "path": catalog.LiteLLMMetricsPath, "interval": "30s", "scrapeTimeout": "10s",
			}},
		}},
	}, append(inNS, pulumi.DependsOn(deps))...); err != nil {
		return nil, err
	}

	g.Namespace = ns.Metadata.Name().Elem()
	g.BaseURL = pulumi.String(BaseURL(args.Namespace)).ToStringOutput()
	g.Key = key
	return g, ctx.RegisterResourceOutputs(g, pulumi.Map{"namespace": g.Namespace, "baseUrl": g.BaseURL, "key": g.Key})
}
