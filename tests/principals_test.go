package tests

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/internal/policy"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

// Every resource and trust policy the stacks create is held to deny_iam_publicprincipal: a public
// principal is denied unless a condition scopes it to a source account, ARN, organization or VPC
// endpoint; a TLS condition does not.
func TestPublicPrincipalsAreDeniedInEveryResourcePolicy(t *testing.T) {
	base := stacktest.Run(t, "prod", nil)
	pack := loadPack(t).Only(func(r policy.Rule) bool { return r.Name == "deny_iam_publicprincipal" })
	fires := func(typ, property string, st map[string]any) []string {
		doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{st}})
		d := synthetic(base, typ, "probe", map[string]any{property: string(doc)})
		vs, err := pack.Evaluate(context.Background(), []map[string]any{d}, loadPolicyConfig(t, "prod"))
		require.NoError(t, err)
		var msgs []string
		for _, v := range vs {
			msgs = append(msgs, v.Message)
		}
		return msgs
	}
	types := map[string]string{
		"aws:iam/role:Role": "assumeRolePolicy", "aws:kms/key:Key": "policy", "aws:sns/topic:Topic": "policy",
		"aws:sns/topicPolicy:TopicPolicy": "policy", "aws:sqs/queue:Queue": "policy", "aws:sqs/queuePolicy:QueuePolicy": "policy",
		"aws:secretsmanager/secretPolicy:SecretPolicy": "policy", "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
		"aws:backup/vaultPolicy:VaultPolicy": "policy",
	}
	for typ, property := range types {
		for name, principal := range map[string]any{"star": "*", "AWS star": map[string]any{"AWS": "*"}, "every root": map[string]any{"AWS": []any{"arn:aws:iam::*:root"}}} {
			st := map[string]any{"Sid": "Open", "Effect": "Allow", "Principal": principal, "Action": "*", "Resource": "*"}
			assert.NotEmpty(t, fires(typ, property, st), "%s: %s", typ, name)
			st["Condition"] = map[string]any{"Bool": map[string]any{"aws:SecureTransport": "true"}}
			assert.NotEmpty(t, fires(typ, property, st), "%s: %s with only a TLS condition", typ, name)
			for _, key := range []string{"aws:SourceAccount", "aws:PrincipalOrgID", "aws:SourceVpce", "kms:CallerAccount", "AWS:SourceArn"} {
				st["Condition"] = map[string]any{"StringEquals": map[string]any{key: "123456789012"}}
				assert.Empty(t, fires(typ, property, st), "%s: %s scoped by %s", typ, name, key)
			}
		}
		named := map[string]any{"Sid": "Named", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::123456789012:root"}, "Action": "*", "Resource": "*"}
		assert.Empty(t, fires(typ, property, named), "%s: a named account", typ)
		deny := map[string]any{"Sid": "DenyTLS", "Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}
		assert.Empty(t, fires(typ, property, deny), "%s: a Deny for everyone is a guard, not an opening", typ)
	}
	msgs := strings.Join(fires("aws:iam/role:Role", "assumeRolePolicy", map[string]any{"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}), "\n")
	assert.Contains(t, msgs, `assumeRolePolicy statement "Open" allows a public principal ("*")`)
}

// OIDC trusts admit one repository's workflows or one service account, and the rule reads what
// the program's own IRSA trusts say.
func TestOIDCTrustsNameOneRepositoryOrServiceAccount(t *testing.T) {
	base := stacktest.Run(t, "prod", nil)
	pack := loadPack(t).Only(func(r policy.Rule) bool { return r.Name == "deny_iam_oidctrust" })
	fires := func(doc map[string]any) bool {
		b, _ := json.Marshal(doc)
		d := synthetic(base, "aws:iam/role:Role", "probe", map[string]any{"assumeRolePolicy": string(b)})
		vs, err := pack.Evaluate(context.Background(), []map[string]any{d}, loadPolicyConfig(t, "prod"))
		require.NoError(t, err)
		return len(vs) > 0
	}
	sub := func(provider, key, value string) map[string]any {
		return webIdentityTrust(provider, map[string]any{"StringLike": map[string]any{key: value}})
	}
	gh := "token.actions.githubusercontent.com:sub"
	for value, denied := range map[string]bool{
		"repo:acme/infra:ref:refs/heads/main": false, "repo:acme/infra:pull_request": false, "repo:acme/infra:environment:prod": false,
		"repo:acme/infra:*": false, "repo:acme/*": true, "repo:*": true, "*": true, "repo:acme/infra*": true,
	} {
		assert.Equal(t, denied, fires(sub(githubProvider, gh, value)), "GitHub sub %q", value)
	}
	for value, denied := range map[string]bool{
		"system:serviceaccount:langgraph:langgraph-dataplane": false, "system:serviceaccount:langgraph:*": true, "system:serviceaccount:*": true, "*": true,
	} {
		assert.Equal(t, denied, fires(sub(eksProvider, eksIssuer+":sub", value)), "IRSA sub %q", value)
	}
	irsa := stacktest.Run(t, "prod", map[string]any{"addons.loadBalancerController.identity": "irsa",
		"addons.loadBalancerController.oidcIssuerUrl": "https://" + eksIssuer})
	vs := evaluate(t, pack, "prod", lightDocs(irsa))
	assert.Empty(t, vs, "the program's own IRSA trust names one service account")
	found := false
	for _, r := range irsa.ByType("aws:iam/role:Role") {
		found = found || strings.Contains(r.In("assumeRolePolicy").(string), "AssumeRoleWithWebIdentity")
	}
	assert.True(t, found, "the IRSA rendering has a web-identity trust to check")
}
