// Package database provisions RDS PostgreSQL for the LangGraph dataplane: an encrypted Multi-AZ
// primary with point-in-time recovery, read replicas for analytics and reporting, a parameter
// group that forces TLS and logs slow queries, credentials in Secrets Manager, and RDS event
// notifications.
package database

import (
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
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

	base, err := newFoundation(ctx, name, args, child, data)
	if err != nil {
		return nil, err
	}
	primary, err := base.primary(ctx, name, args, data)
	if err != nil {
		return nil, err
	}
	replicas, err := base.replicas(ctx, name, args, primary, data)
	if err != nil {
		return nil, err
	}
	_, err = rds.NewEventSubscription(ctx, name+"-events", &rds.EventSubscriptionArgs{
		SnsTopic:        args.TopicARN,
		SourceType:      pulumi.String("db-instance"),
		SourceIds:       append(pulumi.StringArray{primary.Identifier}, replicas.identifiers...),
		EventCategories: pulumi.ToStringArray(EventCategories),
		Tags:            pulumi.ToStringMap(args.Tags),
	}, child)
	if err != nil {
		return nil, err
	}
	db.RecoveryReplicaAddress = pulumi.String("").ToStringOutput()
	if rr := args.RecoveryReplica; rr != nil {
		if db.RecoveryReplicaAddress, err = base.recoveryReplica(ctx, name, args, *rr, primary, data); err != nil {
			return nil, err
		}
	}
	creds, err := base.credentials(ctx, name, args, primary, replicas, data)
	if err != nil {
		return nil, err
	}

	db.Address = primary.Address
	db.Port = pulumi.Int(Port).ToIntOutput()
	db.ReaderAddresses = replicas.addresses.ToStringArrayOutput()
	db.DatabaseName = creds.dbName
	db.Username = creds.username
	db.Password = pulumi.ToSecret(base.masterPassword(args)).(pulumi.StringOutput)
	db.URI = pulumi.ToSecret(creds.uri).(pulumi.StringOutput)
	db.ReaderURI = pulumi.ToSecret(creds.readerURI).(pulumi.StringOutput)
	db.SecretARN = creds.secretARN
	db.SecurityGroupID = base.securityGroup.ID().ToStringOutput()
	db.MaxConnections = pulumi.Int(args.MaxConnections).ToIntOutput()
	db.Identifier = primary.Identifier
	db.ARN = primary.Arn
	db.ReplicaIdentifiers = replicas.identifiers.ToStringArrayOutput()
	return db, ctx.RegisterResourceOutputs(db, pulumi.Map{
		"address": db.Address, "port": db.Port, "readerAddresses": db.ReaderAddresses,
		"uri": db.URI, "readerUri": db.ReaderURI, "secretArn": db.SecretARN,
		"securityGroupId": db.SecurityGroupID, "maxConnections": db.MaxConnections,
		"identifier": db.Identifier, "replicaIdentifiers": db.ReplicaIdentifiers, "arn": db.ARN,
		"recoveryReplicaAddress": db.RecoveryReplicaAddress,
	})
}

// foundation is what every instance is built on: the key, the security group, the subnet and
// parameter groups, the master password and the enhanced-monitoring role.
type foundation struct {
	key            *kms.Key
	securityGroup  *ec2.SecurityGroup
	subnets        *rds.SubnetGroup
	params         *rds.ParameterGroup
	password       *random.RandomPassword
	monitoringRole *iam.Role
}

func newFoundation(ctx *pulumi.Context, name string, args Args, child pulumi.ResourceOption, data []pulumi.ResourceOption) (*foundation, error) {
	var f foundation
	var err error
	if f.key, err = awsbase.NewKey(ctx, name+"-key", awsbase.KeyArgs{
		Description: "RDS PostgreSQL storage, Performance Insights and credentials",
		Alias:       name,
		Account:     args.Account,
		Tags:        args.Tags,
	}, data...); err != nil {
		return nil, err
	}
	if f.securityGroup, err = awsbase.NewIngressOnlySecurityGroup(ctx, name+"-sg", awsbase.SecurityGroupArgs{
		Description:             "PostgreSQL from the EKS cluster only",
		VPCID:                   args.VPCID,
		Port:                    Port,
		AllowedSecurityGroupIDs: args.AllowedSecurityGroupIDs,
		Tags:                    args.Tags,
	}, child); err != nil {
		return nil, err
	}
	if f.subnets, err = rds.NewSubnetGroup(ctx, name+"-subnets", &rds.SubnetGroupArgs{
		Description: pulumi.String("Private subnets of the EKS cluster's VPC"),
		SubnetIds:   args.SubnetIDs,
		Tags:        pulumi.ToStringMap(args.Tags),
	}, child); err != nil {
		return nil, err
	}
	if f.params, err = rds.NewParameterGroup(ctx, name+"-params", &rds.ParameterGroupArgs{
		Family:      pulumi.String(args.Family()),
		Description: pulumi.String("LangGraph PostgreSQL: TLS only, slow query log, pg_stat_statements, explicit max_connections"),
		Parameters:  parameters(args),
		Tags:        pulumi.ToStringMap(args.Tags),
	}, child); err != nil {
		return nil, err
	}
	if args.ReplicaOf != nil {
		// A replica's master password is its source's.
		return monitoring(ctx, name, args, child, &f)
	}
	passwordArgs := &random.RandomPasswordArgs{
		Length:          pulumi.Int(32),
		Special:         pulumi.Bool(true),
		OverrideSpecial: pulumi.String(passwordSpecials),
		MinLower:        pulumi.Int(1),
		MinUpper:        pulumi.Int(1),
		MinNumeric:      pulumi.Int(1),
	}
	// Keepers only from the first rotation on: a stack that never rotated keeps its password.
	if args.PasswordGeneration > 0 {
		passwordArgs.Keepers = pulumi.StringMap{"generation": pulumi.String(strconv.Itoa(args.PasswordGeneration))}
	}
	if f.password, err = random.NewRandomPassword(ctx, name+"-master-password", passwordArgs, child); err != nil {
		return nil, err
	}
	return monitoring(ctx, name, args, child, &f)
}

// masterPassword is the password clients use: the generated one, or a replica's source's.
func (f *foundation) masterPassword(args Args) pulumi.StringOutput {
	if r := args.ReplicaOf; r != nil {
		return r.Password.ToStringOutput()
	}
	return f.password.Result
}

// monitoring creates the enhanced-monitoring role.
func monitoring(ctx *pulumi.Context, name string, args Args, child pulumi.ResourceOption, f *foundation) (*foundation, error) {
	var err error
	// Enhanced monitoring acts for this account's instances only (the confused-deputy
	// conditions); any region, as the recovery region's replica reports with the same role.
	monitoringTrust, err := awsbase.ServiceTrust("monitoring.rds.amazonaws.com", args.Account,
		args.Account.ARN("rds", "*", args.Account.ID, "db:*")).JSON()
	if err != nil {
		return nil, err
	}
	if f.monitoringRole, err = iam.NewRole(ctx, name+"-monitoring", &iam.RoleArgs{
		Description:      pulumi.String("RDS enhanced monitoring"),
		AssumeRolePolicy: pulumi.String(monitoringTrust),
		Tags:             pulumi.ToStringMap(args.Tags),
	}, child); err != nil {
		return nil, err
	}
	if _, err = iam.NewRolePolicyAttachment(ctx, name+"-monitoring", &iam.RolePolicyAttachmentArgs{
		Role:      f.monitoringRole.Name,
		PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole", args.Account.Partition),
	}, child); err != nil {
		return nil, err
	}
	return f, nil
}
