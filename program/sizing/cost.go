package sizing

import (
	"fmt"
	"math"
	"strconv"

	"github.com/langgraph-platform/infra/capacity"
	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/cost"
)

// Counts of what the program creates that is billed per unit. tests/cost_test.go checks each
// against the rendering, so a new key, secret, rule or alarm metric cannot go unpriced.
func wafRules(c *config.Config) int {
	n := 5 // per-IP and per-credential rate limits, IP reputation, known bad inputs, common rule set
	if c.Auth.Enabled() {
		n++ // the credential requirement on the API routes
	}
	return n
}

func kmsKeys(c *config.Config) int {
	n := 4 // database, cache, WAF log group, notification topic
	if c.DR.Enabled {
		n += 2 // the recovery region's key, the backup vault's
	}
	if c.Addons.FluentBit.Enabled {
		n++ // container log groups
	}
	if c.Cluster.Mode == config.ModeCreate {
		n += 2 // the cluster's (Secrets, control-plane logs) and the flow logs'
	}
	if c.GameDay.Enabled {
		n++ // the experiments' log group
	}
	return n
}

// alarmMetrics are the metrics the CloudWatch alarms read: one per single-metric alarm, every
// node's for the cache's worst-node alarms, three for each ALB 5xx share.
func alarmMetrics(c *config.Config) int {
	n := 4 + 2*c.Database.ReadReplicas + 5*c.Cache.Nodes + 1 + 3 + 1
	if c.Standby() || c.DR.StandbyStack != "" {
		n++ // the standby's lag: ReplicaLag on the standby, OldestReplicationSlotLag on the primary
	}
	if c.GameDay.Enabled {
		n += 3 // the drills' fast stop alarm: the ALB's 5xx share, per minute
	}
	return n
}

const secrets = 2 // database and cache credentials

// InterfaceEndpointServices is how many interface endpoints a created VPC has per AZ
// (components/network: ECR API, ECR registry, STS, CloudWatch Logs); a test keeps the two equal.
const InterfaceEndpointServices = 4

// CostInputs maps the configuration and its capacity report onto the cost model.
func CostInputs(c *config.Config, report capacity.Report) cost.Inputs {
	node := catalog.EC2NodeSizes[c.Cost.NodeInstanceType]
	in := cost.Inputs{
		Region:             c.Region,
		DBClass:            c.Database.InstanceClass,
		DBMultiAZ:          c.Database.MultiAZ,
		DBReplicas:         c.Database.ReadReplicas,
		DBStorageGB:        c.Database.AllocatedStorageGB,
		DBBackupRetention:  c.Database.BackupRetentionDays,
		CacheEngine:        c.Cache.Engine,
		CacheNodeType:      c.Cache.NodeType,
		CacheNodes:         c.Cache.Nodes,
		CacheSnapshotDays:  c.Cache.SnapshotRetentionDays,
		CacheNodeMemoryGiB: catalog.ElastiCacheNodeMemoryGiB[c.Cache.NodeType],
		NodeType:           c.Cost.NodeInstanceType,
		NodeVCPU:           node.VCPU,
		NodeMemoryGiB:      node.MemoryGiB,
		RunsPerSecond:      report.ArrivalRate,
		RequestsPerRun:     c.Cost.RequestsPerRun,
		ConcurrentUsers:    c.KPI.ConcurrentUsers,
		LoadHoursPerDay:    c.Cost.LoadHoursPerDay,
		WAFRules:           wafRules(c),
		ContainerLogGBDay:  c.Cost.ContainerLogGBPerDay,
		LogRetentionDays:   c.Addons.FluentBit.LogRetentionDays,
		WAFLogDays:         c.Ingress.WAFLogRetentionDays,
		AccessLogDays:      c.Ingress.AccessLogRetentionDays,
		AlarmMetrics:       alarmMetrics(c),
		Secrets:            secrets,
		KMSKeys:            kmsKeys(c),
		NATGBMonth:         c.Cost.NATGBPerMonth,
	}
	if k := c.Cluster.Create; c.Cluster.Mode == config.ModeCreate {
		nats := 1
		if k.NATGatewayPerAZ {
			nats = k.AvailabilityZones
		}
		in.Cluster = &cost.Cluster{NATGateways: nats, InterfaceEndpoints: InterfaceEndpointServices * k.AvailabilityZones,
			SystemNodeType: k.SystemNodes.InstanceType, SystemNodes: k.SystemNodes.Count}
	}
	if c.DR.Enabled {
		in.DRRetentionDays, in.DRRegion, in.DRReplica = c.DR.BackupRetentionDays, c.DR.Region, c.DR.Replica.Enabled
	}
	if !c.Addons.FluentBit.Enabled {
		in.ContainerLogGBDay = 0
	}
	d := c.Dataplane
	api := cost.Tier{Name: "API", CPU: cpuCores(d.Resources.CPURequest), MemoryGiB: memoryGiB(d.Resources.MemoryRequest),
		Min: c.StandingReplicas(), Settled: report.ReplicasFor}
	if c.Standby() {
		// A standby takes no load until a failover: it stands at its standing size all month.
		api.Settled = c.StandingReplicas()
	}
	if q := d.Queue; q.Enabled {
		// The queue tier runs the runs and settles under load; the API tier stays near its minimum.
		api.Settled = c.HPA.MinReplicas
		in.Tiers = append(in.Tiers, api, cost.Tier{Name: "Queue", CPU: cpuCores(q.Resources.CPURequest), MemoryGiB: memoryGiB(q.Resources.MemoryRequest),
			Min: q.MinReplicas, Settled: report.ReplicasFor, Headroom: c.Capacity.HeadroomPods})
	} else {
		api.Headroom = c.Capacity.HeadroomPods
		in.Tiers = append(in.Tiers, api)
	}
	if c.Standby() {
		// No traffic, no runs: the standby's month is its standing infrastructure.
		in.LoadHoursPerDay = 0
		return in
	}
	for _, m := range c.Cost.LLM {
		in.LLM = append(in.LLM, cost.LLMModel{Name: m.Model, TokensPerRun: m.TokensPerRun, USDPer1KToken: m.LLMPrice()})
	}
	return in
}

// Cost prices the stack.
func Cost(c *config.Config, report capacity.Report) (cost.Estimate, error) {
	return cost.Model(CostInputs(c, report))
}

// CostGate refuses a budget below the idle estimate (it would alarm every month) unless
// cost.budget.belowEstimateReason says why.
func CostGate(c *config.Config, e cost.Estimate) error {
	b := c.Cost.Budget
	if b.MonthlyUSD >= e.Idle || b.BelowEstimateReason != "" {
		return nil
	}
	return &config.Error{Stack: c.Stack, Problems: []error{fmt.Errorf(
		"cost.budget.monthlyUsd=%g is below the cost model's estimate at minimum replicas, $%.0f a month (`go run ./cmd/cost -stack %s`): the budget would alarm every month. Raise it, or set cost.budget.belowEstimateReason",
		b.MonthlyUSD, e.Idle, c.Stack)}}
}

// cpuCores and memoryGiB read quantities config has validated.
func cpuCores(q string) float64 {
	v, _ := config.ParseQuantity(q)
	return v
}

func memoryGiB(q string) float64 {
	v, _ := config.ParseQuantity(q)
	return v / catalog.GiB
}

// NodePoolHeadroom is the share of a Karpenter NodePool's limit above the dataplane's requests
// at its maximum: DaemonSets, the monitoring stack and the add-ons' pods on the same nodes.
const NodePoolHeadroom = 1.25

// NodePool sizes Karpenter's NodePool from the dataplane's requests: the instance sizes (vCPUs)
// on which at least two and at most sixteen dataplane pods fit (a node's loss costs few pods; a
// pod never waits for a large node), and the limits: every dataplane pod at its maximum (both
// tiers with a queue tier) plus NodePoolHeadroom.
func NodePool(c *config.Config) (instanceCPUs []string, limitCPU, limitMemoryGiB int) {
	d := c.Dataplane
	cpu, mem := cpuCores(d.Resources.CPURequest), memoryGiB(d.Resources.MemoryRequest)
	totalCPU, totalMem := float64(c.HPA.MaxReplicas)*cpu, float64(c.HPA.MaxReplicas)*mem
	if q := d.Queue; q.Enabled {
		totalCPU += float64(q.MaxReplicas) * cpuCores(q.Resources.CPURequest)
		totalMem += float64(q.MaxReplicas) * memoryGiB(q.Resources.MemoryRequest)
	}
	for _, vcpu := range []int{2, 4, 8, 16, 32, 48} {
		pods := math.Floor(float64(vcpu) * cost.NodeAllocatable / cpu)
		if pods >= 2 && pods <= 16 {
			instanceCPUs = append(instanceCPUs, strconv.Itoa(vcpu))
		}
	}
	if len(instanceCPUs) == 0 { // pods larger than half a 48-vCPU node: the largest sizes only
		instanceCPUs = []string{"48", "64"}
	}
	return instanceCPUs, int(math.Ceil(totalCPU * NodePoolHeadroom)), int(math.Ceil(totalMem * NodePoolHeadroom))
}
