// Package database provisions RDS PostgreSQL for the LangGraph dataplane: an encrypted Multi-AZ
// primary with point-in-time recovery, read replicas for analytics and reporting, a parameter
// group that forces TLS and logs slow queries, credentials in Secrets Manager, and RDS event
// notifications.
package database

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/components/awsbase"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "langgraph:aws:Database"

// Port is PostgreSQL's port.
const Port = 5432

// EventCategories are the RDS events that notify: the seed's backup verification alerts and the
// failures an operator must see.
var EventCategories = []string{"backup", "failover", "failure", "low storage", "maintenance", "recovery"}

// passwordSpecials are the punctuation RDS accepts in a master password (not / @ " or space).
const passwordSpecials = "!#$%&*()-_=+[]{}<>:?"

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
	// RecoveryReplica is a read replica in the recovery region, promoted after a region loss
	// (nil: none; the replicated backups are restored instead).
	RecoveryReplica *RecoveryReplica
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

// Database is the provisioned database and what consumers need of it.
type Database struct {
	pulumi.ResourceState

	Address         pulumi.StringOutput      `pulumi:"address"`
	Port            pulumi.IntOutput         `pulumi:"port"`
	ReaderAddresses pulumi.StringArrayOutput `pulumi:"readerAddresses"`
	DatabaseName    pulumi.StringOutput      `pulumi:"databaseName"`
	Username        pulumi.StringOutput      `pulumi:"username"`
	Password        pulumi.StringOutput      `pulumi:"password"`  // secret
	URI             pulumi.StringOutput      `pulumi:"uri"`       // secret; primary, sslmode=require
	ReaderURI       pulumi.StringOutput      `pulumi:"readerUri"` // secret; first replica (primary if none)
	SecretARN       pulumi.StringOutput      `pulumi:"secretArn"`
	SecurityGroupID pulumi.StringOutput      `pulumi:"securityGroupId"`
	MaxConnections  pulumi.IntOutput         `pulumi:"maxConnections"`
	Identifier      pulumi.StringOutput      `pulumi:"identifier"`
	// ARN is the primary instance's ARN (backup replication and AWS Backup select it by it).
	ARN pulumi.StringOutput `pulumi:"arn"`
	// RecoveryReplicaAddress is the cross-region replica's address ("" without one).
	RecoveryReplicaAddress pulumi.StringOutput `pulumi:"recoveryReplicaAddress"`
	// ReplicaIdentifiers are the read replicas' instance identifiers, in order.
	ReplicaIdentifiers pulumi.StringArrayOutput `pulumi:"replicaIdentifiers"`
}

// New provisions the database.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Database, error) {
	if err := args.Validate(); err != nil {
		return nil, err
	}
	db := &Database{}
	if err := ctx.RegisterComponentResource(TypeToken, name, db, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(db)
	data := []pulumi.ResourceOption{child, pulumi.Protect(args.Protect)}

	key, err := awsbase.NewKey(ctx, name+"-key", awsbase.KeyArgs{
		Description: "RDS PostgreSQL storage, Performance Insights and credentials",
		Alias:       name,
		Account:     args.Account,
		Tags:        args.Tags,
	}, data...)
	if err != nil {
		return nil, err
	}

	sg, err := awsbase.NewIngressOnlySecurityGroup(ctx, name+"-sg", awsbase.SecurityGroupArgs{
		Description:             "PostgreSQL from the EKS cluster only",
		VPCID:                   args.VPCID,
		Port:                    Port,
		AllowedSecurityGroupIDs: args.AllowedSecurityGroupIDs,
		Tags:                    args.Tags,
	}, child)
	if err != nil {
		return nil, err
	}
	subnets, err := rds.NewSubnetGroup(ctx, name+"-subnets", &rds.SubnetGroupArgs{
		Description: pulumi.String("Private subnets of the EKS cluster's VPC"),
		SubnetIds:   args.SubnetIDs,
		Tags:        pulumi.ToStringMap(args.Tags),
	}, child)
	if err != nil {
		return nil, err
	}
	params, err := rds.NewParameterGroup(ctx, name+"-params", &rds.ParameterGroupArgs{
		Family:      pulumi.String(args.Family()),
		Description: pulumi.String("LangGraph PostgreSQL: TLS only, slow query log, pg_stat_statements, explicit max_connections"),
		Parameters:  parameters(args),
		Tags:        pulumi.ToStringMap(args.Tags),
	}, child)
	if err != nil {
		return nil, err
	}
	password, err := random.NewRandomPassword(ctx, name+"-master-password", &random.RandomPasswordArgs{
		Length:          pulumi.Int(32),
		Special:         pulumi.Bool(true),
		OverrideSpecial: pulumi.String(passwordSpecials),
		MinLower:        pulumi.Int(1),
		MinUpper:        pulumi.Int(1),
		MinNumeric:      pulumi.Int(1),
	}, child)
	if err != nil {
		return nil, err
	}
	// Enhanced monitoring acts for this account's instances only (the confused-deputy
	// conditions); any region, as the recovery region's replica reports with the same role.
	monitoringTrust, err := awsbase.ServiceTrust("monitoring.rds.amazonaws.com", args.Account,
		args.Account.ARN("rds", "*", args.Account.ID, "db:*")).JSON()
	if err != nil {
		return nil, err
	}
	monitoringRole, err := iam.NewRole(ctx, name+"-monitoring", &iam.RoleArgs{
		Description:      pulumi.String("RDS enhanced monitoring"),
		AssumeRolePolicy: pulumi.String(monitoringTrust),
		Tags:             pulumi.ToStringMap(args.Tags),
	}, child)
	if err != nil {
		return nil, err
	}
	_, err = iam.NewRolePolicyAttachment(ctx, name+"-monitoring", &iam.RolePolicyAttachmentArgs{
		Role:      monitoringRole.Name,
		PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole", args.Account.Partition),
	}, child)
	if err != nil {
		return nil, err
	}

	common := func(ia *rds.InstanceArgs) *rds.InstanceArgs {
		ia.InstanceClass = pulumi.String(args.InstanceClass)
		ia.StorageType = pulumi.String("gp3")
		ia.MaxAllocatedStorage = pulumi.Int(args.MaxAllocatedStorageGB)
		ia.StorageEncrypted = pulumi.Bool(true)
		ia.KmsKeyId = key.Arn
		ia.PubliclyAccessible = pulumi.Bool(false)
		ia.VpcSecurityGroupIds = pulumi.StringArray{sg.ID()}
		ia.ParameterGroupName = params.Name
		ia.Port = pulumi.Int(Port)
		ia.PerformanceInsightsEnabled = pulumi.Bool(true)
		ia.PerformanceInsightsKmsKeyId = key.Arn
		ia.PerformanceInsightsRetentionPeriod = pulumi.Int(args.PerformanceInsightsRetentionDays)
		ia.MonitoringInterval = pulumi.Int(args.MonitoringIntervalSeconds)
		ia.MonitoringRoleArn = monitoringRole.Arn
		ia.EnabledCloudwatchLogsExports = pulumi.ToStringArray([]string{"postgresql", "upgrade"})
		ia.IamDatabaseAuthenticationEnabled = pulumi.Bool(true)
		ia.CopyTagsToSnapshot = pulumi.Bool(true)
		ia.AutoMinorVersionUpgrade = pulumi.Bool(true)
		ia.DeletionProtection = pulumi.Bool(args.DeletionProtection)
		ia.Tags = pulumi.ToStringMap(args.Tags)
		return ia
	}

	primaryName := name + "-primary"
	primaryArgs := common(&rds.InstanceArgs{
		Engine:                pulumi.String("postgres"),
		EngineVersion:         pulumi.String(args.EngineVersion),
		AllocatedStorage:      pulumi.Int(args.AllocatedStorageGB),
		DbSubnetGroupName:     subnets.Name,
		MultiAz:               pulumi.Bool(args.MultiAZ),
		Password:              password.Result,
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
	primary, err := rds.NewInstance(ctx, primaryName, primaryArgs, data...)
	if err != nil {
		return nil, err
	}

	replicaIDs := pulumi.StringArray{}
	readerAddresses := pulumi.StringArray{}
	for i := 0; i < args.ReadReplicas; i++ {
		// Replicas inherit engine, version, storage size, database and master user from the
		// source; they carry no credentials or database name of their own.
		replica, err := rds.NewInstance(ctx, fmt.Sprintf("%s-replica-%d", name, i+1), common(&rds.InstanceArgs{
			ReplicateSourceDb: primary.Identifier,
			AvailabilityZone:  pulumi.String(args.AvailabilityZones[i%len(args.AvailabilityZones)]),
			// A replica's own backups and final snapshot add nothing: the primary has them.
			BackupRetentionPeriod: pulumi.Int(0),
			SkipFinalSnapshot:     pulumi.Bool(true),
		}), data...)
		if err != nil {
			return nil, err
		}
		replicaIDs = append(replicaIDs, replica.Identifier)
		readerAddresses = append(readerAddresses, replica.Address)
	}

	_, err = rds.NewEventSubscription(ctx, name+"-events", &rds.EventSubscriptionArgs{
		SnsTopic:        args.TopicARN,
		SourceType:      pulumi.String("db-instance"),
		SourceIds:       append(pulumi.StringArray{primary.Identifier}, replicaIDs...),
		EventCategories: pulumi.ToStringArray(EventCategories),
		Tags:            pulumi.ToStringMap(args.Tags),
	}, child)
	if err != nil {
		return nil, err
	}

	db.RecoveryReplicaAddress = pulumi.String("").ToStringOutput()
	if rr := args.RecoveryReplica; rr != nil {
		address, err := recoveryReplica(ctx, name, args, *rr, primary, monitoringRole, common, data)
		if err != nil {
			return nil, err
		}
		db.RecoveryReplicaAddress = address
	}

	username := pulumi.String(args.MasterUsername).ToStringOutput()
	dbName := pulumi.String(args.DatabaseName).ToStringOutput()
	uri := postgresURI(username, password.Result, primary.Address, dbName)
	readerURI := uri
	if args.ReadReplicas > 0 {
		readerURI = postgresURI(username, password.Result, readerAddresses[0].ToStringOutput(), dbName)
	}
	document := pulumi.All(primary.Address, readerAddresses, username, password.Result, dbName, uri).ApplyT(func(v []any) (string, error) {
		b, err := json.Marshal(map[string]any{
			"engine": "postgres", "host": v[0], "port": Port, "readerHosts": v[1],
			"username": v[2], "password": v[3], "dbname": v[4], "uri": v[5],
		})
		return string(b), err
	}).(pulumi.StringOutput)
	secret, err := awsbase.NewSecret(ctx, name+"-credentials", awsbase.SecretArgs{
		Description:  "LangGraph PostgreSQL master credentials and connection URI",
		KMSKeyID:     key.Arn,
		Document:     document,
		RecoveryDays: 30,
		Tags:         args.Tags,
		Replica:      args.SecretReplica,
	}, data...)
	if err != nil {
		return nil, err
	}

	db.Address = primary.Address
	db.Port = pulumi.Int(Port).ToIntOutput()
	db.ReaderAddresses = readerAddresses.ToStringArrayOutput()
	db.DatabaseName = dbName
	db.Username = username
	db.Password = pulumi.ToSecret(password.Result).(pulumi.StringOutput)
	db.URI = pulumi.ToSecret(uri).(pulumi.StringOutput)
	db.ReaderURI = pulumi.ToSecret(readerURI).(pulumi.StringOutput)
	db.SecretARN = secret.Arn
	db.SecurityGroupID = sg.ID().ToStringOutput()
	db.MaxConnections = pulumi.Int(args.MaxConnections).ToIntOutput()
	db.Identifier = primary.Identifier
	db.ARN = primary.Arn
	db.ReplicaIdentifiers = replicaIDs.ToStringArrayOutput()
	return db, ctx.RegisterResourceOutputs(db, pulumi.Map{
		"address": db.Address, "port": db.Port, "readerAddresses": db.ReaderAddresses,
		"uri": db.URI, "readerUri": db.ReaderURI, "secretArn": db.SecretARN,
		"securityGroupId": db.SecurityGroupID, "maxConnections": db.MaxConnections,
		"identifier": db.Identifier, "replicaIdentifiers": db.ReplicaIdentifiers, "arn": db.ARN,
		"recoveryReplicaAddress": db.RecoveryReplicaAddress,
	})
}

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

// postgresURI builds a libpq URI that requires TLS, with the credentials URL-encoded.
func postgresURI(user, password, host, dbName pulumi.StringOutput) pulumi.StringOutput {
	return pulumi.All(user, password, host, dbName).ApplyT(func(v []any) string {
		u := url.URL{
			Scheme:   "postgresql",
			User:     url.UserPassword(v[0].(string), v[1].(string)),
			Host:     fmt.Sprintf("%s:%d", v[2], Port),
			Path:     "/" + v[3].(string),
			RawQuery: "sslmode=require",
		}
		return u.String()
	}).(pulumi.StringOutput)
}

// recoveryReplica creates the read replica in the recovery region, with a subnet group and a
// parameter group of its own there (neither crosses regions) and the recovery region's key.
func recoveryReplica(ctx *pulumi.Context, name string, args Args, rr RecoveryReplica, primary *rds.Instance, monitoringRole *iam.Role,
	common func(*rds.InstanceArgs) *rds.InstanceArgs, data []pulumi.ResourceOption,
) (pulumi.StringOutput, error) {
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
	ia := common(&rds.InstanceArgs{
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
	ia.MonitoringRoleArn = monitoringRole.Arn
	replica, err := rds.NewInstance(ctx, name+"-recovery-replica", ia, there...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return replica.Address, nil
}
