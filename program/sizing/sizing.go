// Package sizing maps a stack's configuration onto the capacity model (package capacity) and
// decides whether the stack may deploy: the program computes the report once per run and uses
// it for the refusal, the stack outputs and synth's capacity table. It links no cloud SDK, so
// cmd/capacity and cmd/loadtest use it without the program.
package sizing

import (
	"fmt"
	"math"

	"github.com/langgraph-platform/infra/capacity"
	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/cost"
)

// Inputs maps the configuration onto the capacity model. With a queue tier, only queue pods
// execute runs (the API pods run with N_JOBS_PER_WORKER=0): run slots, the queue metric and the
// ramp count the queue tier, while database and Redis connections count both tiers.
func Inputs(c *config.Config) capacity.Inputs {
	h := c.HPA
	in := capacity.Inputs{
		Users:              c.KPI.ConcurrentUsers,
		RunSeconds:         c.KPI.AvgResponseSeconds,
		ThinkSeconds:       c.Capacity.ThinkTimeSeconds,
		QueueWaitTarget:    c.KPI.QueueWaitSeconds,
		JobsPerWorker:      c.Dataplane.JobsPerWorker,
		MinReplicas:        h.MinReplicas,
		MaxReplicas:        h.MaxReplicas,
		CPUTarget:          float64(h.CPUUtilization) / 100,
		CPUAtFullLoad:      c.Capacity.CPUAtFullLoadRatio(),
		PendingPerPod:      pendingPerPod(c),
		PoolPerPod:         c.Dataplane.DBPoolMaxSize,
		ExporterConns:      c.Capacity.ExporterConnections,
		AdminReserveConns:  c.Capacity.AdminReserveConnections,
		MaxConnections:     c.Database.MaxConnections(),
		DBPoolRatio:        c.Alerts.Ratios().DBPool,
		RedisConnsPerPod:   c.Capacity.RedisConnectionsPerPod,
		RedisBytesPerRun:   c.Capacity.RedisKiBPerRun * 1024,
		RedisReservedBytes: c.Gateway.CacheBytes(),
		RedisNodeMemoryGiB: catalog.ElastiCacheNodeMemoryGiB[c.Cache.NodeType],
		PodStartupSeconds:  c.Capacity.PodStartupSeconds,
		// What adds nodes, and how many pods a node holds (cost.nodeInstanceType).
		NodeProvisioningSeconds: catalog.NodeProvisioningSeconds[c.NodeAutoscaler()],
		PodsPerNode:             PodsPerNode(c),
		HeadroomPods:            c.Capacity.HeadroomPods,
		PreemptionSeconds:       catalog.PreemptionSeconds,
		MetricDelaySeconds:      c.Capacity.MetricDelaySeconds,
		HPA: capacity.HPAPolicy{
			SyncSeconds: 15, Tolerance: 0.1,
			UpPods: h.ScaleUp.Pods, UpPercent: h.ScaleUp.Percent, UpPeriod: float64(h.ScaleUp.PeriodSeconds), UpWindow: float64(h.ScaleUp.StabilizationWindowSeconds),
			DownPods: h.ScaleDown.Pods, DownPeriod: float64(h.ScaleDown.PeriodSeconds), DownWindow: float64(h.ScaleDown.StabilizationWindowSeconds),
		},
	}
	if q := c.Dataplane.Queue; q.Enabled {
		// The queue tier executes the runs and gets the HPA's queue metric; the API tier only
		// holds connections (it serves HTTP: thread state, streams, run creation).
		in.MinReplicas, in.MaxReplicas = q.MinReplicas, q.MaxReplicas
		in.NonWorkerPodsAtMax = h.MaxReplicas
	}
	return in
}

// pendingPerPod is the queue metric's target when the HPA has it, else 0.
func pendingPerPod(c *config.Config) float64 {
	if c.QueueMetricActive() {
		return float64(c.HPA.PendingRunsPerPod)
	}
	return 0
}

// Report runs the capacity model for this configuration.
func Report(c *config.Config) capacity.Report { return capacity.Evaluate(Inputs(c)) }

// problems are the failing checks of report as errors naming the figure, its value and its
// limit, unless capacity.acceptRisk gives a reason to deploy anyway.
func problems(c *config.Config, report capacity.Report) []error {
	if c.Capacity.AcceptRisk != "" {
		return nil
	}
	var errs []error
	for _, f := range report.Failed() {
		errs = append(errs, fmt.Errorf("capacity: %s is %.4g %s; limit %.4g %s (%s). Fix the sizing (docs/capacity.md) or set capacity.acceptRisk to a reason",
			f.Name, f.Value, f.Unit, f.Limit, f.Unit, f.Detail))
	}
	return errs
}

// Gate is the capacity refusal as the configuration error a stack gets: nil when the stack may
// deploy.
func Gate(c *config.Config, report capacity.Report) error {
	if errs := problems(c, report); len(errs) > 0 {
		return &config.Error{Stack: c.Stack, Problems: errs}
	}
	return nil
}

// PodsPerNode is how many run-executing pods fit on a node of cost.nodeInstanceType (its
// allocatable share of CPU and memory), or 0 when no node autoscaler adds nodes: the cluster is
// then assumed to have room for the maximum (and the program warns that it must).
func PodsPerNode(c *config.Config) int {
	if c.NodeAutoscaler() == catalog.NodeAutoscalerNone {
		return 0
	}
	return podsPerNode(c)
}

// podsPerNode is how many run-executing pods a node of cost.nodeInstanceType holds.
func podsPerNode(c *config.Config) int {
	node := catalog.EC2NodeSizes[c.Cost.NodeInstanceType]
	r := c.Dataplane.Resources
	if c.Dataplane.Queue.Enabled {
		r = c.Dataplane.Queue.Resources
	}
	return max(1, int(math.Floor(math.Min(node.VCPU*cost.NodeAllocatable/cpuCores(r.CPURequest), node.MemoryGiB*cost.NodeAllocatable/memoryGiB(r.MemoryRequest)))))
}

// PodHourUSD is what an hour of a run-executing pod's room costs: its share of a node of
// cost.nodeInstanceType at the region's on-demand price (the unit -recommend prices plans in).
func PodHourUSD(c *config.Config) (float64, error) {
	table, ok := cost.PriceTables[c.Region]
	if !ok {
		return 0, fmt.Errorf("cost: no price table for region %q", c.Region)
	}
	hour, ok := table.EC2InstanceHour[c.Cost.NodeInstanceType]
	if !ok {
		return 0, fmt.Errorf("cost: no EC2 instance price for %q in region %s", c.Cost.NodeInstanceType, c.Region)
	}
	return hour / float64(podsPerNode(c)), nil
}
