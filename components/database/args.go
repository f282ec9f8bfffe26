package database

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/components/awsbase"
)

// RecoveryReplica places a cross-region read replica: the recovery region's provider and key, and
// subnets and security groups of a VPC there.
type RecoveryReplica struct {
	Provider         pulumi.ProviderResource
	KMSKeyID         pulumi.StringInput
	SubnetIDs        []string
	SecurityGroupIDs []string
}

// Restore creates the primary from a point in time of another instance, or of automated backups
// replicated to this region (after losing the source's region).
type Restore struct {
	SourceInstanceIdentifier  string
	SourceAutomatedBackupsARN string // instead of SourceInstanceIdentifier
	RestoreTime               string // RFC 3339; empty with UseLatestRestorableTime
	UseLatestRestorableTime   bool
}

// Args configure the database. Zero values take the defaults documented per field.
type Args struct {
	Account awsbase.Account

	VPCID                   pulumi.StringInput
	SubnetIDs               pulumi.StringArrayInput // private subnets in >= 2 AZs
	AllowedSecurityGroupIDs pulumi.StringArrayInput // the only sources admitted on 5432
	AvailabilityZones       []string                // replicas are spread across these

	EngineVersion         string // major.minor, e.g. 17.6
	InstanceClass         string
	AllocatedStorageGB    int
	MaxAllocatedStorageGB int
	MultiAZ               bool
	ReadReplicas          int
	DatabaseName          string
	MasterUsername        string

	BackupRetentionDays int // >= 1: PITR and replicas need automated backups
	BackupWindow        string
	MaintenanceWindow   string
	// DeletionProtection also keeps a final snapshot when the instance is deleted.
	DeletionProtection bool

	PerformanceInsightsRetentionDays int // default 7
	MonitoringIntervalSeconds        int // default 60
	LogMinDurationStatementMs        int
	MaxConnections                   int // explicit max_connections (the config derives it)
	Restore                          *Restore
	// TopicARN is the stack's notification topic (package notifications): RDS events go there.
	TopicARN pulumi.StringInput

	// Protect marks the instances, key and secret protect (production).
	Protect bool
	Tags    map[string]string
	// SecretReplica copies the credentials secret to the recovery region (nil: none).
	SecretReplica *awsbase.SecretReplica
	// Upgrade, when set, moves the running instances to EngineVersion in this update; without
	// it RDS owns the running minor version (automatic minor upgrades) and EngineVersion is
	// only what a new primary starts at.
	Upgrade *Upgrade
	// PasswordGeneration regenerates the master password when it changes (0: never rotated).
	PasswordGeneration int
	// RecoveryReplica is a read replica in the recovery region, promoted after a region loss
	// (nil: none; the replicated backups are restored instead).
	RecoveryReplica *RecoveryReplica
	// ReplicaOf makes the primary a cross-region read replica of another stack's database (a
	// warm standby, promoted by cmd/failover); nil: a database of its own.
	ReplicaOf *ReplicaSource
}

// ReplicaSource is the database a standby replicates: its ARN and the credentials the replica
// inherits (the primary stack's outputs).
type ReplicaSource struct {
	SourceARN, Username, DatabaseName, Password pulumi.StringInput
}

// Validate reports what the component needs that package config cannot see: missing inputs and
// its own invariants. Ranges and catalogs (versions, retention values, intervals) are config's.
func (a *Args) Validate() error {
	var errs []error
	bad := func(field string, v any, allowed string) {
		errs = append(errs, fmt.Errorf("database.Args.%s=%v: %s", field, v, allowed))
	}
	if a.VPCID == nil || a.SubnetIDs == nil || a.AllowedSecurityGroupIDs == nil {
		bad("VPCID/SubnetIDs/AllowedSecurityGroupIDs", "nil", "all three are required")
	}
	if a.TopicARN == nil {
		bad("TopicARN", "nil", "the notification topic RDS events go to is required")
	}
	if len(a.AvailabilityZones) == 0 {
		bad("AvailabilityZones", a.AvailabilityZones, "at least one zone is required")
	}
	if !strings.Contains(a.EngineVersion, ".") {
		bad("EngineVersion", a.EngineVersion, "must be major.minor")
	}
	if a.InstanceClass == "" || a.DatabaseName == "" || a.MasterUsername == "" {
		bad("InstanceClass/DatabaseName/MasterUsername", "\"\"", "are required")
	}
	if a.AllocatedStorageGB < 20 || a.MaxAllocatedStorageGB <= a.AllocatedStorageGB {
		bad("MaxAllocatedStorageGB", a.MaxAllocatedStorageGB, fmt.Sprintf("must exceed AllocatedStorageGB=%d (>= 20)", a.AllocatedStorageGB))
	}
	if a.Account.ID == "" || a.Account.Region == "" || a.Account.Partition == "" {
		bad("Account", fmt.Sprintf("%+v", a.Account), "ID, Region and Partition are required (key policies and ARNs)")
	}
	// Point-in-time recovery and read replicas both restore from automated backups.
	if a.BackupRetentionDays < 1 {
		bad("BackupRetentionDays", a.BackupRetentionDays, "must be >= 1: point-in-time recovery and read replicas need automated backups")
	}
	if a.PerformanceInsightsRetentionDays == 0 || a.MonitoringIntervalSeconds == 0 {
		bad("PerformanceInsightsRetentionDays/MonitoringIntervalSeconds", fmt.Sprint(a.PerformanceInsightsRetentionDays, "/", a.MonitoringIntervalSeconds), "are required")
	}
	if a.MaxConnections < 1 {
		bad("MaxConnections", a.MaxConnections, "must be set explicitly (the parameter group pins it)")
	}
	if rr := a.RecoveryReplica; rr != nil && (rr.Provider == nil || rr.KMSKeyID == nil || len(rr.SubnetIDs) < 2 || len(rr.SecurityGroupIDs) < 1) {
		bad("RecoveryReplica", fmt.Sprint(rr.SubnetIDs, rr.SecurityGroupIDs), "needs the recovery region's provider and key, 2 or more subnets and a security group there")
	}
	if r := a.ReplicaOf; r != nil {
		if r.SourceARN == nil || r.Username == nil || r.DatabaseName == nil || r.Password == nil {
			bad("ReplicaOf", "nil field", "the source's ARN, username, database name and password are required")
		}
		if a.Restore != nil || a.Upgrade != nil || a.ReadReplicas != 0 || a.RecoveryReplica != nil {
			bad("ReplicaOf", "with Restore/Upgrade/ReadReplicas/RecoveryReplica", "a replica of another stack's database has none of them (they are the source's)")
		}
	}
	if r := a.Restore; r != nil {
		if (r.SourceInstanceIdentifier == "") == (r.SourceAutomatedBackupsARN == "") {
			bad("Restore.SourceInstanceIdentifier/SourceAutomatedBackupsARN", r.SourceInstanceIdentifier+r.SourceAutomatedBackupsARN, "set exactly one")
		}
		if (r.RestoreTime == "") == !r.UseLatestRestorableTime {
			bad("Restore", fmt.Sprintf("%+v", *r), "set exactly one of RestoreTime and UseLatestRestorableTime")
		}
	}
	return errors.Join(errs...)
}

// Family is the parameter group family of the engine version.
func (a *Args) Family() string {
	major, _, _ := strings.Cut(a.EngineVersion, ".")
	return "postgres" + major
}

// Upgrade is an engine version upgrade in progress.
type Upgrade struct {
	// BlueGreen runs it as an RDS Blue/Green deployment: a synchronized copy is upgraded, then
	// switched over (about a minute of downtime); else RDS upgrades the instances in place.
	BlueGreen bool
	// Major allows a major version upgrade.
	Major bool
}
