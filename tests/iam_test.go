package tests

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

// policyProperties are the properties of AWS resources that hold an IAM policy document.
var policyProperties = []string{"assumeRolePolicy", "policy"}

// resourceScoped are service principals that send no source keys and are held to this account by
// the resource they may write (ELB's log delivery: <bucket>/<prefix>/AWSLogs/<account>/).
var resourceScoped = map[string]bool{"logdelivery.elasticloadbalancing.amazonaws.com": true}

// Everywhere a service principal is trusted (role trust, key, topic, queue and bucket policies)
// the confused-deputy conditions hold it to this account: aws:SourceAccount, and aws:SourceArn
// where the statement names one. The exceptions are named: services handed a role with
// iam:PassRole, and ELB's log delivery, held by the key path.
func TestServicePrincipalsAreHeldToThisAccount(t *testing.T) {
	seen := map[string]bool{}
	for _, stack := range append(slices.Clone(stacktest.Stacks), "sandbox") {
		res := stacktest.Run(t, stack, nil)
		for _, r := range res.Resources {
			if !strings.HasPrefix(r.Type, "aws:") {
				continue
			}
			for _, prop := range policyProperties {
				text, ok := r.In(prop).(string)
				if !ok || !strings.Contains(text, `"Statement"`) {
					continue
				}
				var doc awsbase.PolicyDocument
				require.NoError(t, json.Unmarshal([]byte(text), &doc), "%s %s", r.URN, prop)
				assert.Equal(t, awsbase.PolicyVersion, doc.Version, r.URN)
				for _, st := range doc.Statement {
					principal, _ := st.Principal.(map[string]any)
					service, _ := principal["Service"].(string)
					if service == "" || st.Effect != awsbase.Allow {
						continue
					}
					seen[service] = true
					switch {
					case awsbase.PassedRoleServices[service]:
						assert.Empty(t, st.Condition, "%s: %s assumes a passed role and sends no source keys", r.URN, service)
					case resourceScoped[service]:
						require.NotEmpty(t, st.Resource, r.URN)
						for _, res := range st.Resource {
							assert.Contains(t, res, "/AWSLogs/"+harness.AccountID+"/", "%s: %s writes this account's folder only", r.URN, service)
						}
					default:
						assert.Equal(t, harness.AccountID, st.Condition["StringEquals"]["aws:SourceAccount"], "%s %s: %s lacks aws:SourceAccount", r.URN, prop, service)
					}
				}
			}
		}
	}
	// The check saw the principals it is about (a rendering change that hid them would pass silently).
	for _, want := range []string{"monitoring.rds.amazonaws.com", "vpc-flow-logs.amazonaws.com", "events.amazonaws.com", "s3.amazonaws.com",
		"backup.amazonaws.com", "pods.eks.amazonaws.com", "cloudwatch.amazonaws.com", "budgets.amazonaws.com", "logdelivery.elasticloadbalancing.amazonaws.com"} {
		assert.True(t, seen[want], "no statement trusts %s in any stack's rendering", want)
	}
}

// One helper writes every IAM document: no component spells the policy language by hand.
func TestIAMDocumentsHaveOneWriter(t *testing.T) {
	for _, dir := range componentDirs(t) {
		if dir == "components/awsbase" {
			continue
		}
		for _, file := range goFiles(t, dir) {
			body := readRepoFile(t, file)
			for _, raw := range []string{`"2012-10-17"`, `"Principal":`, `"Statement":`, `"sts:AssumeRole"}]`} {
				assert.False(t, strings.Contains(body, raw), "%s writes an IAM document by hand (%s): use awsbase.Policy", file, raw)
			}
		}
	}
	assert.True(t, slices.Contains(componentDirs(t), "components/notifications"))
}
