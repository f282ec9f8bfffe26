package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/bootstrap/account"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/policy"
	"github.com/langgraph-platform/infra/internal/render"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

func runBootstrap(t *testing.T, set map[string]any) *harness.Result {
	t.Helper()
	res, err := harness.Run(account.Build, harness.Options{Dir: repoPath(t, "bootstrap"), Stack: "account", Set: set})
	require.NoError(t, err)
	return res
}

// document is an IAM policy document as rendered.
type document struct {
	Statement []struct {
		Sid         string
		Effect      string
		Principal   any
		Action      any
		NotAction   any
		Resource    any
		NotResource any
		Condition   map[string]map[string]any
	}
}

func parseDocument(t *testing.T, r *harness.Resource, property string) (document, string) {
	t.Helper()
	text, _ := r.In(property).(string)
	var d document
	require.NoError(t, json.Unmarshal([]byte(text), &d), "%s %s", r.Name, property)
	return d, text
}

func list(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// The bootstrap program passes the whole pack under prod's settings: not one violation.
func TestBootstrapPassesThePolicyPack(t *testing.T) {
	res := runBootstrap(t, nil)
	// Prod's settings but for the one rule about the platform stack's shape (its database has
	// replicas), which a stack without a database cannot meet.
	prod, boot := loadPolicyConfig(t, "prod"), loadPolicyConfig(t, "bootstrap")
	require.Len(t, boot, 1)
	assert.Equal(t, policy.Disabled, boot["stack_deny_rds_replica"].Level)
	prod["stack_deny_rds_replica"] = boot["stack_deny_rds_replica"]
	vs, err := loadPack(t).Evaluate(context.Background(), render.AnalyzerDocuments(res), prod)
	require.NoError(t, err)
	assert.Empty(t, vs)
}

func TestStateBucketIsVersionedEncryptedTLSOnlyPrivateAndLogged(t *testing.T) {
	res := runBootstrap(t, nil)
	bucket := stacktest.One(t, res, "aws:s3/bucketV2:BucketV2", "pulumi-state")
	assert.True(t, bucket.Protect, "the state bucket is protected")
	key := stacktest.One(t, res, "aws:kms/key:Key", "pulumi-state")
	assert.True(t, key.Protect)
	assert.Equal(t, true, key.In("enableKeyRotation"))

	sse := stacktest.One(t, res, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "pulumi-state")
	assert.Equal(t, "aws:kms", sse.In("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"))
	assert.Contains(t, sse.In("rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId"), "pulumi-state")

	versioning := stacktest.One(t, res, "aws:s3/bucketVersioningV2:BucketVersioningV2", "pulumi-state")
	assert.Equal(t, "Enabled", versioning.In("versioningConfiguration.status"))

	block := stacktest.One(t, res, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pulumi-state")
	for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		assert.Equal(t, true, block.In(k), k)
	}

	// Old versions go after 90 days; the current state never expires.
	lifecycle := stacktest.One(t, res, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "pulumi-state")
	assert.False(t, lifecycle.Has("rules[0].expiration"), "current state objects must never expire")
	assert.Equal(t, 90.0, lifecycle.In("rules[0].noncurrentVersionExpiration.noncurrentDays"))
	changed := runBootstrap(t, map[string]any{"stateVersionRetentionDays": 400})
	assert.Equal(t, 400.0, stacktest.One(t, changed, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "pulumi-state").In("rules[0].noncurrentVersionExpiration.noncurrentDays"))

	for _, name := range []string{"pulumi-state", "pulumi-state-access-logs"} {
		policy, _ := parseDocument(t, stacktest.One(t, res, "aws:s3/bucketPolicy:BucketPolicy", name), "policy")
		tls := false
		for _, st := range policy.Statement {
			if st.Effect == "Deny" && st.Principal == "*" && fmt.Sprint(st.Condition["Bool"]["aws:SecureTransport"]) == "false" {
				tls = len(list(st.Resource)) == 2
			}
		}
		assert.True(t, tls, "%s refuses requests without TLS on the bucket and its objects", name)
	}
	logging := stacktest.One(t, res, "aws:s3/bucketLoggingV2:BucketLoggingV2", "pulumi-state")
	logs := stacktest.One(t, res, "aws:s3/bucketV2:BucketV2", "pulumi-state-access-logs")
	assert.Contains(t, logging.In("targetBucket"), logs.Name)
	logPolicy, _ := parseDocument(t, stacktest.One(t, res, "aws:s3/bucketPolicy:BucketPolicy", "pulumi-state-access-logs"), "policy")
	assert.Equal(t, map[string]any{"Service": "logging.s3.amazonaws.com"}, logPolicy.Statement[0].Principal)
	assert.Contains(t, logPolicy.Statement[0].Condition, "ArnEquals", "log delivery for the state bucket only")
}

// Each environment's roles trust GitHub's tokens of this repository only: the preview role pull
// requests and the main branch, the deploy role its GitHub environment.
func TestCIRolesTrustOneRepositoryAndTheirSubjects(t *testing.T) {
	res := runBootstrap(t, nil)
	provider := stacktest.One(t, res, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "github-actions")
	assert.Equal(t, "https://token.actions.githubusercontent.com", provider.In("url"))
	want := map[string][]string{
		"ci-langgraph-staging-preview": {"repo:langgraph-platform/infra:pull_request", "repo:langgraph-platform/infra:ref:refs/heads/main"},
		"ci-langgraph-prod-preview":    {"repo:langgraph-platform/infra:pull_request", "repo:langgraph-platform/infra:ref:refs/heads/main"},
		"ci-langgraph-staging-deploy":  {"repo:langgraph-platform/infra:environment:staging"},
		"ci-langgraph-prod-deploy":     {"repo:langgraph-platform/infra:environment:production"},
	}
	for name, subjects := range want {
		role := stacktest.One(t, res, "aws:iam/role:Role", name)
		trust, _ := parseDocument(t, role, "assumeRolePolicy")
		require.Len(t, trust.Statement, 1)
		st := trust.Statement[0]
		assert.Equal(t, map[string]any{"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}, st.Principal, name)
		assert.Equal(t, []string{"sts:AssumeRoleWithWebIdentity"}, list(st.Action), name)
		assert.Equal(t, subjects, list(st.Condition["StringEquals"]["token.actions.githubusercontent.com:sub"]), name)
		assert.Equal(t, "sts.amazonaws.com", st.Condition["StringEquals"]["token.actions.githubusercontent.com:aud"], name)
		assert.Len(t, st.Condition, 1, "%s: exact matches only, no StringLike wildcard", name)
	}
}

// The deploy role reaches every AWS resource the platform's stacks create: each type's service is
// covered, and a resource of a name-scoped service falls under the service's ARN patterns.
func TestDeployRoleCoversEveryResourceTheStacksCreate(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		res := stacktest.Run(t, stack, nil)
		var cluster struct{ Name string }
		require.NoError(t, json.Unmarshal([]byte(res.Config["langgraph-platform:cluster"]), &cluster))
		env := res.Config["langgraph-platform:environment"]
		boot, err := harness.Run(account.Build, harness.Options{Dir: repoPath(t, "bootstrap"), Stack: "account", Raw: map[string]string{
			"environments": fmt.Sprintf(`[{"name": %q, "githubEnvironment": "x", "cluster": %q}]`, env, cluster.Name),
		}})
		require.NoError(t, err)
		writes := map[string][]string{} // service prefix -> resource patterns, over the deploy policies
		for _, p := range boot.ByType("aws:iam/policy:Policy") {
			d, _ := parseDocument(t, p, "policy")
			for _, st := range d.Statement {
				prefix := strings.Split(list(st.Action)[0], ":")[0]
				writes[prefix] = append(writes[prefix], list(st.Resource)...)
			}
		}
		for _, r := range res.Resources {
			if !strings.HasPrefix(r.Type, "aws:") || !r.Custom || r.Read {
				continue
			}
			svc, ok := account.ServiceFor(r.Type)
			if !assert.True(t, ok, "%s: no service of the deploy role covers %s", stack, r.Type) {
				continue
			}
			patterns := writes[svc.Prefix]
			require.NotEmpty(t, patterns, "no write statement for %s", svc.Prefix)
			if svc.Resources == nil {
				assert.Equal(t, []string{"*"}, patterns)
				continue
			}
			name := physicalName(r)
			if name == "" {
				continue // a sub-resource of a covered parent (a bucket's settings, a target of a rule)
			}
			covered := false
			for _, p := range patterns {
				parts := strings.SplitN(p, ":", 6) // arn:partition:service:region:account:resource
				covered = covered || (len(parts) == 6 && account.ARNMatch(parts[5], name))
			}
			assert.True(t, covered, "%s: %s %s (%s) is outside the deploy role's %s resources %v", stack, r.Type, r.Name, name, svc.Prefix, patterns)
		}
	}
}

// physicalName is the resource's AWS name: its name input, or the engine's autoname (the logical
// name and a random suffix), for the types whose ARNs carry the name.
func physicalName(r *harness.Resource) string {
	named := map[string]string{
		"aws:iam/role:Role": "role/", "aws:iam/policy:Policy": "policy/", "aws:s3/bucketV2:BucketV2": "",
		"aws:sns/topic:Topic": "", "aws:sqs/queue:Queue": "", "aws:secretsmanager/secret:Secret": "secret:",
		"aws:cloudwatch/logGroup:LogGroup": "log-group:", "aws:cloudwatch/metricAlarm:MetricAlarm": "alarm:",
		"aws:cloudwatch/eventRule:EventRule": "rule/", "aws:budgets/budget:Budget": "budget/",
	}
	prefix, ok := named[r.Type]
	if !ok {
		return ""
	}
	for _, k := range []string{"name", "bucket", "alarmName"} {
		if v, _ := r.In(k).(string); v != "" {
			return prefix + v
		}
	}
	return prefix + r.Name + "-1a2b3c4"
}

// AWS would refuse a role whose inline policy or managed policies are over its size limits.
func TestCIPoliciesFitAWSsLimits(t *testing.T) {
	res := runBootstrap(t, nil)
	for _, r := range res.ByType("aws:iam/rolePolicy:RolePolicy") {
		_, text := parseDocument(t, r, "policy")
		assert.LessOrEqual(t, compactLen(t, text), account.InlinePolicyLimit, r.Name)
	}
	attached := map[string]int{}
	for _, r := range res.ByType("aws:iam/policy:Policy") {
		_, text := parseDocument(t, r, "policy")
		assert.LessOrEqual(t, compactLen(t, text), account.ManagedPolicyLimit, r.Name)
	}
	for _, a := range res.ByType("aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
		attached[fmt.Sprint(a.In("role"))]++
	}
	require.NotEmpty(t, attached)
	for role, n := range attached {
		assert.LessOrEqual(t, n, account.AttachedPolicyLimit, role)
	}
}

func compactLen(t *testing.T, text string) int {
	var v any
	require.NoError(t, json.Unmarshal([]byte(text), &v))
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return len(b)
}

// A preview role reads and decrypts: no Allow of any write, no object but its own stack's state.
func TestPreviewRolesOnlyRead(t *testing.T) {
	res := runBootstrap(t, nil)
	read := func(a string) bool {
		verb := a[strings.Index(a, ":")+1:]
		for _, p := range []string{"Describe", "List", "Get", "View"} {
			if strings.HasPrefix(verb, p) {
				return true
			}
		}
		return a == "kms:Decrypt"
	}
	for _, env := range []string{"staging", "prod", "prod-standby"} {
		policy := stacktest.One(t, res, "aws:iam/rolePolicy:RolePolicy", "ci-langgraph-"+env+"-preview")
		d, _ := parseDocument(t, policy, "policy")
		for _, st := range d.Statement {
			if st.Effect != "Allow" {
				continue
			}
			for _, a := range list(st.Action) {
				assert.True(t, read(a), "%s preview allows %s", env, a)
			}
			if slices.Contains(list(st.Action), "s3:GetObject") && st.Sid != "ReadThePlatformsServices" {
				for _, r := range list(st.Resource) {
					// The standby reads its primary's outputs too (environments[].reads).
					reads := strings.Contains(r, "/langgraph-platform/"+env+".json") || strings.Contains(r, "/langgraph-platform/"+env+"/") ||
						(env == "prod-standby" && st.Sid == "ReadTheReferencedStacksState" && (strings.Contains(r, "/langgraph-platform/prod.json") || strings.Contains(r, "/langgraph-platform/prod/")))
					assert.True(t, strings.HasSuffix(r, "/.pulumi/meta.yaml") || reads, "%s preview reads %s", env, r)
				}
			}
		}
	}
}

// No deploy role can change a CI role, another environment's resources, or the bootstrap keys.
func TestDeployRolesCannotEscapeTheirEnvironment(t *testing.T) {
	res := runBootstrap(t, nil)
	var ciRoles []string
	for _, r := range res.ByType("aws:iam/role:Role") {
		ciRoles = append(ciRoles, fmt.Sprintf("arn:aws:iam::123456789012:role/%s", r.In("name")))
	}
	for _, env := range []string{"staging", "prod"} {
		var statements []string
		sids := map[string]bool{}
		for _, p := range res.ByType("aws:iam/policy:Policy") {
			if strings.HasPrefix(p.Name, "ci-langgraph-"+env+"-deploy") {
				d, _ := parseDocument(t, p, "policy")
				for _, st := range d.Statement {
					if strings.HasPrefix(list(st.Action)[0], "iam:") {
						statements = append(statements, list(st.Resource)...)
					}
				}
			}
		}
		require.NotEmpty(t, statements)
		for _, pattern := range statements {
			for _, role := range ciRoles {
				assert.False(t, account.ARNMatch(pattern, role), "%s deploy may write %s through %s", env, role, pattern)
			}
		}
		inline, _ := parseDocument(t, stacktest.One(t, res, "aws:iam/rolePolicy:RolePolicy", "ci-langgraph-"+env+"-deploy"), "policy")
		for _, st := range inline.Statement {
			sids[st.Sid] = true
			switch st.Sid {
			case account.EnvironmentFence:
				assert.Equal(t, "Deny", st.Effect)
				assert.Equal(t, env, st.Condition["StringNotEquals"]["aws:ResourceTag/Environment"])
			case "NeverAdministerTheBootstrapKeys":
				assert.Equal(t, "Deny", st.Effect)
				assert.Len(t, list(st.Resource), 2)
				assert.NotContains(t, list(st.NotAction), "kms:ScheduleKeyDeletion")
			case "PassOnlyTheEnvironmentsRoles":
				assert.Equal(t, []string{"arn:aws:iam::123456789012:role/langgraph-" + env + "-*"}, list(st.Resource))
			}
		}
		for _, sid := range []string{account.EnvironmentFence, "CreateOnlyThisEnvironmentsTags", "NeverAdministerTheBootstrapKeys", "NeverAttachAdministrativePolicies", "PassOnlyTheEnvironmentsRoles"} {
			assert.True(t, sids[sid], "%s deploy lacks %s", env, sid)
		}
	}
}

// The outputs are what the workflows read, under the names they read them by.
func TestBootstrapOutputsAreTheWorkflowsVariables(t *testing.T) {
	res := runBootstrap(t, nil)
	asMap := func(v any) map[string]any {
		b, _ := json.Marshal(v)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		return m
	}
	repo := asMap(res.Outputs["githubRepositoryVariables"].Value)
	for _, k := range []string{account.BackendURLVariable, account.RegionVariable, "AWS_PREVIEW_ROLE_ARN_STAGING", "AWS_PREVIEW_ROLE_ARN_PROD"} {
		assert.NotEmpty(t, repo[k], k)
	}
	assert.Regexp(t, `^s3://.+\?region=us-east-1$`, repo[account.BackendURLVariable])
	envs := asMap(res.Outputs["githubEnvironmentVariables"].Value)
	assert.Contains(t, envs["production"].(map[string]any)[account.DeployRoleVariable], "ci-langgraph-prod-deploy")
	assert.Contains(t, envs["staging"].(map[string]any)[account.DeployRoleVariable], "ci-langgraph-staging-deploy")
	prod := asMap(res.Outputs["environments"].Value)["prod"].(map[string]any)
	assert.Equal(t, "awskms://alias/ci-langgraph-prod-secrets?region=us-east-1", prod["secretsProvider"])
}

func TestBootstrapRefusesBadConfiguration(t *testing.T) {
	envs := func(list string) map[string]string { return map[string]string{"environments": list} }
	cases := map[string]struct {
		set  map[string]any
		raw  map[string]string
		want string
	}{
		"a wildcard repository":      {set: map[string]any{"repository": "langgraph-platform/*"}, want: `repository: "langgraph-platform/*" is not a GitHub repository`},
		"an owner only":              {set: map[string]any{"repository": "langgraph-platform"}, want: `repository: "langgraph-platform" is not a GitHub repository`},
		"no environment":             {raw: envs(`[]`), want: `environments: none given`},
		"an environment twice":       {raw: envs(`[{"name":"prod","githubEnvironment":"a"},{"name":"prod","githubEnvironment":"b"}]`), want: `environments[1].name: "prod" is listed twice`},
		"a GitHub environment twice": {raw: envs(`[{"name":"prod","githubEnvironment":"a"},{"name":"staging","githubEnvironment":"a"}]`), want: `environments[1].githubEnvironment: "a" is listed twice`},
		"the shared tag":             {raw: envs(`[{"name":"shared","githubEnvironment":"a"}]`), want: `environments[0].name: "shared" is the bootstrap's own Environment tag`},
		"a bad environment":          {raw: envs(`[{"name":"Prod!","githubEnvironment":"a"}]`), want: `environments[0].name: "Prod!" is not an environment name`},
		"a wildcard GitHub env":      {raw: envs(`[{"name":"prod","githubEnvironment":"prod*"}]`), want: `environments[0].githubEnvironment: "prod*" is not a GitHub environment name`},
		"a bad region":               {raw: envs(`[{"name":"prod","githubEnvironment":"a","regions":["us-east"]}]`), want: `environments[0].regions[0]: "us-east" is not an AWS region`},
		"a read of no environment":   {raw: envs(`[{"name":"prod","githubEnvironment":"a","reads":["staging"]}]`), want: `environments[0].reads[0]: "staging" is not another environment of this account`},
		"a read of itself":           {raw: envs(`[{"name":"prod","githubEnvironment":"a","reads":["prod"]}]`), want: `environments[0].reads[0]: "prod" is not another environment`},
		"a bad cluster":              {raw: envs(`[{"name":"prod","githubEnvironment":"a","cluster":"-x"}]`), want: `environments[0].cluster: "-x" is not an EKS cluster name`},
		"an unknown field":           {raw: envs(`[{"name":"prod","githubEnvironment":"a","cluser":"x"}]`), want: `unknown field "cluser"`},
		"a retention of zero":        {set: map[string]any{"stateVersionRetentionDays": 0}, want: `stateVersionRetentionDays: 0 is out of range (allowed: 1-3650 days)`},
		"no owner":                   {set: map[string]any{"tags.owner": nil}, want: `tags: owner "" and costCenter "cc-4471" are required`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := harness.Run(account.Build, harness.Options{Dir: repoPath(t, "bootstrap"), Stack: "account", Set: c.set, Raw: c.raw})
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}
