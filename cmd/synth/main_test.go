package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stackfile/stackfiletest"
	"github.com/langgraph-platform/infra/program"
)

func synth(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = b
		return err
	}))
	return files
}

func TestSynthIsDeterministic(t *testing.T) {
	for _, stack := range []string{"prod", "staging"} {
		a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
		code, _, stderr := synth(t, "-stack", stack, "-out", a)
		require.Equal(t, 0, code, stderr)
		code, _, stderr = synth(t, "-stack", stack, "-out", b)
		require.Equal(t, 0, code, stderr)
		ta, tb := tree(t, a), tree(t, b)
		require.NotEmpty(t, ta)
		assert.Equal(t, ta, tb, "two renderings of %s differ", stack)
		// The capacity page shows the step to full load drawn beside its table.
		assert.Contains(t, string(ta["capacity.md"]), "![users, pods, nodes and p95 queue wait of a step to full load](capacity.svg)")
		assert.Contains(t, string(ta["capacity.md"]), "| minute | users | replicas | ready |")
		assert.Contains(t, string(ta["capacity.svg"]), "a step to")
		assert.Contains(t, string(ta["capacity.svg"]), "KPI: queue wait p95 &lt; 60 s")
	}
}

func TestSynthReplacesStaleFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "prod")
	require.NoError(t, os.MkdirAll(out, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(out, "stale.json"), []byte("{}"), 0o644))
	code, _, stderr := synth(t, "-stack", "prod", "-out", out)
	require.Equal(t, 0, code, stderr)
	assert.NoFileExists(t, filepath.Join(out, "stale.json"))
}

func TestResourcesJSONHasTheAnalyzerShape(t *testing.T) {
	out := filepath.Join(t.TempDir(), "prod")
	code, _, stderr := synth(t, "-stack", "prod", "-out", out)
	require.Equal(t, 0, code, stderr)
	raw, err := os.ReadFile(filepath.Join(out, "resources.json"))
	require.NoError(t, err)
	var docs []map[string]any
	require.NoError(t, json.Unmarshal(raw, &docs))
	require.NotEmpty(t, docs)
	var primary map[string]any
	for _, d := range docs {
		for _, k := range []string{"type", "urn", "name", "options", "provider", "properties", "__type", "__urn", "__name", "__options", "__provider", "__properties", "dependencies"} {
			assert.Contains(t, d, k, "%v lacks %s", d["__urn"], k)
		}
		// As in pulumi-policy-opa, a property named like a metadata field wins at the top level
		// (a Kubernetes Secret's type: Opaque); the __ copies always hold the metadata.
		if v, collides := d["__properties"].(map[string]any)["type"]; collides {
			assert.Equal(t, v, d["type"])
		} else {
			assert.Equal(t, d["__type"], d["type"])
		}
		// Properties are overlaid at the top level.
		for k, v := range d["__properties"].(map[string]any) {
			if !strings.HasPrefix(k, "__") {
				assert.Equal(t, v, d[k], "%v: property %s not overlaid", d["__urn"], k)
			}
		}
		if d["__type"] == "aws:rds/instance:Instance" && d["__name"] == "langgraph-prod-db-primary" {
			primary = d
		}
	}
	require.NotNil(t, primary)
	assert.Equal(t, true, primary["storageEncrypted"])
	assert.Equal(t, true, primary["__options"].(map[string]any)["protect"])
	assert.Contains(t, primary["__options"].(map[string]any)["parent"], "langgraph:aws:Database")
}

// No secret value appears anywhere in the rendering: not the configured secrets, not generated
// passwords, not URIs built from them.
func TestNoSecretInRendering(t *testing.T) {
	out := filepath.Join(t.TempDir(), "prod")
	code, _, stderr := synth(t, "-stack", "prod", "-out", out)
	require.Equal(t, 0, code, stderr)
	res, err := harness.Run(program.Build, harness.Options{Stack: "prod", Secrets: harness.DefaultSecrets()})
	require.NoError(t, err)
	var secrets []string
	for _, v := range harness.DefaultSecrets() {
		secrets = append(secrets, v)
	}
	for _, r := range res.ByType("random:index/randomPassword:RandomPassword") {
		v := r.Outputs["result"]
		require.True(t, v.IsSecret(), "%s result must be secret", r.Name)
		secrets = append(secrets, v.SecretValue().Element.StringValue())
	}
	require.GreaterOrEqual(t, len(secrets), 5)
	for path, body := range tree(t, out) {
		for _, s := range secrets {
			assert.NotContains(t, string(body), s, "%s leaks a secret", path)
		}
	}
	assert.Contains(t, string(tree(t, out)["resources.json"]), `"<secret>"`)
}

func TestSynthWritesRulesAndDashboards(t *testing.T) {
	out := filepath.Join(t.TempDir(), "prod")
	code, _, stderr := synth(t, "-stack", "prod", "-out", out)
	require.Equal(t, 0, code, stderr)
	files := tree(t, out)
	assert.Contains(t, string(files["monitoring/langgraph.rules.yaml"]), "alert: LangGraphHighErrorRate")
	var dash map[string]any
	require.NoError(t, json.Unmarshal(files["dashboards/langgraph-dataplane.json"], &dash))
	assert.Equal(t, "langgraph-dataplane", dash["uid"])
}

func TestSynthRejectsBadInputWritingNothing(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x")
	code, _, stderr := synth(t, "-stack", "nope", "-out", out)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `unknown stack "nope"`)
	assert.NoDirExists(t, out)

	code, _, stderr = synth(t, "-out", out)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "-stack is required")

	// An invalid configuration: a project copy whose prod stack sets a bad value.
	dir := stackfiletest.ProjectCopy(t, "prod", "maxReplicas: 50", "maxReplicas: 5")
	code, _, stderr = synth(t, "-dir", dir, "-stack", "prod", "-out", out)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "hpa.maxReplicas=5 must be >= hpa.minReplicas=35")
	assert.NoDirExists(t, out)
}

// synth treats secrets exactly as `pulumi up` does: a credential in plaintext in the stack file
// is refused (its stand-in secrets never replace it), and a value set with --secret, which synth
// cannot decrypt, renders as <secret>.
func TestSynthHandlesStackFileSecretsAsTheCLIDoes(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x")
	plain := stackfiletest.ProjectCopy(t, "prod", "  langgraph-platform:environment: prod\n",
		"  langgraph-platform:environment: prod\n  langgraph-platform:langsmithApiKey: lsv2_pt_plaintext_in_the_file\n")
	code, _, stderr := synth(t, "-dir", plain, "-stack", "prod", "-out", out)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "langsmithApiKey: a plaintext value is set, but this key holds a credential")
	assert.NotContains(t, stderr, "lsv2_pt_plaintext_in_the_file")
	assert.NoDirExists(t, out)

	encrypted := stackfiletest.ProjectCopy(t, "prod", "  langgraph-platform:environment: prod\n",
		"  langgraph-platform:environment: prod\n  langgraph-platform:langgraphLicenseKey:\n    secure: v1:c2FsdHNhbHQ=:Y2lwaGVydGV4dGNpcGhlcnRleHQ=\n")
	code, _, stderr = synth(t, "-dir", encrypted, "-stack", "prod", "-out", out, "-policies", "none")
	require.Equal(t, 0, code, stderr)
	for name, b := range tree(t, out) {
		assert.NotContains(t, string(b), harness.EncryptedPlaceholder, "%s shows the placeholder instead of <secret>", name)
	}
}

func TestSynthFailsOnMandatoryPolicyViolations(t *testing.T) {
	// A project copy whose prod stack turns Multi-AZ off: config allows it, the prod policy does not.
	dir := stackfiletest.ProjectCopy(t, "prod", "multiAz: true", "multiAz: false")
	root, err := harness.RepoRoot()
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "prod")
	code, stdout, stderr := synth(t, "-dir", dir, "-policies", filepath.Join(root, "policies"), "-stack", "prod", "-out", out)
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, stdout, "[mandatory] deny_rds_multiaz")
	assert.Contains(t, stdout, "langgraph-prod-db-primary")
	assert.DirExists(t, out, "the rendering is kept for review")

	code, stdout, _ = synth(t, "-stack", "prod", "-out", filepath.Join(t.TempDir(), "ok"))
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "0 mandatory")
}

// With a fingerprint key, secrets render as keyed fingerprints: stable for one key, different
// for another, never the value.
func TestSecretFingerprints(t *testing.T) {
	render := func(key string) map[string][]byte {
		t.Setenv("SYNTH_SECRET_FINGERPRINT_KEY", key)
		out := filepath.Join(t.TempDir(), "prod")
		code, _, stderr := synth(t, "-stack", "prod", "-policies", "none", "-out", out)
		require.Equal(t, 0, code, stderr)
		return tree(t, out)
	}
	a := render(strings.Repeat("ab", 32))
	b := render(strings.Repeat("ab", 32))
	c := render(strings.Repeat("cd", 32))
	assert.Equal(t, a, b)
	docs := string(a["resources.json"])
	assert.Contains(t, docs, `"<secret:`)
	assert.NotContains(t, docs, `"<secret>"`)
	assert.NotContains(t, docs, harness.DefaultSecrets()["langsmithApiKey"])
	assert.NotEqual(t, string(a["resources.json"]), string(c["resources.json"]))

	t.Setenv("SYNTH_SECRET_FINGERPRINT_KEY", "short")
	code, _, stderr := synth(t, "-stack", "prod", "-out", filepath.Join(t.TempDir(), "x"))
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "at least 16 bytes")
}

func TestDiffCommand(t *testing.T) {
	base, head := filepath.Join(t.TempDir(), "base"), filepath.Join(t.TempDir(), "head")
	for _, s := range []string{"prod", "staging"} {
		code, _, stderr := synth(t, "-stack", s, "-policies", "none", "-out", filepath.Join(base, s))
		require.Equal(t, 0, code, stderr)
		code, _, stderr = synth(t, "-stack", s, "-policies", "none", "-out", filepath.Join(head, s))
		require.Equal(t, 0, code, stderr)
	}
	code, stdout, stderr := synth(t, "diff", "-base", base, "-head", head)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "Stack <b>prod</b>: 0 added, 0 removed, 0 changed")
	assert.Contains(t, stdout, "Stack <b>staging</b>: 0 added, 0 removed, 0 changed")
	code, stdout, stderr = synth(t, "diff", "-base", base, "-head", head, "-artifacts-url", "https://github.com/o/r/actions/runs/1#artifacts")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "`prod/capacity.svg`, `staging/capacity.svg` of the head rendering, in the [run's artifacts](https://github.com/o/r/actions/runs/1#artifacts)")
	code, _, stderr = synth(t, "diff", "-base", base)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "-base and -head are required")
}
