package config

func validateCapacity(c *checker, k Capacity) {
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
}
