// Package edge provisions the AWS resources in front of the dataplane's load balancer: the S3
// bucket that receives ALB access logs (the seed's audit logging) and the WAFv2 web ACL: per-IP
// and per-credential rate limits (the seed's per-IP and per-user limits), a 401 for API calls
// without a credential, AWS's common, known-bad-inputs and IP reputation rule groups, and
// logging of every request it sees to a KMS-encrypted log group with the credential redacted.
// The ingress refers to the bucket and the ACL by annotation; the AWS Load Balancer Controller
// wires them to the ALB.
package edge

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/components/awsbase"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "langgraph:aws:Edge"

// AuditTagKey=AuditTagValue marks a bucket that holds audit data (the policy pack requires its
// versioning).
const (
	AuditTagKey   = "DataClass"
	AuditTagValue = "audit"
)

// Args configure the edge resources. Ranges are checked by package config; the component keeps
// only what config cannot see.
type Args struct {
	// Account owns the key that encrypts the WAF log group.
	Account awsbase.Account
	// RateLimit is the number of requests one IP may send per 5 minutes before it is blocked.
	RateLimit int
	// CredentialHeader carries a client's credential; ClientRateLimit is the number of requests
	// one credential value may send per 5 minutes. WAF's logs redact the header.
	CredentialHeader string
	ClientRateLimit  int
	// RequireCredentialOn are path prefixes WAF answers with 401 when CredentialHeader is absent;
	// empty: no such rule (the API takes no credential).
	RequireCredentialOn []string
	// AccessLogRetentionDays is how long access logs are kept; LogRetentionDays, WAF's logs.
	AccessLogRetentionDays int
	LogRetentionDays       int
	Tags                   map[string]string
}

// Validate reports what config cannot see: the inputs the WAF rules need at all.
func (a *Args) Validate() error {
	var errs []error
	if a.CredentialHeader == "" {
		errs = append(errs, fmt.Errorf("edge.Args.CredentialHeader is required: the per-client rate limit keys on it and the logs redact it"))
	}
	if a.Account.Region == "" || a.Account.ID == "" {
		errs = append(errs, fmt.Errorf("edge.Args.Account: ID and Region are required for the WAF log key"))
	}
	return errors.Join(errs...)
}

// Edge is the provisioned access-log bucket and web ACL.
type Edge struct {
	pulumi.ResourceState

	AccessLogBucket    pulumi.StringOutput `pulumi:"accessLogBucket"`
	AccessLogBucketARN pulumi.StringOutput `pulumi:"accessLogBucketArn"`
	WebACLARN          pulumi.StringOutput `pulumi:"webAclArn"`
	LogGroupName       pulumi.StringOutput `pulumi:"logGroupName"`
	// WebACLName is the web ACL's name: CloudWatch's WebACL dimension.
	WebACLName pulumi.StringOutput `pulumi:"webAclName"`
}

// New provisions the edge resources.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Edge, error) {
	if err := args.Validate(); err != nil {
		return nil, err
	}
	e := &Edge{}
	if err := ctx.RegisterComponentResource(TypeToken, name, e, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(e)

	// The access logs are the seed's audit trail: tagged as such, and versioned so a log cannot be
	// overwritten or deleted without a trace within the retention period.
	auditTags := pulumi.ToStringMap(AuditTags(args.Tags))
	// ALB access logs support only SSE-S3 (AES256), not SSE-KMS.
	bucket, err := awsbase.NewPrivateBucket(ctx, name+"-access-logs", awsbase.BucketArgs{
		Tags: auditTags, ExpireDays: args.AccessLogRetentionDays,
	}, child)
	if err != nil {
		return nil, err
	}
	elbAccount, err := elb.GetServiceAccount(ctx, &elb.GetServiceAccountArgs{})
	if err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketPolicy(ctx, name+"-access-logs", &s3.BucketPolicyArgs{
		Bucket: bucket.ID(),
		Policy: bucket.Arn.ApplyT(func(arn string) (string, error) { return accessLogPolicy(arn, elbAccount.Arn) }).(pulumi.StringOutput),
	}, child); err != nil {
		return nil, err
	}

	acl, err := webACL(ctx, name, args, child)
	if err != nil {
		return nil, err
	}

	e.AccessLogBucket = bucket.Bucket
	e.AccessLogBucketARN = bucket.Arn
	e.WebACLARN = acl.webACL.Arn
	e.LogGroupName = acl.logGroup.Name
	e.WebACLName = acl.webACL.Name
	return e, ctx.RegisterResourceOutputs(e, pulumi.Map{"accessLogBucket": e.AccessLogBucket, "webAclArn": e.WebACLARN, "logGroupName": e.LogGroupName, "webAclName": e.WebACLName})
}

// accessLogPolicy lets Elastic Load Balancing write logs (the regional ELB account for older
// regions, the log delivery service for newer ones) and refuses every request not made over TLS.
func accessLogPolicy(bucketArn, elbAccountArn string) (string, error) {
	b, err := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{
			map[string]any{
				"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
				"Resource":  []string{bucketArn, bucketArn + "/*"},
				"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			},
			map[string]any{
				"Sid": "ELBAccountWritesLogs", "Effect": "Allow", "Principal": map[string]any{"AWS": elbAccountArn},
				"Action": "s3:PutObject", "Resource": bucketArn + "/*",
			},
			map[string]any{
				"Sid": "ELBLogDeliveryWritesLogs", "Effect": "Allow",
				"Principal": map[string]any{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
				"Action":    "s3:PutObject", "Resource": bucketArn + "/*",
			},
		},
	})
	return string(b), err
}

// AuditTags are tags plus the audit data class the access logs carry (and their replicas).
func AuditTags(tags map[string]string) map[string]string {
	out := map[string]string{AuditTagKey: AuditTagValue}
	for k, v := range tags {
		out[k] = v
	}
	return out
}
