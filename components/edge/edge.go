// Package edge provisions the AWS resources in front of the dataplane's load balancer: the S3
// bucket that receives ALB access logs (the seed's audit logging) and the WAFv2 web ACL with a
// per-IP rate limit (the seed's per-IP rate limiting) and AWS's common managed rule set. The
// ingress refers to both by annotation; the AWS Load Balancer Controller wires them to the ALB.
package edge

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/elb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "langgraph:aws:Edge"

// RateLimitRule is the name of the per-IP rate-based rule.
const RateLimitRule = "per-ip-rate-limit"

// CommonRuleSet is AWS's baseline managed rule group.
const CommonRuleSet = "AWSManagedRulesCommonRuleSet"

// CountOnlyCommonRules are rules of the common set switched to count: LangGraph run requests
// carry message histories larger than the rule's 8 KB body limit, which would block real traffic.
var CountOnlyCommonRules = []string{"SizeRestrictions_BODY"}

// Args configure the edge resources.
type Args struct {
	// RateLimit is the number of requests one IP may send per 5 minutes before it is blocked.
	RateLimit int
	// AccessLogRetentionDays is how long access logs are kept.
	AccessLogRetentionDays int
	Tags                   map[string]string
}

// Validate reports every Args problem.
func (a *Args) Validate() error {
	var errs []error
	if a.RateLimit < 10 || a.RateLimit > 2000000000 {
		errs = append(errs, fmt.Errorf("edge.Args.RateLimit=%d: must be between 10 and 2000000000 (WAF's limits)", a.RateLimit))
	}
	if a.AccessLogRetentionDays < 1 {
		errs = append(errs, fmt.Errorf("edge.Args.AccessLogRetentionDays=%d: must be >= 1", a.AccessLogRetentionDays))
	}
	return errors.Join(errs...)
}

// Edge is the provisioned access-log bucket and web ACL.
type Edge struct {
	pulumi.ResourceState

	AccessLogBucket pulumi.StringOutput `pulumi:"accessLogBucket"`
	WebACLArn       pulumi.StringOutput `pulumi:"webAclArn"`
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
	tags := pulumi.ToStringMap(args.Tags)

	bucket, err := s3.NewBucketV2(ctx, name+"-access-logs", &s3.BucketV2Args{Tags: tags}, child)
	if err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketPublicAccessBlock(ctx, name+"-access-logs", &s3.BucketPublicAccessBlockArgs{
		Bucket: bucket.ID(), BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
		IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, child); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketOwnershipControls(ctx, name+"-access-logs", &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(),
		Rule:   s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, child); err != nil {
		return nil, err
	}
	// ALB access logs support only SSE-S3 (AES256), not SSE-KMS.
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name+"-access-logs", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("AES256"),
			},
		}},
	}, child); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, name+"-access-logs", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{s3.BucketLifecycleConfigurationV2RuleArgs{
			Id:         pulumi.String("expire-access-logs"),
			Status:     pulumi.String("Enabled"),
			Filter:     s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
			Expiration: s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(args.AccessLogRetentionDays)},
			AbortIncompleteMultipartUpload: s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(1),
			},
		}},
	}, child); err != nil {
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

	visibility := func(metric string) wafv2.WebAclRuleVisibilityConfigArgs {
		return wafv2.WebAclRuleVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true), MetricName: pulumi.String(metric), SampledRequestsEnabled: pulumi.Bool(true),
		}
	}
	overrides := wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArray{}
	for _, rule := range CountOnlyCommonRules {
		overrides = append(overrides, wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs{
			Name: pulumi.String(rule),
			ActionToUse: wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs{
				Count: wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseCountArgs{},
			},
		})
	}
	acl, err := wafv2.NewWebAcl(ctx, name+"-waf", &wafv2.WebAclArgs{
		Description:   pulumi.String("LangGraph dataplane ALB: per-IP rate limit and AWS common rules"),
		Scope:         pulumi.String("REGIONAL"),
		DefaultAction: wafv2.WebAclDefaultActionArgs{Allow: wafv2.WebAclDefaultActionAllowArgs{}},
		Rules: wafv2.WebAclRuleArray{
			wafv2.WebAclRuleArgs{
				Name:     pulumi.String(RateLimitRule),
				Priority: pulumi.Int(0),
				Action:   wafv2.WebAclRuleActionArgs{Block: wafv2.WebAclRuleActionBlockArgs{}},
				Statement: wafv2.WebAclRuleStatementArgs{RateBasedStatement: wafv2.WebAclRuleStatementRateBasedStatementArgs{
					Limit: pulumi.Int(args.RateLimit), AggregateKeyType: pulumi.String("IP"), EvaluationWindowSec: pulumi.Int(300),
				}},
				VisibilityConfig: visibility(RateLimitRule),
			},
			wafv2.WebAclRuleArgs{
				Name:           pulumi.String(CommonRuleSet),
				Priority:       pulumi.Int(1),
				OverrideAction: wafv2.WebAclRuleOverrideActionArgs{None: wafv2.WebAclRuleOverrideActionNoneArgs{}},
				Statement: wafv2.WebAclRuleStatementArgs{ManagedRuleGroupStatement: wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs{
					VendorName: pulumi.String("AWS"), Name: pulumi.String(CommonRuleSet), RuleActionOverrides: overrides,
				}},
				VisibilityConfig: visibility(CommonRuleSet),
			},
		},
		VisibilityConfig: wafv2.WebAclVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true), MetricName: pulumi.String(name), SampledRequestsEnabled: pulumi.Bool(true),
		},
		Tags: tags,
	}, child)
	if err != nil {
		return nil, err
	}

	e.AccessLogBucket = bucket.Bucket
	e.WebACLArn = acl.Arn
	return e, ctx.RegisterResourceOutputs(e, pulumi.Map{"accessLogBucket": e.AccessLogBucket, "webAclArn": e.WebACLArn})
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
