// Package dataplane deploys the langgraph-dataplane workload on Kubernetes: a restricted
// namespace, its ServiceAccount and connection Secret, the Deployment with its
// HorizontalPodAutoscaler and PodDisruptionBudget, a ClusterIP Service, an ALB Ingress (AWS Load
// Balancer Controller) with TLS, WAF, access logs and a maintenance switch, default-deny
// NetworkPolicies with the few flows the server needs, and a ServiceMonitor for its metrics.
// Every LangGraph pod checks callers as Args.Auth says; with a queue tier the queue pods run the
// vendor's queue entrypoint and the API pods execute no runs; scheduled minimums add CronJobs
// with a scaler that may patch only the HPA's minimum.
//
// Files: args.go (inputs and their invariants), workload.go (a tier's Deployment, HPA and PDB),
// ingress.go (the ALB and maintenance mode), network.go (NetworkPolicies), schedules.go.
package dataplane

import (
	"sort"
	"strings"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	schedulingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/scheduling/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/internal/rollout"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "langgraph:kubernetes:Dataplane"

// Names, ports and labels of the workload: defined once, used by every object and by the tests.
const (
	Name          = "langgraph-dataplane"
	QueueName     = Name + "-queue"
	ContainerName = "langgraph-api"
	SecretName    = Name + "-env"
	PartOf        = "langgraph-platform"
	APIPort       = 8000
	APIPortName   = "api"
	// MetricsPort is where Prometheus scrapes every pod: the server serves /metrics on its API
	// port (the queue entrypoint too), not on a port of its own (catalog, the server contract).
	MetricsPort = APIPort
	HealthPath  = catalog.LangGraphHealthPath
	MetricsPath = catalog.LangGraphMetricsPath
	// MetricsNotPublicAction is the ALB action that answers /metrics from outside with 404.
	MetricsNotPublicAction = "metrics-not-public"
	// RunAsUser is above 10000, the range no node's own accounts use, so a container escape
	// lands as nobody the node knows (the image runs as any user: it writes only to /tmp).
	RunAsUser        = 10001
	PodSecurityLevel = "restricted"
	// PodSecurityVersion pins the Pod Security Standards profile version, so a cluster upgrade
	// cannot tighten or loosen it unannounced.
	PodSecurityVersion = "v1.32"
	// MaintenanceAction is the ALB action that answers every request while maintenance mode is on.
	MaintenanceAction = "maintenance-mode"
	// MetadataCIDR is the instance metadata service, never reachable from the pods.
	MetadataCIDR = catalog.InstanceMetadataCIDR
	// QueueEntrypoint starts a LangGraph server image as a queue worker (LangChain's chart).
	QueueEntrypoint = "/storage/queue_entrypoint.sh"
	// DNSNdots is the pods' resolver ndots option (LangChain's chart).
	DNSNdots = "4"
)

// LANGGRAPH_AUTH_TYPE and its values: how the server checks callers.
const (
	AuthTypeEnv       = "LANGGRAPH_AUTH_TYPE"
	AuthTypeLangSmith = "langsmith" // LangSmith API keys (LANGSMITH_AUTH_ENDPOINT, LANGSMITH_TENANT_ID)
	AuthTypeCustom    = "custom"    // the image's own handler (langgraph.json auth.path)
	AuthTypeNoop      = "noop"      // the server's default: every request is accepted
)

// UnauthenticatedAnnotation on the Ingress carries the reason an internet-facing API without
// authentication was accepted, for reviewers and the policy pack.
const UnauthenticatedAnnotation = "langgraph-platform/unauthenticated-reason"

// Component label values.
const (
	ComponentAPI   = "api"
	ComponentQueue = "queue"
)

// Labels are the app.kubernetes.io labels every object of the dataplane carries.
func Labels(instance, version, component string) map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":       Name,
		"app.kubernetes.io/instance":   instance,
		"app.kubernetes.io/version":    version,
		"app.kubernetes.io/component":  component,
		"app.kubernetes.io/part-of":    PartOf,
		"app.kubernetes.io/managed-by": "pulumi",
	}
}

// SelectorLabels select a component's pods; they never change over the workload's life.
func SelectorLabels(instance, component string) map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":      Name,
		"app.kubernetes.io/instance":  instance,
		"app.kubernetes.io/component": component,
	}
}

// MetricsSelectorLabels select the Services of every tier, which the ServiceMonitor scrapes.
func MetricsSelectorLabels(instance string) map[string]string {
	return map[string]string{"app.kubernetes.io/name": Name, "app.kubernetes.io/instance": instance}
}

// Dataplane is the deployed workload.
type Dataplane struct {
	pulumi.ResourceState

	Namespace   pulumi.StringOutput `pulumi:"namespace"`
	ServiceName pulumi.StringOutput `pulumi:"serviceName"`
	Host        pulumi.StringOutput `pulumi:"host"`
	// LoadBalancerTags find the controller's ALB (aws.lb.LookupLoadBalancer): they resolve only
	// once the Ingress is ready, that is once the ALB exists.
	LoadBalancerTags pulumi.StringMapOutput `pulumi:"loadBalancerTags"`
	// LoadBalancerName is the ALB's name read from the Ingress's status (its DNS name), "" while
	// the status has none: the lookup then falls back to LoadBalancerTags. The name is what the
	// Ingress points at now, without waiting for the controller to tag it.
	LoadBalancerName pulumi.StringOutput `pulumi:"loadBalancerName"`
}

// LoadBalancerNameFromHost is an ALB's name from its DNS name: [internal-]<name>-<digits>.<region>.elb.amazonaws.com.
func LoadBalancerNameFromHost(host string) string {
	label, _, _ := strings.Cut(host, ".")
	label = strings.TrimPrefix(label, "internal-")
	i := strings.LastIndex(label, "-")
	if i <= 0 || strings.Trim(label[i+1:], "0123456789") != "" {
		return ""
	}
	return label[:i]
}

// IngressTagValue is LoadBalancerTag's value: the Ingress's namespace/name.
func IngressTagValue(namespace string) string { return namespace + "/" + Name }

// LoadBalancerTag is the tag the ALB carries (through the Ingress's tags annotation) naming the
// Ingress it serves: one ALB per stack, found by it.
const LoadBalancerTag = "langgraph-platform/ingress"

// New deploys the dataplane. Pass the explicit Kubernetes provider with pulumi.Providers.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Dataplane, error) {
	if err := args.Validate(); err != nil {
		return nil, err
	}
	d := &Dataplane{}
	if err := ctx.RegisterComponentResource(TypeToken, name, d, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(d)
	meta := func(objName, component string) *metav1.ObjectMetaArgs {
		return &metav1.ObjectMetaArgs{
			Name:      pulumi.String(objName),
			Namespace: pulumi.String(args.Namespace),
			Labels:    pulumi.ToStringMap(Labels(args.Instance, args.Version, component)),
		}
	}

	ns, err := corev1.NewNamespace(ctx, name+"-namespace", &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:   pulumi.String(args.Namespace),
			Labels: pulumi.ToStringMap(namespaceLabels(args)),
		},
	}, child, pulumi.DependsOn(args.After))
	if err != nil {
		return nil, err
	}
	inNS := []pulumi.ResourceOption{child, pulumi.DependsOn([]pulumi.Resource{ns})}

	saMeta := meta(Name, ComponentAPI)
	if args.ServiceAccountRoleARN != "" {
		saMeta.Annotations = pulumi.StringMap{"eks.amazonaws.com/role-arn": pulumi.String(args.ServiceAccountRoleARN)}
	}
	sa, err := corev1.NewServiceAccount(ctx, name+"-serviceaccount", &corev1.ServiceAccountArgs{
		Metadata: saMeta,
		// The server never calls the Kubernetes API; IRSA injects its own projected token.
		AutomountServiceAccountToken: pulumi.Bool(false),
	}, inNS...)
	if err != nil {
		return nil, err
	}

	secretData := pulumi.StringMap{
		"POSTGRES_URI":        args.Connections.PostgresURI,
		"POSTGRES_READER_URI": args.Connections.PostgresReaderURI,
		"REDIS_URI":           args.Connections.RedisURI,
	}
	if args.Connections.LangSmithAPIKey != nil {
		secretData["LANGSMITH_API_KEY"] = args.Connections.LangSmithAPIKey
	} else {
		secretData["LANGGRAPH_CLOUD_LICENSE_KEY"] = args.Connections.LicenseKey
	}
	if g := args.LLMGateway; g != nil {
		for _, k := range g.KeyEnvs {
			secretData[k] = g.Key
		}
		// Not secret, but a *_URL literal in env is what the pack refuses; the Secret keeps
		// every connection setting in one place.
		for k, url := range g.BaseURLs {
			secretData[k] = pulumi.String(url)
		}
	}
	secret, err := corev1.NewSecret(ctx, name+"-env", &corev1.SecretArgs{
		Metadata:   meta(SecretName, ComponentAPI),
		Type:       pulumi.String("Opaque"),
		StringData: pulumi.ToSecret(secretData).(pulumi.StringMapOutput),
	}, inNS...)
	if err != nil {
		return nil, err
	}
	secretKeys := make([]string, 0, len(secretData))
	for k := range secretData {
		secretKeys = append(secretKeys, k)
	}
	sort.Strings(secretKeys)

	// Every tier's Service exposes the API port: where the API serves and Prometheus scrapes.
	apiServicePort := corev1.ServicePortArgs{Name: pulumi.String(APIPortName), Port: pulumi.Int(APIPort), TargetPort: pulumi.String(APIPortName), Protocol: pulumi.String("TCP")}
	refs := podRefs{secretKeys: secretKeys, sa: sa, secret: secret, checksum: rollout.Checksum(secretData), meta: meta, opts: inNS}
	var headroomClass *schedulingv1.PriorityClass
	if args.Headroom != nil {
		dataplaneClass, hc, err := priorityClasses(ctx, name, args, []pulumi.ResourceOption{child, pulumi.DependsOn(args.After)})
		if err != nil {
			return nil, err
		}
		refs.priority, headroomClass = []pulumi.Resource{dataplaneClass}, hc
	}
	apiTier := tierSpec{name: name, objName: Name, component: ComponentAPI, resources: args.Resources, scaling: args.Autoscaling, jobsPerWorker: args.JobsPerWorker}
	apiTier.scaling.MinReplicas, apiTier.scaling.MaxReplicas = args.effectiveReplicas()
	apiTier.scheduledMinimum = len(args.Schedules) > 0
	if args.Queue != nil {
		// As LangChain's chart does: the API tier serves HTTP and runs no jobs, and pending runs
		// scale the tier that exists to drain them (scaling both would add twice the pods).
		apiTier.jobsPerWorker = 0
		apiTier.scaling.QueueMetric = nil
	}
	api, err := workload(ctx, args, apiTier, refs)
	if err != nil {
		return nil, err
	}
	if q := args.Queue; q != nil {
		queueTier := tierSpec{name: name + "-queue", objName: QueueName, component: ComponentQueue, resources: q.Resources,
			scaling: args.Autoscaling, jobsPerWorker: args.JobsPerWorker, command: []string{QueueEntrypoint}}
		queueTier.scaling.MinReplicas, queueTier.scaling.MaxReplicas = q.MinReplicas, q.MaxReplicas
		queue, err := workload(ctx, args, queueTier, refs)
		if err != nil {
			return nil, err
		}
		// Headless, for Prometheus alone: the queue pods take no traffic, but they record the
		// run counters and worker gauges, which the ServiceMonitor finds through this Service.
		if _, err := corev1.NewService(ctx, name+"-queue-service", &corev1.ServiceArgs{
			Metadata: meta(QueueName, ComponentQueue),
			Spec: &corev1.ServiceSpecArgs{
				Type:      pulumi.String("ClusterIP"),
				ClusterIP: pulumi.String("None"),
				Selector:  pulumi.ToStringMap(SelectorLabels(args.Instance, ComponentQueue)),
				Ports:     corev1.ServicePortArray{apiServicePort},
			},
		}, append(inNS, pulumi.DependsOn([]pulumi.Resource{queue}))...); err != nil {
			return nil, err
		}
	}

	svc, err := corev1.NewService(ctx, name+"-service", &corev1.ServiceArgs{
		Metadata: meta(Name, ComponentAPI),
		Spec: &corev1.ServiceSpecArgs{
			Type:     pulumi.String("ClusterIP"),
			Selector: pulumi.ToStringMap(SelectorLabels(args.Instance, ComponentAPI)),
			Ports:    corev1.ServicePortArray{apiServicePort},
		},
	}, append(inNS, pulumi.DependsOn([]pulumi.Resource{api}))...)
	if err != nil {
		return nil, err
	}

	ing, err := ingress(ctx, name, args, meta, svc, inNS)
	if err != nil {
		return nil, err
	}
	if err := networkPolicies(ctx, name, args, meta, inNS); err != nil {
		return nil, err
	}
	if args.Headroom != nil {
		if err := headroom(ctx, name, args, refs, headroomClass); err != nil {
			return nil, err
		}
	}
	if len(args.Schedules) > 0 {
		if err := schedules(ctx, name, args, meta, inNS); err != nil {
			return nil, err
		}
	}
	smLabels := Labels(args.Instance, args.Version, ComponentAPI)
	for k, v := range args.ServiceMonitorLabels {
		smLabels[k] = v
	}
	if _, err := apiextensions.NewCustomResource(ctx, name+"-servicemonitor", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String("monitoring.coreos.com/v1"),
		Kind:       pulumi.String("ServiceMonitor"),
		Metadata:   &metav1.ObjectMetaArgs{Name: pulumi.String(Name), Namespace: pulumi.String(args.Namespace), Labels: pulumi.ToStringMap(smLabels)},
		OtherFields: map[string]any{"spec": map[string]any{
			// Every tier's Service (the API's, and the queue's when there is one); one job name
			// for all, so the rules read one job whichever tiers exist.
			"selector":          map[string]any{"matchLabels": MetricsSelectorLabels(args.Instance)},
			"namespaceSelector": map[string]any{"matchNames": []string{args.Namespace}},
			"jobLabel":          "app.kubernetes.io/name",
			"endpoints": []map[string]any{{
				"port": APIPortName, "path": MetricsPath, "interval": "30s", "scrapeTimeout": "10s",
			}},
		}},
	}, append(inNS, pulumi.DependsOn(crdKindDeps(args.ServiceMonitorCRD, svc)))...); err != nil {
		return nil, err
	}

	d.Namespace = ns.Metadata.Name().Elem()
	d.ServiceName = svc.Metadata.Name().Elem()
	d.Host = pulumi.String(args.Ingress.Host).ToStringOutput()
	lbTags := map[string]string{LoadBalancerTag: IngressTagValue(args.Namespace)}
	d.LoadBalancerTags = ing.Status.ApplyT(func(*networkingv1.IngressStatus) map[string]string { return lbTags }).(pulumi.StringMapOutput)
	d.LoadBalancerName = ing.Status.ApplyT(func(st *networkingv1.IngressStatus) string {
		if st == nil || st.LoadBalancer == nil || len(st.LoadBalancer.Ingress) == 0 || st.LoadBalancer.Ingress[0].Hostname == nil {
			return ""
		}
		return LoadBalancerNameFromHost(*st.LoadBalancer.Ingress[0].Hostname)
	}).(pulumi.StringOutput)
	return d, ctx.RegisterResourceOutputs(d, pulumi.Map{"namespace": d.Namespace, "serviceName": d.ServiceName, "host": d.Host,
		"loadBalancerTags": d.LoadBalancerTags, "loadBalancerName": d.LoadBalancerName})
}

func namespaceLabels(args Args) map[string]string {
	labels := Labels(args.Instance, args.Version, ComponentAPI)
	for _, mode := range []string{"enforce", "audit", "warn"} {
		labels["pod-security.kubernetes.io/"+mode] = PodSecurityLevel
		labels["pod-security.kubernetes.io/"+mode+"-version"] = PodSecurityVersion
	}
	// The load balancer controller adds a readiness gate to pods here: a new pod counts as ready
	// only once the ALB sees it healthy, so a rollout never drains the old pods first.
	labels[ReadinessGateLabel] = "enabled"
	return labels
}

// crdKindDeps are the dependencies of an object of a CRD kind: deps and the CRD's installer.
func crdKindDeps(crd pulumi.Resource, deps ...pulumi.Resource) []pulumi.Resource {
	if crd != nil {
		deps = append(deps, crd)
	}
	return deps
}
