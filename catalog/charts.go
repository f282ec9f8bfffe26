package catalog

// Chart names: each Helm chart the program installs, by the name its repository publishes.
const (
	ChartKubePrometheusStack       = "kube-prometheus-stack"
	ChartPostgresExporter          = "prometheus-postgres-exporter"
	ChartRedisExporter             = "prometheus-redis-exporter"
	ChartMetricsServer             = "metrics-server"
	ChartAWSLoadBalancerController = "aws-load-balancer-controller"
	ChartPrometheusAdapter         = "prometheus-adapter"
)

// ChartVersions are the exact chart versions whose values the program's typed Helm values were
// written and tested against. A bump is a code change: add the version here after checking its
// values.yaml, and the tests render it.
var ChartVersions = map[string][]string{
	ChartKubePrometheusStack:       {"87.15.2"},
	ChartPostgresExporter:          {"8.3.0"},
	ChartRedisExporter:             {"6.38.0"},
	ChartMetricsServer:             {"3.13.0"},
	ChartAWSLoadBalancerController: {"3.4.2"},
	ChartPrometheusAdapter:         {"5.2.1"},
}
