package monitoring

// RuleGroup is one of kube-prometheus-stack's default rule groups (values defaultRules.rules.<Name>)
// and whether it stays on in an EKS cluster, with why.
type RuleGroup struct {
	Name string
	On   bool
	Why  string
}

// DefaultRuleGroups are every default rule group of chart 87.15.2, each on only where EKS lets
// Prometheus see its data. A chart bump reviews this list (package catalog pins the version).
var DefaultRuleGroups = []RuleGroup{
	{"alertmanager", true, "Alertmanager runs in the monitoring namespace and is scraped by its ServiceMonitor"},
	{"configReloaders", true, "the operator's config-reloader sidecars run beside Prometheus and Alertmanager"},
	{"general", true, "Watchdog and TargetDown: needed for the dead man's switch"},
	{"k8sContainerCpuUsageSecondsTotal", true, "cAdvisor through the kubelet, which EKS nodes serve"},
	{"k8sContainerMemoryCache", true, "cAdvisor through the kubelet"},
	{"k8sContainerMemoryRss", true, "cAdvisor through the kubelet"},
	{"k8sContainerMemorySwap", true, "cAdvisor through the kubelet"},
	{"k8sContainerResource", true, "kube-state-metrics, installed by the chart"},
	{"k8sContainerMemoryWorkingSetBytes", true, "cAdvisor through the kubelet"},
	{"k8sPodOwner", true, "kube-state-metrics"},
	{"kubeApiserverAvailability", true, "EKS exposes the API server's /metrics to authorized clients"},
	{"kubeApiserverBurnrate", true, "the API server's request metrics"},
	{"kubeApiserverHistogram", true, "the API server's request metrics"},
	{"kubeApiserverSlos", true, "the API server's request metrics"},
	{"kubeControllerManager", false, "EKS runs the controller manager in its control plane: not scrapable"},
	{"kubelet", true, "every EKS node's kubelet serves /metrics"},
	{"kubeProxy", false, "EKS's kube-proxy binds its metrics to the node's loopback (127.0.0.1:10249)"},
	{"kubePrometheusGeneral", true, "Prometheus's own series"},
	{"kubePrometheusNodeRecording", true, "node-exporter, installed by the chart"},
	{"kubernetesApps", true, "kube-state-metrics"},
	{"kubernetesResources", true, "kube-state-metrics and cAdvisor"},
	{"kubernetesStorage", true, "the kubelet's volume stats"},
	{"kubernetesSystem", true, "kubelet and API server metrics"},
	{"kubeSchedulerAlerting", false, "EKS runs the scheduler in its control plane: not scrapable"},
	{"kubeSchedulerRecording", false, "EKS runs the scheduler in its control plane: not scrapable"},
	{"kubeStateMetrics", true, "kube-state-metrics, installed by the chart"},
	{"network", true, "node-exporter's network statistics"},
	{"node", true, "node-exporter"},
	{"nodeExporterAlerting", true, "node-exporter"},
	{"nodeExporterRecording", true, "node-exporter"},
	{"prometheus", true, "Prometheus scrapes itself"},
	{"prometheusOperator", true, "the operator runs in the monitoring namespace"},
	{"etcd", false, "EKS runs etcd in its control plane: not scrapable"},
	{"windows", false, "the dataplane runs on Linux nodes only"},
}
