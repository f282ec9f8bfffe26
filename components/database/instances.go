package database

// The instances: the settings every instance shares, the primary, the read replicas and the
// cross-region replica, and the parameter group they run with.

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// instance sets what every instance shares (class, storage, encryption, network, monitoring,
// logs, protection) on ia.
func (f *foundation) instance(args Args, ia *rds.InstanceArgs) *rds.InstanceArgs {
	ia.InstanceClass = pulumi.String(args.InstanceClass)
	ia.StorageType = pulumi.String("gp3")
	ia.MaxAllocatedStorage = pulumi.Int(args.MaxAllocatedStorageGB)
	ia.StorageEncrypted = pulumi.Bool(true)
	ia.KmsKeyId = f.key.Arn
	ia.PubliclyAccessible = pulumi.Bool(false)
	ia.VpcSecurityGroupIds = pulumi.StringArray{f.securityGroup.ID()}
	ia.ParameterGroupName = f.params.Name
	ia.Port = pulumi.Int(Port)
	ia.PerformanceInsightsEnabled = pulumi.Bool(true)
	ia.PerformanceInsightsKmsKeyId = f.key.Arn
	ia.PerformanceInsightsRetentionPeriod = pulumi.Int(args.PerformanceInsightsRetentionDays)
	ia.MonitoringInterval = pulumi.Int(args.MonitoringIntervalSeconds)
	ia.MonitoringRoleArn = f.monitoringRole.Arn
	ia.EnabledCloudwatchLogsExports = pulumi.ToStringArray([]string{"postgresql", "upgrade"})
	ia.IamDatabaseAuthenticationEnabled = pulumi.Bool(true)
	ia.CopyTagsToSnapshot = pulumi.Bool(true)
	ia.AutoMinorVersionUpgrade = pulumi.Bool(true)
	ia.DeletionProtection = pulumi.Bool(args.DeletionProtection)
	ia.Tags = pulumi.ToStringMap(args.Tags)
	return ia
}

// primary creates the primary: new, restored to a point in time (args.Restore), or a
// cross-region replica of another stack's database (args.ReplicaOf).
func (f *foundation) primary(ctx *pulumi.Context, name string, args Args, data []pulumi.ResourceOption) (*rds.Instance, error) {
	primaryName := name + "-primary"
	if r := args.ReplicaOf; r != nil {
		// Engine, version, database and master user come from the source; storage is encrypted
		// with this region's key (a cross-region replica cannot use the source's). Its own
		// backups run from the start, so a promoted standby has point-in-time recovery at once.
		replica := f.instance(args, &rds.InstanceArgs{
			ReplicateSourceDb:      r.SourceARN,
			DbSubnetGroupName:      f.subnets.Name,
			MultiAz:                pulumi.Bool(args.MultiAZ),
			BackupRetentionPeriod:  pulumi.Int(args.BackupRetentionDays),
			BackupWindow:           pulumi.String(args.BackupWindow),
			MaintenanceWindow:      pulumi.String(args.MaintenanceWindow),
			DeleteAutomatedBackups: pulumi.Bool(false),
			SkipFinalSnapshot:      pulumi.Bool(true),
		})
		// Promotion (cmd/failover) clears replicateSourceDb outside Pulumi: the promoted
		// instance is not replaced by the next up, which reads it as it is.
		return rds.NewInstance(ctx, primaryName, replica, append(append([]pulumi.ResourceOption(nil), data...),
			pulumi.IgnoreChanges([]string{"engineVersion", "replicateSourceDb"}))...)
	}
	primaryArgs := f.instance(args, &rds.InstanceArgs{
		Engine:                pulumi.String("postgres"),
		EngineVersion:         pulumi.String(args.EngineVersion),
		AllocatedStorage:      pulumi.Int(args.AllocatedStorageGB),
		DbSubnetGroupName:     f.subnets.Name,
		MultiAz:               pulumi.Bool(args.MultiAZ),
		Password:              f.password.Result,
		BackupRetentionPeriod: pulumi.Int(args.BackupRetentionDays),
		BackupWindow:          pulumi.String(args.BackupWindow),
		MaintenanceWindow:     pulumi.String(args.MaintenanceWindow),
		// Keep automated backups after deletion: they are the way back.
		DeleteAutomatedBackups: pulumi.Bool(false),
		SkipFinalSnapshot:      pulumi.Bool(!args.DeletionProtection),
	})
	if args.DeletionProtection {
		primaryArgs.FinalSnapshotIdentifier = pulumi.String(primaryName + "-final")
	}
	if r := args.Restore; r != nil {
		// The restored instance inherits the database and master user of its source.
		pitr := rds.InstanceRestoreToPointInTimeArgs{SourceDbInstanceIdentifier: pulumi.String(r.SourceInstanceIdentifier)}
		if r.SourceAutomatedBackupsARN != "" {
			pitr = rds.InstanceRestoreToPointInTimeArgs{SourceDbInstanceAutomatedBackupsArn: pulumi.String(r.SourceAutomatedBackupsARN)}
		}
		if r.UseLatestRestorableTime {
			pitr.UseLatestRestorableTime = pulumi.Bool(true)
		} else {
			pitr.RestoreTime = pulumi.String(r.RestoreTime)
		}
		primaryArgs.RestoreToPointInTime = pitr
	} else {
		primaryArgs.DbName = pulumi.String(args.DatabaseName)
		primaryArgs.Username = pulumi.String(args.MasterUsername)
	}
	opts := append([]pulumi.ResourceOption(nil), data...)
	if u := args.Upgrade; u != nil {
		// An upgrade asked for runs now: as a Blue/Green deployment (the provider creates it,
		// waits for the green copy, switches over and deletes the old primary) or in place.
		primaryArgs.ApplyImmediately = pulumi.Bool(true)
		primaryArgs.AllowMajorVersionUpgrade = pulumi.Bool(u.Major)
		if u.BlueGreen {
			primaryArgs.BlueGreenUpdate = rds.InstanceBlueGreenUpdateArgs{Enabled: pulumi.Bool(true)}
		}
	} else {
		// RDS owns the minor version (AutoMinorVersionUpgrade moves 17.6 to 17.7 in the
		// maintenance window): engineVersion is the version a new primary starts at, and a
		// refresh after an automatic upgrade is not drift (docs/drift.md).
		opts = append(opts, pulumi.IgnoreChanges([]string{"engineVersion"}))
	}
	return rds.NewInstance(ctx, primaryName, primaryArgs, opts...)
}

// readReplicas are the in-region read replicas' identifiers and addresses, in order.
type readReplicas struct {
	identifiers, addresses pulumi.StringArray
}

// replicas creates the read replicas, spread across the zones.
func (f *foundation) replicas(ctx *pulumi.Context, name string, args Args, primary *rds.Instance, data []pulumi.ResourceOption) (readReplicas, error) {
	out := readReplicas{identifiers: pulumi.StringArray{}, addresses: pulumi.StringArray{}}
	for i := 0; i < args.ReadReplicas; i++ {
		// Replicas inherit engine, version, storage size, database and master user from the
		// source; they carry no credentials or database name of their own.
		replica, err := rds.NewInstance(ctx, fmt.Sprintf("%s-replica-%d", name, i+1), f.instance(args, &rds.InstanceArgs{
			ReplicateSourceDb: primary.Identifier,
			AvailabilityZone:  pulumi.String(args.AvailabilityZones[i%len(args.AvailabilityZones)]),
			// A replica's own backups and final snapshot add nothing: the primary has them.
			BackupRetentionPeriod: pulumi.Int(0),
			SkipFinalSnapshot:     pulumi.Bool(true),
		}), data...)
		if err != nil {
			return readReplicas{}, err
		}
		out.identifiers = append(out.identifiers, replica.Identifier)
		out.addresses = append(out.addresses, replica.Address)
	}
	return out, nil
}

// parameters are the parameter group's settings: TLS only, the slow query log,
// pg_stat_statements and an explicit max_connections.
func parameters(args Args) rds.ParameterGroupParameterArray {
	// Static parameters apply at the next reboot; RDS refuses "immediate" for them.
	p := func(name, value, method string) rds.ParameterGroupParameterInput {
		return rds.ParameterGroupParameterArgs{Name: pulumi.String(name), Value: pulumi.String(value), ApplyMethod: pulumi.String(method)}
	}
	return rds.ParameterGroupParameterArray{
		p("rds.force_ssl", "1", "pending-reboot"),
		p("log_min_duration_statement", strconv.Itoa(args.LogMinDurationStatementMs), "immediate"),
		p("shared_preload_libraries", "pg_stat_statements", "pending-reboot"),
		p("max_connections", strconv.Itoa(args.MaxConnections), "pending-reboot"),
	}
}

// recoveryReplica creates the read replica in the recovery region, with a subnet group and a
// parameter group of its own there (neither crosses regions) and the recovery region's key.
func (f *foundation) recoveryReplica(ctx *pulumi.Context, name string, args Args, rr RecoveryReplica, primary *rds.Instance, data []pulumi.ResourceOption) (pulumi.StringOutput, error) {
	there := append(append([]pulumi.ResourceOption(nil), data...), pulumi.Provider(rr.Provider))
	subnets, err := rds.NewSubnetGroup(ctx, name+"-recovery-subnets", &rds.SubnetGroupArgs{
		Description: pulumi.String("Recovery region: subnets of the cross-region read replica"),
		SubnetIds:   pulumi.ToStringArray(rr.SubnetIDs), Tags: pulumi.ToStringMap(args.Tags),
	}, there...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	params, err := rds.NewParameterGroup(ctx, name+"-recovery-params", &rds.ParameterGroupArgs{
		Family:      pulumi.String(args.Family()),
		Description: pulumi.String("LangGraph PostgreSQL in the recovery region: the primary's parameters"),
		Parameters:  parameters(args), Tags: pulumi.ToStringMap(args.Tags),
	}, there...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	ia := f.instance(args, &rds.InstanceArgs{
		// Across regions a replica names its source by ARN.
		ReplicateSourceDb: primary.Arn,
		// Backups start when it is promoted (set them then); until then the primary's replicate.
		BackupRetentionPeriod: pulumi.Int(0),
		SkipFinalSnapshot:     pulumi.Bool(true),
	})
	ia.KmsKeyId, ia.PerformanceInsightsKmsKeyId = rr.KMSKeyID, rr.KMSKeyID
	ia.DbSubnetGroupName = subnets.Name
	ia.ParameterGroupName = params.Name
	ia.VpcSecurityGroupIds = pulumi.ToStringArray(rr.SecurityGroupIDs)
	ia.MonitoringRoleArn = f.monitoringRole.Arn
	replica, err := rds.NewInstance(ctx, name+"-recovery-replica", ia, there...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return replica.Address, nil
}
