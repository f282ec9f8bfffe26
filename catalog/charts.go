package catalog

import (
	"maps"
	"slices"
)

// Chart names: each Helm chart the program installs, by the name its repository publishes.
const (
	ChartKubePrometheusStack       = "kube-prometheus-stack"
	ChartPostgresExporter          = "prometheus-postgres-exporter"
	ChartRedisExporter             = "prometheus-redis-exporter"
	ChartMetricsServer             = "metrics-server"
	ChartAWSLoadBalancerController = "aws-load-balancer-controller"
	ChartPrometheusAdapter         = "prometheus-adapter"
	ChartAWSForFluentBit           = "aws-for-fluent-bit"
	ChartKarpenter                 = "karpenter"
	ChartLiteLLM                   = "litellm-helm"
)

// ChartVersions are the exact chart versions whose values the program's typed Helm values were
// written and tested against. A bump is a code change: add the version here after checking its
// values.yaml, and the tests render it.
var ChartVersions = map[string][]string{
	// kube-prometheus-stack: exactly the versions whose operator CRDs are known (below).
	ChartKubePrometheusStack:       slices.Sorted(maps.Keys(PrometheusOperatorCRDs)),
	ChartPostgresExporter:          {"8.3.0"},
	ChartRedisExporter:             {"6.38.0"},
	ChartMetricsServer:             {"3.13.0"},
	ChartAWSLoadBalancerController: {"3.4.2"},
	ChartPrometheusAdapter:         {"5.2.1"},
	// eks-charts' aws-for-fluent-bit 0.2.1 ships Fluent Bit 3.4.16 (its Chart.yaml appVersion).
	ChartAWSForFluentBit: {"0.2.1"},
	// Karpenter 1.12.1 (2026-05-12): chart and controller share the version; the program applies
	// its CRDs from the karpenter-provider-aws module at that version (components/clusteraddons/crds).
	ChartKarpenter: {"1.12.1"},
	// LiteLLM's chart (BerriAI/litellm deploy/charts/litellm-helm, Chart.yaml 1.1.0); the image
	// it runs is pinned apart from its appVersion (LiteLLMImageTag), to the release the live
	// tests run.
	ChartLiteLLM: {"1.1.0"},
}

// PrometheusOperatorCRDs maps each kube-prometheus-stack version the program accepts to the
// prometheus-operator release whose CRDs it needs (the chart's appVersion). The program applies
// those CRDs itself (Helm never upgrades CRDs); components/monitoring/crds holds them, copied from
// the module github.com/prometheus-operator/prometheus-operator at that version by
// `go run ./cmd/crds -write`. Chart 87.15.x runs operator v0.92.1 (the 87.15.1 release's image
// list; chart releases change the operator only with a major version).
var PrometheusOperatorCRDs = map[string]string{
	"87.15.2": "v0.92.1",
}

// OperatorCRDVersion is the prometheus-operator version whose CRDs kube-prometheus-stack
// chartVersion needs, and whether one is known.
func OperatorCRDVersion(chartVersion string) (string, bool) {
	v, ok := PrometheusOperatorCRDs[chartVersion]
	return v, ok
}
