package edge

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/wafv2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/awsbase"
)

// Rule names of the web ACL, in priority order.
const (
	RateLimitRule         = "per-ip-rate-limit"
	ClientRateLimitRule   = "per-client-rate-limit"
	RequireCredentialRule = "require-credential"
	IPReputationList      = "AWSManagedRulesAmazonIpReputationList"
	KnownBadInputsRuleSet = "AWSManagedRulesKnownBadInputsRuleSet"
	CommonRuleSet         = "AWSManagedRulesCommonRuleSet"
)

// CountOnlyCommonRules are rules of the common set switched to count: LangGraph run requests
// carry message histories larger than the rule's 8 KB body limit, which would block real traffic.
var CountOnlyCommonRules = []string{"SizeRestrictions_BODY"}

// APIRoutePrefixes are the LangGraph API routes that take a credential, as the server's OpenAPI
// document lists them (catalog): threads and their runs, stateless runs, assistants, the store,
// and the MCP and A2A endpoints. Health (/ok), /info and the docs stay open.
var APIRoutePrefixes = catalog.LangGraphCredentialedRoutes

// RateWindowSeconds is the evaluation window of both rate-based rules.
const RateWindowSeconds = 300

type acl struct {
	webACL   *wafv2.WebAcl
	logGroup *cloudwatch.LogGroup
}

func visibility(metric string) wafv2.WebAclRuleVisibilityConfigArgs {
	return wafv2.WebAclRuleVisibilityConfigArgs{
		CloudwatchMetricsEnabled: pulumi.Bool(true), MetricName: pulumi.String(metric), SampledRequestsEnabled: pulumi.Bool(true),
	}
}

// rateRule blocks what a rate-based statement counts over its limit.
func rateRule(name string, priority int, statement wafv2.WebAclRuleStatementRateBasedStatementArgs) wafv2.WebAclRuleArgs {
	return wafv2.WebAclRuleArgs{
		Name:             pulumi.String(name),
		Priority:         pulumi.Int(priority),
		Action:           wafv2.WebAclRuleActionArgs{Block: wafv2.WebAclRuleActionBlockArgs{}},
		Statement:        wafv2.WebAclRuleStatementArgs{RateBasedStatement: statement},
		VisibilityConfig: visibility(name),
	}
}

func managedGroup(name string, priority int, overrides wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArray) wafv2.WebAclRuleArgs {
	return wafv2.WebAclRuleArgs{
		Name:           pulumi.String(name),
		Priority:       pulumi.Int(priority),
		OverrideAction: wafv2.WebAclRuleOverrideActionArgs{None: wafv2.WebAclRuleOverrideActionNoneArgs{}},
		Statement: wafv2.WebAclRuleStatementArgs{ManagedRuleGroupStatement: wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs{
			VendorName: pulumi.String("AWS"), Name: pulumi.String(name), RuleActionOverrides: overrides,
		}},
		VisibilityConfig: visibility(name),
	}
}

// requireCredential blocks, with 401, a request to one of prefixes that lacks the header. The
// path is URL-decoded and normalised first (/%74hreads, //threads and /x/../threads are the
// server's /threads too).
func requireCredential(header string, prefixes []string, priority int) wafv2.WebAclRuleArgs {
	var paths wafv2.WebAclRuleStatementArray
	for _, p := range prefixes {
		paths = append(paths, wafv2.WebAclRuleStatementArgs{ByteMatchStatement: wafv2.WebAclRuleStatementByteMatchStatementArgs{
			FieldToMatch:         wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchArgs{UriPath: wafv2.WebAclRuleStatementByteMatchStatementFieldToMatchUriPathArgs{}},
			PositionalConstraint: pulumi.String("STARTS_WITH"),
			SearchString:         pulumi.String(p),
			TextTransformations: wafv2.WebAclRuleStatementByteMatchStatementTextTransformationArray{
				wafv2.WebAclRuleStatementByteMatchStatementTextTransformationArgs{Priority: pulumi.Int(0), Type: pulumi.String("URL_DECODE")},
				wafv2.WebAclRuleStatementByteMatchStatementTextTransformationArgs{Priority: pulumi.Int(1), Type: pulumi.String("NORMALIZE_PATH")},
			},
		}})
	}
	route := paths[0]
	if len(paths) > 1 {
		route = wafv2.WebAclRuleStatementArgs{OrStatement: wafv2.WebAclRuleStatementOrStatementArgs{Statements: paths}}
	}
	// A missing header never matches a size constraint, so NOT(size > 0) means "absent or empty".
	hasHeader := wafv2.WebAclRuleStatementArgs{SizeConstraintStatement: wafv2.WebAclRuleStatementSizeConstraintStatementArgs{
		ComparisonOperator: pulumi.String("GT"),
		Size:               pulumi.Int(0),
		FieldToMatch: wafv2.WebAclRuleStatementSizeConstraintStatementFieldToMatchArgs{
			SingleHeader: wafv2.WebAclRuleStatementSizeConstraintStatementFieldToMatchSingleHeaderArgs{Name: pulumi.String(header)},
		},
		TextTransformations: wafv2.WebAclRuleStatementSizeConstraintStatementTextTransformationArray{
			wafv2.WebAclRuleStatementSizeConstraintStatementTextTransformationArgs{Priority: pulumi.Int(0), Type: pulumi.String("NONE")},
		},
	}}
	return wafv2.WebAclRuleArgs{
		Name:     pulumi.String(RequireCredentialRule),
		Priority: pulumi.Int(priority),
		Action: wafv2.WebAclRuleActionArgs{Block: wafv2.WebAclRuleActionBlockArgs{
			CustomResponse: wafv2.WebAclRuleActionBlockCustomResponseArgs{ResponseCode: pulumi.Int(401)},
		}},
		Statement: wafv2.WebAclRuleStatementArgs{AndStatement: wafv2.WebAclRuleStatementAndStatementArgs{Statements: wafv2.WebAclRuleStatementArray{
			route,
			wafv2.WebAclRuleStatementArgs{NotStatement: wafv2.WebAclRuleStatementNotStatementArgs{Statements: wafv2.WebAclRuleStatementArray{hasHeader}}},
		}}},
		VisibilityConfig: visibility(RequireCredentialRule),
	}
}

// webACL creates the web ACL and its logging.
func webACL(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*acl, error) {
	overrides := wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArray{}
	for _, rule := range CountOnlyCommonRules {
		overrides = append(overrides, wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideArgs{
			Name: pulumi.String(rule),
			ActionToUse: wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseArgs{
				Count: wafv2.WebAclRuleStatementManagedRuleGroupStatementRuleActionOverrideActionToUseCountArgs{},
			},
		})
	}
	perIP := wafv2.WebAclRuleStatementRateBasedStatementArgs{
		Limit: pulumi.Int(args.RateLimit), AggregateKeyType: pulumi.String("IP"), EvaluationWindowSec: pulumi.Int(RateWindowSeconds),
	}
	// Keyed on the credential's value: a request without the header is not counted here.
	perClient := wafv2.WebAclRuleStatementRateBasedStatementArgs{
		Limit: pulumi.Int(args.ClientRateLimit), AggregateKeyType: pulumi.String("CUSTOM_KEYS"), EvaluationWindowSec: pulumi.Int(RateWindowSeconds),
		CustomKeys: wafv2.WebAclRuleStatementRateBasedStatementCustomKeyArray{wafv2.WebAclRuleStatementRateBasedStatementCustomKeyArgs{
			Header: wafv2.WebAclRuleStatementRateBasedStatementCustomKeyHeaderArgs{
				Name: pulumi.String(args.CredentialHeader),
				TextTransformations: wafv2.WebAclRuleStatementRateBasedStatementCustomKeyHeaderTextTransformationArray{
					wafv2.WebAclRuleStatementRateBasedStatementCustomKeyHeaderTextTransformationArgs{Priority: pulumi.Int(0), Type: pulumi.String("NONE")},
				},
			},
		}},
	}
	rules := wafv2.WebAclRuleArray{rateRule(RateLimitRule, 0, perIP), rateRule(ClientRateLimitRule, 1, perClient)}
	priority := 2
	if len(args.RequireCredentialOn) > 0 {
		rules = append(rules, requireCredential(args.CredentialHeader, args.RequireCredentialOn, priority))
		priority++
	}
	rules = append(rules,
		managedGroup(IPReputationList, priority, nil),
		managedGroup(KnownBadInputsRuleSet, priority+1, nil),
		managedGroup(CommonRuleSet, priority+2, overrides),
	)
	webACL, err := wafv2.NewWebAcl(ctx, name+"-waf", &wafv2.WebAclArgs{
		Description:   pulumi.String("LangGraph dataplane ALB: per-IP and per-credential rate limits, credential required on API routes, AWS managed rules"),
		Scope:         pulumi.String("REGIONAL"),
		DefaultAction: wafv2.WebAclDefaultActionArgs{Allow: wafv2.WebAclDefaultActionAllowArgs{}},
		Rules:         rules,
		VisibilityConfig: wafv2.WebAclVisibilityConfigArgs{
			CloudwatchMetricsEnabled: pulumi.Bool(true), MetricName: pulumi.String(name), SampledRequestsEnabled: pulumi.Bool(true),
		},
		Tags: pulumi.ToStringMap(args.Tags),
	}, opts...)
	if err != nil {
		return nil, err
	}

	// "Track all API requests": WAF logs every request it sees, blocked ones included (the ALB's
	// access logs have only what reached it), with the credential redacted.
	key, err := awsbase.NewKey(ctx, name+"-waf-logs-key", awsbase.KeyArgs{
		Description:       "WAF request logs of " + name,
		Alias:             name + "-waf-logs",
		Account:           args.Account,
		ServicePrincipals: []string{awsbase.LogsPrincipal(args.Account)},
		Tags:              args.Tags,
	}, opts...)
	if err != nil {
		return nil, err
	}
	logGroup, err := cloudwatch.NewLogGroup(ctx, name+"-waf-logs", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(catalog.WAFLogGroupPrefix + name),
		RetentionInDays: pulumi.Int(args.LogRetentionDays),
		KmsKeyId:        key.Arn,
		Tags:            pulumi.ToStringMap(args.Tags),
	}, opts...)
	if err != nil {
		return nil, err
	}
	if _, err := wafv2.NewWebAclLoggingConfiguration(ctx, name+"-waf-logging", &wafv2.WebAclLoggingConfigurationArgs{
		ResourceArn:           webACL.Arn,
		LogDestinationConfigs: pulumi.StringArray{logGroup.Arn},
		RedactedFields: wafv2.WebAclLoggingConfigurationRedactedFieldArray{wafv2.WebAclLoggingConfigurationRedactedFieldArgs{
			SingleHeader: wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs{Name: pulumi.String(args.CredentialHeader)},
		}},
	}, opts...); err != nil {
		return nil, err
	}
	return &acl{webACL: webACL, logGroup: logGroup}, nil
}
