package monitoring_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/dataplane"
	"github.com/langgraph-platform/infra/components/gateway"
	"github.com/langgraph-platform/infra/components/monitoring"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/helmvalues"
	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/mixin"
)

const releaseType = "kubernetes:helm.sh/v3:Release"

func release(t *testing.T, res *harness.Result, name string) *harness.Resource {
	for _, r := range res.ByType(releaseType) {
		if r.In("name") == name {
			return r
		}
	}
	t.Fatalf("no Helm release %s", name)
	return nil
}

func TestKubePrometheusStackRelease(t *testing.T) {
	for stack, want := range map[string][3]float64{"prod": {2, 3, 2}, "staging": {1, 1, 1}} {
		res := stacktest.Run(t, stack, nil)
		r := release(t, res, monitoring.ReleaseName)
		assert.Equal(t, "kube-prometheus-stack", r.In("chart"))
		assert.Equal(t, "87.15.2", r.In("version"))
		assert.Equal(t, "https://prometheus-community.github.io/helm-charts", r.In("repositoryOpts.repo"))
		assert.Equal(t, "monitoring", r.In("namespace"))
		v := "values."
		assert.Equal(t, want[0], r.In(v+"prometheus.prometheusSpec.replicas"), stack)
		assert.Equal(t, want[1], r.In(v+"alertmanager.alertmanagerSpec.replicas"), stack)
		assert.Equal(t, want[2], r.In(v+"grafana.replicas"), stack)
		assert.Equal(t, "gp3", r.In(v+"prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName"))
		if stack == "prod" {
			assert.Equal(t, "100Gi", r.In(v+"prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage"))
			assert.Equal(t, "90GB", r.In(v+"prometheus.prometheusSpec.retentionSize"))
			assert.Equal(t, "15d", r.In(v+"prometheus.prometheusSpec.retention"))
		} else {
			assert.Equal(t, "7d", r.In(v+"prometheus.prometheusSpec.retention"))
		}
		assert.Equal(t, map[string]any{"matchLabels": map[string]any{"release": "kube-prometheus-stack"}}, r.In(v+"prometheus.prometheusSpec.ruleSelector"))
		assert.Equal(t, map[string]any{"matchLabels": map[string]any{"release": "kube-prometheus-stack"}}, r.In(v+"prometheus.prometheusSpec.serviceMonitorSelector"))
		assert.Equal(t, monitoring.GrafanaSecret, r.In(v+"grafana.admin.existingSecret"))
		assert.Equal(t, true, r.In(v+"grafana.sidecar.dashboards.enabled"))
		assert.Equal(t, monitoring.DashboardLabel, r.In(v+"grafana.sidecar.dashboards.label"))
		assert.Equal(t, []any{monitoring.ReceiversSecret}, r.In(v+"alertmanager.alertmanagerSpec.secrets"))
		// No credential ever sits in Helm values: receivers read files from the mounted Secret.
		values, _ := json.Marshal(r.In("values"))
		for _, s := range harness.DefaultSecrets() {
			assert.NotContains(t, string(values), s)
		}
		assert.False(t, r.SecretIn("values"), "values carry no secret, so they stay reviewable in previews")
	}
}

func TestAlertmanagerRoutesBySeverity(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	r := release(t, res, monitoring.ReleaseName)
	cfg := r.In("values.alertmanager.config").(map[string]any)
	routes := cfg["route"].(map[string]any)["routes"].([]any)
	byMatcher := map[string][]string{}
	for _, rt := range routes {
		m := rt.(map[string]any)
		byMatcher[m["matchers"].([]any)[0].(string)] = append(byMatcher[m["matchers"].([]any)[0].(string)], m["receiver"].(string))
	}
	assert.Equal(t, []string{"pagerduty", "slack"}, byMatcher[`severity="critical"`])
	assert.Equal(t, []string{"slack"}, byMatcher[`severity="warning"`])
	inhibit := cfg["inhibit_rules"].([]any)[0].(map[string]any)
	assert.Equal(t, []any{`severity="critical"`}, inhibit["source_matchers"])
	assert.Equal(t, []any{`severity="warning"`}, inhibit["target_matchers"])
	assert.Contains(t, inhibit["equal"], "signal")
	receivers, _ := json.Marshal(cfg["receivers"])
	assert.Contains(t, string(receivers), `"api_url_file":"/etc/alertmanager/secrets/alertmanager-receivers/slack-webhook-url"`)
	assert.Contains(t, string(receivers), `"routing_key_file":"/etc/alertmanager/secrets/alertmanager-receivers/pagerduty-routing-key"`)
	secret := stacktest.One(t, res, "kubernetes:core/v1:Secret", "-monitoring-alertmanager-receivers")
	assert.True(t, secret.SecretIn("stringData"))
	assert.Equal(t, harness.DefaultSecrets()["slackWebhookUrl"], secret.In("stringData.slack-webhook-url"))

	// Without receivers configured, alerts route to the null receiver (visible in Alertmanager only).
	none := mixin.Alertmanager(mixin.Receivers{})
	for _, rt := range none.Route.Routes {
		assert.Equal(t, mixin.NullReceiver, rt.Receiver)
	}
}

func TestExporters(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	pg := release(t, res, monitoring.PostgresExporter)
	assert.Equal(t, "prometheus-postgres-exporter", pg.In("chart"))
	assert.Equal(t, "8.3.0", pg.In("version"))
	assert.Equal(t, monitoring.PostgresDSNSecret, pg.In("values.config.datasourceSecret.name"))
	assert.Equal(t, true, pg.In("values.serviceMonitor.enabled"))
	assert.Equal(t, "kube-prometheus-stack", pg.In("values.serviceMonitor.labels.release"))
	dsn := stacktest.One(t, res, "kubernetes:core/v1:Secret", "-monitoring-postgres-exporter-dsn")
	assert.True(t, dsn.SecretIn("stringData"))
	assert.Contains(t, dsn.In("stringData.DATA_SOURCE_NAME"), "sslmode=require")

	redis := release(t, res, monitoring.RedisExporter)
	assert.Equal(t, "prometheus-redis-exporter", redis.In("chart"))
	assert.Equal(t, "6.38.0", redis.In("version"))
	assert.True(t, strings.HasPrefix(redis.In("values.redisAddress").(string), "rediss://"))
	assert.Contains(t, redis.In("values.redisAddress"), ":6379")
	assert.Equal(t, true, redis.In("values.auth.enabled"))
	assert.Equal(t, monitoring.RedisAuthSecret, redis.In("values.auth.secret.name"))
	auth := stacktest.One(t, res, "kubernetes:core/v1:Secret", "-monitoring-redis-exporter-auth")
	assert.True(t, auth.SecretIn("stringData"))
	stack := release(t, res, monitoring.ReleaseName)
	assert.Contains(t, pg.Dependencies, stack.URN, "the exporters' ServiceMonitors need the stack's CRDs")
	assert.Contains(t, redis.Dependencies, stack.URN)
}

func TestGrafanaAdminPasswordIsRandomAndSecret(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	pw := stacktest.One(t, res, "random:index/randomPassword:RandomPassword", "-monitoring-grafana-admin")
	secret := stacktest.One(t, res, "kubernetes:core/v1:Secret", "-monitoring-grafana-admin")
	assert.Equal(t, monitoring.GrafanaSecret, secret.In("metadata.name"))
	assert.True(t, secret.SecretIn("stringData"))
	assert.Equal(t, pw.Out("result"), secret.In("stringData.admin-password"))
	assert.True(t, res.Outputs["grafanaAdminPassword"].Secret)
}

// The rules and ServiceMonitors carry the labels the stack's selectors match.
func TestSelectorsPickUpThisProjectsObjects(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	stack := release(t, res, monitoring.ReleaseName)
	ruleSel := stack.In("values.prometheus.prometheusSpec.ruleSelector.matchLabels").(map[string]any)
	smSel := stack.In("values.prometheus.prometheusSpec.serviceMonitorSelector.matchLabels").(map[string]any)
	rule := stacktest.One(t, res, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "-monitoring-rules")
	for k, v := range ruleSel {
		assert.Equal(t, v, rule.In("metadata.labels."+k))
	}
	sm := stacktest.One(t, res, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "-dataplane-servicemonitor")
	for k, v := range smSel {
		assert.Equal(t, v, sm.In("metadata.labels."+k))
		assert.Equal(t, v, release(t, res, monitoring.PostgresExporter).In("values.serviceMonitor.labels."+k))
	}
	assert.Contains(t, rule.Dependencies, stack.URN)
	groups := rule.In("spec.groups").([]any)
	require.Len(t, groups, 3)
	alerts := 0
	for _, r := range groups[2].(map[string]any)["rules"].([]any) {
		m := r.(map[string]any)
		if m["alert"] != nil {
			alerts++
			assert.Contains(t, m["annotations"].(map[string]any)["runbook_url"], "/docs/runbooks/"+m["alert"].(string)+".md")
		}
	}
	// prod runs the LLM gateway with a daily budget: its four alerts too.
	assert.Len(t, mixin.AlertNames(mixin.Thresholds{LLM: &mixin.LLMThresholds{DailyBudgetUSD: 1}}), alerts)
}

func TestDashboardConfigMap(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		res := stacktest.Run(t, stack, nil)
		cm := stacktest.One(t, res, "kubernetes:core/v1:ConfigMap", "-monitoring-dashboard-dashboard-langgraph-dataplane")
		assert.Equal(t, "1", cm.In("metadata.labels.grafana_dashboard"))
		assert.Equal(t, "monitoring", cm.In("metadata.namespace"))
		var d map[string]any
		data := cm.In("data").(map[string]any)
		require.NoError(t, json.Unmarshal([]byte(data[mixin.DataplaneFile].(string)), &d))
		assert.Equal(t, mixin.DataplaneUID, d["uid"])
	}
}

func TestNamespaceAndStorageClass(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	ns := stacktest.One(t, res, "kubernetes:core/v1:Namespace", "-monitoring-namespace")
	assert.Equal(t, "monitoring", ns.In("metadata.name"))
	sc := stacktest.One(t, res, "kubernetes:storage.k8s.io/v1:StorageClass", "-monitoring-storageclass")
	assert.Equal(t, "gp3", sc.In("metadata.name"))
	assert.Equal(t, "ebs.csi.aws.com", sc.In("provisioner"))
	assert.Equal(t, map[string]any{"type": "gp3", "encrypted": "true"}, sc.In("parameters"))
	res = stacktest.Run(t, "prod", map[string]any{"monitoring.createStorageClass": false})
	assert.Empty(t, res.ByType("kubernetes:storage.k8s.io/v1:StorageClass"))
}

// The scrape job the rules watch is the dataplane Service's name (a ServiceMonitor's job).
func TestScrapeJobsMatchServices(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	svc := stacktest.One(t, res, "kubernetes:core/v1:Service", "-dataplane-service")
	rules := stacktest.One(t, res, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "-monitoring-rules")
	raw, _ := json.Marshal(rules.In("spec"))
	assert.Equal(t, dataplane.Name, svc.In("metadata.name"))
	// With the LLM gateway, its job (the release's instance label, which its ServiceMonitor reads).
	assert.Contains(t, string(raw), `up{job=~\"`+dataplane.Name+`|`+monitoring.PostgresExporter+`|`+monitoring.RedisExporter+`|`+gateway.ReleaseName+`\"}`)
	sm := stacktest.One(t, res, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "-gateway-servicemonitor")
	assert.Equal(t, "app.kubernetes.io/instance", sm.In("spec.jobLabel"))
	assert.Equal(t, gateway.ReleaseName, sm.In("spec.selector.matchLabels").(map[string]any)["app.kubernetes.io/instance"])
	assert.Equal(t, monitoring.PostgresExporter, release(t, res, monitoring.PostgresExporter).In("values.fullnameOverride"))
}

// On EKS the control plane cannot be scraped and kube-proxy binds its metrics to loopback: their
// scrapes and rule groups are off, so a healthy cluster fires nothing. Every rule group left on
// says why it can see its data there.
func TestEKSValuesFireNothingOnAHealthyCluster(t *testing.T) {
	r := release(t, stacktest.Run(t, "prod", nil), monitoring.ReleaseName)
	for _, component := range []string{"kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"} {
		assert.Equal(t, false, r.In("values."+component+".enabled"), component)
	}
	rules := r.In("values.defaultRules.rules").(map[string]any)
	off := map[string]bool{}
	for _, g := range monitoring.DefaultRuleGroups {
		assert.NotEmpty(t, g.Why, g.Name)
		if !g.On {
			off[g.Name] = true
			assert.Equal(t, false, rules[g.Name], "%s must be off: %s", g.Name, g.Why)
		} else {
			assert.NotContains(t, rules, g.Name, "%s stays at the chart's default (on): %s", g.Name, g.Why)
		}
	}
	assert.Equal(t, map[string]bool{"etcd": true, "kubeControllerManager": true, "kubeProxy": true, "kubeSchedulerAlerting": true,
		"kubeSchedulerRecording": true, "windows": true}, off)
	assert.Len(t, monitoring.DefaultRuleGroups, 34, "every default rule group of the pinned chart is listed")
}

// The dead man's switch: the always-firing Watchdog reaches the heartbeat receiver every minute,
// never the null receiver; the URL comes from the receivers Secret, never from the values.
func TestWatchdogFeedsTheHeartbeat(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	r := release(t, res, monitoring.ReleaseName)
	cfg := r.In("values.alertmanager.config").(map[string]any)
	watchdog := cfg["route"].(map[string]any)["routes"].([]any)[0].(map[string]any)
	assert.Equal(t, []any{`alertname="Watchdog"`}, watchdog["matchers"])
	assert.Equal(t, mixin.HeartbeatReceiver, watchdog["receiver"])
	assert.Equal(t, "1m", watchdog["repeat_interval"])
	assert.Equal(t, "1m", watchdog["group_interval"])
	receivers, _ := json.Marshal(cfg["receivers"])
	assert.Contains(t, string(receivers), `"webhook_configs":[{"send_resolved":false,"url_file":"/etc/alertmanager/secrets/alertmanager-receivers/heartbeat-url"}]`)
	assert.NotContains(t, string(receivers), harness.DefaultSecrets()["heartbeatUrl"])
	secret := stacktest.One(t, res, "kubernetes:core/v1:Secret", "-monitoring-alertmanager-receivers")
	assert.Equal(t, harness.DefaultSecrets()["heartbeatUrl"], secret.In("stringData.heartbeat-url"))
	assert.True(t, secret.SecretIn("stringData"))
}

// Every container of the three charts needs its requests and limits: a missing one is named.
func TestArgsNeedEveryContainersResources(t *testing.T) {
	assert.Len(t, monitoring.Containers(), 11, "kube-prometheus-stack's nine containers and the two exporters")
	err := (&monitoring.Args{}).Validate()
	require.Error(t, err)
	for _, name := range monitoring.Containers() {
		assert.Contains(t, err.Error(), `monitoring.Args.Resources["`+name+`"]: missing`)
	}
	sized := helmvalues.Sized{}
	for _, name := range monitoring.Containers() {
		sized[name] = helmvalues.Resources{Requests: map[string]string{"memory": "64Mi"}, Limits: map[string]string{"memory": "128Mi"}}
	}
	sized[catalog.ContainerGrafana] = helmvalues.Resources{Requests: map[string]string{"cpu": "1"}}
	err = (&monitoring.Args{Resources: sized}).Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `monitoring.Args.Resources["grafana"]=`)
	assert.NotContains(t, err.Error(), `Resources["prometheus"]`)
}
