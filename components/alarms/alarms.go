// Package alarms creates the CloudWatch alarms that do not share fate with the cluster: the data
// tier (RDS, ElastiCache) and the edge (WAF, the ALB), sent to the stack's SNS topic. They watch
// what the in-cluster Prometheus watches too, with the same thresholds (one config key each), so
// a dead cluster or monitoring stack does not silence them.
package alarms

import (
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "langgraph:aws:Alarms"

// Thresholds are the alarm thresholds (ratios as fractions). Those shared with a Prometheus rule
// come from the same config key: ErrorRatio, AvgResponseSeconds, DBPoolRatio,
// CacheMemoryRatio.
type Thresholds struct {
	ErrorRatio         float64 // ALB 5xx share (alerts.errorRatePercent)
	AvgResponseSeconds float64 // ALB target response time (alerts.avgResponseSeconds)
	DBPoolRatio        float64 // RDS connections / max_connections (alerts.dbPoolPercent)
	CacheMemoryRatio   float64 // ElastiCache memory / maxmemory (alerts.cacheMemoryPercent)
	CPURatio           float64 // RDS, ElastiCache host and engine CPU (alerts.dataTierCpuPercent)
	FreeStorageRatio   float64 // RDS free storage / allocated storage
	FreeMemoryRatio    float64 // RDS freeable memory / instance memory
	ReplicaLagSeconds  float64 // RDS replicas and ElastiCache replicas
	WAFBlockedRequests float64 // per 5 minutes
	// ReplicationSlotLagBytes is the WAL a primary holds for its most lagging replica
	// (alerts.replicationSlotLagMb), alarmed when a warm standby replicates from it.
	ReplicationSlotLagBytes float64
}

// Database is the RDS primary and its replicas.
type Database struct {
	Identifier         pulumi.StringInput
	ReplicaIdentifiers pulumi.StringArrayInput
	Replicas           int
	AllocatedStorageGB int
	// Standby: the primary instance is a cross-region replica of another stack's database
	// (its lag is the standby's RPO); HasStandby: a standby replicates from this primary.
	Standby, HasStandby bool
	MemoryGiB           float64 // of the instance class
	MaxConnections      int
}

// Cache is the ElastiCache replication group's nodes.
type Cache struct {
	MemberClusters pulumi.StringArrayInput
	Nodes          int
}

// Edge is the web ACL and the ALB in front of the dataplane.
type Edge struct {
	Region     string
	WebACLName pulumi.StringInput
	// LoadBalancer is the ALB's ARN suffix (app/<name>/<id>, CloudWatch's LoadBalancer
	// dimension); the ALB is the controller's, so it is known only once the Ingress is ready.
	LoadBalancer pulumi.StringInput
}

// Args configure the alarms.
type Args struct {
	Prefix     string // alarm name prefix, e.g. langgraph-prod
	TopicARN   pulumi.StringInput
	Thresholds Thresholds
	Database   Database
	Cache      Cache
	Edge       Edge
	Tags       map[string]string
}

// Validate reports what config cannot see: missing wiring and impossible thresholds.
func (a *Args) Validate() error {
	var errs []error
	bad := func(field string, v any, allowed string) {
		errs = append(errs, fmt.Errorf("alarms.Args.%s=%v: %s", field, v, allowed))
	}
	if a.Prefix == "" || a.TopicARN == nil {
		bad("Prefix/TopicARN", a.Prefix, "are required")
	}
	t := a.Thresholds
	for name, r := range map[string]float64{"ErrorRatio": t.ErrorRatio, "DBPoolRatio": t.DBPoolRatio, "CacheMemoryRatio": t.CacheMemoryRatio,
		"CPURatio": t.CPURatio, "FreeStorageRatio": t.FreeStorageRatio, "FreeMemoryRatio": t.FreeMemoryRatio} {
		if r <= 0 || r > 1 {
			bad("Thresholds."+name, r, "must be in (0, 1]")
		}
	}
	for name, v := range map[string]float64{"AvgResponseSeconds": t.AvgResponseSeconds, "ReplicaLagSeconds": t.ReplicaLagSeconds, "WAFBlockedRequests": t.WAFBlockedRequests} {
		if v <= 0 {
			bad("Thresholds."+name, v, "must be > 0")
		}
	}
	d := a.Database
	if d.Identifier == nil || d.AllocatedStorageGB < 1 || d.MemoryGiB <= 0 || d.MaxConnections < 1 {
		bad("Database", d.AllocatedStorageGB, "the identifier, storage, memory and max_connections are required")
	}
	if a.Cache.MemberClusters == nil || a.Cache.Nodes < 1 {
		bad("Cache", a.Cache.Nodes, "the member clusters and their count are required")
	}
	if a.Edge.Region == "" || a.Edge.WebACLName == nil || a.Edge.LoadBalancer == nil {
		bad("Edge", a.Edge.Region, "the region, the web ACL's name and the ALB's ARN suffix are required")
	}
	return errors.Join(errs...)
}

// Alarms is the set.
type Alarms struct {
	pulumi.ResourceState

	// Names are the alarm names, in creation order.
	Names pulumi.StringArrayOutput `pulumi:"names"`
	// UserFacingARNs are the alarms that mean users are hurt (UserFacing): a game-day drill
	// stops on them.
	UserFacingARNs pulumi.StringArrayOutput `pulumi:"userFacingArns"`
}

// UserFacing are the suffixes of the alarms on what users see: errors and latency at the ALB.
var UserFacing = []string{"alb-5xx", "alb-response-time"}

const gib = 1 << 30

// alarm is one CloudWatch alarm's definition.
type alarm struct {
	suffix, description string
	// runbook is the alarm's section in docs/runbooks/aws-alarms.md (one per kind: the
	// replicas share theirs).
	runbook string
	args    cloudwatch.MetricAlarmArgs
}

// metric is a single-metric alarm: statistic over period, evaluated periods x period.
func metric(namespace, name, stat string, dims pulumi.StringMap, op string, threshold float64, periods int) cloudwatch.MetricAlarmArgs {
	return cloudwatch.MetricAlarmArgs{
		Namespace: pulumi.String(namespace), MetricName: pulumi.String(name), Statistic: pulumi.String(stat),
		Dimensions: dims, Period: pulumi.Int(300), EvaluationPeriods: pulumi.Int(periods), DatapointsToAlarm: pulumi.Int(periods),
		ComparisonOperator: pulumi.String(op), Threshold: pulumi.Float64(threshold),
	}
}

// Alarm comparison operators.
const (
	Above = "GreaterThanThreshold"
	Below = "LessThanThreshold"
)

// definitions are every alarm, named by suffix.
func definitions(a Args) []alarm {
	t, d := a.Thresholds, a.Database
	var out []alarm
	add := func(suffix, description string, args cloudwatch.MetricAlarmArgs) {
		out = append(out, alarm{suffix, description, replicaIndex.ReplaceAllString(suffix, "-"), args})
	}
	rds := func(id pulumi.StringInput) pulumi.StringMap { return pulumi.StringMap{"DBInstanceIdentifier": id} }
	primary := rds(d.Identifier)
	add("rds-cpu", fmt.Sprintf("RDS primary CPU above %g%% for 15 minutes", t.CPURatio*100),
		metric("AWS/RDS", "CPUUtilization", "Average", primary, Above, t.CPURatio*100, 3))
	add("rds-free-storage", fmt.Sprintf("RDS free storage below %g%% of the allocated %d GB", t.FreeStorageRatio*100, d.AllocatedStorageGB),
		metric("AWS/RDS", "FreeStorageSpace", "Minimum", primary, Below, t.FreeStorageRatio*float64(d.AllocatedStorageGB)*gib, 1))
	add("rds-freeable-memory", fmt.Sprintf("RDS freeable memory below %g%% of the instance's %g GiB for 15 minutes", t.FreeMemoryRatio*100, d.MemoryGiB),
		metric("AWS/RDS", "FreeableMemory", "Minimum", primary, Below, t.FreeMemoryRatio*d.MemoryGiB*gib, 3))
	add("rds-connections", fmt.Sprintf("RDS connections above %g%% of max_connections (%d) for 5 minutes (Prometheus: LangGraphDatabaseConnectionsHigh)", t.DBPoolRatio*100, d.MaxConnections),
		metric("AWS/RDS", "DatabaseConnections", "Maximum", primary, Above, t.DBPoolRatio*float64(d.MaxConnections), 1))
	if d.Standby {
		add("rds-standby-lag", fmt.Sprintf("The standby's replica of the primary's database lags more than %gs for 10 minutes: the RPO of a failover now", t.ReplicaLagSeconds),
			metric("AWS/RDS", "ReplicaLag", "Maximum", primary, Above, t.ReplicaLagSeconds, 2))
	}
	if d.HasStandby {
		add("rds-standby-slot-lag", fmt.Sprintf("The primary holds more than %g MB of WAL for its most lagging replica for 10 minutes: the standby in the recovery region falls behind", t.ReplicationSlotLagBytes/(1<<20)),
			metric("AWS/RDS", "OldestReplicationSlotLag", "Maximum", primary, Above, t.ReplicationSlotLagBytes, 2))
	}
	for i := 0; i < d.Replicas; i++ {
		replica := rds(d.ReplicaIdentifiers.ToStringArrayOutput().Index(pulumi.Int(i)))
		add(fmt.Sprintf("rds-replica-%d-lag", i+1), fmt.Sprintf("Read replica %d lags more than %gs for 10 minutes", i+1, t.ReplicaLagSeconds),
			metric("AWS/RDS", "ReplicaLag", "Maximum", replica, Above, t.ReplicaLagSeconds, 2))
		add(fmt.Sprintf("rds-replica-%d-cpu", i+1), fmt.Sprintf("Read replica %d CPU above %g%% for 15 minutes", i+1, t.CPURatio*100),
			metric("AWS/RDS", "CPUUtilization", "Average", replica, Above, t.CPURatio*100, 3))
	}
	// ElastiCache: the worst node decides (a metric-math MAX over the members).
	nodes := func(name, stat string) []cloudwatch.MetricAlarmMetricQueryInput {
		var queries []cloudwatch.MetricAlarmMetricQueryInput
		for i := 0; i < a.Cache.Nodes; i++ {
			queries = append(queries, cloudwatch.MetricAlarmMetricQueryArgs{
				Id: pulumi.Sprintf("n%d", i), ReturnData: pulumi.Bool(false),
				Metric: cloudwatch.MetricAlarmMetricQueryMetricArgs{
					Namespace: pulumi.String("AWS/ElastiCache"), MetricName: pulumi.String(name), Stat: pulumi.String(stat), Period: pulumi.Int(300),
					Dimensions: pulumi.StringMap{"CacheClusterId": a.Cache.MemberClusters.ToStringArrayOutput().Index(pulumi.Int(i))},
				},
			})
		}
		ids := ""
		for i := 0; i < a.Cache.Nodes; i++ {
			if i > 0 {
				ids += ", "
			}
			ids += fmt.Sprintf("n%d", i)
		}
		return append(queries, cloudwatch.MetricAlarmMetricQueryArgs{
			Id: pulumi.String("worst"), Expression: pulumi.Sprintf("MAX([%s])", ids), Label: pulumi.String("worst node"), ReturnData: pulumi.Bool(true),
		})
	}
	worst := func(name, stat, op string, threshold float64, periods int) cloudwatch.MetricAlarmArgs {
		return cloudwatch.MetricAlarmArgs{
			MetricQueries: cloudwatch.MetricAlarmMetricQueryArray(nodes(name, stat)), EvaluationPeriods: pulumi.Int(periods), DatapointsToAlarm: pulumi.Int(periods),
			ComparisonOperator: pulumi.String(op), Threshold: pulumi.Float64(threshold),
		}
	}
	add("cache-cpu", fmt.Sprintf("An ElastiCache node's host CPU above %g%% for 15 minutes", t.CPURatio*100), worst("CPUUtilization", "Average", Above, t.CPURatio*100, 3))
	add("cache-engine-cpu", fmt.Sprintf("An ElastiCache node's engine (Redis/Valkey thread) CPU above %g%% for 15 minutes", t.CPURatio*100), worst("EngineCPUUtilization", "Average", Above, t.CPURatio*100, 3))
	add("cache-memory", fmt.Sprintf("An ElastiCache node uses more than %g%% of maxmemory for 10 minutes (Prometheus: LangGraphRedisMemoryHigh)", t.CacheMemoryRatio*100),
		worst("DatabaseMemoryUsagePercentage", "Maximum", Above, t.CacheMemoryRatio*100, 2))
	add("cache-evictions", "ElastiCache evicts keys for 15 minutes (Prometheus: LangGraphRedisEvicting)", worst("Evictions", "Sum", Above, 0, 3))
	add("cache-replication-lag", fmt.Sprintf("An ElastiCache replica lags more than %gs for 10 minutes", t.ReplicaLagSeconds), worst("ReplicationLag", "Maximum", Above, t.ReplicaLagSeconds, 2))

	e := a.Edge
	add("waf-blocked", fmt.Sprintf("WAF blocked more than %g requests in 5 minutes", t.WAFBlockedRequests),
		metric("AWS/WAFV2", "BlockedRequests", "Sum", pulumi.StringMap{"WebACL": e.WebACLName, "Region": pulumi.String(e.Region), "Rule": pulumi.String("ALL")}, Above, t.WAFBlockedRequests, 1))
	lb := pulumi.StringMap{"LoadBalancer": e.LoadBalancer}
	add("alb-5xx", fmt.Sprintf("More than %g%% of requests through the ALB answered 5xx (targets' and the ALB's own) for 5 minutes (Prometheus: LangGraphHighErrorRate)", t.ErrorRatio*100),
		cloudwatch.MetricAlarmArgs{
			MetricQueries:     awsbase.FiveXXShare(e.LoadBalancer, 300),
			EvaluationPeriods: pulumi.Int(1), DatapointsToAlarm: pulumi.Int(1), ComparisonOperator: pulumi.String(Above), Threshold: pulumi.Float64(t.ErrorRatio),
		})
	add("alb-response-time", fmt.Sprintf("ALB target response time above %gs on average for 10 minutes (Prometheus: LangGraphSlowAverageResponse)", t.AvgResponseSeconds),
		metric("AWS/ApplicationELB", "TargetResponseTime", "Average", lb, Above, t.AvgResponseSeconds, 2))
	return out
}

// replicaIndex is the replica number in an alarm's suffix (rds-replica-2-lag).
var replicaIndex = regexp.MustCompile(`-\d+-`)

// New creates the alarms.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Alarms, error) {
	if err := args.Validate(); err != nil {
		return nil, err
	}
	a := &Alarms{}
	if err := ctx.RegisterComponentResource(TypeToken, name, a, opts...); err != nil {
		return nil, err
	}
	var names, userFacing pulumi.StringArray
	for _, d := range definitions(args) {
		alarmName := args.Prefix + "-" + d.suffix
		d.args.Name = pulumi.String(alarmName)
		d.args.AlarmDescription = pulumi.String(d.description + ". Runbook: docs/runbooks/aws-alarms.md#" + d.runbook)
		d.args.AlarmActions = pulumi.Array{args.TopicARN}
		d.args.OkActions = pulumi.Array{args.TopicARN}
		// No data is no load (a replica with no writes, an idle ALB): not an alarm. The
		// dead man's switch covers silence.
		d.args.TreatMissingData = pulumi.String("notBreaching")
		d.args.Tags = pulumi.ToStringMap(args.Tags)
		alarm, err := cloudwatch.NewMetricAlarm(ctx, name+"-"+d.suffix, &d.args, pulumi.Parent(a))
		if err != nil {
			return nil, err
		}
		names = append(names, pulumi.String(alarmName))
		if slices.Contains(UserFacing, d.suffix) {
			userFacing = append(userFacing, alarm.Arn)
		}
	}
	a.Names = names.ToStringArrayOutput()
	a.UserFacingARNs = userFacing.ToStringArrayOutput()
	return a, ctx.RegisterResourceOutputs(a, pulumi.Map{"names": a.Names, "userFacingArns": a.UserFacingARNs})
}
