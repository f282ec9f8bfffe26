package config

import "github.com/langgraph-platform/infra/catalog"

func validateCapacity(c *checker, cfg *Config) {
	k := cfg.Capacity
	if k.ThinkTimeSeconds < 0 {
		c.failf("capacity.thinkTimeSeconds", k.ThinkTimeSeconds, "must be >= 0")
	}
	c.percent("capacity.cpuAtFullLoadPercent", k.CPUAtFullLoadPercent)
	if k.PodStartupSeconds < 0 || k.PodStartupSeconds > 1800 {
		c.failf("capacity.podStartupSeconds", k.PodStartupSeconds, "must be between 0 and 1800")
	}
	if k.MetricDelaySeconds < 0 || k.MetricDelaySeconds > 600 {
		c.failf("capacity.metricDelaySeconds", k.MetricDelaySeconds, "must be between 0 and 600")
	}
	for _, f := range []struct {
		key string
		v   int
	}{{"capacity.adminReserveConnections", k.AdminReserveConnections}, {"capacity.exporterConnections", k.ExporterConnections}, {"capacity.redisConnectionsPerPod", k.RedisConnectionsPerPod}} {
		if f.v < 0 {
			c.failf(f.key, f.v, "must be >= 0")
		}
	}
	c.positive("capacity.redisKiBPerRun", k.RedisKiBPerRun)
	validateHeadroom(c, cfg)
}

// validateHeadroom: placeholders only help where a node autoscaler adds nodes for them, and
// more of them than the tier's maximum keeps nodes no pod can ever use.
func validateHeadroom(c *checker, cfg *Config) {
	k := cfg.Capacity
	c.image("capacity.headroomImage", k.HeadroomImage, "the pause image (or a mirror's copy) pinned by tag or digest")
	if k.HeadroomPods == 0 {
		return
	}
	maxReplicas, key := cfg.HPA.MaxReplicas, "hpa.maxReplicas"
	if cfg.Dataplane.Queue.Enabled {
		maxReplicas, key = cfg.Dataplane.Queue.MaxReplicas, "dataplane.queue.maxReplicas"
	}
	switch {
	case k.HeadroomPods < 0 || k.HeadroomPods > maxReplicas:
		c.failf("capacity.headroomPods", k.HeadroomPods, "must be between 0 and the run-executing tier's maximum (%s=%d)", key, maxReplicas)
	case cfg.NodeAutoscaler() == catalog.NodeAutoscalerNone:
		c.failf("capacity.headroomPods", k.HeadroomPods, "needs a node autoscaler to add the nodes the placeholders hold: set cluster.nodeAutoscaler (karpenter, autoMode or clusterAutoscaler) or 0")
	}
}
