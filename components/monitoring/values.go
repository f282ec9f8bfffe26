package monitoring

import (
	"fmt"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/internal/helmvalues"
	"github.com/langgraph-platform/infra/mixin"
)

// Typed Helm values: only the fields this project sets, with the charts' own names.

type labelSelector struct {
	MatchLabels map[string]string `json:"matchLabels,omitempty"`
}

type volumeClaimTemplate struct {
	Spec struct {
		StorageClassName string   `json:"storageClassName"`
		AccessModes      []string `json:"accessModes"`
		Resources        struct {
			Requests map[string]string `json:"requests"`
		} `json:"resources"`
	} `json:"spec"`
}

func claim(class string, gb int) volumeClaimTemplate {
	var v volumeClaimTemplate
	v.Spec.StorageClassName = class
	v.Spec.AccessModes = []string{"ReadWriteOnce"}
	v.Spec.Resources.Requests = map[string]string{"storage": fmt.Sprintf("%dGi", gb)}
	return v
}

type prometheusSpec struct {
	Replicas      int    `json:"replicas"`
	Retention     string `json:"retention"`
	RetentionSize string `json:"retentionSize"`
	StorageSpec   struct {
		VolumeClaimTemplate volumeClaimTemplate `json:"volumeClaimTemplate"`
	} `json:"storageSpec"`
	Resources                       helmvalues.Resources          `json:"resources"`
	RuleSelector                    labelSelector                 `json:"ruleSelector"`
	RuleNamespaceSelector           labelSelector                 `json:"ruleNamespaceSelector"`
	ServiceMonitorSelector          labelSelector                 `json:"serviceMonitorSelector"`
	ServiceMonitorNamespaceSelector labelSelector                 `json:"serviceMonitorNamespaceSelector"`
	PodAntiAffinity                 string                        `json:"podAntiAffinity"`
	SecurityContext                 helmvalues.PodSecurityContext `json:"securityContext"`
}

type alertmanagerSpec struct {
	Replicas  int                  `json:"replicas"`
	Secrets   []string             `json:"secrets"`
	Resources helmvalues.Resources `json:"resources"`
	Storage   struct {
		VolumeClaimTemplate volumeClaimTemplate `json:"volumeClaimTemplate"`
	} `json:"storage"`
	PodAntiAffinity string                        `json:"podAntiAffinity"`
	SecurityContext helmvalues.PodSecurityContext `json:"securityContext"`
}

type grafanaValues struct {
	Replicas int `json:"replicas"`
	// RBAC is off: the component binds a Role of its own (grafanaRole) to the named account.
	RBAC           enabledCreate `json:"rbac"`
	ServiceAccount struct {
		Create bool   `json:"create"`
		Name   string `json:"name"`
	} `json:"serviceAccount"`
	InitChownData            enabled                             `json:"initChownData"`
	SecurityContext          helmvalues.PodSecurityContext       `json:"securityContext"`
	ContainerSecurityContext helmvalues.ContainerSecurityContext `json:"containerSecurityContext"`
	Admin                    struct {
		ExistingSecret string `json:"existingSecret"`
		UserKey        string `json:"userKey"`
		PasswordKey    string `json:"passwordKey"`
	} `json:"admin"`
	Sidecar struct {
		Dashboards struct {
			Enabled         bool   `json:"enabled"`
			Label           string `json:"label"`
			LabelValue      string `json:"labelValue"`
			SearchNamespace string `json:"searchNamespace"`
		} `json:"dashboards"`
		Datasources struct {
			SearchNamespace string `json:"searchNamespace"`
		} `json:"datasources"`
		SecurityContext helmvalues.ContainerSecurityContext `json:"securityContext"`
		Resources       helmvalues.Resources                `json:"resources"`
	} `json:"sidecar"`
	Resources helmvalues.Resources `json:"resources"`
	// LivenessProbe replaces only the path of the chart's probe: /healthz answers while the
	// process serves, /api/health (readiness) also checks the database, so a slow database takes
	// a pod out of the Service instead of restarting it.
	LivenessProbe helmvalues.PathProbe `json:"livenessProbe"`
	// ExtraEmptyDirMounts give the read-only root a writable /tmp.
	ExtraEmptyDirMounts []emptyDirMount            `json:"extraEmptyDirMounts"`
	PodDisruptionBudget *helmvalues.MaxUnavailable `json:"podDisruptionBudget,omitempty"`
}

type emptyDirMount struct {
	Name      string `json:"name"`
	MountPath string `json:"mountPath"`
}

// livenessBudget is the failure budget of a chart's liveness probe whose handler the chart fixes
// (the same as its readiness probe's): twice the readiness probe's period and failures, so a pod
// slow under load leaves the Service long before the kubelet restarts it.
type livenessBudget struct {
	PeriodSeconds    int `json:"periodSeconds"`
	TimeoutSeconds   int `json:"timeoutSeconds"`
	FailureThreshold int `json:"failureThreshold"`
}

var generousLiveness = livenessBudget{PeriodSeconds: 20, TimeoutSeconds: 5, FailureThreshold: 6}

// operatorProbe is the operator chart's probe settings (its template reads every field).
type operatorProbe struct {
	Enabled bool `json:"enabled"`
	livenessBudget
}

// StackValues are kube-prometheus-stack's values.
type stackValues struct {
	FullnameOverride string `json:"fullnameOverride"`
	Prometheus       struct {
		PrometheusSpec prometheusSpec `json:"prometheusSpec"`
	} `json:"prometheus"`
	Alertmanager struct {
		AlertmanagerSpec alertmanagerSpec         `json:"alertmanagerSpec"`
		Config           mixin.AlertmanagerConfig `json:"config"`
	} `json:"alertmanager"`
	// CRDs are applied by the program (NewOperatorCRDs), never by the chart.
	CRDs                  enabled                `json:"crds"`
	PrometheusOperator    operatorValues         `json:"prometheusOperator"`
	KubeStateMetrics      kubeStateMetricsValues `json:"kube-state-metrics"`
	NodeExporter          nodeExporterValues     `json:"prometheus-node-exporter"`
	Grafana               grafanaValues          `json:"grafana"`
	KubeControllerManager enabled                `json:"kubeControllerManager"`
	KubeScheduler         enabled                `json:"kubeScheduler"`
	KubeEtcd              enabled                `json:"kubeEtcd"`
	KubeProxy             enabled                `json:"kubeProxy"`
	DefaultRules          struct {
		Rules map[string]bool `json:"rules"`
	} `json:"defaultRules"`
}

type enabled struct {
	Enabled bool `json:"enabled"`
}

type enabledCreate struct {
	Create bool `json:"create"`
}

type operatorValues struct {
	SecurityContext          helmvalues.PodSecurityContext       `json:"securityContext"`
	ContainerSecurityContext helmvalues.ContainerSecurityContext `json:"containerSecurityContext"`
	Resources                helmvalues.Resources                `json:"resources"`
	LivenessProbe            operatorProbe                       `json:"livenessProbe"`
	PrometheusConfigReloader struct {
		Resources helmvalues.Resources `json:"resources"`
	} `json:"prometheusConfigReloader"`
	AdmissionWebhooks struct {
		Patch struct {
			Resources helmvalues.Resources `json:"resources"`
		} `json:"patch"`
	} `json:"admissionWebhooks"`
}

type kubeStateMetricsValues struct {
	SecurityContext          helmvalues.PodSecurityContext       `json:"securityContext"`
	ContainerSecurityContext helmvalues.ContainerSecurityContext `json:"containerSecurityContext"`
	Resources                helmvalues.Resources                `json:"resources"`
}

type nodeExporterValues struct {
	NamespaceOverride string               `json:"namespaceOverride"`
	Resources         helmvalues.Resources `json:"resources"`
	LivenessProbe     livenessBudget       `json:"livenessProbe"`
}

// StackValues renders kube-prometheus-stack's values from Args.
func StackValues(a Args) any {
	var v stackValues
	v.FullnameOverride = ReleaseName
	p := &v.Prometheus.PrometheusSpec
	p.Replicas = a.PrometheusReplicas
	p.Retention = a.PrometheusRetention
	// Keep 10 % of the volume free for compaction: retention by size stops before the disk fills.
	p.RetentionSize = fmt.Sprintf("%dGB", a.PrometheusStorageGB*9/10)
	p.StorageSpec.VolumeClaimTemplate = claim(a.StorageClass, a.PrometheusStorageGB)
	p.Resources = a.Resources[catalog.ContainerPrometheus]
	// Select this project's objects by the release label, in every namespace.
	p.RuleSelector = labelSelector{MatchLabels: SelectorLabels()}
	p.ServiceMonitorSelector = labelSelector{MatchLabels: SelectorLabels()}
	p.PodAntiAffinity = "soft"
	// The chart's own uid and group; the operator sets the containers' restricted contexts.
	p.SecurityContext = helmvalues.RestrictedPod(1000, 2000)
	v.CRDs.Enabled = false
	v.PrometheusOperator.SecurityContext = helmvalues.RestrictedPod(65534, 65534)
	v.PrometheusOperator.ContainerSecurityContext = helmvalues.RestrictedContainer(true)
	v.PrometheusOperator.Resources = a.Resources[catalog.ContainerOperator]
	v.PrometheusOperator.LivenessProbe = operatorProbe{Enabled: true, livenessBudget: generousLiveness}
	v.PrometheusOperator.PrometheusConfigReloader.Resources = a.Resources[catalog.ContainerConfigReloader]
	v.PrometheusOperator.AdmissionWebhooks.Patch.Resources = a.Resources[catalog.ContainerAdmissionJobs]
	v.KubeStateMetrics.SecurityContext = helmvalues.RestrictedPod(65534, 65534)
	v.KubeStateMetrics.ContainerSecurityContext = helmvalues.RestrictedContainer(true)
	v.KubeStateMetrics.Resources = a.Resources[catalog.ContainerKubeStateMetrics]
	v.NodeExporter.NamespaceOverride = a.NodeExporterNamespace
	v.NodeExporter.Resources = a.Resources[catalog.ContainerNodeExporter]
	v.NodeExporter.LivenessProbe = generousLiveness

	am := &v.Alertmanager.AlertmanagerSpec
	am.Replicas = a.AlertmanagerReplicas
	am.Secrets = []string{ReceiversSecret}
	am.Resources = a.Resources[catalog.ContainerAlertmanager]
	am.Storage.VolumeClaimTemplate = claim(a.StorageClass, 10)
	am.PodAntiAffinity = "soft"
	am.SecurityContext = helmvalues.RestrictedPod(1000, 2000)
	v.Alertmanager.Config = mixin.Alertmanager(receivers(a))
	// EKS runs the control plane: the controller manager, the scheduler and etcd cannot be
	// scraped, and kube-proxy binds its metrics to the node's loopback. Scraping them, and their
	// rules, would page forever on a healthy cluster (KubeControllerManagerDown, ...).
	v.KubeControllerManager.Enabled, v.KubeScheduler.Enabled, v.KubeEtcd.Enabled, v.KubeProxy.Enabled = false, false, false, false
	v.DefaultRules.Rules = map[string]bool{}
	for _, g := range DefaultRuleGroups {
		if !g.On {
			v.DefaultRules.Rules[g.Name] = false
		}
	}

	g := &v.Grafana
	g.Replicas = a.GrafanaReplicas
	g.Admin.ExistingSecret, g.Admin.UserKey, g.Admin.PasswordKey = GrafanaSecret, "admin-user", "admin-password"
	g.Sidecar.Dashboards.Enabled = true
	g.Sidecar.Dashboards.Label, g.Sidecar.Dashboards.LabelValue = DashboardLabel, "1"
	// Only this namespace, where the dashboards are: the sidecar's Role reads nothing else.
	g.Sidecar.Dashboards.SearchNamespace = a.Namespace
	g.Sidecar.Datasources.SearchNamespace = a.Namespace // the chart's datasource ConfigMap is here too
	// The sidecars write the dashboards to their shared emptyDir, never to their root.
	g.Sidecar.SecurityContext = helmvalues.RestrictedContainer(true)
	g.Sidecar.Resources = a.Resources[catalog.ContainerGrafanaSidecar]
	g.RBAC.Create = false
	g.ServiceAccount.Create, g.ServiceAccount.Name = true, GrafanaServiceAccount
	g.InitChownData.Enabled = false // a root init container; the volume's fsGroup does its job
	g.SecurityContext = helmvalues.RestrictedPod(472, 472)
	// Grafana writes its database and plugins to the chart's storage volume and scratch files to
	// /tmp: with an emptyDir there the root stays read-only.
	g.ContainerSecurityContext = helmvalues.RestrictedContainer(true)
	g.ExtraEmptyDirMounts = []emptyDirMount{{Name: "tmp", MountPath: "/tmp"}}
	g.Resources = a.Resources[catalog.ContainerGrafana]
	g.LivenessProbe = helmvalues.ProbeAt(GrafanaLivenessPath)
	if a.GrafanaReplicas > 1 { // a budget of one pod would block every node drain
		g.PodDisruptionBudget = &helmvalues.MaxUnavailable{MaxUnavailable: 1}
	}
	return v
}

type serviceMonitorValues struct {
	Enabled  bool              `json:"enabled"`
	Labels   map[string]string `json:"labels"`
	Interval string            `json:"interval"`
}

type exporterBase struct {
	FullnameOverride string               `json:"fullnameOverride"`
	ServiceMonitor   serviceMonitorValues `json:"serviceMonitor"`
	Resources        helmvalues.Resources `json:"resources"`
}

func exporter(name string, res helmvalues.Resources) exporterBase {
	return exporterBase{
		FullnameOverride: name,
		ServiceMonitor:   serviceMonitorValues{Enabled: true, Labels: SelectorLabels(), Interval: "30s"},
		Resources:        res,
	}
}

type secretRef struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

type postgresExporterValues struct {
	exporterBase
	Config struct {
		DatasourceSecret secretRef `json:"datasourceSecret"`
	} `json:"config"`
	// The chart's liveness and readiness probes share a handler (its /); the budget differs.
	LivenessProbe livenessBudget `json:"livenessProbe"`
}

// PostgresExporterValues read the connection (sslmode=require) from the DSN Secret. The chart's
// own security contexts are already restricted with a read-only root.
func PostgresExporterValues(res helmvalues.Resources) any {
	v := postgresExporterValues{exporterBase: exporter(PostgresExporter, res)}
	v.Config.DatasourceSecret = secretRef{PostgresDSNSecret, "DATA_SOURCE_NAME"}
	v.LivenessProbe = generousLiveness
	return v
}

type redisExporterValues struct {
	exporterBase
	Auth struct {
		Enabled bool      `json:"enabled"`
		Secret  secretRef `json:"secret"`
	} `json:"auth"`
	// The chart sets no security context of its own (both are {}).
	PodSecurityContext helmvalues.PodSecurityContext       `json:"podSecurityContext"`
	SecurityContext    helmvalues.ContainerSecurityContext `json:"securityContext"`
}

// RedisExporterUID is the user the redis_exporter image runs as (its Dockerfile's USER).
const RedisExporterUID = 59000

// RedisExporterValues authenticate with the AUTH token from its Secret; the address (rediss://)
// is set by New from the cache's endpoint. The pod runs restricted with a read-only root: the
// exporter writes nothing.
func RedisExporterValues(res helmvalues.Resources) any {
	v := redisExporterValues{exporterBase: exporter(RedisExporter, res)}
	v.PodSecurityContext = helmvalues.RestrictedPod(RedisExporterUID, RedisExporterUID)
	v.SecurityContext = helmvalues.RestrictedContainer(true)
	v.Auth.Enabled = true
	v.Auth.Secret = secretRef{RedisAuthSecret, "password"}
	return v
}

// receivers are the credential files of the receivers configured in a: the operator mounts the
// receivers Secret at receiversDir.
func receivers(a Args) mixin.Receivers {
	var r mixin.Receivers
	if a.SlackWebhookURL != nil {
		r.SlackFile = receiversDir + SlackFile
	}
	if a.PagerDutyRoutingKey != nil {
		r.PagerDutyFile = receiversDir + PagerDutyFile
	}
	if a.HeartbeatURL != nil {
		r.HeartbeatFile = receiversDir + HeartbeatFile
	}
	return r
}
