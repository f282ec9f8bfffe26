// Package dataplane deploys the langgraph-dataplane workload on Kubernetes: a restricted
// namespace, its ServiceAccount and connection Secret, the Deployment with its
// HorizontalPodAutoscaler and PodDisruptionBudget, a ClusterIP Service, an ALB Ingress (AWS Load
// Balancer Controller) with TLS, WAF, access logs and a maintenance switch, default-deny
// NetworkPolicies with the few flows the server needs, and a ServiceMonitor for its metrics.
package dataplane

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "langgraph:kubernetes:Dataplane"

// Names, ports and labels of the workload: defined once, used by every object and by the tests.
const (
	Name             = "langgraph-dataplane"
	QueueName        = Name + "-queue"
	ContainerName    = "langgraph-api"
	SecretName       = Name + "-env"
	PartOf           = "langgraph-platform"
	APIPort          = 8000
	APIPortName      = "api"
	MetricsPort      = 9464 // LSD_PROM_METRICS_PORT's default
	MetricsPortName  = "metrics"
	HealthPath       = "/ok"
	MetricsPath      = "/metrics"
	RunAsUser        = 1000
	PodSecurityLevel = "restricted"
	// PodSecurityVersion pins the Pod Security Standards profile version, so a cluster upgrade
	// cannot tighten or loosen it unannounced.
	PodSecurityVersion = "v1.32"
	// MaintenanceAction is the ALB action that answers every request while maintenance mode is on.
	MaintenanceAction = "maintenance-mode"
	// MetadataCIDR is the instance metadata service, never reachable from the pods.
	MetadataCIDR = "169.254.169.254/32"
)

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

// Resources are a container's requests and limits.
type Resources struct {
	CPURequest, MemoryRequest, CPULimit, MemoryLimit string
}

// ScalingRule is one direction of HPA behavior.
type ScalingRule struct {
	Pods, PeriodSeconds, StabilizationWindowSeconds int
}

// Autoscaling configures a HorizontalPodAutoscaler.
type Autoscaling struct {
	MinReplicas, MaxReplicas          int
	CPUUtilization, MemoryUtilization int
	ScaleUp, ScaleDown                ScalingRule
	// QueueMetric adds an External metric on pending runs; nil: CPU and memory only.
	QueueMetric *QueueMetric
}

// QueueMetric is an External metric of pending runs (served by prometheus-adapter) with a
// target per pod: the HPA wants ceil(pending / PendingRunsPerPod) replicas and takes the
// largest recommendation of all its metrics, so CPU and memory scaling are kept.
type QueueMetric struct {
	Name              string
	PendingRunsPerPod int
}

// Queue configures the optional queue-worker tier.
type Queue struct {
	MinReplicas, MaxReplicas int
	Resources                Resources
}

// Ingress configures the ALB.
type Ingress struct {
	// ClassName is the IngressClass of the AWS Load Balancer Controller.
	ClassName                               string
	Host, CertificateARN, Scheme, SSLPolicy string
	IdleTimeoutSeconds                      int
	MaintenanceMode                         bool
	AccessLogBucket                         pulumi.StringInput
	AccessLogPrefix                         string
	WebACLArn                               pulumi.StringInput
	// DeletionProtection protects the ALB itself (production).
	DeletionProtection bool
	// Tags are applied to the ALB and its target groups.
	Tags map[string]string
}

// Network lists the peers the NetworkPolicies admit.
type Network struct {
	LoadBalancerCIDRs   []string // subnets the ALB runs in (target type ip: it connects to pod IPs)
	DataStoreCIDRs      []string // subnets of the database and cache
	HTTPSEgressCIDRs    []string // LLM APIs and LangSmith on 443
	MonitoringNamespace string   // where Prometheus runs
	DatabasePort        int
	CachePort           int
}

// Connections are the secrets the server needs; all are kept secret.
type Connections struct {
	PostgresURI       pulumi.StringInput // primary, sslmode=require
	PostgresReaderURI pulumi.StringInput // read replica, for analytics and reporting
	RedisURI          pulumi.StringInput // rediss:// with the AUTH token
	LangSmithAPIKey   pulumi.StringInput // one of these two
	LicenseKey        pulumi.StringInput
}

// Args configure the dataplane.
type Args struct {
	Namespace string
	Instance  string // app.kubernetes.io/instance, e.g. langgraph-prod
	Image     string // repository:tag or repository@sha256:...
	Version   string // app.kubernetes.io/version

	Resources                     Resources
	JobsPerWorker                 int
	DBPoolMaxSize                 int
	TerminationGracePeriodSeconds int
	PreStopSeconds                int

	Autoscaling       Autoscaling
	EmergencyReplicas int // > 0 pins min = max = N
	PDBMaxUnavailable int
	Queue             *Queue // nil: no separate queue tier

	ServiceAccountRoleARN string // IRSA; empty: none
	Ingress               Ingress
	Network               Network
	Connections           Connections

	// ServiceMonitorLabels make the monitoring stack's selector pick the ServiceMonitor up.
	ServiceMonitorLabels map[string]string

	// After are cluster add-ons every object here waits for: the load balancer controller's
	// webhooks admit the pods and the Ingress, so they must run first.
	After []pulumi.Resource
}

// Validate reports every Args problem.
func (a *Args) Validate() error {
	var errs []error
	bad := func(field string, v any, allowed string) {
		errs = append(errs, fmt.Errorf("dataplane.Args.%s=%v: %s", field, v, allowed))
	}
	if a.Namespace == "" || a.Instance == "" || a.Version == "" {
		bad("Namespace/Instance/Version", "\"\"", "are required")
	}
	if !strings.ContainsAny(a.Image, ":@") || strings.HasSuffix(a.Image, ":latest") {
		bad("Image", a.Image, "must be pinned by tag or digest, never latest")
	}
	if as := a.Autoscaling; as.MinReplicas < 1 || as.MaxReplicas < as.MinReplicas {
		bad("Autoscaling", fmt.Sprintf("%d..%d", as.MinReplicas, as.MaxReplicas), "needs 1 <= MinReplicas <= MaxReplicas")
	}
	for field, v := range map[string]int{"Autoscaling.CPUUtilization": a.Autoscaling.CPUUtilization, "Autoscaling.MemoryUtilization": a.Autoscaling.MemoryUtilization} {
		if v < 1 || v > 100 {
			bad(field, v, "must be 1-100")
		}
	}
	if a.PDBMaxUnavailable < 1 {
		bad("PDBMaxUnavailable", a.PDBMaxUnavailable, "must be >= 1 or evictions are blocked")
	}
	if a.TerminationGracePeriodSeconds <= a.PreStopSeconds {
		bad("TerminationGracePeriodSeconds", a.TerminationGracePeriodSeconds, "must exceed PreStopSeconds")
	}
	if a.Connections.PostgresURI == nil || a.Connections.RedisURI == nil || a.Connections.PostgresReaderURI == nil {
		bad("Connections", "nil", "PostgresURI, PostgresReaderURI and RedisURI are required")
	}
	if (a.Connections.LangSmithAPIKey == nil) == (a.Connections.LicenseKey == nil) {
		bad("Connections", "LangSmithAPIKey/LicenseKey", "set exactly one")
	}
	if q := a.Autoscaling.QueueMetric; q != nil && (q.Name == "" || q.PendingRunsPerPod < 1) {
		bad("Autoscaling.QueueMetric", fmt.Sprintf("%q/%d", q.Name, q.PendingRunsPerPod), "needs a metric name and PendingRunsPerPod >= 1")
	}
	if a.Ingress.ClassName == "" || a.Ingress.Host == "" || a.Ingress.CertificateARN == "" || a.Ingress.AccessLogBucket == nil || a.Ingress.WebACLArn == nil {
		bad("Ingress", a.Ingress.Host, "ClassName, Host, CertificateARN, AccessLogBucket and WebACLArn are required")
	}
	if len(a.Network.LoadBalancerCIDRs) == 0 || len(a.Network.DataStoreCIDRs) == 0 || a.Network.MonitoringNamespace == "" {
		bad("Network", "", "LoadBalancerCIDRs, DataStoreCIDRs and MonitoringNamespace are required")
	}
	return errors.Join(errs...)
}

// Dataplane is the deployed workload.
type Dataplane struct {
	pulumi.ResourceState

	Namespace   pulumi.StringOutput `pulumi:"namespace"`
	ServiceName pulumi.StringOutput `pulumi:"serviceName"`
	Host        pulumi.StringOutput `pulumi:"host"`
}

// effectiveReplicas is the HPA range: emergency replicas pin it.
func (a *Args) effectiveReplicas() (int, int) {
	if a.EmergencyReplicas > 0 {
		return a.EmergencyReplicas, a.EmergencyReplicas
	}
	return a.Autoscaling.MinReplicas, a.Autoscaling.MaxReplicas
}

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

	apiScaling := args.Autoscaling
	if args.Queue != nil {
		// Pending runs scale the tier that exists to drain them; scaling both on one queue
		// would add twice the pods.
		apiScaling.QueueMetric = nil
	}
	api, err := workload(ctx, name, args, Name, ComponentAPI, args.Resources, apiScaling, secretKeys, sa, secret, meta, inNS)
	if err != nil {
		return nil, err
	}
	if q := args.Queue; q != nil {
		queueScaling := args.Autoscaling
		queueScaling.MinReplicas, queueScaling.MaxReplicas = q.MinReplicas, q.MaxReplicas
		if _, err := workload(ctx, name+"-queue", args, QueueName, ComponentQueue, q.Resources, queueScaling, secretKeys, sa, secret, meta, inNS); err != nil {
			return nil, err
		}
	}

	svc, err := corev1.NewService(ctx, name+"-service", &corev1.ServiceArgs{
		Metadata: meta(Name, ComponentAPI),
		Spec: &corev1.ServiceSpecArgs{
			Type:     pulumi.String("ClusterIP"),
			Selector: pulumi.ToStringMap(SelectorLabels(args.Instance, ComponentAPI)),
			Ports: corev1.ServicePortArray{
				corev1.ServicePortArgs{Name: pulumi.String(APIPortName), Port: pulumi.Int(APIPort), TargetPort: pulumi.String(APIPortName), Protocol: pulumi.String("TCP")},
				corev1.ServicePortArgs{Name: pulumi.String(MetricsPortName), Port: pulumi.Int(MetricsPort), TargetPort: pulumi.String(MetricsPortName), Protocol: pulumi.String("TCP")},
			},
		},
	}, append(inNS, pulumi.DependsOn([]pulumi.Resource{api}))...)
	if err != nil {
		return nil, err
	}

	if _, err := ingress(ctx, name, args, meta, svc, inNS); err != nil {
		return nil, err
	}
	if err := networkPolicies(ctx, name, args, meta, inNS); err != nil {
		return nil, err
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
			"selector":          map[string]any{"matchLabels": SelectorLabels(args.Instance, ComponentAPI)},
			"namespaceSelector": map[string]any{"matchNames": []string{args.Namespace}},
			"endpoints": []map[string]any{{
				"port": MetricsPortName, "path": MetricsPath, "interval": "30s", "scrapeTimeout": "10s",
			}},
		}},
	}, append(inNS, pulumi.DependsOn([]pulumi.Resource{svc}))...); err != nil {
		return nil, err
	}

	d.Namespace = ns.Metadata.Name().Elem()
	d.ServiceName = svc.Metadata.Name().Elem()
	d.Host = pulumi.String(args.Ingress.Host).ToStringOutput()
	return d, ctx.RegisterResourceOutputs(d, pulumi.Map{"namespace": d.Namespace, "serviceName": d.ServiceName, "host": d.Host})
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

// workload creates one Deployment with its HPA and PDB.
func workload(ctx *pulumi.Context, name string, args Args, objName, component string, res Resources, scaling Autoscaling,
	secretKeys []string, sa *corev1.ServiceAccount, secret *corev1.Secret,
	meta func(string, string) *metav1.ObjectMetaArgs, opts []pulumi.ResourceOption,
) (*appsv1.Deployment, error) {
	selector := SelectorLabels(args.Instance, component)
	podLabels := Labels(args.Instance, args.Version, component)
	env := corev1.EnvVarArray{
		envVar("N_JOBS_PER_WORKER", fmt.Sprint(args.JobsPerWorker)),
		envVar("LANGGRAPH_POSTGRES_POOL_MAX_SIZE", fmt.Sprint(args.DBPoolMaxSize)),
		envVar("LSD_PROM_METRICS_ENABLED", "true"),
		envVar("LSD_PROM_METRICS_PORT", fmt.Sprint(MetricsPort)),
		// Runs still going when this expires go back to the queue for another pod.
		envVar("BG_JOB_SHUTDOWN_GRACE_PERIOD_SECS", fmt.Sprint(args.TerminationGracePeriodSeconds-args.PreStopSeconds)),
		envVar("PORT", fmt.Sprint(APIPort)),
	}
	for _, k := range secretKeys {
		env = append(env, corev1.EnvVarArgs{
			Name: pulumi.String(k),
			ValueFrom: corev1.EnvVarSourceArgs{SecretKeyRef: corev1.SecretKeySelectorArgs{
				Name: pulumi.String(SecretName), Key: pulumi.String(k),
			}},
		})
	}
	probe := func(period, failures int) *corev1.ProbeArgs {
		return &corev1.ProbeArgs{
			HttpGet:          corev1.HTTPGetActionArgs{Path: pulumi.String(HealthPath), Port: pulumi.String(APIPortName)},
			PeriodSeconds:    pulumi.Int(period),
			TimeoutSeconds:   pulumi.Int(5),
			FailureThreshold: pulumi.Int(failures),
		}
	}
	limits := pulumi.StringMap{"memory": pulumi.String(res.MemoryLimit)}
	if res.CPULimit != "" {
		limits["cpu"] = pulumi.String(res.CPULimit)
	}
	runtimeDefault := &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")}
	spread := func(key, when string) corev1.TopologySpreadConstraintArgs {
		return corev1.TopologySpreadConstraintArgs{
			MaxSkew:           pulumi.Int(1),
			TopologyKey:       pulumi.String(key),
			WhenUnsatisfiable: pulumi.String(when),
			LabelSelector:     &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selector)},
		}
	}
	deployment, err := appsv1.NewDeployment(ctx, name+"-deployment", &appsv1.DeploymentArgs{
		Metadata: meta(objName, component),
		Spec: &appsv1.DeploymentSpecArgs{
			// No replicas: the HPA owns the count, and Pulumi must not reset it on every update.
			Selector:             &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selector)},
			RevisionHistoryLimit: pulumi.Int(5),
			Strategy: &appsv1.DeploymentStrategyArgs{
				Type: pulumi.String("RollingUpdate"),
				RollingUpdate: &appsv1.RollingUpdateDeploymentArgs{
					MaxUnavailable: pulumi.Int(0),
					MaxSurge:       pulumi.String("25%"),
				},
			},
			Template: &corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: pulumi.ToStringMap(podLabels)},
				Spec: &corev1.PodSpecArgs{
					ServiceAccountName:            sa.Metadata.Name().Elem(),
					AutomountServiceAccountToken:  pulumi.Bool(false),
					TerminationGracePeriodSeconds: pulumi.Int(args.TerminationGracePeriodSeconds),
					SecurityContext: &corev1.PodSecurityContextArgs{
						RunAsNonRoot:   pulumi.Bool(true),
						RunAsUser:      pulumi.Int(RunAsUser),
						RunAsGroup:     pulumi.Int(RunAsUser),
						FsGroup:        pulumi.Int(RunAsUser),
						SeccompProfile: runtimeDefault,
					},
					TopologySpreadConstraints: corev1.TopologySpreadConstraintArray{
						spread("topology.kubernetes.io/zone", "DoNotSchedule"),
						spread("kubernetes.io/hostname", "ScheduleAnyway"),
					},
					Containers: corev1.ContainerArray{corev1.ContainerArgs{
						Name:            pulumi.String(ContainerName),
						Image:           pulumi.String(args.Image),
						ImagePullPolicy: pulumi.String("IfNotPresent"),
						Ports: corev1.ContainerPortArray{
							corev1.ContainerPortArgs{Name: pulumi.String(APIPortName), ContainerPort: pulumi.Int(APIPort), Protocol: pulumi.String("TCP")},
							corev1.ContainerPortArgs{Name: pulumi.String(MetricsPortName), ContainerPort: pulumi.Int(MetricsPort), Protocol: pulumi.String("TCP")},
						},
						Env: env,
						Resources: &corev1.ResourceRequirementsArgs{
							Requests: pulumi.StringMap{"cpu": pulumi.String(res.CPURequest), "memory": pulumi.String(res.MemoryRequest)},
							Limits:   limits,
						},
						// Startup allows 5 minutes for migrations and graph loading before liveness counts.
						StartupProbe:   probe(5, 60),
						ReadinessProbe: probe(10, 3),
						LivenessProbe:  probe(20, 3),
						SecurityContext: &corev1.SecurityContextArgs{
							RunAsNonRoot:             pulumi.Bool(true),
							RunAsUser:                pulumi.Int(RunAsUser),
							AllowPrivilegeEscalation: pulumi.Bool(false),
							ReadOnlyRootFilesystem:   pulumi.Bool(true),
							Privileged:               pulumi.Bool(false),
							Capabilities:             &corev1.CapabilitiesArgs{Drop: pulumi.ToStringArray([]string{"ALL"})},
							SeccompProfile:           runtimeDefault,
						},
						VolumeMounts: corev1.VolumeMountArray{corev1.VolumeMountArgs{Name: pulumi.String("tmp"), MountPath: pulumi.String("/tmp")}},
						// Keep serving while the load balancer deregisters the pod.
						Lifecycle: &corev1.LifecycleArgs{PreStop: &corev1.LifecycleHandlerArgs{
							Sleep: &corev1.SleepActionArgs{Seconds: pulumi.Int(args.PreStopSeconds)},
						}},
					}},
					Volumes: corev1.VolumeArray{corev1.VolumeArgs{
						Name:     pulumi.String("tmp"),
						EmptyDir: &corev1.EmptyDirVolumeSourceArgs{SizeLimit: pulumi.String("1Gi")},
					}},
				},
			},
		},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{secret}))...)
	if err != nil {
		return nil, err
	}

	minReplicas, maxReplicas := scaling.MinReplicas, scaling.MaxReplicas
	if component == ComponentAPI {
		minReplicas, maxReplicas = args.effectiveReplicas()
	}
	rule := func(r ScalingRule) *autoscalingv2.HPAScalingRulesArgs {
		return &autoscalingv2.HPAScalingRulesArgs{
			StabilizationWindowSeconds: pulumi.Int(r.StabilizationWindowSeconds),
			Policies: autoscalingv2.HPAScalingPolicyArray{autoscalingv2.HPAScalingPolicyArgs{
				Type: pulumi.String("Pods"), Value: pulumi.Int(r.Pods), PeriodSeconds: pulumi.Int(r.PeriodSeconds),
			}},
		}
	}
	utilization := func(resource string, target int) autoscalingv2.MetricSpecArgs {
		return autoscalingv2.MetricSpecArgs{
			Type: pulumi.String("Resource"),
			Resource: &autoscalingv2.ResourceMetricSourceArgs{
				Name:   pulumi.String(resource),
				Target: autoscalingv2.MetricTargetArgs{Type: pulumi.String("Utilization"), AverageUtilization: pulumi.Int(target)},
			},
		}
	}
	metrics := autoscalingv2.MetricSpecArray{
		utilization("cpu", scaling.CPUUtilization),
		utilization("memory", scaling.MemoryUtilization),
	}
	if q := scaling.QueueMetric; q != nil {
		metrics = append(metrics, autoscalingv2.MetricSpecArgs{
			Type: pulumi.String("External"),
			External: &autoscalingv2.ExternalMetricSourceArgs{
				Metric: autoscalingv2.MetricIdentifierArgs{Name: pulumi.String(q.Name)},
				Target: autoscalingv2.MetricTargetArgs{Type: pulumi.String("AverageValue"), AverageValue: pulumi.String(fmt.Sprint(q.PendingRunsPerPod))},
			},
		})
	}
	if _, err := autoscalingv2.NewHorizontalPodAutoscaler(ctx, name+"-hpa", &autoscalingv2.HorizontalPodAutoscalerArgs{
		Metadata: meta(objName, component),
		Spec: &autoscalingv2.HorizontalPodAutoscalerSpecArgs{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReferenceArgs{
				ApiVersion: pulumi.String("apps/v1"), Kind: pulumi.String("Deployment"), Name: deployment.Metadata.Name().Elem(),
			},
			MinReplicas: pulumi.Int(minReplicas),
			MaxReplicas: pulumi.Int(maxReplicas),
			Metrics:     metrics,
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehaviorArgs{
				ScaleUp:   rule(scaling.ScaleUp),
				ScaleDown: rule(scaling.ScaleDown),
			},
		},
	}, opts...); err != nil {
		return nil, err
	}
	if _, err := policyv1.NewPodDisruptionBudget(ctx, name+"-pdb", &policyv1.PodDisruptionBudgetArgs{
		Metadata: meta(objName, component),
		Spec: &policyv1.PodDisruptionBudgetSpecArgs{
			MaxUnavailable: pulumi.Int(args.PDBMaxUnavailable),
			Selector:       &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selector)},
			// Pods that never became ready may always be evicted, so a bad rollout cannot block drains.
			UnhealthyPodEvictionPolicy: pulumi.String("AlwaysAllow"),
		},
	}, opts...); err != nil {
		return nil, err
	}
	return deployment, nil
}

func envVar(name, value string) corev1.EnvVarArgs {
	return corev1.EnvVarArgs{Name: pulumi.String(name), Value: pulumi.String(value)}
}

// MaintenanceResponse is the fixed response the ALB gives while maintenance mode is on.
func MaintenanceResponse() string {
	b, _ := json.Marshal(map[string]any{
		"type": "fixed-response",
		"fixedResponseConfig": map[string]any{
			"contentType": "application/json",
			"statusCode":  "503",
			"messageBody": `{"error":"maintenance","message":"The service is under maintenance. Please retry later."}`,
		},
	})
	return string(b)
}

// ReadinessGateLabel opts a namespace into the AWS Load Balancer Controller's pod readiness gates.
const ReadinessGateLabel = "elbv2.k8s.aws/pod-readiness-gate-inject"

// IngressAnnotation is the AWS Load Balancer Controller annotation prefix.
const IngressAnnotation = "alb.ingress.kubernetes.io/"

func ingress(ctx *pulumi.Context, name string, args Args, meta func(string, string) *metav1.ObjectMetaArgs,
	svc *corev1.Service, opts []pulumi.ResourceOption,
) (*networkingv1.Ingress, error) {
	in := args.Ingress
	tagPairs := make([]string, 0, len(in.Tags))
	for k, v := range in.Tags {
		tagPairs = append(tagPairs, k+"="+v)
	}
	sort.Strings(tagPairs)
	lbAttributes := pulumi.All(in.AccessLogBucket).ApplyT(func(v []any) string {
		return strings.Join([]string{
			fmt.Sprintf("idle_timeout.timeout_seconds=%d", in.IdleTimeoutSeconds),
			"access_logs.s3.enabled=true",
			"access_logs.s3.bucket=" + v[0].(string),
			"access_logs.s3.prefix=" + in.AccessLogPrefix,
			"routing.http.drop_invalid_header_fields.enabled=true",
			fmt.Sprintf("deletion_protection.enabled=%t", in.DeletionProtection),
		}, ",")
	}).(pulumi.StringOutput)
	annotations := pulumi.StringMap{
		IngressAnnotation + "scheme":                   pulumi.String(in.Scheme),
		IngressAnnotation + "target-type":              pulumi.String("ip"),
		IngressAnnotation + "listen-ports":             pulumi.String(`[{"HTTP":80},{"HTTPS":443}]`),
		IngressAnnotation + "ssl-redirect":             pulumi.String("443"),
		IngressAnnotation + "certificate-arn":          pulumi.String(in.CertificateARN),
		IngressAnnotation + "ssl-policy":               pulumi.String(in.SSLPolicy),
		IngressAnnotation + "backend-protocol":         pulumi.String("HTTP"),
		IngressAnnotation + "healthcheck-path":         pulumi.String(HealthPath),
		IngressAnnotation + "healthcheck-port":         pulumi.String("traffic-port"),
		IngressAnnotation + "success-codes":            pulumi.String("200"),
		IngressAnnotation + "load-balancer-attributes": lbAttributes,
		// Deregistration waits as long as a pod may take to finish its runs.
		IngressAnnotation + "target-group-attributes": pulumi.String(fmt.Sprintf("deregistration_delay.timeout_seconds=%d", args.TerminationGracePeriodSeconds)),
		IngressAnnotation + "wafv2-acl-arn":           in.WebACLArn,
		IngressAnnotation + "tags":                    pulumi.String(strings.Join(tagPairs, ",")),
	}
	backend := networkingv1.IngressBackendArgs{Service: networkingv1.IngressServiceBackendArgs{
		Name: svc.Metadata.Name().Elem(),
		Port: networkingv1.ServiceBackendPortArgs{Name: pulumi.String(APIPortName)},
	}}
	if in.MaintenanceMode {
		annotations[IngressAnnotation+"actions."+MaintenanceAction] = pulumi.String(MaintenanceResponse())
		backend = networkingv1.IngressBackendArgs{Service: networkingv1.IngressServiceBackendArgs{
			Name: pulumi.String(MaintenanceAction),
			Port: networkingv1.ServiceBackendPortArgs{Name: pulumi.String("use-annotation")},
		}}
	}
	m := meta(Name, ComponentAPI)
	m.Annotations = annotations
	return networkingv1.NewIngress(ctx, name+"-ingress", &networkingv1.IngressArgs{
		Metadata: m,
		Spec: &networkingv1.IngressSpecArgs{
			IngressClassName: pulumi.String(in.ClassName),
			Tls:              networkingv1.IngressTLSArray{networkingv1.IngressTLSArgs{Hosts: pulumi.ToStringArray([]string{in.Host})}},
			Rules: networkingv1.IngressRuleArray{networkingv1.IngressRuleArgs{
				Host: pulumi.String(in.Host),
				Http: networkingv1.HTTPIngressRuleValueArgs{Paths: networkingv1.HTTPIngressPathArray{networkingv1.HTTPIngressPathArgs{
					Path: pulumi.String("/"), PathType: pulumi.String("Prefix"), Backend: backend,
				}}},
			}},
		},
	}, opts...)
}

// NetworkPolicyNames are the policies the namespace gets.
var NetworkPolicyNames = []string{"default-deny", "allow-api-from-load-balancer", "allow-metrics-from-prometheus", "allow-dns", "allow-data-stores", "allow-https-egress"}

func networkPolicies(ctx *pulumi.Context, name string, args Args, meta func(string, string) *metav1.ObjectMetaArgs, opts []pulumi.ResourceOption) error {
	pods := &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{
		"app.kubernetes.io/name": pulumi.String(Name), "app.kubernetes.io/instance": pulumi.String(args.Instance),
	}}
	tcp := func(port int) networkingv1.NetworkPolicyPortArgs {
		return networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("TCP"), Port: pulumi.Int(port)}
	}
	blocks := func(cidrs []string) networkingv1.NetworkPolicyPeerArray {
		peers := networkingv1.NetworkPolicyPeerArray{}
		for _, c := range cidrs {
			block := networkingv1.IPBlockArgs{Cidr: pulumi.String(c)}
			if contains(c, MetadataCIDR) {
				block.Except = pulumi.ToStringArray([]string{MetadataCIDR})
			}
			peers = append(peers, networkingv1.NetworkPolicyPeerArgs{IpBlock: block})
		}
		return peers
	}
	specs := map[string]*networkingv1.NetworkPolicySpecArgs{
		"default-deny": {
			PodSelector: &metav1.LabelSelectorArgs{},
			PolicyTypes: pulumi.ToStringArray([]string{"Ingress", "Egress"}),
		},
		"allow-api-from-load-balancer": {
			PodSelector: pods,
			PolicyTypes: pulumi.ToStringArray([]string{"Ingress"}),
			Ingress: networkingv1.NetworkPolicyIngressRuleArray{networkingv1.NetworkPolicyIngressRuleArgs{
				From: blocks(args.Network.LoadBalancerCIDRs), Ports: networkingv1.NetworkPolicyPortArray{tcp(APIPort)},
			}},
		},
		"allow-metrics-from-prometheus": {
			PodSelector: pods,
			PolicyTypes: pulumi.ToStringArray([]string{"Ingress"}),
			Ingress: networkingv1.NetworkPolicyIngressRuleArray{networkingv1.NetworkPolicyIngressRuleArgs{
				From: networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{
					NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"kubernetes.io/metadata.name": pulumi.String(args.Network.MonitoringNamespace)}},
					PodSelector:       &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"app.kubernetes.io/name": pulumi.String("prometheus")}},
				}},
				Ports: networkingv1.NetworkPolicyPortArray{tcp(MetricsPort)},
			}},
		},
		"allow-dns": {
			PodSelector: pods,
			PolicyTypes: pulumi.ToStringArray([]string{"Egress"}),
			Egress: networkingv1.NetworkPolicyEgressRuleArray{networkingv1.NetworkPolicyEgressRuleArgs{
				To: networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{
					NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"kubernetes.io/metadata.name": pulumi.String("kube-system")}},
					PodSelector:       &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"k8s-app": pulumi.String("kube-dns")}},
				}},
				Ports: networkingv1.NetworkPolicyPortArray{
					networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("UDP"), Port: pulumi.Int(53)}, tcp(53),
				},
			}},
		},
		"allow-data-stores": {
			PodSelector: pods,
			PolicyTypes: pulumi.ToStringArray([]string{"Egress"}),
			Egress: networkingv1.NetworkPolicyEgressRuleArray{networkingv1.NetworkPolicyEgressRuleArgs{
				To:    blocks(args.Network.DataStoreCIDRs),
				Ports: networkingv1.NetworkPolicyPortArray{tcp(args.Network.DatabasePort), tcp(args.Network.CachePort)},
			}},
		},
		"allow-https-egress": {
			PodSelector: pods,
			PolicyTypes: pulumi.ToStringArray([]string{"Egress"}),
			Egress: networkingv1.NetworkPolicyEgressRuleArray{networkingv1.NetworkPolicyEgressRuleArgs{
				To: blocks(args.Network.HTTPSEgressCIDRs), Ports: networkingv1.NetworkPolicyPortArray{tcp(443)},
			}},
		},
	}
	for _, policy := range NetworkPolicyNames {
		if policy == "allow-https-egress" && len(args.Network.HTTPSEgressCIDRs) == 0 {
			continue
		}
		if _, err := networkingv1.NewNetworkPolicy(ctx, name+"-"+policy, &networkingv1.NetworkPolicyArgs{
			Metadata: meta(policy, "network-policy"),
			Spec:     specs[policy],
		}, opts...); err != nil {
			return err
		}
	}
	return nil
}

// contains reports whether CIDR outer contains inner.
func contains(outer, inner string) bool {
	o, err1 := netip.ParsePrefix(outer)
	i, err2 := netip.ParsePrefix(inner)
	return err1 == nil && err2 == nil && o.Bits() <= i.Bits() && o.Contains(i.Addr())
}
