// Package edge provisions the AWS resources in front of the dataplane's load balancer: the S3
// bucket that receives ALB access logs (the seed's audit logging) and the WAFv2 web ACL: per-IP
// and per-credential rate limits (the seed's per-IP and per-user limits), a 401 for API calls
// without a credential, AWS's common, known-bad-inputs and IP reputation rule groups, and
// logging of every request it sees to a KMS-encrypted log group with the credential redacted.
// The ingress refers to the bucket and the ACL by annotation; the AWS Load Balancer Controller
// wires them to the ALB.
package edge

import (
	"errors"
	"fmt"
	"strings"

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
	// AccessLogPrefix is the key prefix the load balancer writes its logs under (the Ingress's
	// access_logs.s3.prefix): the bucket lets ELB write <prefix>/AWSLogs/<account>/ only.
	AccessLogPrefix string
	Tags            map[string]string
}

// Validate reports what config cannot see: the inputs the WAF rules need at all.
func (a *Args) Validate() error {
	var errs []error
	if a.CredentialHeader == "" {
		errs = append(errs, fmt.Errorf("edge.Args.CredentialHeader is required: the per-client rate limit keys on it and the logs redact it"))
	}
	if p := a.AccessLogPrefix; p == "" || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "AWSLogs") {
		errs = append(errs, fmt.Errorf("edge.Args.AccessLogPrefix=%q: a non-empty key prefix without a leading or trailing slash and without AWSLogs (ELB refuses it)", p))
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
	// AccessLogPrefix is where the load balancer must write (Args.AccessLogPrefix).
	AccessLogPrefix string
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
		Policy: bucket.Arn.ApplyT(func(arn string) (string, error) {
			return accessLogPolicy(arn, args.AccessLogPrefix, args.Account, elbAccount.Arn)
		}).(pulumi.StringOutput),
	}, child); err != nil {
		return nil, err
	}

	acl, err := webACL(ctx, name, args, child)
	if err != nil {
		return nil, err
	}

	e.AccessLogPrefix = args.AccessLogPrefix
	e.AccessLogBucket = bucket.Bucket
	e.AccessLogBucketARN = bucket.Arn
	e.WebACLARN = acl.webACL.Arn
	e.LogGroupName = acl.logGroup.Name
	e.WebACLName = acl.webACL.Name
	return e, ctx.RegisterResourceOutputs(e, pulumi.Map{"accessLogBucket": e.AccessLogBucket, "webAclArn": e.WebACLARN, "logGroupName": e.LogGroupName, "webAclName": e.WebACLName})
}

// accessLogPolicy lets Elastic Load Balancing write logs (the regional ELB account for older
// regions, the log delivery service for newer ones) under the prefix and this account's AWSLogs
// folder only, and refuses every request not made over TLS. ELB's log delivery sends no
// aws:SourceAccount; the account in the key path is its confused-deputy guard (the ELB guide's
// bucket policy).
func accessLogPolicy(bucketArn, prefix string, account awsbase.Account, elbAccountArn string) (string, error) {
	logs := []string{bucketArn + "/" + prefix + "/AWSLogs/" + account.ID + "/*"}
	return awsbase.Policy(
		awsbase.Statement{
			Sid: "DenyInsecureTransport", Effect: awsbase.Deny, Principal: awsbase.AnyPrincipal, Action: []string{"s3:*"},
			Resource:  []string{bucketArn, bucketArn + "/*"},
			Condition: awsbase.Conditions{"Bool": {"aws:SecureTransport": "false"}},
		},
		awsbase.Statement{
			Sid: "ELBAccountWritesLogs", Effect: awsbase.Allow, Principal: map[string]string{"AWS": elbAccountArn},
			Action: []string{"s3:PutObject"}, Resource: logs,
		},
		awsbase.Statement{
			Sid: "ELBLogDeliveryWritesLogs", Effect: awsbase.Allow, Principal: awsbase.Service("logdelivery.elasticloadbalancing.amazonaws.com"),
			Action: []string{"s3:PutObject"}, Resource: logs,
		},
	).JSON()
}

// AuditTags are tags plus the audit data class the access logs carry (and their replicas).
func AuditTags(tags map[string]string) map[string]string {
	out := map[string]string{AuditTagKey: AuditTagValue}
	for k, v := range tags {
		out[k] = v
	}
	return out
}
