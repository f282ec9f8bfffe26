package config

import (
	"fmt"

	"github.com/langgraph-platform/infra/capacity"
)

// CapacityInputs maps the configuration onto the capacity model.
func (c *Config) CapacityInputs() capacity.Inputs {
	h := c.HPA
	return capacity.Inputs{
		Users:              c.KPI.ConcurrentUsers,
		RunSeconds:         c.KPI.AvgResponseSeconds,
		ThinkSeconds:       c.Capacity.ThinkTimeSeconds,
		QueueWaitTarget:    c.KPI.QueueWaitSeconds,
		JobsPerWorker:      c.Dataplane.JobsPerWorker,
		MinReplicas:        h.MinReplicas,
		MaxReplicas:        h.MaxReplicas,
		CPUTarget:          float64(h.CPUUtilization) / 100,
		CPUAtFullLoad:      c.Capacity.CPUAtFullLoadPercent / 100,
		PendingPerPod:      c.pendingPerPod(),
		PoolPerPod:         c.Dataplane.DBPoolMaxSize,
		ExporterConns:      c.Capacity.ExporterConnections,
		AdminReserveConns:  c.Capacity.AdminReserveConnections,
		MaxConnections:     c.Database.MaxConnections(),
		PoolAlertRatio:     c.Alerts.DBPoolPercent / 100,
		RedisConnsPerPod:   c.Capacity.RedisConnectionsPerPod,
		RedisBytesPerRun:   c.Capacity.RedisKiBPerRun * 1024,
		RedisNodeMemoryGiB: ElastiCacheNodeMemoryGiB[c.Cache.NodeType],
		PodStartupSeconds:  c.Capacity.PodStartupSeconds,
		HPA: capacity.HPAPolicy{
			SyncSeconds: 15, Tolerance: 0.1,
			UpPods: h.ScaleUp.Pods, UpPeriod: float64(h.ScaleUp.PeriodSeconds), UpWindow: float64(h.ScaleUp.StabilizationWindowSeconds),
			DownPods: h.ScaleDown.Pods, DownPeriod: float64(h.ScaleDown.PeriodSeconds), DownWindow: float64(h.ScaleDown.StabilizationWindowSeconds),
		},
	}
}

// pendingPerPod is the queue metric's target when the HPA has it, else 0.
func (c *Config) pendingPerPod() float64 {
	if c.QueueMetricActive() {
		return float64(c.HPA.PendingRunsPerPod)
	}
	return 0
}

// CapacityReport runs the capacity model for this configuration.
func (c *Config) CapacityReport() capacity.Report { return capacity.Evaluate(c.CapacityInputs()) }

// capacityProblems are the failing checks as errors naming the figure, its value and its limit,
// unless capacity.acceptRisk gives a reason to deploy anyway.
func capacityProblems(cfg *Config) []error {
	if cfg.Capacity.AcceptRisk != "" {
		return nil
	}
	var errs []error
	for _, f := range cfg.CapacityReport().Failed() {
		errs = append(errs, fmt.Errorf("capacity: %s is %.4g %s; limit %.4g %s (%s). Fix the sizing (docs/capacity.md) or set capacity.acceptRisk to a reason",
			f.Name, f.Value, f.Unit, f.Limit, f.Unit, f.Detail))
	}
	return errs
}

func validateCapacity(c *checker, k Capacity) {
	if k.ThinkTimeSeconds < 0 {
		c.failf("capacity.thinkTimeSeconds", k.ThinkTimeSeconds, "must be >= 0")
	}
	c.percent("capacity.cpuAtFullLoadPercent", k.CPUAtFullLoadPercent)
	if k.PodStartupSeconds < 0 || k.PodStartupSeconds > 1800 {
		c.failf("capacity.podStartupSeconds", k.PodStartupSeconds, "must be between 0 and 1800")
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
