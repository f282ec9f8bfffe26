package dataplane

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Resources are a container's requests and limits. Memory and ephemeral storage are always
// bounded; CPU is limited only when CPULimit is set.
type Resources struct {
	CPURequest, MemoryRequest, CPULimit, MemoryLimit string
	EphemeralStorageRequest, EphemeralStorageLimit   string
}

// missing names the requests and limits r lacks.
func (r Resources) missing() []string {
	var out []string
	for _, f := range [][2]string{{"CPURequest", r.CPURequest}, {"MemoryRequest", r.MemoryRequest}, {"MemoryLimit", r.MemoryLimit},
		{"EphemeralStorageRequest", r.EphemeralStorageRequest}, {"EphemeralStorageLimit", r.EphemeralStorageLimit}} {
		if f[1] == "" {
			out = append(out, f[0])
		}
	}
	return out
}

// ScalingRule is one direction of HPA behavior: a Pods policy and, when Percent > 0, a Percent
// policy beside it of which the HPA takes the larger (selectPolicy Max).
type ScalingRule struct {
	Pods, Percent, PeriodSeconds, StabilizationWindowSeconds int
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
	WebACLARN                               pulumi.StringInput
	// DeletionProtection protects the ALB itself (production).
	DeletionProtection bool
	// Tags are applied to the ALB and its target groups.
	Tags map[string]string
	// HealthOnAnyHost serves the health path on any host name too: a Route 53 health check
	// asks the load balancer by its own name (ingress.dns).
	HealthOnAnyHost bool
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

// Auth is how the server checks callers.
type Auth struct {
	Type              string // AuthTypeLangSmith, AuthTypeCustom or AuthTypeNoop
	LangSmithEndpoint string // with AuthTypeLangSmith
	LangSmithTenantID string // with AuthTypeLangSmith
	// UnauthenticatedReason is why an internet-facing API with AuthTypeNoop was accepted.
	UnauthenticatedReason string
}

// Connections are the secrets the server needs; all are kept secret.
type Connections struct {
	PostgresURI       pulumi.StringInput // primary, sslmode=require
	PostgresReaderURI pulumi.StringInput // read replica, for analytics and reporting
	RedisURI          pulumi.StringInput // rediss:// with the AUTH token
	LangSmithAPIKey   pulumi.StringInput // one of these two
	LicenseKey        pulumi.StringInput
}

// LLMGateway routes the model clients' calls through the LLM gateway (package components/gateway).
type LLMGateway struct {
	// BaseURLs are the base-URL variables the LangChain model clients read, by name.
	BaseURLs map[string]string
	// KeyEnvs are the API-key variables the clients read; each holds Key, the gateway's key.
	KeyEnvs []string
	Key     pulumi.StringInput
	// Namespace, Pods and Port are where the pods may connect (their only model egress).
	Namespace string
	Pods      map[string]string
	Port      int
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
	// Schedules set the API HPA's minimum at cron times; the program then ignores the live
	// minimum (it no longer resets what a job set). ScheduleImage is their kubectl image.
	Schedules         []Schedule
	ScheduleImage     string
	PDBMaxUnavailable int
	Queue             *Queue // nil: no separate queue tier
	// LLMGateway sends the model calls through the gateway; nil: the pods call the providers.
	LLMGateway *LLMGateway
	// Headroom keeps nodes' room for pods that execute runs; nil: none. With it, the dataplane's
	// pods run at DataplanePriorityClass, above the placeholders.
	Headroom *Headroom

	ServiceAccountRoleARN string // IRSA; empty: none
	Auth                  Auth
	Ingress               Ingress
	Network               Network
	Connections           Connections

	// ServiceMonitorLabels make the monitoring stack's selector pick the ServiceMonitor up.
	ServiceMonitorLabels map[string]string
	// ServiceMonitorCRD is whatever installs the ServiceMonitor CRD (the monitoring component's
	// CRD set): the ServiceMonitor depends on it explicitly, so on a fresh cluster it is never
	// sent before its kind exists.
	ServiceMonitorCRD pulumi.Resource

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
	// Pinning rules (tags, digests, never latest) are config's; the component needs a reference.
	if !strings.ContainsAny(a.Image, ":@") {
		bad("Image", a.Image, "must be a reference with a tag or digest")
	}
	if as := a.Autoscaling; as.MinReplicas < 1 || as.MaxReplicas < as.MinReplicas {
		bad("Autoscaling", fmt.Sprintf("%d..%d", as.MinReplicas, as.MaxReplicas), "needs 1 <= MinReplicas <= MaxReplicas")
	}
	if m := a.Resources.missing(); len(m) > 0 {
		bad("Resources", strings.Join(m, ","), "are required: an unbounded pod can exhaust its node's memory or disk")
	}
	if q := a.Queue; q != nil {
		if m := q.Resources.missing(); len(m) > 0 {
			bad("Queue.Resources", strings.Join(m, ","), "are required: an unbounded pod can exhaust its node's memory or disk")
		}
	}
	// The workers' shutdown grace (BG_JOB_SHUTDOWN_GRACE_PERIOD_SECS) is what the pod has left
	// after the preStop pause.
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
	if a.Ingress.ClassName == "" || a.Ingress.Host == "" || a.Ingress.CertificateARN == "" || a.Ingress.AccessLogBucket == nil || a.Ingress.WebACLARN == nil {
		bad("Ingress", a.Ingress.Host, "ClassName, Host, CertificateARN, AccessLogBucket and WebACLARN are required")
	}
	if h := a.Headroom; h != nil && (h.Pods < 1 || h.Priority >= DataplanePriority || !strings.ContainsAny(h.Image, ":@")) {
		bad("Headroom", fmt.Sprintf("%d pods, priority %d, image %q", h.Pods, h.Priority, h.Image), fmt.Sprintf("needs Pods >= 1, a Priority below the dataplane's %d and a pinned Image", DataplanePriority))
	}
	if len(a.Schedules) > 0 && (a.ScheduleImage == "" || a.EmergencyReplicas > 0) {
		bad("Schedules", len(a.Schedules), "need ScheduleImage and cannot be combined with EmergencyReplicas")
	}
	switch au := a.Auth; au.Type {
	case AuthTypeLangSmith:
		if au.LangSmithEndpoint == "" || au.LangSmithTenantID == "" {
			bad("Auth", au.Type, "LangSmithEndpoint and LangSmithTenantID are required with langsmith")
		}
	case AuthTypeCustom, AuthTypeNoop:
	default:
		bad("Auth.Type", au.Type, "must be langsmith, custom or noop")
	}
	if len(a.Network.LoadBalancerCIDRs) == 0 || len(a.Network.DataStoreCIDRs) == 0 || a.Network.MonitoringNamespace == "" {
		bad("Network", "", "LoadBalancerCIDRs, DataStoreCIDRs and MonitoringNamespace are required")
	}
	return errors.Join(errs...)
}

// effectiveReplicas is the HPA range: emergency replicas pin it.
func (a *Args) effectiveReplicas() (int, int) {
	if a.EmergencyReplicas > 0 {
		return a.EmergencyReplicas, a.EmergencyReplicas
	}
	return a.Autoscaling.MinReplicas, a.Autoscaling.MaxReplicas
}
