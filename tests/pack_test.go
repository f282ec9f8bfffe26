package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
)

// analyzerRuleName is the name pattern pulumi-policy-opa evaluates (v1.1.0: digits allowed);
// any other rule name is a helper it never runs.
var analyzerRuleName = regexp.MustCompile(`^(stack_)?(deny|violation|warn)(_[a-zA-Z0-9]+)*$`)

// The analyzer loads every Rego file under the pack folder: it must hold the manifest, the Rego
// files and their README only (a config-schema.json is the one other file it reads), and every
// policy name must be one the analyzer evaluates.
func TestPackFolderHoldsOnlyWhatTheAnalyzerReads(t *testing.T) {
	entries, err := os.ReadDir(repoPath(t, "policies"))
	require.NoError(t, err)
	for _, e := range entries {
		// README.md documents the pack; the analyzer loads Rego files only.
		ok := !e.IsDir() && (e.Name() == "PulumiPolicy.yaml" || e.Name() == "config-schema.json" || e.Name() == "README.md" ||
			(strings.HasSuffix(e.Name(), ".rego") && !strings.HasSuffix(e.Name(), "_test.rego")))
		assert.True(t, ok, "policies/%s: the analyzer would load it as part of the pack", e.Name())
	}
	manifest, err := os.ReadFile(repoPath(t, "policies", "PulumiPolicy.yaml"))
	require.NoError(t, err)
	assert.Contains(t, string(manifest), "runtime: opa")
	for _, r := range loadPack(t).Rules {
		assert.Regexp(t, analyzerRuleName, r.Name)
	}
}

// collidingKeys are the analyzer's metadata keys: at the top level of input they hold the
// resource's type, name, URN, options, provider and properties, never a property of that name.
var collidingRead = regexp.MustCompile(`\binput\.(type|name|urn|options|provider|properties)\b|\binput\[\s*"(type|name|urn|options|provider|properties)"\s*\]|object\.get\(\s*input\s*,\s*"(type|name|urn|options|provider|properties)"`)

// A rule that reads a colliding key at the top level of input reads metadata where it means a
// property: it must read input.__properties.<key> (or the __ metadata copy) instead.
func TestPackReadsNoCollidingKeyAtTheTopLevel(t *testing.T) {
	files, err := filepath.Glob(repoPath(t, "policies", "*.rego"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			if m := collidingRead.FindString(line); m != "" {
				assert.Failf(t, "colliding key", "%s:%d reads %s: use input.__properties or the __ metadata key", filepath.Base(f), i+1, m)
			}
		}
	}
}

var readmeRuleName = regexp.MustCompile("`((?:stack_)?(?:deny|warn|violation)_[a-z0-9_]+)`")

// The pack's README names exactly the pack's rules, and its count is the pack's.
func TestPackReadmeListsEveryRule(t *testing.T) {
	b, err := os.ReadFile(repoPath(t, "policies", "README.md"))
	require.NoError(t, err)
	section := string(b)
	listed := map[string]bool{}
	for _, m := range readmeRuleName.FindAllStringSubmatch(section, -1) {
		listed[m[1]] = true
	}
	rules := map[string]bool{}
	for _, r := range loadPack(t).Rules {
		rules[r.Name] = true
		assert.True(t, listed[r.Name], "README's policy table lacks %s", r.Name)
	}
	for name := range listed {
		assert.True(t, rules[name], "README lists %s, which the pack lacks", name)
	}
	clauses, _ := packClauses(t)
	n := 0
	for _, c := range clauses {
		n += len(c)
	}
	assert.Contains(t, section, fmt.Sprintf("The pack has %d rules (%d clauses)", len(rules), n))
}

// policies/catalog.rego is generated from package catalog: the pack checks the same TLS policies
// config does.
func TestPackFactsAreGeneratedFromTheCatalog(t *testing.T) {
	b, err := os.ReadFile(repoPath(t, "policies", "catalog.rego"))
	require.NoError(t, err)
	assert.Equal(t, catalog.RegoFacts(), string(b), "policies/catalog.rego is stale: run go run ./cmd/configdoc -write")
}
