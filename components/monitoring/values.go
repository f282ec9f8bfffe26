package monitoring

import (
	"fmt"

	"github.com/langgraph-platform/infra/internal/helmvalues"
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
	Resources                       helmvalues.Resources `json:"resources"`
	RuleSelector                    labelSelector        `json:"ruleSelector"`
	RuleNamespaceSelector           labelSelector        `json:"ruleNamespaceSelector"`
	ServiceMonitorSelector          labelSelector        `json:"serviceMonitorSelector"`
	ServiceMonitorNamespaceSelector labelSelector        `json:"serviceMonitorNamespaceSelector"`
	PodAntiAffinity                 string               `json:"podAntiAffinity"`
	SecurityContext                 podSecurityContext   `json:"securityContext"`
}

type alertmanagerSpec struct {
	Replicas  int                  `json:"replicas"`
	Secrets   []string             `json:"secrets"`
	Resources helmvalues.Resources `json:"resources"`
	Storage   struct {
		VolumeClaimTemplate volumeClaimTemplate `json:"volumeClaimTemplate"`
	} `json:"storage"`
	PodAntiAffinity string             `json:"podAntiAffinity"`
	SecurityContext podSecurityContext `json:"securityContext"`
}

// AlertmanagerConfig is Alertmanager's configuration file, the parts this project sets.
type AlertmanagerConfig struct {
	Global       map[string]string `json:"global"`
	Route        Route             `json:"route"`
	Receivers    []Receiver        `json:"receivers"`
	InhibitRules []InhibitRule     `json:"inhibit_rules"`
}

// Route is an Alertmanager route.
type Route struct {
	Receiver       string   `json:"receiver"`
	Matchers       []string `json:"matchers,omitempty"`
	GroupBy        []string `json:"group_by,omitempty"`
	GroupWait      string   `json:"group_wait,omitempty"`
	GroupInterval  string   `json:"group_interval,omitempty"`
	RepeatInterval string   `json:"repeat_interval,omitempty"`
	Continue       bool     `json:"continue,omitempty"`
	Routes         []Route  `json:"routes,omitempty"`
}

// Receiver is an Alertmanager receiver. Credentials are read from files the operator mounts
// from the receivers Secret, so they never appear in Helm values or the config Secret.
type Receiver struct {
	Name             string            `json:"name"`
	SlackConfigs     []SlackConfig     `json:"slack_configs,omitempty"`
	PagerdutyConfigs []PagerdutyConfig `json:"pagerduty_configs,omitempty"`
	WebhookConfigs   []WebhookConfig   `json:"webhook_configs,omitempty"`
}

// WebhookConfig posts alerts to a URL read from a file (the heartbeat).
type WebhookConfig struct {
	URLFile      string `json:"url_file"`
	SendResolved bool   `json:"send_resolved"`
}

// SlackConfig posts to a Slack incoming webhook.
type SlackConfig struct {
	APIURLFile   string `json:"api_url_file"`
	SendResolved bool   `json:"send_resolved"`
	Title        string `json:"title"`
	Text         string `json:"text"`
}

// PagerdutyConfig sends to PagerDuty Events v2.
type PagerdutyConfig struct {
	RoutingKeyFile string `json:"routing_key_file"`
	Severity       string `json:"severity"`
	SendResolved   bool   `json:"send_resolved"`
}

// InhibitRule mutes target alerts while a source alert fires.
type InhibitRule struct {
	SourceMatchers []string `json:"source_matchers"`
	TargetMatchers []string `json:"target_matchers"`
	Equal          []string `json:"equal"`
}

// Receiver names.
const (
	NullReceiver      = "null"
	SlackReceiver     = "slack"
	PagerDutyReceiver = "pagerduty"
	HeartbeatReceiver = "heartbeat"
)

// Receiver file names in the receivers Secret (mounted into Alertmanager).
const (
	SlackFile     = "slack-webhook-url"
	PagerDutyFile = "pagerduty-routing-key"
	HeartbeatFile = "heartbeat-url"
)

// HeartbeatInterval is how often the always-firing Watchdog reaches the heartbeat receiver: a
// dead man's switch set to expect a call every few minutes pages when they stop.
const HeartbeatInterval = "1m"

// Alertmanager routes by severity: critical pages PagerDuty (and posts to Slack), warning posts
// to Slack; without a receiver configured, alerts stay visible in Alertmanager's UI only. A
// critical alert inhibits the warning of the same signal (error rate 5 % silences error rate 2 %).
// With a heartbeat, the always-firing Watchdog goes to it every HeartbeatInterval: when the
// monitoring stack dies, the calls stop and the heartbeat service pages.
func Alertmanager(slack, pagerduty, heartbeat bool) AlertmanagerConfig {
	cfg := AlertmanagerConfig{
		Global:    map[string]string{"resolve_timeout": "5m"},
		Receivers: []Receiver{{Name: NullReceiver}},
		InhibitRules: []InhibitRule{{
			SourceMatchers: []string{`severity="critical"`},
			TargetMatchers: []string{`severity="warning"`},
			Equal:          []string{"namespace", "signal"},
		}},
	}
	text := `{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}`
	if slack {
		cfg.Receivers = append(cfg.Receivers, Receiver{Name: SlackReceiver, SlackConfigs: []SlackConfig{{
			APIURLFile: receiversDir + SlackFile, SendResolved: true,
			Title: `[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}`, Text: text,
		}}})
	}
	if pagerduty {
		cfg.Receivers = append(cfg.Receivers, Receiver{Name: PagerDutyReceiver, PagerdutyConfigs: []PagerdutyConfig{{
			RoutingKeyFile: receiversDir + PagerDutyFile, Severity: "critical", SendResolved: true,
		}}})
	}
	watchdog := Route{Receiver: NullReceiver, Matchers: []string{`alertname="Watchdog"`}}
	if heartbeat {
		cfg.Receivers = append(cfg.Receivers, Receiver{Name: HeartbeatReceiver, WebhookConfigs: []WebhookConfig{{URLFile: receiversDir + HeartbeatFile}}})
		watchdog = Route{Receiver: HeartbeatReceiver, Matchers: watchdog.Matchers,
			GroupWait: "0s", GroupInterval: HeartbeatInterval, RepeatInterval: HeartbeatInterval}
	}
	warn, crit := NullReceiver, NullReceiver
	if slack {
		warn, crit = SlackReceiver, SlackReceiver
	}
	routes := []Route{watchdog}
	if pagerduty {
		routes = append(routes, Route{Receiver: PagerDutyReceiver, Matchers: []string{`severity="critical"`}, Continue: slack})
	}
	if !pagerduty || slack {
		routes = append(routes, Route{Receiver: crit, Matchers: []string{`severity="critical"`}})
	}
	routes = append(routes, Route{Receiver: warn, Matchers: []string{`severity="warning"`}})
	cfg.Route = Route{
		Receiver: NullReceiver, GroupBy: []string{"alertname", "namespace", "signal"},
		GroupWait: "30s", GroupInterval: "5m", RepeatInterval: "4h", Routes: routes,
	}
	return cfg
}

type grafanaValues struct {
	Replicas int `json:"replicas"`
	// RBAC is off: the component binds a Role of its own (grafanaRole) to the named account.
	RBAC           enabledCreate `json:"rbac"`
	ServiceAccount struct {
		Create bool   `json:"create"`
		Name   string `json:"name"`
	} `json:"serviceAccount"`
	InitChownData            enabled                  `json:"initChownData"`
	SecurityContext          podSecurityContext       `json:"securityContext"`
	ContainerSecurityContext containerSecurityContext `json:"containerSecurityContext"`
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
		SecurityContext containerSecurityContext `json:"securityContext"`
	} `json:"sidecar"`
	Resources helmvalues.Resources `json:"resources"`
}

// StackValues are kube-prometheus-stack's values.
type stackValues struct {
	FullnameOverride string `json:"fullnameOverride"`
	Prometheus       struct {
		PrometheusSpec prometheusSpec `json:"prometheusSpec"`
	} `json:"prometheus"`
	Alertmanager struct {
		AlertmanagerSpec alertmanagerSpec   `json:"alertmanagerSpec"`
		Config           AlertmanagerConfig `json:"config"`
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
	SecurityContext          podSecurityContext       `json:"securityContext"`
	ContainerSecurityContext containerSecurityContext `json:"containerSecurityContext"`
}

type kubeStateMetricsValues struct {
	SecurityContext          podSecurityContext       `json:"securityContext"`
	ContainerSecurityContext containerSecurityContext `json:"containerSecurityContext"`
}

type nodeExporterValues struct {
	NamespaceOverride string `json:"namespaceOverride"`
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
	p.Resources = helmvalues.Resources{Requests: map[string]string{"cpu": "1", "memory": "4Gi"}, Limits: map[string]string{"memory": "8Gi"}}
	// Select this project's objects by the release label, in every namespace.
	p.RuleSelector = labelSelector{MatchLabels: SelectorLabels()}
	p.ServiceMonitorSelector = labelSelector{MatchLabels: SelectorLabels()}
	p.PodAntiAffinity = "soft"
	// The chart's own uid and group; the operator sets the containers' restricted contexts.
	p.SecurityContext = restrictedPod(1000, 2000)
	v.CRDs.Enabled = false
	v.PrometheusOperator.SecurityContext = restrictedPod(65534, 65534)
	v.PrometheusOperator.ContainerSecurityContext = restrictedContainer(true)
	v.KubeStateMetrics.SecurityContext = restrictedPod(65534, 65534)
	v.KubeStateMetrics.ContainerSecurityContext = restrictedContainer(true)
	v.NodeExporter.NamespaceOverride = a.NodeExporterNamespace

	am := &v.Alertmanager.AlertmanagerSpec
	am.Replicas = a.AlertmanagerReplicas
	am.Secrets = []string{ReceiversSecret}
	am.Resources = helmvalues.Resources{Requests: map[string]string{"cpu": "100m", "memory": "128Mi"}, Limits: map[string]string{"memory": "256Mi"}}
	am.Storage.VolumeClaimTemplate = claim(a.StorageClass, 10)
	am.PodAntiAffinity = "soft"
	am.SecurityContext = restrictedPod(1000, 2000)
	v.Alertmanager.Config = Alertmanager(a.SlackWebhookURL != nil, a.PagerDutyRoutingKey != nil, a.HeartbeatURL != nil)
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
	g.Sidecar.SecurityContext = restrictedContainer(false)
	g.RBAC.Create = false
	g.ServiceAccount.Create, g.ServiceAccount.Name = true, GrafanaServiceAccount
	g.InitChownData.Enabled = false // a root init container; the volume's fsGroup does its job
	g.SecurityContext = restrictedPod(472, 472)
	g.ContainerSecurityContext = restrictedContainer(false)
	g.Resources = helmvalues.Resources{Requests: map[string]string{"cpu": "100m", "memory": "256Mi"}, Limits: map[string]string{"memory": "512Mi"}}
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

func exporter(name string) exporterBase {
	return exporterBase{
		FullnameOverride: name,
		ServiceMonitor:   serviceMonitorValues{Enabled: true, Labels: SelectorLabels(), Interval: "30s"},
		Resources:        helmvalues.Resources{Requests: map[string]string{"cpu": "50m", "memory": "64Mi"}, Limits: map[string]string{"memory": "128Mi"}},
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
}

// PostgresExporterValues read the connection (sslmode=require) from the DSN Secret.
func PostgresExporterValues() any {
	v := postgresExporterValues{exporterBase: exporter(PostgresExporter)}
	v.Config.DatasourceSecret = secretRef{PostgresDSNSecret, "DATA_SOURCE_NAME"}
	return v
}

type redisExporterValues struct {
	exporterBase
	Auth struct {
		Enabled bool      `json:"enabled"`
		Secret  secretRef `json:"secret"`
	} `json:"auth"`
}

// RedisExporterValues authenticate with the AUTH token from its Secret; the address (rediss://)
// is set by New from the cache's endpoint.
func RedisExporterValues() any {
	v := redisExporterValues{exporterBase: exporter(RedisExporter)}
	v.Auth.Enabled = true
	v.Auth.Secret = secretRef{RedisAuthSecret, "password"}
	return v
}
