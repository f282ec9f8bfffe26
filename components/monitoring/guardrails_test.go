package monitoring_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/monitoring"
	"github.com/langgraph-platform/infra/internal/crdsync"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/netpol"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

func TestMonitoringNetworkPoliciesAdmitOnlyTheIntendedFlows(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	const ns = "monitoring"
	name := func(n string) map[string]any { return map[string]any{"app.kubernetes.io/name": n} }
	prometheus, grafana, alertmanager := name("prometheus"), name("grafana"), name("alertmanager")
	exporter := map[string]any{"app": "prometheus-postgres-exporter"}
	operator := map[string]any{"app": "kube-prometheus-stack-operator"}
	promPeer, grafanaPeer, amPeer := netpol.PodIn(ns, prometheus), netpol.PodIn(ns, grafana), netpol.PodIn(ns, alertmanager)
	adapter := netpol.PodIn("kube-system", name("prometheus-adapter"))
	dataplanePod := netpol.PodIn("langgraph", name("langgraph-dataplane"))
	stranger := netpol.PodIn("default", name("curl"))
	dns := netpol.PodIn("kube-system", map[string]any{"k8s-app": "kube-dns"})
	node := netpol.Address("10.40.1.20")        // a node in a private subnet
	database := netpol.Address("10.40.33.4")    // the data tier, same subnets
	slack := netpol.Address("54.192.12.7")      // an alert receiver on the internet
	controlPlane := netpol.Address("10.40.2.9") // the API server calling the webhook
	metadata := netpol.Address("169.254.169.254")

	cases := []struct {
		name      string
		pod       map[string]any
		direction string
		other     netpol.Endpoint
		port      float64
		proto     string
		want      bool
	}{
		// The server serves /metrics on its API port (catalog, the server contract).
		{"Prometheus scrapes the dataplane on its API port", prometheus, "egress", dataplanePod, 8000, "TCP", true},
		{"Prometheus scrapes the kubelet", prometheus, "egress", node, 10250, "TCP", true},
		{"Prometheus scrapes CoreDNS", prometheus, "egress", dns, 9153, "TCP", true},
		{"Prometheus to a dataplane pod's other ports", prometheus, "egress", dataplanePod, 9464, "TCP", false},
		{"Prometheus scrapes node-exporter", prometheus, "egress", node, 9100, "TCP", true},
		{"Prometheus to a node's SSH", prometheus, "egress", node, 22, "TCP", false},
		{"Prometheus scrapes an exporter", exporter, "ingress", promPeer, 9187, "TCP", true},
		{"Prometheus sends alerts", alertmanager, "ingress", promPeer, 9093, "TCP", true},
		{"Grafana queries Prometheus", prometheus, "ingress", grafanaPeer, 9090, "TCP", true},
		{"Grafana's egress to Prometheus", grafana, "egress", promPeer, 9090, "TCP", true},
		{"Grafana's egress to Alertmanager", grafana, "egress", amPeer, 9093, "TCP", true},
		{"Grafana to a dataplane pod", grafana, "egress", dataplanePod, 8000, "TCP", false},
		{"the adapter queries Prometheus", prometheus, "ingress", adapter, 9090, "TCP", true},
		{"a stranger queries Prometheus", prometheus, "ingress", stranger, 9090, "TCP", false},
		{"a dataplane pod to Grafana", grafana, "ingress", dataplanePod, 3000, "TCP", false},
		{"Alertmanager gossip over TCP", alertmanager, "ingress", amPeer, 9094, "TCP", true},
		{"Alertmanager gossip over UDP", alertmanager, "egress", amPeer, 9094, "UDP", true},
		{"Alertmanager reaches Slack", alertmanager, "egress", slack, 443, "TCP", true},
		{"Alertmanager over plain HTTP", alertmanager, "egress", slack, 80, "TCP", false},
		{"instance metadata", alertmanager, "egress", metadata, 443, "TCP", false},
		{"the exporter reaches PostgreSQL", exporter, "egress", database, 5432, "TCP", true},
		{"the exporter reaches Redis", exporter, "egress", database, 6379, "TCP", true},
		{"the exporter's SSH to the data subnet", exporter, "egress", database, 22, "TCP", false},
		{"the API server calls the operator's webhook", operator, "ingress", controlPlane, 10250, "TCP", true},
		{"DNS", exporter, "egress", dns, 53, "UDP", true},
		{"an exporter to another namespace", exporter, "egress", dataplanePod, 8000, "TCP", false},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, netpol.Allowed(res, ns, tc.pod, tc.direction, tc.other, tc.port, tc.proto), tc.name)
	}
	var names []string
	for _, np := range res.ByType(netpol.PolicyType) {
		if np.In("metadata.namespace") == ns {
			names = append(names, np.In("metadata.name").(string))
		}
	}
	assert.ElementsMatch(t, monitoring.NetworkPolicyNames, names)
	// Without the adapter, nothing in kube-system may query Prometheus.
	res = stacktest.Run(t, "prod", map[string]any{"addons.prometheusAdapter.enabled": false, "hpa.queueScaling": false})
	assert.False(t, netpol.Allowed(res, ns, prometheus, "ingress", adapter, 9090, "TCP"))
}

func TestPodSecurityLevels(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	stackNS := stacktest.One(t, res, "kubernetes:core/v1:Namespace", "-monitoring-namespace")
	assert.Equal(t, "baseline", stackNS.In(`metadata.labels["pod-security.kubernetes.io/enforce"]`))
	assert.Equal(t, "restricted", stackNS.In(`metadata.labels["pod-security.kubernetes.io/warn"]`))
	assert.Equal(t, "restricted", stackNS.In(`metadata.labels["pod-security.kubernetes.io/audit"]`))
	nodeNS := stacktest.One(t, res, "kubernetes:core/v1:Namespace", "-monitoring-node-exporter-namespace")
	assert.Equal(t, "monitoring-node-exporter", nodeNS.In("metadata.name"))
	assert.Equal(t, "privileged", nodeNS.In(`metadata.labels["pod-security.kubernetes.io/enforce"]`))

	r := release(t, res, monitoring.ReleaseName)
	v := "values."
	assert.Equal(t, "monitoring-node-exporter", r.In(v+`["prometheus-node-exporter"].namespaceOverride`))
	for _, pod := range []string{"prometheus.prometheusSpec.securityContext", "alertmanager.alertmanagerSpec.securityContext",
		"grafana.securityContext", "prometheusOperator.securityContext", `["kube-state-metrics"].securityContext`} {
		assert.Equal(t, true, r.In(v+pod+".runAsNonRoot"), pod)
		assert.Equal(t, "RuntimeDefault", r.In(v+pod+".seccompProfile.type"), pod)
	}
	for _, c := range []string{"grafana.containerSecurityContext", "grafana.sidecar.securityContext",
		"prometheusOperator.containerSecurityContext", `["kube-state-metrics"].containerSecurityContext`} {
		assert.Equal(t, false, r.In(v+c+".allowPrivilegeEscalation"), c)
		assert.Equal(t, []any{"ALL"}, r.In(v+c+".capabilities.drop"), c)
	}
	assert.Equal(t, false, r.In(v+"grafana.initChownData.enabled"), "no root init container")

}

// Grafana's sidecars read ConfigMaps of the monitoring namespace only: the chart's cluster-wide
// role (ConfigMaps and Secrets everywhere) is replaced by a Role of the component's.
func TestGrafanaSidecarReadsOnlyItsNamespacesConfigMaps(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	r := release(t, res, monitoring.ReleaseName)
	assert.Equal(t, "monitoring", r.In("values.grafana.sidecar.dashboards.searchNamespace"))
	assert.Equal(t, "monitoring", r.In("values.grafana.sidecar.datasources.searchNamespace"))
	assert.Equal(t, false, r.In("values.grafana.rbac.create"))
	assert.Equal(t, monitoring.GrafanaServiceAccount, r.In("values.grafana.serviceAccount.name"))
	role := stacktest.One(t, res, "kubernetes:rbac.authorization.k8s.io/v1:Role", "-monitoring-grafana-sidecar")
	assert.Equal(t, "monitoring", role.In("metadata.namespace"))
	assert.Equal(t, []any{map[string]any{"apiGroups": []any{""}, "resources": []any{"configmaps"}, "verbs": []any{"get", "list", "watch"}}}, role.In("rules"))
	binding := stacktest.One(t, res, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "-monitoring-grafana-sidecar")
	assert.Equal(t, monitoring.GrafanaServiceAccount, binding.In("subjects[0].name"))
	assert.Contains(t, r.Dependencies, binding.URN, "the Role exists before Grafana starts")
	assert.Empty(t, res.ByType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"), "no cluster-wide role of this program's")
	for _, cm := range res.ByType("kubernetes:core/v1:ConfigMap") {
		if cm.In("metadata.labels."+monitoring.DashboardLabel) == "1" {
			assert.Equal(t, "monitoring", cm.In("metadata.namespace"), "a dashboard outside the sidecar's namespace is never loaded")
		}
	}
}

// The program applies the prometheus-operator CRDs the pinned chart needs before the chart, whose
// own CRD install is off; the dataplane's ServiceMonitor waits for them.
func TestOperatorCRDsAreAppliedByTheProgram(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	group := stacktest.One(t, res, "kubernetes:yaml/v2:ConfigGroup", "-monitoring-crds")
	set := stacktest.One(t, res, monitoring.CRDsTypeToken, "-monitoring-crds")
	want, _ := catalog.OperatorCRDVersion("87.15.2")
	manifests := group.In("yaml").(string)
	var kinds []string
	for _, doc := range strings.Split(manifests, "\n---\n") {
		var crd struct {
			Kind     string
			Metadata struct {
				Name        string
				Annotations map[string]string
			}
			Spec struct{ Group string }
		}
		require.NoError(t, yaml.Unmarshal([]byte(doc), &crd))
		assert.Equal(t, "CustomResourceDefinition", crd.Kind)
		assert.Equal(t, "monitoring.coreos.com", crd.Spec.Group)
		assert.Equal(t, strings.TrimPrefix(want, "v"), crd.Metadata.Annotations["operator.prometheus.io/version"], crd.Metadata.Name)
		assert.Equal(t, "true", crd.Metadata.Annotations[monitoring.PatchForceAnnotation], "%s: takes the fields over from Helm's first install", crd.Metadata.Name)
		kinds = append(kinds, crd.Metadata.Name)
	}
	for _, k := range []string{"prometheuses", "alertmanagers", "servicemonitors", "podmonitors", "prometheusrules", "alertmanagerconfigs", "probes", "thanosrulers", "scrapeconfigs", "prometheusagents"} {
		assert.Contains(t, kinds, k+".monitoring.coreos.com")
	}
	r := release(t, res, monitoring.ReleaseName)
	assert.Equal(t, true, r.In("skipCrds"))
	assert.Equal(t, false, r.In("values.crds.enabled"))
	assert.Contains(t, r.Dependencies, group.URN, "the chart installs after its CRDs")
	sm := stacktest.One(t, res, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "-dataplane-servicemonitor")
	assert.Contains(t, sm.Dependencies, group.URN, "the dataplane's ServiceMonitor waits for the CRDs")
	assert.Equal(t, monitoring.CRDsTypeToken, set.Type)
}

// Every accepted chart version has its operator's CRDs, equal to the operator module's at that
// version: bumping the chart without the CRDs (or the CRDs without the chart) fails here.
func TestCRDsMatchTheChartVersion(t *testing.T) {
	semver := regexp.MustCompile(`^v\d+\.\d+\.\d+$`)
	for _, chart := range catalog.ChartVersions[catalog.ChartKubePrometheusStack] {
		v, ok := catalog.OperatorCRDVersion(chart)
		require.True(t, ok, "kube-prometheus-stack %s has no operator CRD version in catalog.PrometheusOperatorCRDs", chart)
		assert.Regexp(t, semver, v)
		_, names, err := monitoring.OperatorCRDs(v)
		require.NoError(t, err)
		assert.True(t, slices.Contains(names, "servicemonitors.monitoring.coreos.com"), names)
	}
	for chart := range catalog.PrometheusOperatorCRDs {
		assert.Contains(t, catalog.ChartVersions[catalog.ChartKubePrometheusStack], chart, "a CRD version for a chart the program does not accept")
	}
	root, err := harness.RepoRoot()
	require.NoError(t, err)
	drift, err := crdsync.Drift(root)
	require.NoError(t, err)
	assert.Empty(t, drift, "run `go run ./cmd/crds -write`")
	_, _, err = monitoring.OperatorCRDs("v0.0.1")
	assert.ErrorContains(t, err, "go run ./cmd/crds -write")
}
