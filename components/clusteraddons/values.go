package clusteraddons

import (
	"regexp"

	"github.com/langgraph-platform/infra/internal/helmvalues"
)

// Typed Helm values: only the fields this project sets, with the charts' own names.

// containerSecurity is the restricted Pod Security Standard for a container.
type containerSecurity struct {
	RunAsNonRoot             bool `json:"runAsNonRoot"`
	RunAsUser                int  `json:"runAsUser,omitempty"`
	AllowPrivilegeEscalation bool `json:"allowPrivilegeEscalation"`
	ReadOnlyRootFilesystem   bool `json:"readOnlyRootFilesystem"`
	Capabilities             struct {
		Drop []string `json:"drop"`
	} `json:"capabilities"`
	SeccompProfile struct {
		Type string `json:"type"`
	} `json:"seccompProfile"`
}

func restricted(uid int) containerSecurity {
	s := containerSecurity{RunAsNonRoot: true, RunAsUser: uid, ReadOnlyRootFilesystem: true}
	s.Capabilities.Drop = []string{"ALL"}
	s.SeccompProfile.Type = "RuntimeDefault"
	return s
}

type labelSelector struct {
	MatchLabels map[string]string `json:"matchLabels"`
}

type spreadConstraint struct {
	MaxSkew           int           `json:"maxSkew"`
	TopologyKey       string        `json:"topologyKey"`
	WhenUnsatisfiable string        `json:"whenUnsatisfiable"`
	LabelSelector     labelSelector `json:"labelSelector"`
}

// zoneSpread spreads a release's pods over zones, preferring but not requiring it, so one zone
// outage never takes every replica.
func zoneSpread(release string) []spreadConstraint {
	return []spreadConstraint{{MaxSkew: 1, TopologyKey: "topology.kubernetes.io/zone", WhenUnsatisfiable: "ScheduleAnyway",
		LabelSelector: labelSelector{MatchLabels: map[string]string{"app.kubernetes.io/name": release, "app.kubernetes.io/instance": release}}}}
}

// pdb is a disruption budget; charts take it under different shapes, so each values type embeds
// its own.
type pdb struct {
	Enabled        bool `json:"enabled"`
	MaxUnavailable int  `json:"maxUnavailable,omitempty"`
}

// podValues are the pod settings metrics-server's and prometheus-adapter's charts name alike.
type podValues struct {
	Replicas                  int                  `json:"replicas"`
	PriorityClassName         string               `json:"priorityClassName"`
	SecurityContext           containerSecurity    `json:"securityContext"`
	Resources                 helmvalues.Resources `json:"resources"`
	PodDisruptionBudget       pdb                  `json:"podDisruptionBudget"`
	TopologySpreadConstraints []spreadConstraint   `json:"topologySpreadConstraints"`
}

// hardenedPods run restricted as uid, critical to the cluster (they serve the HPA's metrics),
// spread over zones, with a disruption budget when there is more than one.
func hardenedPods(release string, replicas, uid int, res helmvalues.Resources) podValues {
	return podValues{
		Replicas:                  replicas,
		PriorityClassName:         "system-cluster-critical",
		SecurityContext:           restricted(uid),
		Resources:                 res,
		PodDisruptionBudget:       pdb{Enabled: replicas > 1, MaxUnavailable: 1},
		TopologySpreadConstraints: zoneSpread(release),
	}
}

// metricsServerValues are metrics-server's chart values.
type metricsServerValues struct {
	podValues
	// The chart's own APIService for metrics.k8s.io.
	APIService struct {
		Create bool `json:"create"`
	} `json:"apiService"`
}

// MetricsServerValues are hardened: non-root with a read-only root file system, requests sized
// for a few hundred nodes, a disruption budget when there is more than one replica.
func MetricsServerValues(replicas int, res helmvalues.Resources) any {
	v := metricsServerValues{podValues: hardenedPods(MetricsServerRelease, replicas, 1000, res)}
	v.APIService.Create = true
	return v
}

type serviceAccountValues struct {
	Create      bool              `json:"create"`
	Name        string            `json:"name"`
	Annotations map[string]string `json:"annotations"`
}

// loadBalancerControllerValues are aws-load-balancer-controller's chart values.
type loadBalancerControllerValues struct {
	ClusterName                 string                     `json:"clusterName"`
	Region                      string                     `json:"region"`
	ReplicaCount                int                        `json:"replicaCount"`
	ServiceAccount              serviceAccountValues       `json:"serviceAccount"`
	PriorityClassName           string                     `json:"priorityClassName"`
	SecurityContext             containerSecurity          `json:"securityContext"`
	Resources                   helmvalues.Resources       `json:"resources"`
	PodDisruptionBudget         *helmvalues.MaxUnavailable `json:"podDisruptionBudget,omitempty"`
	TopologySpreadConstraints   []spreadConstraint         `json:"topologySpreadConstraints"`
	CreateIngressClassResource  bool                       `json:"createIngressClassResource"`
	IngressClass                string                     `json:"ingressClass"`
	DefaultTargetType           string                     `json:"defaultTargetType"`
	EnableServiceMutatorWebhook bool                       `json:"enableServiceMutatorWebhook"`
}

// LoadBalancerControllerValues name the cluster and region (New adds the VPC, an input; so the
// pods need no instance metadata), the ServiceAccount the IAM role is bound to (annotated only for IRSA), and the
// IngressClass the dataplane's Ingress uses. With IRSA, New adds the role annotation. The Service mutator webhook stays off: it would make
// the controller intercept every Service of type LoadBalancer in the cluster, and this project
// creates none.
func LoadBalancerControllerValues(a LoadBalancerController, clusterName, region string, res helmvalues.Resources) any {
	v := loadBalancerControllerValues{
		ClusterName:  clusterName,
		Region:       region,
		ReplicaCount: a.Replicas,
		ServiceAccount: serviceAccountValues{Create: true, Name: LoadBalancerControllerServiceAccount,
			Annotations: map[string]string{}},
		PriorityClassName:           "system-cluster-critical",
		SecurityContext:             restricted(65534),
		Resources:                   res,
		TopologySpreadConstraints:   zoneSpread(LoadBalancerControllerRelease),
		CreateIngressClassResource:  true,
		IngressClass:                IngressClass,
		DefaultTargetType:           "ip",
		EnableServiceMutatorWebhook: false,
	}
	if a.Replicas > 1 { // the chart renders the budget only with more than one replica
		v.PodDisruptionBudget = &helmvalues.MaxUnavailable{MaxUnavailable: 1}
	}
	return v
}

// ExternalRule is one prometheus-adapter external metrics rule.
type ExternalRule struct {
	SeriesQuery string `json:"seriesQuery"`
	Resources   struct {
		// Namespaced false: the metric is the same for every namespace that asks. The recorded
		// series is already limited to the dataplane's namespace and carries no namespace label.
		Namespaced bool `json:"namespaced"`
	} `json:"resources"`
	Name struct {
		Matches string `json:"matches"`
		As      string `json:"as"`
	} `json:"name"`
	MetricsQuery string `json:"metricsQuery"`
}

// QueueRule exposes the recorded series as the External metric name: the sum of its samples,
// the whole queue of the dataplane.
func QueueRule(series, metric string) ExternalRule {
	var r ExternalRule
	r.SeriesQuery = series
	r.Resources.Namespaced = false
	r.Name.Matches = "^" + regexp.QuoteMeta(series) + "$"
	r.Name.As = metric
	r.MetricsQuery = "sum(<<.Series>>{<<.LabelMatchers>>})"
	return r
}

type adapterValues struct {
	Prometheus struct {
		URL  string `json:"url"`
		Port int    `json:"port"`
		Path string `json:"path"`
	} `json:"prometheus"`
	podValues
	// The adapter is a Kubernetes API server: /livez answers while it serves, /readyz also
	// when it is ready to (the chart's default uses /healthz for both).
	LivenessProbe  helmvalues.PathProbe `json:"livenessProbe"`
	ReadinessProbe helmvalues.PathProbe `json:"readinessProbe"`
	Rules          struct {
		// Default off: the chart's default rules publish every pod metric as a custom metric,
		// which nothing here reads. Resource rules stay off: metrics-server serves metrics.k8s.io
		// and two servers for one APIService fight.
		Default  bool           `json:"default"`
		Custom   []any          `json:"custom"`
		External []ExternalRule `json:"external"`
	} `json:"rules"`
}

// PrometheusAdapterValues point the adapter at the monitoring stack's Prometheus and serve only
// the External queue metric.
func PrometheusAdapterValues(a PrometheusAdapter, res helmvalues.Resources) any {
	v := adapterValues{podValues: hardenedPods(PrometheusAdapterRelease, a.Replicas, 10001, res)}
	v.LivenessProbe, v.ReadinessProbe = helmvalues.ProbeAt("/livez"), helmvalues.ProbeAt("/readyz")
	v.Prometheus.URL = a.PrometheusURL
	v.Prometheus.Port = a.PrometheusPort
	v.Rules.Custom = []any{}
	v.Rules.External = []ExternalRule{QueueRule(a.QueueSeries, QueueMetric)}
	return v
}
