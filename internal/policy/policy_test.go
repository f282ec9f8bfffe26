package policy

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func pack(t *testing.T, rego string) *Pack {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "p.rego"), []byte(rego), 0o600))
	p, err := Load(dir)
	require.NoError(t, err)
	return p
}

const twoRules = `package p

import rego.v1

deny_x contains sprintf("x is %v", [input.x]) if input.x > 1

warn_y contains "y is set" if input.y

f(v) := 1 if v > 0

f(v) := 2 if v > 1

# Conflicting values for z > 1: a runtime error, as a badly written rule gives.
deny_z contains sprintf("z maps to %v", [f(input.z)]) if input.z

stack_deny_count contains sprintf("%d resources", [count(input.resources)]) if count(input.resources) > 2
`

// Every rule's messages come out of the one batched query, per resource and for the stack, with
// the levels the names and the config give.
func TestEvaluateBatchesEveryRule(t *testing.T) {
	p := pack(t, twoRules)
	docs := []map[string]any{
		{"__urn": "a", "x": 2, "y": true},
		{"__urn": "b", "x": 1},
		{"__urn": "c", "x": 3, "z": 1},
	}
	vs, err := p.Evaluate(context.Background(), docs, Config{"warn_y": {Level: Mandatory}})
	require.NoError(t, err)
	assert.Equal(t, []Violation{
		{Rule: "deny_x", Level: Mandatory, URN: "a", Message: "x is 2"},
		{Rule: "deny_x", Level: Mandatory, URN: "c", Message: "x is 3"},
		{Rule: "deny_z", Level: Mandatory, URN: "c", Message: "z maps to 1"},
		{Rule: "stack_deny_count", Level: Mandatory, Message: "3 resources"},
		{Rule: "warn_y", Level: Mandatory, URN: "a", Message: "y is set"},
	}, vs)
	vs, err = p.Evaluate(context.Background(), docs, Config{"all": {Level: Disabled}})
	require.NoError(t, err)
	assert.Empty(t, vs, "disabled rules are not evaluated")
}

// A rule that fails at run time on a resource is named, as the analyzer names it, though the
// rules are evaluated together.
func TestEvaluateNamesTheRuleThatFails(t *testing.T) {
	p := pack(t, twoRules)
	_, err := p.Evaluate(context.Background(), []map[string]any{{"__urn": "ok", "x": 2}, {"__urn": "bad", "z": 5}}, Config{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "evaluating deny_z on bad")
	assert.Contains(t, err.Error(), "conflict")
}
