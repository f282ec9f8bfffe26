package catalog

// The containers the stack's charts run, where each chart takes their resources, and their
// default sizes at 5,000 concurrent users. Each ValuesPath was read from the chart's values.yaml
// and templates (ChartContainersReadAt).

// ChartContainer is one container a chart runs.
type ChartContainer struct {
	// Name is the container's key in the chartResources config object.
	Name  string
	Chart string
	// ValuesPath is where the chart takes the container's resources (dotted, from the
	// chart's values root; a subchart of kube-prometheus-stack starts with its alias).
	ValuesPath string
	// CPUMemoryOnly: the chart passes only CPU and memory on (the operator hands the config
	// reloader's four numbers to its flags), so an ephemeral-storage quantity would be lost.
	CPUMemoryOnly bool
	// Requests and limits at 5,000 users; CPU has no limit (a throttled exporter or controller
	// misses scrapes and leader renewals: the request reserves what it needs).
	CPURequest, MemoryRequest, MemoryLimit string
	EphemeralRequest, EphemeralLimit       string
	// Sizing says where the numbers come from.
	Sizing string
}

// Names of the chart containers (the chartResources keys).
const (
	ContainerPrometheus             = "prometheus"
	ContainerAlertmanager           = "alertmanager"
	ContainerConfigReloader         = "configReloader"
	ContainerOperator               = "operator"
	ContainerAdmissionJobs          = "admissionJobs"
	ContainerGrafana                = "grafana"
	ContainerGrafanaSidecar         = "grafanaSidecar"
	ContainerKubeStateMetrics       = "kubeStateMetrics"
	ContainerNodeExporter           = "nodeExporter"
	ContainerPostgresExporter       = "postgresExporter"
	ContainerRedisExporter          = "redisExporter"
	ContainerMetricsServer          = "metricsServer"
	ContainerLoadBalancerController = "loadBalancerController"
	ContainerPrometheusAdapter      = "prometheusAdapter"
	ContainerFluentBit              = "fluentBit"
	ContainerKarpenter              = "karpenter"
	ContainerLLMGateway             = "llmGateway"
)

// ChartContainers are every container the stack's charts run, in the order the docs list them.
var ChartContainers = []ChartContainer{
	{Name: ContainerPrometheus, Chart: ChartKubePrometheusStack, ValuesPath: "prometheus.prometheusSpec.resources",
		CPURequest: "1", MemoryRequest: "4Gi", MemoryLimit: "8Gi", EphemeralRequest: "256Mi", EphemeralLimit: "1Gi",
		Sizing: "a few hundred thousand active series (50 dataplane pods, their nodes, kube-state-metrics) in the head block, with room for compaction and dashboard queries; the TSDB is on its volume, not ephemeral storage"},
	{Name: ContainerAlertmanager, Chart: ChartKubePrometheusStack, ValuesPath: "alertmanager.alertmanagerSpec.resources",
		CPURequest: "100m", MemoryRequest: "128Mi", MemoryLimit: "256Mi", EphemeralRequest: "64Mi", EphemeralLimit: "256Mi",
		Sizing: "tens of alerts and silences; its data is on its volume"},
	{Name: ContainerConfigReloader, Chart: ChartKubePrometheusStack, ValuesPath: "prometheusOperator.prometheusConfigReloader.resources", CPUMemoryOnly: true,
		CPURequest: "10m", MemoryRequest: "32Mi", MemoryLimit: "64Mi",
		Sizing: "the chart's commented example (50Mi) rounded to a power of two; one per Prometheus and Alertmanager pod"},
	{Name: ContainerOperator, Chart: ChartKubePrometheusStack, ValuesPath: "prometheusOperator.resources",
		CPURequest: "100m", MemoryRequest: "128Mi", MemoryLimit: "256Mi", EphemeralRequest: "64Mi", EphemeralLimit: "256Mi",
		Sizing: "the chart's commented example (200Mi limit) with room for the webhook's TLS"},
	{Name: ContainerAdmissionJobs, Chart: ChartKubePrometheusStack, ValuesPath: "prometheusOperator.admissionWebhooks.patch.resources",
		CPURequest: "10m", MemoryRequest: "32Mi", MemoryLimit: "64Mi", EphemeralRequest: "16Mi", EphemeralLimit: "64Mi",
		Sizing: "two short jobs that write one certificate and patch two webhooks"},
	{Name: ContainerGrafana, Chart: ChartKubePrometheusStack, ValuesPath: "grafana.resources",
		CPURequest: "100m", MemoryRequest: "256Mi", MemoryLimit: "512Mi", EphemeralRequest: "512Mi", EphemeralLimit: "2Gi",
		Sizing: "a few on-call users; its database and plugins live on an emptyDir, which counts as ephemeral storage"},
	{Name: ContainerGrafanaSidecar, Chart: ChartKubePrometheusStack, ValuesPath: "grafana.sidecar.resources",
		CPURequest: "50m", MemoryRequest: "64Mi", MemoryLimit: "128Mi", EphemeralRequest: "16Mi", EphemeralLimit: "128Mi",
		Sizing: "the chart's commented example (50m, 50Mi, 100Mi); it applies to both dashboard and datasource sidecars"},
	{Name: ContainerKubeStateMetrics, Chart: ChartKubePrometheusStack, ValuesPath: "kube-state-metrics.resources",
		CPURequest: "50m", MemoryRequest: "128Mi", MemoryLimit: "256Mi", EphemeralRequest: "16Mi", EphemeralLimit: "64Mi",
		Sizing: "its memory grows with the cluster's objects: a few hundred pods here"},
	{Name: ContainerNodeExporter, Chart: ChartKubePrometheusStack, ValuesPath: "prometheus-node-exporter.resources",
		CPURequest: "20m", MemoryRequest: "32Mi", MemoryLimit: "64Mi", EphemeralRequest: "16Mi", EphemeralLimit: "64Mi",
		Sizing: "one per node; about 20 MiB resident on an EKS node"},
	{Name: ContainerPostgresExporter, Chart: ChartPostgresExporter, ValuesPath: "resources",
		CPURequest: "50m", MemoryRequest: "64Mi", MemoryLimit: "128Mi", EphemeralRequest: "16Mi", EphemeralLimit: "64Mi",
		Sizing: "one database's default collectors every 30 s"},
	{Name: ContainerRedisExporter, Chart: ChartRedisExporter, ValuesPath: "resources",
		CPURequest: "50m", MemoryRequest: "64Mi", MemoryLimit: "128Mi", EphemeralRequest: "16Mi", EphemeralLimit: "64Mi",
		Sizing: "one replication group every 30 s"},
	{Name: ContainerMetricsServer, Chart: ChartMetricsServer, ValuesPath: "resources",
		CPURequest: "100m", MemoryRequest: "200Mi", MemoryLimit: "400Mi", EphemeralRequest: "16Mi", EphemeralLimit: "64Mi",
		Sizing: "the chart's own requests (100m, 200Mi); metrics-server needs about 1m CPU and 2 MiB per node"},
	{Name: ContainerLoadBalancerController, Chart: ChartAWSLoadBalancerController, ValuesPath: "resources",
		CPURequest: "100m", MemoryRequest: "128Mi", MemoryLimit: "512Mi", EphemeralRequest: "16Mi", EphemeralLimit: "64Mi",
		Sizing: "one Ingress and its targets; the limit covers the informer caches of a busy cluster"},
	{Name: ContainerPrometheusAdapter, Chart: ChartPrometheusAdapter, ValuesPath: "resources",
		CPURequest: "100m", MemoryRequest: "128Mi", MemoryLimit: "512Mi", EphemeralRequest: "16Mi", EphemeralLimit: "64Mi",
		Sizing: "one External metric, asked for by one HPA every 15 s"},
	{Name: ContainerFluentBit, Chart: ChartAWSForFluentBit, ValuesPath: "resources",
		CPURequest: "50m", MemoryRequest: "64Mi", MemoryLimit: "256Mi", EphemeralRequest: "16Mi", EphemeralLimit: "64Mi",
		Sizing: "one per node; the limit holds its in-memory buffer when CloudWatch throttles (its offsets are on the node's /var/log)"},
	{Name: ContainerKarpenter, Chart: ChartKarpenter, ValuesPath: "controller.resources",
		CPURequest: "250m", MemoryRequest: "512Mi", MemoryLimit: "1Gi", EphemeralRequest: "16Mi", EphemeralLimit: "64Mi",
		Sizing: "one NodePool and tens of nodes; the controller's memory grows with the pods and nodes it watches"},
	{Name: ContainerLLMGateway, Chart: ChartLiteLLM, ValuesPath: "resources",
		CPURequest: "500m", MemoryRequest: "1Gi", MemoryLimit: "2Gi", EphemeralRequest: "256Mi", EphemeralLimit: "1Gi",
		Sizing: "one LiteLLM proxy worker holds about 380 MiB resident after start and its first calls (litellm 1.108.7, measured); a pod carries a few hundred concurrent streamed calls, mostly waiting on the provider; the chart's three 500Mi emptyDirs (/tmp, /.cache, /.npm) count against the ephemeral limit"},
}

// ChartContainersReadAt are the pinned chart versions ChartContainers were checked against: a
// pin that moves fails a test until someone reads the new version's keys. ChartContainersReadFrom
// says which source was read where it was not the pinned release itself (the mirror held a
// neighbouring one; the keys named here are in both).
var ChartContainersReadAt = map[string]string{
	ChartKubePrometheusStack:       "87.15.2",
	ChartPostgresExporter:          "8.3.0",
	ChartRedisExporter:             "6.38.0",
	ChartMetricsServer:             "3.13.0",
	ChartAWSLoadBalancerController: "3.4.2",
	ChartPrometheusAdapter:         "5.2.1",
	ChartAWSForFluentBit:           "0.2.1",
	ChartKarpenter:                 "1.12.1",
	ChartLiteLLM:                   "1.1.0",
}

// ChartContainersReadFrom: see ChartContainersReadAt.
var ChartContainersReadFrom = map[string]string{
	ChartKubePrometheusStack: "prometheus-community/helm-charts 430fd065c (87.15.2) with its subcharts kube-state-metrics 7.8.1, prometheus-node-exporter 4.56.0 and grafana-community's grafana 12.7.2",
	ChartPostgresExporter:    "prometheus-community/helm-charts at 8.2.0",
	ChartRedisExporter:       "prometheus-community/helm-charts at 6.29.0",
	ChartPrometheusAdapter:   "prometheus-community/helm-charts a9ab20a9b (5.2.1)",
	ChartAWSForFluentBit:     "aws/eks-charts at 0.2.0",
	ChartLiteLLM:             "BerriAI/litellm deploy/charts/litellm-helm: Chart.yaml 56fab12 (1.1.0), values.yaml fba16f9, templates/deployment.yaml f77fbef",
}

// ChartContainerNamed is the chart container called name, and whether there is one.
func ChartContainerNamed(name string) (ChartContainer, bool) {
	for _, c := range ChartContainers {
		if c.Name == name {
			return c, true
		}
	}
	return ChartContainer{}, false
}
