package tests

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/policy"
	"github.com/langgraph-platform/infra/internal/render"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

// clause is one body of a policy rule: rules with alternatives are written as several bodies of
// the same name, and each must be able to fire on its own.
type clause struct {
	rule  string
	index int    // 1-based, in file-name then source order
	file  string // the .rego file
	start int    // byte offsets of the rule's text in the file
	end   int
}

func (c clause) key() string { return fmt.Sprintf("%s#%d", c.rule, c.index) }

// packClauses parses the pack with OPA's parser (Rego v0 with rego.v1, as the analyzer does)
// and lists every body of every policy rule.
func packClauses(t *testing.T) (map[string][]clause, map[string]string) {
	t.Helper()
	files, err := filepath.Glob(repoPath(t, "policies", "*.rego"))
	require.NoError(t, err)
	sort.Strings(files)
	sources := map[string]string{}
	out := map[string][]clause{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		sources[f] = string(b)
		m, err := ast.ParseModuleWithOpts(f, string(b), ast.ParserOptions{RegoVersion: ast.RegoV0, ProcessAnnotation: true})
		require.NoError(t, err)
		for _, r := range m.Rules {
			name := r.Head.Ref().String()
			if !analyzerRuleName.MatchString(name) {
				continue
			}
			loc := r.Location
			out[name] = append(out[name], clause{rule: name, index: len(out[name]) + 1, file: f, start: loc.Offset, end: loc.Offset + len(loc.Text)})
		}
	}
	return out, sources
}

// isolate writes a copy of the pack in which rule keeps only clause c, and loads it.
func isolate(t *testing.T, all map[string][]clause, sources map[string]string, c clause) *policy.Pack {
	t.Helper()
	dir := t.TempDir()
	cut := map[string][]clause{}
	for _, other := range all[c.rule] {
		if other.index != c.index {
			cut[other.file] = append(cut[other.file], other)
		}
	}
	for f, src := range sources {
		drop := cut[f]
		sort.Slice(drop, func(i, j int) bool { return drop[i].start > drop[j].start })
		for _, d := range drop {
			src = src[:d.start] + src[d.end:]
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(f)), []byte(src), 0o644))
	}
	pack, err := policy.Load(dir)
	require.NoError(t, err, "isolating %s", c.key())
	return pack
}

// synthetic is a resource the program does not create, as the analyzer would present it: built
// by the same renderer as the real resources, so metadata, overlay and __ copies are exact.
func synthetic(base *harness.Result, typ, name string, props map[string]any) map[string]any {
	urn := fmt.Sprintf("urn:pulumi:%s::%s::%s::%s", base.Stack, base.Project, typ, name)
	r := &harness.Resource{URN: urn, Type: typ, Name: name, Custom: true, Inputs: resource.NewPropertyMapFromMap(props)}
	return render.Renderer{}.AnalyzerDocument(base, r)
}

// TestEveryClauseFiresOnItsOwn: for every body of every rule, a pack that keeps only that body
// fires on its mutation. A body that cannot fire on the analyzer's input (a metadata key read as
// a property, say) fails here.
func TestEveryClauseFiresOnItsOwn(t *testing.T) {
	all, sources := packClauses(t)
	cases := mutations()
	total := 0
	// One mock run per stack and config change, shared by the clauses that mutate it.
	runs := map[string]*harness.Result{}
	for _, rule := range slices.Sorted(maps.Keys(all)) {
		clauses := all[rule]
		for _, c := range clauses {
			total++
			m, ok := cases[c.key()]
			if !ok && len(clauses) == 1 {
				m, ok = cases[rule]
			}
			if !assert.True(t, ok, "%s (%s) has no mutation case %q", rule, filepath.Base(c.file), c.key()) {
				continue
			}
			t.Run(c.key(), func(t *testing.T) {
				pack := isolate(t, all, sources, c)
				stack := m.stack
				if stack == "" {
					stack = "prod"
				}
				key := stack + fmt.Sprint(m.set)
				res, ok := runs[key]
				if !ok {
					res = stacktest.Run(t, stack, m.set)
					runs[key] = res
				}
				docs := mutate(t, m, lightDocs(res), res)
				// Only the rule the clause belongs to: the others are not asked about here.
				only := pack.Only(func(r policy.Rule) bool { return r.Name == rule })
				vs, err := only.Evaluate(context.Background(), docs, loadPolicyConfig(t, stack))
				require.NoError(t, err)
				var msgs []string
				for _, v := range vs {
					if v.Rule == rule {
						msgs = append(msgs, v.Message)
					}
				}
				require.NotEmpty(t, msgs, "clause %s alone did not fire", c.key())
				assert.Contains(t, strings.Join(msgs, "\n"), m.want)
			})
		}
	}
	t.Logf("%d rules, %d clauses", len(all), total)
}

// The instance-to-parameter-group join falls back to the group's name property when there is no
// property dependency (an imported or hand-written stack): that name is the property, read
// through __properties, not the analyzer's metadata name.
func TestParameterGroupJoinByName(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	docs := lightDocs(res)
	for _, d := range docs {
		for _, view := range []map[string]any{d, d["properties"].(map[string]any), d["__properties"].(map[string]any)} {
			switch {
			case d["__type"] == "aws:rds/instance:Instance" && strings.HasSuffix(d["__name"].(string), "-db-primary"):
				view["parameterGroupName"] = "langgraph-prod-pg17"
				delete(d["propertyDependencies"].(map[string]any), "parameterGroupName")
			case d["__type"] == "aws:rds/parameterGroup:ParameterGroup" && strings.HasSuffix(d["__name"].(string), "-db-params"):
				view["name"] = "langgraph-prod-pg17"
				setParameter(view, "rds.force_ssl", "0")
			}
		}
	}
	var rules []string
	for _, v := range evaluate(t, loadPack(t), "prod", docs) {
		rules = append(rules, v.Rule+": "+v.Message)
	}
	assert.Contains(t, strings.Join(rules, "\n"), `stack_deny_rds_forcessl: aws:rds/instance:Instance "langgraph-prod-db-primary" uses parameter group`, "joined by the name property")
	assert.NotContains(t, strings.Join(rules, "\n"), "uses no parameter group", "the by-name join found the group")
}

// Fifteen changes a security reviewer routinely catches, each made to a real rendering: the pack
// must deny every one with a mandatory rule.
func TestRiskyChangesAreDenied(t *testing.T) {
	cases := mutations()
	cronJob := mutation{add: func(base *harness.Result) []map[string]any {
		return []map[string]any{synthetic(base, "kubernetes:batch/v1:CronJob", "cleanup", map[string]any{
			"apiVersion": "batch/v1", "kind": "CronJob", "metadata": map[string]any{"name": "cleanup", "namespace": "langgraph"},
			"spec": map[string]any{"schedule": "0 3 * * *", "jobTemplate": map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
				"restartPolicy": "Never",
				"containers": []any{map[string]any{"name": "cleanup", "image": "busybox:1.37",
					"securityContext": map[string]any{"privileged": true}, "volumeMounts": []any{map[string]any{"name": "host", "mountPath": "/host"}}}},
				"volumes": []any{map[string]any{"name": "host", "hostPath": map[string]any{"path": "/"}}},
			}}}}}})}
	}}
	wildcardAction := cases["deny_iam_wildcardaction"]
	wildcardAction.mutate = addStatement(map[string]any{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"})
	risky := map[string]mutation{
		"IAM policy allowing *":                        wildcardAction,
		"public S3 ACL":                                cases["deny_s3_public#1"],
		"privileged CronJob with a hostPath":           cronJob,
		"ClusterRoleBinding to cluster-admin":          cases["deny_rbac_clusteradmin"],
		"KMS rotation off":                             cases["deny_kms_rotation"],
		"TLS 1.0 listener policy":                      cases["deny_ingress_tlspolicy"],
		"ElastiCache in-transit encryption preferred":  cases["deny_cache_transitmode"],
		"LoadBalancer Service open to the world":       cases["deny_k8s_loadbalancer"],
		"allow-all NetworkPolicy beside default-deny":  cases["stack_deny_network_allowall"],
		"security group open to half the internet":     cases["deny_network_openingress#2"],
		"bucket policy allowing anyone":                cases["deny_s3_public#2"],
		"RDS deleted without a final snapshot in prod": cases["deny_rds_finalsnapshot"],
		"literal password in Helm values":              cases["deny_helm_credentialliteral"],
		"SNS topic under an AWS-managed key":           cases["deny_encryption_cmk"],
		"Role that may bind roles":                     cases["deny_rbac_escalation"],
	}
	require.Len(t, risky, 15)
	pack := loadPack(t)
	res := stacktest.Run(t, "prod", nil)
	docs := lightDocs(res)
	denied := 0
	for name, m := range risky {
		vs := policy.MandatoryViolations(evaluate(t, pack, "prod", mutate(t, m, docs, res)))
		if assert.NotEmpty(t, vs, "%s is not denied", name) {
			denied++
		}
	}
	t.Logf("the pack denies %d of %d risky changes", denied, len(risky))
}

// A stack with scheduled minimums passes the pack: the scaler's CronJobs are the only workloads
// that carry a ServiceAccount token, and the per-stack config exempts exactly them.
func TestScheduledMinimumsPassThePack(t *testing.T) {
	set := map[string]any{"hpa.schedules": []any{map[string]any{"cron": "30 7 * * 1-5", "timeZone": "Europe/Berlin", "minReplicas": 5}}}
	for _, stack := range stacktest.Stacks {
		docs := lightDocs(stacktest.Run(t, stack, set))
		assert.Empty(t, policy.MandatoryViolations(evaluate(t, loadPack(t), stack, docs)), stack)
	}
}
