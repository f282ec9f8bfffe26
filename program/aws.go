package program

// The AWS components' arguments: the edge, the alarms, the budget and the recovery region.

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/alarms"
	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/components/budget"
	"github.com/langgraph-platform/infra/components/cache"
	"github.com/langgraph-platform/infra/components/database"
	"github.com/langgraph-platform/infra/components/edge"
	"github.com/langgraph-platform/infra/components/notifications"
	"github.com/langgraph-platform/infra/components/recovery"
	"github.com/langgraph-platform/infra/config"
)

// recoveryReplica places the cross-region read replica when dr.replica asks for one.
func recoveryReplica(cfg *config.Config, region *recovery.Region) *database.RecoveryReplica {
	if region == nil || !cfg.DR.Replica.Enabled {
		return nil
	}
	r := cfg.DR.Replica
	return &database.RecoveryReplica{Provider: region.Provider, KMSKeyID: region.KeyARN, SubnetIDs: r.SubnetIDs, SecurityGroupIDs: r.SecurityGroupIDs}
}

// RecoveryArgs maps the dr settings and the data tier's and edge's outputs onto the recovery set.
func RecoveryArgs(cfg *config.Config, account awsbase.Account, region *recovery.Region, db *database.Database, front *edge.Edge, topicARN pulumi.StringInput) recovery.Args {
	r := cfg.DR
	return recovery.Args{
		Name: Prefix(cfg), Account: account,
		Recovery: region.Provider, RecoveryName: region.Name, RecoveryKey: region.KeyARN,
		DatabaseARN: db.ARN, RetentionDays: r.BackupRetentionDays,
		BackupSchedule: r.BackupSchedule, DrillSchedule: r.DrillSchedule, DrillTimeZone: r.DrillTimeZone,
		AccessLogBucket: front.AccessLogBucket, AccessLogBucketARN: front.AccessLogBucketARN,
		AccessLogExpireDays: cfg.Ingress.AccessLogRetentionDays,
		AccessLogTags:       edge.AuditTags(Tags(cfg)),
		TopicARN:            topicARN, Tags: Tags(cfg),
	}
}

// NotificationsArgs subscribe database.eventEmails to the stack's topic. The topic was the
// database component's before the notifications component existed: the aliases keep a running
// stack's topic and its confirmed subscriptions.
func NotificationsArgs(ctx *pulumi.Context, cfg *config.Config, account awsbase.Account) notifications.Args {
	dbName := Prefix(cfg) + "-db"
	return notifications.Args{
		Account: account, Emails: cfg.Database.EventEmails, Tags: Tags(cfg),
		Moved: &notifications.Moved{
			ParentURN: pulumi.CreateURN(pulumi.String(dbName), pulumi.String(database.TypeToken), nil, pulumi.String(ctx.Project()), pulumi.String(ctx.Stack())),
			Prefix:    dbName,
		},
	}
}

// StackTag is the tag that tells this stack's resources from every other's in the account: the
// budget and the anomaly monitor filter on it.
const StackTag = "Stack"

// BudgetArgs maps the cost configuration onto the budget and its anomaly alerts.
func BudgetArgs(cfg *config.Config, topicARN pulumi.StringInput) budget.Args {
	b := cfg.Cost.Budget
	args := budget.Args{
		Name: Prefix(cfg), AmountUSD: b.MonthlyUSD,
		TagKey: StackTag, TagValue: Tags(cfg)[StackTag], TopicARN: topicARN,
		Emails: b.Emails, AnomalyUSD: b.AnomalyThresholdUSD, Tags: Tags(cfg),
	}
	if b.ActivateTags {
		args.ActivateTags = []string{StackTag, "Environment", "Project"}
	}
	return args
}

// AlarmThresholds are the CloudWatch alarms' thresholds: the keys the Prometheus rules read too
// (alerts.errorRatePercent, avgResponseSeconds, dbPoolPercent, cacheMemoryPercent) and the data
// tier's own.
func AlarmThresholds(cfg *config.Config) alarms.Thresholds {
	a, r := cfg.Alerts, cfg.Alerts.Ratios()
	return alarms.Thresholds{
		ErrorRatio:              r.Error,
		AvgResponseSeconds:      a.AvgResponseSeconds,
		DBPoolRatio:             r.DBPool,
		CacheMemoryRatio:        r.CacheMemory,
		CPURatio:                r.DataTierCPU,
		FreeStorageRatio:        r.DatabaseFreeStorage,
		FreeMemoryRatio:         r.DatabaseFreeMemory,
		ReplicaLagSeconds:       a.ReplicaLagSeconds,
		WAFBlockedRequests:      a.WAFBlockedRequests,
		ReplicationSlotLagBytes: a.ReplicationSlotLagMB * (1 << 20),
	}
}

// AlarmsArgs maps the configuration and the AWS components' outputs onto the alarms.
func AlarmsArgs(cfg *config.Config, db *database.Database, redis *cache.Cache, front *edge.Edge, loadBalancer pulumi.StringInput, region string, topicARN pulumi.StringInput) alarms.Args {
	d := cfg.Database
	return alarms.Args{
		Prefix:     Prefix(cfg),
		TopicARN:   topicARN,
		Thresholds: AlarmThresholds(cfg),
		Database: alarms.Database{
			Identifier: db.Identifier, ReplicaIdentifiers: db.ReplicaIdentifiers, Replicas: d.ReadReplicas,
			AllocatedStorageGB: d.AllocatedStorageGB, MemoryGiB: catalog.RDSInstanceMemoryGiB[d.InstanceClass], MaxConnections: d.MaxConnections(),
			Standby: cfg.Standby(), HasStandby: cfg.DR.StandbyStack != "",
		},
		Cache: alarms.Cache{MemberClusters: redis.MemberClusters, Nodes: cfg.Cache.Nodes},
		Edge:  alarms.Edge{Region: region, WebACLName: front.WebACLName, LoadBalancer: loadBalancer},
		Tags:  Tags(cfg),
	}
}

// EdgeArgs maps the ingress and auth settings onto the WAF and the access-log bucket.
func EdgeArgs(cfg *config.Config, account awsbase.Account) edge.Args {
	args := edge.Args{
		Account:                account,
		RateLimit:              cfg.Ingress.WAFRateLimit,
		AccessLogRetentionDays: cfg.Ingress.AccessLogRetentionDays,
		LogRetentionDays:       cfg.Ingress.WAFLogRetentionDays,
		CredentialHeader:       cfg.Auth.Header,
		ClientRateLimit:        cfg.Ingress.WAFClientRateLimit,
		AccessLogPrefix:        cfg.Environment,
		Tags:                   Tags(cfg),
	}
	if cfg.Auth.Enabled() {
		args.RequireCredentialOn = edge.APIRoutePrefixes
	}
	return args
}
