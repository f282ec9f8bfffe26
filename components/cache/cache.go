// Package cache provisions ElastiCache (Valkey or Redis OSS) for the LangGraph dataplane: a
// replication group with cluster mode disabled, one primary and replicas across AZs with
// automatic failover and Multi-AZ, encryption at rest and in transit, an AUTH token in Secrets
// Manager, maxmemory-policy allkeys-lru, daily snapshots, and slow/engine logs in CloudWatch.
//
// AOF is not configured: no current ElastiCache engine accepts it (docs/decisions/cache-durability.md).
package cache

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elasticache"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/components/awsbase"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "langgraph:aws:Cache"

// Port is the Redis protocol port.
const Port = 6379

// AuthTokenSpecials are the only punctuation ElastiCache accepts in an AUTH token (16-128
// printable characters, never @, " or /).
const AuthTokenSpecials = "!&#$^<>-"

// AuthTokenLength is the generated AUTH token's length.
const AuthTokenLength = 64

// Args configure the cache. Zero values take the defaults documented per field.
type Args struct {
	Account awsbase.Account

	VPCID                   pulumi.StringInput
	SubnetIDs               pulumi.StringArrayInput
	AllowedSecurityGroupIDs pulumi.StringArrayInput
	AvailabilityZones       []string // nodes are spread across these

	Engine          string // valkey or redis
	EngineVersion   string
	Family          string // parameter group family matching Engine and EngineVersion
	NodeType        string
	Nodes           int    // 1 primary + replicas; default 3
	MaxmemoryPolicy string // default allkeys-lru

	SnapshotRetentionDays int
	SnapshotWindow        string
	MaintenanceWindow     string
	// FinalSnapshot keeps a snapshot when the group is deleted.
	FinalSnapshot    bool
	LogRetentionDays int // default 30

	Protect bool
	Tags    map[string]string
	// SecretReplica copies the credentials secret to the recovery region (nil: none).
	SecretReplica *awsbase.SecretReplica

	// AuthTokenGeneration regenerates the AUTH token when it changes (0: the token never
	// rotated); AuthTokenStrategy is how ElastiCache takes a changed token: ROTATE keeps the old
	// one valid beside it, SET leaves the new one alone, "" sends none (before any rotation: SET
	// is refused unless a ROTATE came first).
	AuthTokenGeneration int
	AuthTokenStrategy   string
}

// Validate reports what the component needs that package config cannot see: missing inputs and
// its own invariants. Ranges and catalogs (engines, versions, node types, retention) are config's.
func (a *Args) Validate() error {
	var errs []error
	bad := func(field string, v any, allowed string) {
		errs = append(errs, fmt.Errorf("cache.Args.%s=%v: %s", field, v, allowed))
	}
	if a.VPCID == nil || a.SubnetIDs == nil || a.AllowedSecurityGroupIDs == nil {
		bad("VPCID/SubnetIDs/AllowedSecurityGroupIDs", "nil", "all three are required")
	}
	if len(a.AvailabilityZones) < 2 {
		bad("AvailabilityZones", a.AvailabilityZones, "Multi-AZ needs at least 2 zones")
	}
	if a.Engine == "" || !strings.HasPrefix(a.Family, a.Engine) {
		bad("Family", a.Family, fmt.Sprintf("must be a parameter group family of Engine=%q", a.Engine))
	}
	// The component always turns on automatic failover and Multi-AZ, which need a replica.
	if a.Nodes < 2 {
		bad("Nodes", a.Nodes, "must be >= 2: automatic failover needs a replica")
	}
	if a.NodeType == "" || a.MaxmemoryPolicy == "" {
		bad("NodeType/MaxmemoryPolicy", "\"\"", "are required")
	}
	if a.SnapshotRetentionDays < 1 || a.LogRetentionDays < 1 {
		bad("SnapshotRetentionDays/LogRetentionDays", fmt.Sprint(a.SnapshotRetentionDays, "/", a.LogRetentionDays), "are required")
	}
	if !slices.Contains([]string{"", "ROTATE", "SET"}, a.AuthTokenStrategy) || (a.AuthTokenGeneration == 0) != (a.AuthTokenStrategy == "") {
		bad("AuthTokenStrategy", fmt.Sprintf("%q with generation %d", a.AuthTokenStrategy, a.AuthTokenGeneration), "ROTATE or SET once a rotation began (generation >= 1), else empty")
	}
	if a.Account.ID == "" || a.Account.Region == "" || a.Account.Partition == "" {
		bad("Account", fmt.Sprintf("%+v", a.Account), "ID, Region and Partition are required (key policies and ARNs)")
	}
	return errors.Join(errs...)
}

// Cache is the provisioned replication group and what consumers need of it.
type Cache struct {
	pulumi.ResourceState

	PrimaryEndpoint pulumi.StringOutput `pulumi:"primaryEndpoint"`
	ReaderEndpoint  pulumi.StringOutput `pulumi:"readerEndpoint"`
	Port            pulumi.IntOutput    `pulumi:"port"`
	AuthToken       pulumi.StringOutput `pulumi:"authToken"` // secret
	URI             pulumi.StringOutput `pulumi:"uri"`       // secret, rediss://
	SecretARN       pulumi.StringOutput `pulumi:"secretArn"`
	SecurityGroupID pulumi.StringOutput `pulumi:"securityGroupId"`
	// MemberClusters are the nodes' cache cluster IDs (CloudWatch's CacheClusterId).
	MemberClusters pulumi.StringArrayOutput `pulumi:"memberClusters"`
	// ARN is the replication group's (a game-day drill's target).
	ARN pulumi.StringOutput `pulumi:"arn"`
}

// New provisions the cache.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Cache, error) {
	if err := args.Validate(); err != nil {
		return nil, err
	}
	c := &Cache{}
	if err := ctx.RegisterComponentResource(TypeToken, name, c, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(c)
	data := []pulumi.ResourceOption{child, pulumi.Protect(args.Protect)}

	key, err := awsbase.NewKey(ctx, name+"-key", awsbase.KeyArgs{
		Description: "ElastiCache data at rest, AUTH token secret and cache logs",
		Alias:       name,
		Account:     args.Account,
		// CloudWatch Logs encrypts the slow and engine log groups with this key.
		ServicePrincipals: []string{awsbase.LogsPrincipal(args.Account)},
		Tags:              args.Tags,
	}, data...)
	if err != nil {
		return nil, err
	}
	sg, err := awsbase.NewIngressOnlySecurityGroup(ctx, name+"-sg", awsbase.SecurityGroupArgs{
		Description:             "Redis protocol from the EKS cluster only",
		VPCID:                   args.VPCID,
		Port:                    Port,
		AllowedSecurityGroupIDs: args.AllowedSecurityGroupIDs,
		Tags:                    args.Tags,
	}, child)
	if err != nil {
		return nil, err
	}
	subnets, err := elasticache.NewSubnetGroup(ctx, name+"-subnets", &elasticache.SubnetGroupArgs{
		Description: pulumi.String("Private subnets of the EKS cluster's VPC"),
		SubnetIds:   args.SubnetIDs,
		Tags:        pulumi.ToStringMap(args.Tags),
	}, child)
	if err != nil {
		return nil, err
	}
	params, err := elasticache.NewParameterGroup(ctx, name+"-params", &elasticache.ParameterGroupArgs{
		Family:      pulumi.String(args.Family),
		Description: pulumi.String("LangGraph cache: maxmemory-policy " + args.MaxmemoryPolicy),
		Parameters: elasticache.ParameterGroupParameterArray{elasticache.ParameterGroupParameterArgs{
			Name: pulumi.String("maxmemory-policy"), Value: pulumi.String(args.MaxmemoryPolicy),
		}},
		Tags: pulumi.ToStringMap(args.Tags),
	}, child)
	if err != nil {
		return nil, err
	}
	tokenArgs := &random.RandomPasswordArgs{
		Length:          pulumi.Int(AuthTokenLength),
		Special:         pulumi.Bool(true),
		OverrideSpecial: pulumi.String(AuthTokenSpecials),
	}
	// Keepers only from the first rotation on: a stack that never rotated keeps its token.
	if args.AuthTokenGeneration > 0 {
		tokenArgs.Keepers = pulumi.StringMap{"generation": pulumi.String(strconv.Itoa(args.AuthTokenGeneration))}
	}
	token, err := random.NewRandomPassword(ctx, name+"-auth-token", tokenArgs, child)
	if err != nil {
		return nil, err
	}
	logs := elasticache.ReplicationGroupLogDeliveryConfigurationArray{}
	for _, logType := range []string{"slow-log", "engine-log"} {
		group, err := cloudwatch.NewLogGroup(ctx, name+"-"+logType, &cloudwatch.LogGroupArgs{
			RetentionInDays: pulumi.Int(args.LogRetentionDays),
			KmsKeyId:        key.Arn,
			Tags:            pulumi.ToStringMap(args.Tags),
		}, child)
		if err != nil {
			return nil, err
		}
		logs = append(logs, elasticache.ReplicationGroupLogDeliveryConfigurationArgs{
			Destination:     group.Name,
			DestinationType: pulumi.String("cloudwatch-logs"),
			LogFormat:       pulumi.String("json"),
			LogType:         pulumi.String(logType),
		})
	}
	azs := make([]string, args.Nodes)
	for i := range azs {
		azs[i] = args.AvailabilityZones[i%len(args.AvailabilityZones)]
	}
	groupArgs := &elasticache.ReplicationGroupArgs{
		Description:               pulumi.String("LangGraph streaming, pub/sub and signals"),
		Engine:                    pulumi.String(args.Engine),
		EngineVersion:             pulumi.String(args.EngineVersion),
		NodeType:                  pulumi.String(args.NodeType),
		NumCacheClusters:          pulumi.Int(args.Nodes),
		PreferredCacheClusterAzs:  pulumi.ToStringArray(azs),
		ClusterMode:               pulumi.String("disabled"),
		AutomaticFailoverEnabled:  pulumi.Bool(true),
		MultiAzEnabled:            pulumi.Bool(true),
		ParameterGroupName:        params.Name,
		SubnetGroupName:           subnets.Name,
		SecurityGroupIds:          pulumi.StringArray{sg.ID()},
		Port:                      pulumi.Int(Port),
		AtRestEncryptionEnabled:   pulumi.Bool(true),
		KmsKeyId:                  key.Arn,
		TransitEncryptionEnabled:  pulumi.Bool(true),
		TransitEncryptionMode:     pulumi.String("required"),
		AuthToken:                 token.Result,
		AuthTokenUpdateStrategy:   strategy(args.AuthTokenStrategy),
		SnapshotRetentionLimit:    pulumi.Int(args.SnapshotRetentionDays),
		SnapshotWindow:            pulumi.String(args.SnapshotWindow),
		MaintenanceWindow:         pulumi.String(args.MaintenanceWindow),
		AutoMinorVersionUpgrade:   pulumi.Bool(true),
		LogDeliveryConfigurations: logs,
		Tags:                      pulumi.ToStringMap(args.Tags),
	}
	if args.FinalSnapshot {
		groupArgs.FinalSnapshotIdentifier = pulumi.String(name + "-final")
	}
	group, err := elasticache.NewReplicationGroup(ctx, name, groupArgs, data...)
	if err != nil {
		return nil, err
	}

	// Everything that hands the token on is read after the group's update: a rotated token
	// reaches clients only once ElastiCache accepts it.
	accepted := pulumi.All(token.Result, group.PrimaryEndpointAddress).ApplyT(func(v []any) string { return v[0].(string) }).(pulumi.StringOutput)
	uri := pulumi.All(token.Result, group.PrimaryEndpointAddress).ApplyT(func(v []any) string {
		u := url.URL{Scheme: "rediss", User: url.UserPassword("", v[0].(string)), Host: fmt.Sprintf("%s:%d", v[1], Port), Path: "/0"}
		return u.String()
	}).(pulumi.StringOutput)
	document := pulumi.All(group.PrimaryEndpointAddress, group.ReaderEndpointAddress, token.Result, uri).ApplyT(func(v []any) (string, error) {
		b, err := json.Marshal(map[string]any{"host": v[0], "readerHost": v[1], "port": Port, "authToken": v[2], "uri": v[3]})
		return string(b), err
	}).(pulumi.StringOutput)
	secret, err := awsbase.NewSecret(ctx, name+"-auth", awsbase.SecretArgs{
		Description:  "LangGraph cache AUTH token and rediss:// URI",
		KMSKeyID:     key.Arn,
		Document:     document,
		RecoveryDays: 30,
		Tags:         args.Tags,
		Replica:      args.SecretReplica,
	}, data...)
	if err != nil {
		return nil, err
	}

	c.PrimaryEndpoint = group.PrimaryEndpointAddress
	c.ReaderEndpoint = group.ReaderEndpointAddress
	c.Port = pulumi.Int(Port).ToIntOutput()
	c.AuthToken = pulumi.ToSecret(accepted).(pulumi.StringOutput)
	c.URI = pulumi.ToSecret(uri).(pulumi.StringOutput)
	c.SecretARN = secret.Arn
	c.SecurityGroupID = sg.ID().ToStringOutput()
	c.MemberClusters = group.MemberClusters
	c.ARN = group.Arn
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"primaryEndpoint": c.PrimaryEndpoint, "readerEndpoint": c.ReaderEndpoint, "port": c.Port,
		"uri": c.URI, "secretArn": c.SecretARN, "securityGroupId": c.SecurityGroupID, "memberClusters": c.MemberClusters, "arn": c.ARN,
	})
}

// strategy is the group's authTokenUpdateStrategy input: nil before any rotation.
func strategy(s string) pulumi.StringPtrInput {
	if s == "" {
		return nil
	}
	return pulumi.StringPtr(s)
}
