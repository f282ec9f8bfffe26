package config

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/langgraph-platform/infra/catalog"
)

func validateMonitoring(c *checker, cfg *Config) {
	m := cfg.Monitoring
	if c.match("monitoring.namespace", m.Namespace, dnsLabel, "a DNS label (lowercase letters, digits, '-')") {
		c.oneOfNot("monitoring.namespace", m.Namespace, catalog.ReservedNamespaces)
	}
	c.chartVersion("monitoring.chartVersion", catalog.ChartKubePrometheusStack, m.ChartVersion)
	c.match("monitoring.nodeExporterNamespace", m.NodeExporterNamespace, dnsLabel, "a namespace name (DNS label)")
	c.oneOfNot("monitoring.nodeExporterNamespace", m.NodeExporterNamespace, catalog.ReservedNamespaces)
	if m.NodeExporterNamespace == m.Namespace {
		c.failf("monitoring.nodeExporterNamespace", m.NodeExporterNamespace, "must differ from monitoring.namespace: node-exporter needs the privileged Pod Security level, the rest of the stack runs restricted")
	}
	c.chartVersion("monitoring.postgresExporterChartVersion", catalog.ChartPostgresExporter, m.PostgresExporterChartVersion)
	c.chartVersion("monitoring.redisExporterChartVersion", catalog.ChartRedisExporter, m.RedisExporterChartVersion)
	if u, err := url.Parse(m.RunbookBaseURL); err != nil || u.Scheme != "https" || u.Host == "" || strings.HasSuffix(m.RunbookBaseURL, "/") {
		c.failf("monitoring.runbookBaseUrl", m.RunbookBaseURL, "is not an https URL without a trailing slash")
	}
	c.match("monitoring.storageClass", m.StorageClass, dnsLabel, "a StorageClass name")
	c.match("monitoring.prometheusRetention", m.PrometheusRetention, promDuration, "a Prometheus duration such as 15d")
	c.between("monitoring.prometheusReplicas", m.PrometheusReplicas, 1, 10)
	c.between("monitoring.alertmanagerReplicas", m.AlertmanagerReplicas, 1, 10)
	c.between("monitoring.grafanaReplicas", m.GrafanaReplicas, 1, 10)
	c.between("monitoring.prometheusStorageGb", m.PrometheusStorageGB, 1, 16384)
}

func validateThresholds(c *checker, cfg *Config) {
	a, k := cfg.Alerts, cfg.KPI
	c.percent("alerts.errorRatePercent", a.ErrorRatePercent)
	c.positive("alerts.avgResponseSeconds", a.AvgResponseSeconds)
	c.percent("alerts.podResourcePercent", a.PodResourcePercent)
	c.percent("alerts.dbPoolPercent", a.DBPoolPercent)
	c.positive("alerts.queueDepth", a.QueueDepth)
	c.percent("alerts.cacheMemoryPercent", a.CacheMemoryPercent)
	c.percent("alerts.dataTierCpuPercent", a.DataTierCPUPercent)
	c.percent("alerts.databaseFreeStoragePercent", a.DatabaseFreeStoragePercent)
	c.percent("alerts.databaseFreeMemoryPercent", a.DatabaseFreeMemoryPercent)
	c.positive("alerts.replicaLagSeconds", a.ReplicaLagSeconds)
	c.positive("alerts.replicationSlotLagMb", a.ReplicationSlotLagMB)
	c.positive("alerts.wafBlockedRequests", a.WAFBlockedRequests)
	if k.ConcurrentUsers < 1 {
		c.failf("kpi.concurrentUsers", k.ConcurrentUsers, "must be >= 1")
	}
	c.percent("kpi.successRatePercent", k.SuccessRatePercent)
	c.positive("kpi.avgResponseSeconds", k.AvgResponseSeconds)
	c.positive("kpi.p95ResponseSeconds", k.P95ResponseSeconds)
	// The latency SLO counts runs faster than the target from the server's histogram bucket at
	// the target: between two boundaries there is no such bucket, and the SLO would read nothing.
	if k.P95ResponseSeconds > 0 && !slices.Contains(catalog.LangGraphLatencyBucketsMS, k.P95ResponseSeconds*1000) {
		var allowed []string
		for _, ms := range catalog.LangGraphLatencyBucketsMS {
			allowed = append(allowed, strconv.FormatFloat(ms/1000, 'f', -1, 64))
		}
		c.failf("kpi.p95ResponseSeconds", k.P95ResponseSeconds, "must be a bucket boundary of the LangGraph server's latency histogram (langgraph-api %s), one of %s seconds",
			catalog.LangGraphAPIVersion, strings.Join(allowed, ", "))
	}
	c.positive("kpi.queueWaitSeconds", k.QueueWaitSeconds)
	c.percent("kpi.errorRatePercent", k.ErrorRatePercent)
	c.percent("kpi.cpuPercent", k.CPUPercent)
	c.percent("kpi.memoryPercent", k.MemoryPercent)
	if k.AvgResponseSeconds > k.P95ResponseSeconds {
		c.failf("kpi.avgResponseSeconds", k.AvgResponseSeconds, "must be <= kpi.p95ResponseSeconds=%g", k.P95ResponseSeconds)
	}
}
