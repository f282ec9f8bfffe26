package tests

import (
	"github.com/langgraph-platform/infra/catalog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/components/dataplane"
	"github.com/langgraph-platform/infra/components/edge"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/render"
	"github.com/langgraph-platform/infra/internal/stackfile/stackfiletest"
	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/program"
)

const webACLType = "aws:wafv2/webAcl:WebAcl"

// wafRules returns the web ACL's rules by name, checking that priorities are unique.
func wafRules(t *testing.T, acl *harness.Resource) map[string]map[string]any {
	t.Helper()
	rules := map[string]map[string]any{}
	priorities := map[float64]string{}
	for _, r := range acl.In("rules").([]any) {
		m := r.(map[string]any)
		name := m["name"].(string)
		p := m["priority"].(float64)
		require.NotContains(t, priorities, p, "rules %s and %s share priority %v", name, priorities[p], p)
		priorities[p] = name
		rules[name] = m
	}
	return rules
}

func TestWAFRateLimitAndCommonRules(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	acl := stacktest.One(t, res, webACLType, "-edge-waf")
	assert.Equal(t, "REGIONAL", acl.In("scope"))
	rate := acl.In("rules[0]").(map[string]any)
	assert.Equal(t, "per-ip-rate-limit", rate["name"])
	assert.Equal(t, 2000.0, acl.In("rules[0].statement.rateBasedStatement.limit"))
	assert.Equal(t, "IP", acl.In("rules[0].statement.rateBasedStatement.aggregateKeyType"))
	assert.True(t, acl.Has("rules[0].action.block"))
	common := wafRules(t, acl)[edge.CommonRuleSet]
	require.NotNil(t, common)
	assert.Equal(t, "AWSManagedRulesCommonRuleSet", dig(common, "statement", "managedRuleGroupStatement", "name"))
	assert.Equal(t, "SizeRestrictions_BODY", dig(common, "statement", "managedRuleGroupStatement", "ruleActionOverrides", 0, "name"))
	staging := stacktest.One(t, stacktest.Run(t, "staging", nil), webACLType, "-edge-waf")
	assert.Equal(t, 1000.0, staging.In("rules[0].statement.rateBasedStatement.limit"))
}

// One leaked key cannot take the whole budget: WAF counts requests per credential value.
func TestWAFLimitsEachClientCredential(t *testing.T) {
	for stack, limit := range map[string]float64{"prod": 1000, "staging": 500} {
		acl := stacktest.One(t, stacktest.Run(t, stack, nil), webACLType, "-edge-waf")
		rule := wafRules(t, acl)[edge.ClientRateLimitRule]
		require.NotNil(t, rule, stack)
		assert.Contains(t, rule["action"], "block")
		rb := dig(rule, "statement", "rateBasedStatement").(map[string]any)
		assert.Equal(t, limit, rb["limit"], stack)
		assert.Equal(t, "CUSTOM_KEYS", rb["aggregateKeyType"])
		assert.Equal(t, float64(edge.RateWindowSeconds), rb["evaluationWindowSec"])
		assert.Equal(t, "x-api-key", dig(rb, "customKeys", 0, "header", "name"))
	}
	acl := stacktest.One(t, stacktest.Run(t, "prod", map[string]any{"auth.header": "authorization", "ingress.wafClientRateLimit": 300}), webACLType, "-edge-waf")
	rb := dig(wafRules(t, acl)[edge.ClientRateLimitRule], "statement", "rateBasedStatement")
	assert.Equal(t, "authorization", dig(rb, "customKeys", 0, "header", "name"), "the header follows auth.header")
	assert.Equal(t, 300.0, dig(rb, "limit"))
}

// With authentication on, API calls without the credential header are answered 401 at the edge;
// the path is decoded and normalised first so /%74hreads and //threads are caught too.
func TestWAFRequiresTheCredentialOnAPIRoutes(t *testing.T) {
	acl := stacktest.One(t, stacktest.Run(t, "prod", nil), webACLType, "-edge-waf")
	rules := wafRules(t, acl)
	rule := rules[edge.RequireCredentialRule]
	require.NotNil(t, rule)
	assert.Less(t, rule["priority"], rules[edge.CommonRuleSet]["priority"], "the cheap filter runs before the managed groups")
	assert.Equal(t, 401.0, dig(rule, "action", "block", "customResponse", "responseCode"))
	and := dig(rule, "statement", "andStatement", "statements").([]any)
	require.Len(t, and, 2)
	var prefixes []string
	for _, s := range dig(and[0], "orStatement", "statements").([]any) {
		bm := dig(s, "byteMatchStatement").(map[string]any)
		assert.Equal(t, "STARTS_WITH", bm["positionalConstraint"])
		assert.Contains(t, bm["fieldToMatch"], "uriPath")
		assert.Equal(t, []any{
			map[string]any{"priority": 0.0, "type": "URL_DECODE"},
			map[string]any{"priority": 1.0, "type": "NORMALIZE_PATH"},
		}, bm["textTransformations"])
		prefixes = append(prefixes, bm["searchString"].(string))
	}
	assert.Equal(t, edge.APIRoutePrefixes, prefixes)
	// Every route the server's OpenAPI document says takes a credential (the contract, checked
	// against the real server by tests/langgraph), the MCP and A2A endpoints among them.
	for _, must := range append([]string{"/threads", "/runs", "/mcp", "/a2a"}, catalog.LangGraphCredentialedRoutes...) {
		assert.Contains(t, prefixes, must)
	}
	for _, open := range []string{"/ok", "/info"} {
		assert.NotContains(t, prefixes, open, "health and version stay open for the load balancer and clients")
	}
	absent := dig(and[1], "notStatement", "statements", 0, "sizeConstraintStatement").(map[string]any)
	assert.Equal(t, "GT", absent["comparisonOperator"])
	assert.Equal(t, 0.0, absent["size"])
	assert.Equal(t, "x-api-key", dig(absent, "fieldToMatch", "singleHeader", "name"))

	// An internal stack without authentication has no such rule: there is no credential to ask for.
	open := stacktest.One(t, stacktest.Run(t, "staging", map[string]any{"auth.mode": "none"}), webACLType, "-edge-waf")
	assert.NotContains(t, wafRules(t, open), edge.RequireCredentialRule)
}

func TestWAFManagedRuleGroups(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		acl := stacktest.One(t, stacktest.Run(t, stack, nil), webACLType, "-edge-waf")
		rules := wafRules(t, acl)
		for _, group := range []string{edge.IPReputationList, edge.KnownBadInputsRuleSet, edge.CommonRuleSet} {
			require.Contains(t, rules, group, stack)
			assert.Equal(t, "AWS", dig(rules[group], "statement", "managedRuleGroupStatement", "vendorName"))
			assert.Equal(t, group, dig(rules[group], "statement", "managedRuleGroupStatement", "name"))
			assert.Contains(t, rules[group]["overrideAction"], "none", "%s blocks what it matches", group)
		}
	}
}

// "Track all API requests": WAF logs every request, blocked ones too, to a KMS-encrypted log
// group whose name WAF accepts, with the credential header redacted.
func TestWAFLogsEveryRequestWithTheCredentialRedacted(t *testing.T) {
	for stack, days := range map[string]float64{"prod": 90, "staging": 30} {
		res := stacktest.Run(t, stack, nil)
		acl := stacktest.One(t, res, webACLType, "-edge-waf")
		group := stacktest.One(t, res, "aws:cloudwatch/logGroup:LogGroup", "-edge-waf-logs")
		assert.True(t, strings.HasPrefix(group.In("name").(string), "aws-waf-logs-"), "WAF accepts only log groups named aws-waf-logs-*")
		assert.Equal(t, days, group.In("retentionInDays"), stack)
		key := stacktest.One(t, res, "aws:kms/key:Key", "-edge-waf-logs-key")
		assert.Equal(t, true, key.In("enableKeyRotation"))
		assert.Equal(t, key.Out("arn"), group.In("kmsKeyId"))
		logging := stacktest.One(t, res, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "-edge-waf-logging")
		assert.Equal(t, acl.Out("arn"), logging.In("resourceArn"))
		assert.Equal(t, []any{group.Out("arn")}, logging.In("logDestinationConfigs"))
		assert.Equal(t, []any{map[string]any{"singleHeader": map[string]any{"name": "x-api-key"}}}, logging.In("redactedFields"))
	}
}

func deploymentEnv(t *testing.T, d *harness.Resource) map[string]any {
	env := map[string]any{}
	for _, e := range d.In("spec.template.spec.containers[0].env").([]any) {
		m := e.(map[string]any)
		env[m["name"].(string)] = m["value"]
	}
	return env
}

// Every LangGraph pod checks its callers the way the stack says.
func TestEveryLangGraphPodChecksCallers(t *testing.T) {
	prod := deploymentEnv(t, stacktest.One(t, stacktest.Run(t, "prod", nil), deployment, "-dataplane-deployment"))
	assert.Equal(t, "langsmith", prod["LANGGRAPH_AUTH_TYPE"])
	assert.Equal(t, "https://api.smith.langchain.com", prod["LANGSMITH_AUTH_ENDPOINT"])
	assert.Equal(t, "5d0c9a6e-2f4b-4c1d-9e8a-7b3f6a1c2d4e", prod["LANGSMITH_TENANT_ID"])

	staging := deploymentEnv(t, stacktest.One(t, stacktest.Run(t, "staging", nil), deployment, "-dataplane-deployment"))
	assert.Equal(t, "custom", staging["LANGGRAPH_AUTH_TYPE"])
	assert.NotContains(t, staging, "LANGSMITH_AUTH_ENDPOINT")
	assert.NotContains(t, staging, "LANGSMITH_TENANT_ID")

	internal := deploymentEnv(t, stacktest.One(t, stacktest.Run(t, "staging", map[string]any{"auth.mode": "none"}), deployment, "-dataplane-deployment"))
	assert.Equal(t, "noop", internal["LANGGRAPH_AUTH_TYPE"], "an open API says so explicitly")
}

// A copy of prod with auth.mode none behind its internet-facing ingress is refused before any
// resource is registered; staging may accept it with a reason, which the Ingress carries and the
// staging policy config honours, while prod's policy config would not.
func TestOpenAPIOnTheInternetIsRefused(t *testing.T) {
	dir := stackfiletest.ProjectCopy(t, "prod", "    mode: langsmith\n    langsmithAuthEndpoint: https://api.smith.langchain.com\n    langsmithTenantId: 5d0c9a6e-2f4b-4c1d-9e8a-7b3f6a1c2d4e\n", "    mode: none\n")
	_, err := harness.Run(program.Build, harness.Options{Dir: dir, Stack: "prod", Secrets: harness.DefaultSecrets()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `auth.mode="none" is refused with ingress.scheme="internet-facing"`)

	open := map[string]any{"auth.mode": "none", "ingress.scheme": "internet-facing", "auth.acceptUnauthenticated": "public demo until 2026-12-15, no customer data"}
	res := stacktest.Run(t, "staging", open)
	ingress := stacktest.One(t, res, "kubernetes:networking.k8s.io/v1:Ingress", "-dataplane-ingress")
	assert.Equal(t, open["auth.acceptUnauthenticated"], ingress.In("metadata.annotations").(map[string]any)[dataplane.UnauthenticatedAnnotation])
	pack := loadPack(t)
	docs := render.AnalyzerDocuments(res)
	var staging, prod []string
	for _, v := range evaluate(t, pack, "staging", docs) {
		staging = append(staging, v.Rule)
	}
	for _, v := range evaluate(t, pack, "prod", docs) {
		prod = append(prod, v.Rule)
	}
	assert.NotContains(t, staging, "stack_deny_auth_openingress", "staging honours a stated reason")
	assert.Contains(t, prod, "stack_deny_auth_openingress", "prod's policy config never does")
}
