// Package cost estimates what a stack costs a month before it is deployed: every billable thing
// the program creates or sizes, priced from the pinned tables in prices.go, at three loads: idle
// (minimum replicas, no traffic), the settled load all month (the replicas the HPA settles at
// under kpi.concurrentUsers, the capacity model's request rate) and the expected month (the
// settled load for cost.loadHoursPerDay hours a day, idle the rest). LLM spend comes from the
// tokens per run of each model times the runs the capacity model derives.
package cost

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
)

// HoursPerMonth is AWS's billing month.
const HoursPerMonth = 730

// Assumptions the model makes where neither config nor AWS gives a number.
const (
	// NodeAllocatable is the share of a node's CPU and memory pods can request (the kubelet's and
	// system reservations, the DaemonSets: VPC CNI, kube-proxy, node-exporter, Fluent Bit).
	NodeAllocatable = 0.85
	// BackupChangePerDay is the share of the database that changes a day: RDS keeps the first
	// snapshot whole and each later day's changes; the provisioned size is free.
	BackupChangePerDay = 0.05
	// LogBytesPerRequest are a WAF log record's and an ALB access log line's sizes.
	WAFLogBytesPerRequest = 1500
	ALBLogBytesPerRequest = 400
	// StreamConnectionsPerUser: a user holds one streaming connection while a run is in progress.
	StreamConnectionsPerUser = 1.0
)

// Tier is a set of dataplane pods (the API and, with a queue tier, the queue workers).
type Tier struct {
	Name           string
	CPU, MemoryGiB float64 // requests per pod
	Min, Settled   int     // replicas idle and at the settled load
	// Headroom is the placeholder pods of this tier's size (capacity.headroomPods): they hold
	// nodes on top of the tier's own, idle and at load alike.
	Headroom int
}

// LLMModel is one model the graphs call.
type LLMModel struct {
	Name          string
	TokensPerRun  float64
	USDPer1KToken float64
}

// Inputs are a stack's billable quantities.
type Inputs struct {
	Region string

	DBClass            string
	DBMultiAZ          bool
	DBReplicas         int
	DBStorageGB        int
	DBBackupRetention  int
	CacheEngine        string
	CacheNodeType      string
	CacheNodes         int
	CacheSnapshotDays  int
	CacheNodeMemoryGiB float64

	NodeType      string
	NodeVCPU      float64
	NodeMemoryGiB float64
	Tiers         []Tier

	RunsPerSecond     float64 // at the settled load
	RequestsPerRun    float64
	ConcurrentUsers   int
	LoadHoursPerDay   float64
	WAFRules          int
	ContainerLogGBDay float64 // at the settled load
	LogRetentionDays  int     // container log groups
	WAFLogDays        int     // the WAF log group
	AccessLogDays     int     // ALB access logs in S3
	AlarmMetrics      int
	Secrets           int
	KMSKeys           int
	NATGBMonth        float64
	// DR: the recovery region's copies (0 retention: no recovery region).
	DRRetentionDays int
	DRRegion        string
	DRReplica       bool // a read replica of the database in the recovery region

	LLM []LLMModel

	// Cluster is the network and cluster the stack creates; nil: an existing cluster (billed
	// elsewhere).
	Cluster *Cluster
}

// Cluster is what a created cluster bills besides the dataplane's nodes.
type Cluster struct {
	NATGateways        int
	InterfaceEndpoints int // endpoint-AZs: services x AZs
	SystemNodeType     string
	SystemNodes        int
}

// Line is one row of the bill.
type Line struct {
	Item     string  `json:"item"`
	Unit     string  `json:"unit"`
	UnitUSD  float64 `json:"unitUsd"`
	QtyIdle  float64 `json:"qtyIdle"`
	QtyLoad  float64 `json:"qtyLoad"`
	Idle     float64 `json:"monthlyIdleUsd"`
	Load     float64 `json:"monthlyLoadUsd"`
	Expected float64 `json:"monthlyExpectedUsd"`
	Source   string  `json:"source"`
	Priced   string  `json:"priced"`
}

// Estimate is the month's bill.
type Estimate struct {
	Region   string  `json:"region"`
	Lines    []Line  `json:"lines"`
	Idle     float64 `json:"monthlyIdleUsd"`
	Load     float64 `json:"monthlyLoadUsd"`
	Expected float64 `json:"monthlyExpectedUsd"`
	// LLM spend of the expected month, per run and per concurrent user.
	LLMMonthly      float64 `json:"llmMonthlyUsd"`
	LLMPerRun       float64 `json:"llmPerRunUsd"`
	LLMPerUserMonth float64 `json:"llmPerUserMonthUsd"`
	RunsPerMonth    float64 `json:"runsPerMonth"`
	// Infrastructure per concurrent user (expected month, without LLM).
	InfraPerUserMonth float64 `json:"infraPerUserMonthUsd"`
}

// Model prices in. An unknown region, instance class, node type or model is an error.
func Model(in Inputs) (Estimate, error) {
	p, ok := PriceTables[in.Region]
	if !ok {
		return Estimate{}, fmt.Errorf("cost: no price table for region %q (cost/prices.go has %v): add its prices, with their date, before estimating", in.Region, slices.Sorted(maps.Keys(PriceTables)))
	}
	var errs []error
	price := func(table map[string]float64, key, what string) float64 {
		v, ok := table[key]
		if !ok {
			errs = append(errs, fmt.Errorf("cost: no %s price for %q in region %s", what, key, in.Region))
		}
		return v
	}
	dbHour := price(p.RDSInstanceHour, in.DBClass, "RDS instance")
	cacheHour := price(p.CacheNodeHour[in.CacheEngine], in.CacheNodeType, in.CacheEngine+" node")
	nodeHour := price(p.EC2InstanceHour, in.NodeType, "EC2 instance")
	systemHour := 0.0
	if in.Cluster != nil {
		systemHour = price(p.EC2InstanceHour, in.Cluster.SystemNodeType, "EC2 instance")
	}
	if in.NodeVCPU <= 0 || in.NodeMemoryGiB <= 0 {
		errs = append(errs, fmt.Errorf("cost: node type %q has no size", in.NodeType))
	}
	for _, m := range in.LLM {
		if m.TokensPerRun <= 0 || m.USDPer1KToken <= 0 {
			errs = append(errs, fmt.Errorf("cost: model %q needs tokens per run and a price above 0", m.Name))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Estimate{}, err
	}

	loadShare := in.LoadHoursPerDay / 24
	var lines []Line
	// fixed is a line that costs the same idle and loaded.
	fixed := func(item, unit, source string, unitUSD, qty float64) {
		m := unitUSD * qty
		lines = append(lines, Line{Item: item, Unit: unit, UnitUSD: unitUSD, QtyIdle: qty, QtyLoad: qty, Idle: m, Load: m, Expected: m, Source: source})
	}
	// scaled is a line whose quantity differs idle and loaded.
	scaled := func(item, unit, source string, unitUSD, idle, load float64) {
		expected := idle*(1-loadShare) + load*loadShare
		lines = append(lines, Line{Item: item, Unit: unit, UnitUSD: unitUSD, QtyIdle: idle, QtyLoad: load,
			Idle: unitUSD * idle, Load: unitUSD * load, Expected: unitUSD * expected, Source: source})
	}

	az := 1.0
	if in.DBMultiAZ {
		az = 2
	}
	fixed(fmt.Sprintf("RDS primary %s%s", in.DBClass, map[bool]string{true: " (Multi-AZ)", false: ""}[in.DBMultiAZ]), "instance-hour", "rds", dbHour*az, HoursPerMonth)
	if in.DBReplicas > 0 {
		fixed(fmt.Sprintf("RDS read replicas %d x %s", in.DBReplicas, in.DBClass), "instance-hour", "rds", dbHour, float64(in.DBReplicas)*HoursPerMonth)
	}
	storageCopies := az + float64(in.DBReplicas)
	fixed("RDS gp3 storage (primary, standby, replicas)", "GB-month", "rds", p.RDSStorageGBMonth, storageCopies*float64(in.DBStorageGB))
	fixed("RDS backup storage beyond the free share", "GB-month", "rds", p.RDSBackupGBMonth,
		float64(in.DBStorageGB)*BackupChangePerDay*float64(max(in.DBBackupRetention-1, 0)))
	fixed(fmt.Sprintf("ElastiCache %s %d x %s", in.CacheEngine, in.CacheNodes, in.CacheNodeType), "node-hour", "elasticache", cacheHour, float64(in.CacheNodes)*HoursPerMonth)
	// One snapshot per cluster is free; the days beyond hold about the data set each.
	fixed("ElastiCache snapshots beyond the free one", "GB-month", "elasticache", p.CacheBackupGBMonth,
		float64(max(in.CacheSnapshotDays-1, 0))*in.CacheNodeMemoryGiB)

	for _, t := range in.Tiers {
		idle, load := nodesFor(t.Min, t, in), nodesFor(t.Settled, t, in)
		scaled(fmt.Sprintf("%s pods on %s (%d idle, %d at load)", t.Name, in.NodeType, t.Min, t.Settled), "instance-hour", "ec2", nodeHour,
			float64(idle)*HoursPerMonth, float64(load)*HoursPerMonth)
		if t.Headroom > 0 {
			// Priced as the nodes it adds to the tier's: placeholders fill a node's spare room first.
			idleWith, loadWith := nodesFor(t.Min+t.Headroom, t, in), nodesFor(t.Settled+t.Headroom, t, in)
			scaled(fmt.Sprintf("Headroom for %d %s pods on %s (placeholders)", t.Headroom, t.Name, in.NodeType), "instance-hour", "ec2", nodeHour,
				float64(idleWith-idle)*HoursPerMonth, float64(loadWith-load)*HoursPerMonth)
		}
	}

	if c := in.Cluster; c != nil {
		fixed("EKS control plane (standard support)", "cluster-hour", "eks", p.EKSClusterHour, HoursPerMonth)
		fixed(fmt.Sprintf("EKS system node group %d x %s", c.SystemNodes, c.SystemNodeType), "instance-hour", "ec2", systemHour, float64(c.SystemNodes)*HoursPerMonth)
		fixed(fmt.Sprintf("NAT gateways (%d)", c.NATGateways), "gateway-hour", "vpc", p.NATGatewayHour, float64(c.NATGateways)*HoursPerMonth)
		fixed(fmt.Sprintf("Public IPv4 addresses (%d, the NAT gateways')", c.NATGateways), "address-hour", "vpc", p.PublicIPv4Hour, float64(c.NATGateways)*HoursPerMonth)
		fixed(fmt.Sprintf("VPC interface endpoints (%d endpoint-AZs)", c.InterfaceEndpoints), "endpoint-AZ-hour", "privatelink", p.InterfaceEndpointHour, float64(c.InterfaceEndpoints)*HoursPerMonth)
	}

	requestsPerSecond := in.RunsPerSecond * in.RequestsPerRun
	requestsPerMonth := requestsPerSecond * 3600 * HoursPerMonth
	// LCUs: the largest of new connections (25/s), active connections (3,000/min) and bytes
	// (1 GB/h); each request a new connection, each user holding a stream.
	lcu := math.Max(requestsPerSecond/25, float64(in.ConcurrentUsers)*StreamConnectionsPerUser/3000)
	fixed("Application Load Balancer", "hour", "elb", p.ALBHour, HoursPerMonth)
	scaled("ALB capacity units", "LCU-hour", "elb", p.ALBLCUHour, 0, lcu*HoursPerMonth)
	fixed("WAF web ACL", "ACL-month", "waf", p.WAFACLMonth, 1)
	fixed(fmt.Sprintf("WAF rules and managed rule groups (%d)", in.WAFRules), "rule-month", "waf", p.WAFRuleMonth, float64(in.WAFRules))
	scaled("WAF requests", "million requests", "waf", p.WAFMillionRequests, 0, requestsPerMonth/1e6)

	containerGB := in.ContainerLogGBDay * 30
	wafLogGB := requestsPerMonth * WAFLogBytesPerRequest / 1e9
	scaled("CloudWatch Logs ingestion (containers, WAF)", "GB", "cloudwatch", p.LogsIngestGB, 0, containerGB+wafLogGB)
	// Steady state: each group holds its retention's worth of logs.
	stored := containerGB*float64(in.LogRetentionDays)/30 + wafLogGB*float64(in.WAFLogDays)/30
	scaled("CloudWatch Logs storage", "GB-month", "cloudwatch", p.LogsStoreGBMonth, 0, stored)
	accessGB := requestsPerMonth * ALBLogBytesPerRequest / 1e9
	scaled("S3 ALB access logs", "GB-month", "s3", p.S3GBMonth, 0, accessGB*float64(in.AccessLogDays)/30)
	fixed(fmt.Sprintf("CloudWatch alarms (%d metrics)", in.AlarmMetrics), "metric-month", "cloudwatch", p.AlarmMetricMonth, float64(in.AlarmMetrics))
	fixed(fmt.Sprintf("Secrets Manager secrets (%d)", in.Secrets), "secret-month", "secretsmanager", p.SecretMonth, float64(in.Secrets))
	fixed(fmt.Sprintf("KMS keys (%d)", in.KMSKeys), "key-month", "kms", p.KMSKeyMonth, float64(in.KMSKeys))
	if in.DRRetentionDays > 0 {
		// Replicated automated backups: a full copy plus each day's changes, kept DRRetentionDays,
		// and the changes shipped across; AWS Backup's daily recovery point, the same size, held in
		// both vaults; the quarterly drill's temporary instance for about an hour.
		db := float64(in.DBStorageGB)
		held := db * (1 + BackupChangePerDay*float64(in.DRRetentionDays))
		fixed("DR: replicated automated backups in "+in.DRRegion, "GB-month", "rds", p.RDSBackupGBMonth, held)
		fixed("DR: AWS Backup recovery points (both vaults)", "GB-month", "backup", p.RDSBackupGBMonth, 2*held)
		fixed("DR: backups and logs shipped to "+in.DRRegion, "GB", "transfer", p.InterRegionGB,
			2*db*BackupChangePerDay*30)
		fixed("DR: restore drill instance (1 hour a quarter)", "instance-hour", "rds", dbHour, 1.0/3)
		if in.DRReplica {
			fixed(fmt.Sprintf("DR: read replica %s in %s", in.DBClass, in.DRRegion), "instance-hour", "rds", dbHour, HoursPerMonth)
			fixed("DR: read replica storage", "GB-month", "rds", p.RDSStorageGBMonth, db)
		}
	}
	if in.NATGBMonth > 0 {
		scaled("NAT gateway data processing", "GB", "vpc", p.NATGB, 0, in.NATGBMonth)
	}

	e := Estimate{Region: in.Region}
	for i := range lines {
		lines[i].Priced = PricesRecorded
		lines[i].Source = Sources[lines[i].Source]
		e.Idle += lines[i].Idle
		e.Load += lines[i].Load
		e.Expected += lines[i].Expected
	}
	e.Lines = lines

	var perRun float64
	for _, m := range in.LLM {
		perRun += m.TokensPerRun / 1000 * m.USDPer1KToken
	}
	e.RunsPerMonth = in.RunsPerSecond * 3600 * in.LoadHoursPerDay * 365 / 12
	e.LLMPerRun = perRun
	e.LLMMonthly = perRun * e.RunsPerMonth
	if in.ConcurrentUsers > 0 {
		e.LLMPerUserMonth = e.LLMMonthly / float64(in.ConcurrentUsers)
		e.InfraPerUserMonth = e.Expected / float64(in.ConcurrentUsers)
	}
	return e, nil
}

// nodesFor is how many nodes n pods of a tier occupy.
func nodesFor(n int, t Tier, in Inputs) int {
	if n == 0 {
		return 0
	}
	perNode := math.Floor(math.Min(in.NodeVCPU*NodeAllocatable/t.CPU, in.NodeMemoryGiB*NodeAllocatable/t.MemoryGiB))
	if perNode < 1 {
		perNode = 1 // a pod larger than a node's allocatable would not schedule; config refuses the pair
	}
	return int(math.Ceil(float64(n) / perNode))
}
