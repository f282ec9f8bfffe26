// Package program is the Pulumi program: it loads the stack's configuration and wires the
// components. main.go runs it with the real engine; internal/harness runs the same function on
// the mock engine for tests, cmd/synth and the policy checks.
package program

import (
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/components/cache"
	"github.com/langgraph-platform/infra/components/database"
	"github.com/langgraph-platform/infra/config"
)

// Run is the program main.go hands to pulumi.Run.
func Run(ctx *pulumi.Context) error {
	outputs, err := Build(ctx)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(outputs))
	for name := range outputs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ctx.Export(name, outputs[name])
	}
	return nil
}

// Build loads and validates the configuration, wires the components, and returns the stack outputs.
func Build(ctx *pulumi.Context) (map[string]pulumi.Output, error) {
	cfg, err := config.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	return Wire(ctx, cfg)
}

// Tags are the tags every taggable AWS resource carries.
func Tags(cfg *config.Config) map[string]string {
	return map[string]string{
		"Environment": cfg.Environment,
		"Project":     cfg.Tags.Project,
		"Owner":       cfg.Tags.Owner,
		"CostCenter":  cfg.Tags.CostCenter,
		"ManagedBy":   "pulumi",
	}
}

// Wire creates every component from a validated configuration.
func Wire(ctx *pulumi.Context, cfg *config.Config) (map[string]pulumi.Output, error) {
	prefix := "langgraph-" + cfg.Environment
	tags := Tags(cfg)

	identity, err := aws.GetCallerIdentity(ctx, nil)
	if err != nil {
		return nil, err
	}
	partition, err := aws.GetPartition(ctx, nil)
	if err != nil {
		return nil, err
	}
	region, err := aws.GetRegion(ctx, nil)
	if err != nil {
		return nil, err
	}
	zones, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{State: pulumi.StringRef("available")})
	if err != nil {
		return nil, err
	}
	account := awsbase.Account{ID: identity.AccountId, Partition: partition.Partition, Region: region.Name}
	vpc := pulumi.String(cfg.Cluster.VPCID)
	subnets := pulumi.ToStringArray(cfg.Cluster.PrivateSubnetIDs)
	clusterGroups := pulumi.ToStringArray(cfg.Cluster.SecurityGroupIDs)

	d := cfg.Database
	var restore *database.Restore
	if d.Restore != nil {
		restore = &database.Restore{
			SourceInstanceIdentifier: d.Restore.SourceInstanceIdentifier,
			RestoreTime:              d.Restore.RestoreTime,
			UseLatestRestorableTime:  d.Restore.UseLatestRestorableTime,
		}
	}
	db, err := database.New(ctx, prefix+"-db", database.Args{
		Account:                          account,
		VpcID:                            vpc,
		SubnetIDs:                        subnets,
		AllowedSecurityGroupIDs:          clusterGroups,
		AvailabilityZones:                zones.Names,
		EngineVersion:                    d.EngineVersion,
		InstanceClass:                    d.InstanceClass,
		AllocatedStorageGB:               d.AllocatedStorageGB,
		MaxAllocatedStorageGB:            d.MaxAllocatedStorageGB,
		MultiAZ:                          d.MultiAZ,
		ReadReplicas:                     d.ReadReplicas,
		DatabaseName:                     d.DatabaseName,
		MasterUsername:                   d.MasterUsername,
		BackupRetentionDays:              d.BackupRetentionDays,
		BackupWindow:                     d.BackupWindow,
		MaintenanceWindow:                d.MaintenanceWindow,
		DeletionProtection:               d.DeletionProtection,
		PerformanceInsightsRetentionDays: d.PerformanceInsightsRetentionDays,
		MonitoringIntervalSeconds:        d.MonitoringIntervalSeconds,
		LogMinDurationStatementMs:        d.LogMinDurationStatementMs,
		MaxConnections:                   d.MaxConnections(),
		EventEmails:                      d.EventEmails,
		Restore:                          restore,
		Protect:                          cfg.Production(),
		Tags:                             tags,
	})
	if err != nil {
		return nil, err
	}

	k := cfg.Cache
	redis, err := cache.New(ctx, prefix+"-cache", cache.Args{
		Account:                 account,
		VpcID:                   vpc,
		SubnetIDs:               subnets,
		AllowedSecurityGroupIDs: clusterGroups,
		AvailabilityZones:       zones.Names,
		Engine:                  k.Engine,
		EngineVersion:           k.EngineVersion,
		Family:                  k.ParameterGroupFamily(),
		NodeType:                k.NodeType,
		Nodes:                   k.Nodes,
		MaxmemoryPolicy:         k.MaxmemoryPolicy,
		SnapshotRetentionDays:   k.SnapshotRetentionDays,
		SnapshotWindow:          k.SnapshotWindow,
		MaintenanceWindow:       k.MaintenanceWindow,
		FinalSnapshot:           cfg.Production(),
		LogRetentionDays:        k.LogRetentionDays,
		Protect:                 cfg.Production(),
		Tags:                    tags,
	})
	if err != nil {
		return nil, err
	}

	return map[string]pulumi.Output{
		"databaseAddress":         db.Address,
		"databaseReaderAddresses": db.ReaderAddresses,
		"databasePort":            db.Port,
		"databaseSecretArn":       db.SecretARN,
		"databaseSecurityGroupId": db.SecurityGroupID,
		"databaseMaxConnections":  db.MaxConnections,
		"databaseEventTopicArn":   db.EventTopicARN,
		"cachePrimaryEndpoint":    redis.PrimaryEndpoint,
		"cacheReaderEndpoint":     redis.ReaderEndpoint,
		"cachePort":               redis.Port,
		"cacheSecretArn":          redis.SecretARN,
		"cacheSecurityGroupId":    redis.SecurityGroupID,
	}, nil
}
