// Package awsbase holds the AWS building blocks the components share: a customer-managed KMS key,
// the ALB 5xx-share metric math two alarms read,
// a security group that admits one port from named groups only, a KMS-encrypted Secrets Manager
// secret (optionally replicated to a second region), and a private, versioned, expiring bucket. They are helpers that register resources under a caller's component,
// not components of their own.
package awsbase

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Account identifies where keys and policies live.
type Account struct {
	ID        string // 12-digit account ID
	Partition string // aws, aws-cn, aws-us-gov
	Region    string
}

// LookupAccount is the account, partition and region the AWS provider deploys to.
func LookupAccount(ctx *pulumi.Context) (Account, error) {
	identity, err := aws.GetCallerIdentity(ctx, nil)
	if err != nil {
		return Account{}, err
	}
	partition, err := aws.GetPartition(ctx, nil)
	if err != nil {
		return Account{}, err
	}
	region, err := aws.GetRegion(ctx, nil)
	if err != nil {
		return Account{}, err
	}
	return Account{ID: identity.AccountId, Partition: partition.Partition, Region: region.Name}, nil
}

// LogsPrincipal is CloudWatch Logs' service principal in the account's region: a key that
// encrypts log groups must let it use the key.
func LogsPrincipal(a Account) string { return fmt.Sprintf("logs.%s.amazonaws.com", a.Region) }

// KeyArgs configure a customer-managed KMS key.
type KeyArgs struct {
	Description string
	Alias       string // without the "alias/" prefix
	Account     Account
	// ServicePrincipals may use the key for encryption on the account's behalf (for example
	// events.rds.amazonaws.com for an encrypted SNS topic, logs.<region>.amazonaws.com).
	ServicePrincipals []string
	Tags              map[string]string
}

// NewKey creates a KMS key with yearly rotation and a 30-day deletion window, plus its alias.
// The key policy delegates to IAM in the account (AWS's default) and lets the named services
// encrypt and decrypt.
func NewKey(ctx *pulumi.Context, name string, args KeyArgs, opts ...pulumi.ResourceOption) (*kms.Key, error) {
	statements := []Statement{{
		Sid:       "AccountAdministersThroughIAM",
		Effect:    Allow,
		Principal: map[string]string{"AWS": args.Account.ARN("iam", "", args.Account.ID, "root")},
		Action:    []string{"kms:*"},
		Resource:  []string{"*"},
	}}
	for _, p := range args.ServicePrincipals {
		statements = append(statements, Statement{
			Sid:       "Service" + sanitize(p),
			Effect:    Allow,
			Principal: Service(p),
			Action:    []string{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"},
			Resource:  []string{"*"},
			Condition: OnBehalfOf(args.Account),
		})
	}
	policy, err := Policy(statements...).JSON()
	if err != nil {
		return nil, err
	}
	key, err := kms.NewKey(ctx, name, &kms.KeyArgs{
		Description:          pulumi.String(args.Description),
		EnableKeyRotation:    pulumi.Bool(true),
		DeletionWindowInDays: pulumi.Int(30),
		Policy:               pulumi.String(policy),
		Tags:                 pulumi.ToStringMap(args.Tags),
	}, opts...)
	if err != nil {
		return nil, err
	}
	_, err = kms.NewAlias(ctx, name+"-alias", &kms.AliasArgs{
		Name:        pulumi.String("alias/" + args.Alias),
		TargetKeyId: key.KeyId,
	}, withoutProtect(opts)...)
	return key, err
}

func sanitize(s string) string {
	out := []rune{}
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			out = append(out, r)
		}
	}
	return string(out)
}

// withoutProtect keeps the caller's options (parent, provider) but drops protect: an alias can
// be recreated freely.
func withoutProtect(opts []pulumi.ResourceOption) []pulumi.ResourceOption {
	return append(append([]pulumi.ResourceOption(nil), opts...), pulumi.Protect(false))
}

// SecurityGroupArgs configure a security group that admits one TCP port from other groups only.
type SecurityGroupArgs struct {
	Description             string
	VPCID                   pulumi.StringInput
	Port                    int
	AllowedSecurityGroupIDs pulumi.StringArrayInput
	Tags                    map[string]string
}

// NewIngressOnlySecurityGroup admits Port from AllowedSecurityGroupIDs and nothing else. It has
// no egress rules: security groups are stateful, so replies flow, and a managed database or
// cache opens no connections of its own.
func NewIngressOnlySecurityGroup(ctx *pulumi.Context, name string, args SecurityGroupArgs, opts ...pulumi.ResourceOption) (*ec2.SecurityGroup, error) {
	return ec2.NewSecurityGroup(ctx, name, &ec2.SecurityGroupArgs{
		Description: pulumi.String(args.Description),
		VpcId:       args.VPCID,
		Ingress: ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
			Description:    pulumi.String(fmt.Sprintf("TCP %d from the cluster's security groups", args.Port)),
			Protocol:       pulumi.String("tcp"),
			FromPort:       pulumi.Int(args.Port),
			ToPort:         pulumi.Int(args.Port),
			SecurityGroups: args.AllowedSecurityGroupIDs,
		}},
		Egress:              ec2.SecurityGroupEgressArray{},
		RevokeRulesOnDelete: pulumi.Bool(true),
		Tags:                pulumi.ToStringMap(args.Tags),
	}, opts...)
}

// SecretArgs configure a Secrets Manager secret holding a JSON document.
type SecretArgs struct {
	Description  string
	KMSKeyID     pulumi.StringInput
	Document     pulumi.StringInput // JSON; kept secret
	RecoveryDays int
	Tags         map[string]string
	// Replica, when set, keeps a copy of the secret in a second region, under a key there.
	Replica *SecretReplica
}

// SecretReplica is a region a secret is replicated to and the KMS key it is encrypted with there.
type SecretReplica struct {
	Region   string
	KMSKeyID pulumi.StringInput
}

// NewSecret stores Document in a KMS-encrypted secret and returns the secret.
func NewSecret(ctx *pulumi.Context, name string, args SecretArgs, opts ...pulumi.ResourceOption) (*secretsmanager.Secret, error) {
	secretArgs := &secretsmanager.SecretArgs{
		Description:          pulumi.String(args.Description),
		KmsKeyId:             args.KMSKeyID,
		RecoveryWindowInDays: pulumi.Int(args.RecoveryDays),
		Tags:                 pulumi.ToStringMap(args.Tags),
	}
	if r := args.Replica; r != nil {
		secretArgs.Replicas = secretsmanager.SecretReplicaArray{secretsmanager.SecretReplicaArgs{
			Region: pulumi.String(r.Region), KmsKeyId: r.KMSKeyID,
		}}
	}
	secret, err := secretsmanager.NewSecret(ctx, name, secretArgs, opts...)
	if err != nil {
		return nil, err
	}
	_, err = secretsmanager.NewSecretVersion(ctx, name+"-value", &secretsmanager.SecretVersionArgs{
		SecretId:     secret.ID(),
		SecretString: pulumi.ToSecret(args.Document).(pulumi.StringOutput),
	}, append(withoutProtect(opts), pulumi.Parent(secret))...)
	return secret, err
}

// BucketArgs configure a private, versioned, encrypted bucket whose objects expire.
type BucketArgs struct {
	Tags pulumi.StringMapInput
	// KMSKeyID encrypts new objects with SSE-KMS; empty: SSE-S3 (AES256), what ALB access logs need.
	KMSKeyID pulumi.StringInput
	// ExpireDays expires objects and their noncurrent versions; 0 keeps current objects for ever
	// and expires noncurrent versions after NoncurrentDays (a state bucket).
	ExpireDays     int
	NoncurrentDays int
}

// NewPrivateBucket creates a bucket with every public access blocked, ACLs off (bucket owner
// enforced), default encryption, versioning (so an object cannot be overwritten or deleted
// without a trace within the retention), and a lifecycle that expires objects and old versions
// after ExpireDays. Its configuration resources are named after it.
func NewPrivateBucket(ctx *pulumi.Context, name string, args BucketArgs, opts ...pulumi.ResourceOption) (*s3.BucketV2, error) {
	bucket, err := s3.NewBucketV2(ctx, name, &s3.BucketV2Args{Tags: args.Tags}, opts...)
	if err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketPublicAccessBlock(ctx, name, &s3.BucketPublicAccessBlockArgs{
		Bucket: bucket.ID(), BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
		IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, opts...); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketOwnershipControls(ctx, name, &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(),
		Rule:   s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, opts...); err != nil {
		return nil, err
	}
	sse := s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{SseAlgorithm: pulumi.String("AES256")}
	if args.KMSKeyID != nil {
		sse = s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{SseAlgorithm: pulumi.String("aws:kms"), KmsMasterKeyId: args.KMSKeyID}
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules:  s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{ApplyServerSideEncryptionByDefault: sse}},
	}, opts...); err != nil {
		return nil, err
	}
	rule := s3.BucketLifecycleConfigurationV2RuleArgs{
		Id:     pulumi.String("expire-access-logs"),
		Status: pulumi.String("Enabled"),
		Filter: s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
		// Versions replaced or deleted are kept as long as the objects themselves, then go.
		NoncurrentVersionExpiration: s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
			NoncurrentDays: pulumi.Int(args.ExpireDays),
		},
		AbortIncompleteMultipartUpload: s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
			DaysAfterInitiation: pulumi.Int(1),
		},
	}
	if args.ExpireDays > 0 {
		rule.Expiration = s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(args.ExpireDays)}
	} else {
		rule.Id = pulumi.String("expire-old-versions")
		rule.NoncurrentVersionExpiration = s3.BucketLifecycleConfigurationV2RuleNoncurrentVersionExpirationArgs{
			NoncurrentDays: pulumi.Int(args.NoncurrentDays),
		}
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, name, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules:  s3.BucketLifecycleConfigurationV2RuleArray{rule},
	}, opts...); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketVersioningV2(ctx, name, &s3.BucketVersioningV2Args{
		Bucket:                  bucket.ID(),
		VersioningConfiguration: s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, opts...); err != nil {
		return nil, err
	}
	return bucket, nil
}
