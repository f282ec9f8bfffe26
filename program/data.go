package program

// The data tier's arguments: the database and the cache.

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/components/cache"
	"github.com/langgraph-platform/infra/components/database"
	"github.com/langgraph-platform/infra/components/recovery"
	"github.com/langgraph-platform/infra/config"
)

// Prefix starts the name of every component of the stack: langgraph-<environment>.
func Prefix(cfg *config.Config) string { return config.ResourcePrefix(cfg.Environment) }

// DatabaseArgs maps the database settings, the cluster's network and the notification topic onto
// the database; with dr, its secret and replica follow into the recovery region.
func DatabaseArgs(cfg *config.Config, account awsbase.Account, cluster *Cluster, topicARN pulumi.StringInput, secretReplica *awsbase.SecretReplica, region *recovery.Region) database.Args {
	d := cfg.Database
	var restore *database.Restore
	if d.Restore != nil {
		restore = &database.Restore{
			SourceInstanceIdentifier:  d.Restore.SourceInstanceIdentifier,
			SourceAutomatedBackupsARN: d.Restore.SourceAutomatedBackupsARN,
			RestoreTime:               d.Restore.RestoreTime,
			UseLatestRestorableTime:   d.Restore.UseLatestRestorableTime,
		}
	}
	return database.Args{
		Account:                          account,
		VPCID:                            cluster.VPCID,
		SubnetIDs:                        cluster.DataSubnetIDs,
		AllowedSecurityGroupIDs:          cluster.SecurityGroupIDs,
		AvailabilityZones:                cluster.AZs,
		EngineVersion:                    d.RunningVersion(),
		Upgrade:                          databaseUpgrade(d),
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
		TopicARN:                         topicARN,
		Restore:                          restore,
		Protect:                          cfg.Production(),
		Tags:                             Tags(cfg),
		SecretReplica:                    secretReplica,
		PasswordGeneration:               cfg.Rotation.DatabasePassword,
		RecoveryReplica:                  recoveryReplica(cfg, region),
	}
}

// CacheArgs maps the cache settings and the cluster's network onto the ElastiCache group.
func CacheArgs(cfg *config.Config, account awsbase.Account, cluster *Cluster, secretReplica *awsbase.SecretReplica) cache.Args {
	k := cfg.Cache
	return cache.Args{
		Account:                 account,
		VPCID:                   cluster.VPCID,
		SubnetIDs:               cluster.DataSubnetIDs,
		AllowedSecurityGroupIDs: cluster.SecurityGroupIDs,
		AvailabilityZones:       cluster.AZs,
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
		Tags:                    Tags(cfg),
		SecretReplica:           secretReplica,
		AuthTokenGeneration:     cfg.Rotation.CacheAuthToken.Generation,
		AuthTokenStrategy:       cfg.Rotation.CacheAuthToken.Strategy(),
	}
}

// databaseUpgrade is the database's upgrade in progress, or nil.
func databaseUpgrade(d config.Database) *database.Upgrade {
	if !d.Upgrading() {
		return nil
	}
	return &database.Upgrade{BlueGreen: d.Upgrade.Method == config.UpgradeBlueGreen, Major: d.MajorUpgrade()}
}
