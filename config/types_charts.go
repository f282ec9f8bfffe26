package config

import "github.com/langgraph-platform/infra/catalog"

// ChartResources are the requests and limits of every container the stack's charts run, one
// field per catalog.ChartContainers entry (its Name is the field's key). Defaults come from the
// catalog's sizes at 5,000 users; a stack sets only what it changes, field by field. Every
// container gets a memory request and limit and an ephemeral-storage request and limit (except
// configReloader, whose chart passes only CPU and memory on): a BestEffort monitoring pod is the
// first evicted under node pressure, exactly when it is needed.
type ChartResources struct {
	Prometheus             Resources `json:"prometheus" doc:"Prometheus (kube-prometheus-stack prometheus.prometheusSpec.resources)."`
	Alertmanager           Resources `json:"alertmanager" doc:"Alertmanager (alertmanager.alertmanagerSpec.resources)."`
	ConfigReloader         Resources `json:"configReloader" doc:"The config reloader beside Prometheus and Alertmanager (prometheusOperator.prometheusConfigReloader.resources; CPU and memory only)."`
	Operator               Resources `json:"operator" doc:"The Prometheus operator (prometheusOperator.resources)."`
	AdmissionJobs          Resources `json:"admissionJobs" doc:"The operator's webhook certificate jobs (prometheusOperator.admissionWebhooks.patch.resources)."`
	Grafana                Resources `json:"grafana" doc:"Grafana (grafana.resources)."`
	GrafanaSidecar         Resources `json:"grafanaSidecar" doc:"Grafana's dashboard and datasource sidecars (grafana.sidecar.resources)."`
	KubeStateMetrics       Resources `json:"kubeStateMetrics" doc:"kube-state-metrics (kube-state-metrics.resources)."`
	NodeExporter           Resources `json:"nodeExporter" doc:"node-exporter, one per node (prometheus-node-exporter.resources)."`
	PostgresExporter       Resources `json:"postgresExporter" doc:"prometheus-postgres-exporter (resources)."`
	RedisExporter          Resources `json:"redisExporter" doc:"prometheus-redis-exporter (resources)."`
	MetricsServer          Resources `json:"metricsServer" doc:"metrics-server (resources)."`
	LoadBalancerController Resources `json:"loadBalancerController" doc:"aws-load-balancer-controller (resources)."`
	PrometheusAdapter      Resources `json:"prometheusAdapter" doc:"prometheus-adapter (resources)."`
	FluentBit              Resources `json:"fluentBit" doc:"aws-for-fluent-bit, one per node (resources)."`
	Karpenter              Resources `json:"karpenter" doc:"The Karpenter controller (controller.resources)."`
	LLMGateway             Resources `json:"llmGateway" doc:"The LLM gateway's LiteLLM proxy (litellm-helm resources)."`
}

// byName is every container's resources by its catalog name.
func (r *ChartResources) byName() map[string]*Resources {
	return map[string]*Resources{
		catalog.ContainerPrometheus:             &r.Prometheus,
		catalog.ContainerAlertmanager:           &r.Alertmanager,
		catalog.ContainerConfigReloader:         &r.ConfigReloader,
		catalog.ContainerOperator:               &r.Operator,
		catalog.ContainerAdmissionJobs:          &r.AdmissionJobs,
		catalog.ContainerGrafana:                &r.Grafana,
		catalog.ContainerGrafanaSidecar:         &r.GrafanaSidecar,
		catalog.ContainerKubeStateMetrics:       &r.KubeStateMetrics,
		catalog.ContainerNodeExporter:           &r.NodeExporter,
		catalog.ContainerPostgresExporter:       &r.PostgresExporter,
		catalog.ContainerRedisExporter:          &r.RedisExporter,
		catalog.ContainerMetricsServer:          &r.MetricsServer,
		catalog.ContainerLoadBalancerController: &r.LoadBalancerController,
		catalog.ContainerPrometheusAdapter:      &r.PrometheusAdapter,
		catalog.ContainerFluentBit:              &r.FluentBit,
		catalog.ContainerKarpenter:              &r.Karpenter,
		catalog.ContainerLLMGateway:             &r.LLMGateway,
	}
}

// ByName is every chart container's resources by its catalog name.
func (r ChartResources) ByName() map[string]Resources {
	out := map[string]Resources{}
	for name, res := range r.byName() {
		out[name] = *res
	}
	return out
}

// defaultChartResources are the catalog's sizes.
func defaultChartResources() ChartResources {
	var r ChartResources
	fields := r.byName()
	for _, c := range catalog.ChartContainers {
		*fields[c.Name] = Resources{CPURequest: c.CPURequest, MemoryRequest: c.MemoryRequest, MemoryLimit: c.MemoryLimit,
			EphemeralStorageRequest: c.EphemeralRequest, EphemeralStorageLimit: c.EphemeralLimit}
	}
	return r
}
