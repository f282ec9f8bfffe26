// Package recovery makes a stack recoverable in a second region, to the seed's recovery targets:
// the recovery region's provider and KMS key (NewRegion, created before the data tier so its
// secrets can replicate under that key), and what protects the data (New): the database's
// automated backups replicated there, AWS Backup recovery points copied there, a restore test of
// the database on a schedule with its result sent to the stack's SNS topic, and the access-log
// bucket replicated there.
package recovery

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/components/awsbase"
)

// RegionTypeToken is the recovery region's Pulumi type.
const RegionTypeToken = "langgraph:aws:RecoveryRegion"

// RegionArgs name the recovery region.
type RegionArgs struct {
	Region  string
	Account awsbase.Account // the stack's; its Region is replaced by Region
	Tags    map[string]string
}

// Region is an AWS provider and a KMS key in the recovery region.
type Region struct {
	pulumi.ResourceState

	Name     string
	Provider *aws.Provider
	KeyARN   pulumi.StringOutput `pulumi:"keyArn"`
}

// NewRegion creates the recovery region's provider (the stack's credentials, another region) and
// its key: replicated backups, secrets and copied recovery points are encrypted with it there.
func NewRegion(ctx *pulumi.Context, name string, args RegionArgs, opts ...pulumi.ResourceOption) (*Region, error) {
	r := &Region{Name: args.Region}
	if err := ctx.RegisterComponentResource(RegionTypeToken, name, r, opts...); err != nil {
		return nil, err
	}
	provider, err := aws.NewProvider(ctx, name+"-provider", &aws.ProviderArgs{
		Region:      pulumi.String(args.Region),
		DefaultTags: aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(args.Tags)},
	}, pulumi.Parent(r))
	if err != nil {
		return nil, err
	}
	acct := args.Account
	acct.Region = args.Region
	key, err := awsbase.NewKey(ctx, name+"-key", awsbase.KeyArgs{
		Description: "Recovery region: replicated database backups, secrets and recovery points",
		Alias:       name, Account: acct, Tags: args.Tags,
	}, pulumi.Parent(r), pulumi.Provider(provider))
	if err != nil {
		return nil, err
	}
	r.Provider, r.KeyARN = provider, key.Arn
	return r, ctx.RegisterResourceOutputs(r, pulumi.Map{"keyArn": r.KeyARN})
}
