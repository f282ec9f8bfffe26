package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func costCmd(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// projectCopy is the project's Pulumi.yaml and one stack file, with replacements, in a temp dir.
func projectCopy(t *testing.T, stack string, replace ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"Pulumi.yaml", "Pulumi." + stack + ".yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", f))
		require.NoError(t, err)
		s := string(b)
		for i := 0; i+1 < len(replace); i += 2 {
			s = strings.ReplaceAll(s, replace[i], replace[i+1])
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte(s), 0o644))
	}
	return dir
}

func TestBothStacksPrintTheirBill(t *testing.T) {
	for _, stack := range []string{"prod", "staging"} {
		code, out, stderr := costCmd("-stack", stack)
		assert.Equal(t, 0, code, "%s\n%s", out, stderr)
		for _, want := range []string{"| RDS primary", "| ElastiCache", "| API pods on", "| WAF web ACL", "**AWS total**", "LLM: ", "(2025-11)"} {
			assert.Contains(t, out, want, stack)
		}
		code, out, _ = costCmd("-stack", stack, "-json")
		require.Equal(t, 0, code)
		var e struct {
			Idle     float64 `json:"monthlyIdleUsd"`
			Expected float64 `json:"monthlyExpectedUsd"`
			Lines    []struct {
				Item string `json:"item"`
			} `json:"lines"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &e))
		assert.Positive(t, e.Idle)
		assert.Greater(t, e.Expected, e.Idle)
		assert.NotEmpty(t, e.Lines)
	}
}

func TestBudgetBelowEstimateExitsTwo(t *testing.T) {
	dir := projectCopy(t, "prod", "monthlyUsd: 6000", "monthlyUsd: 500")
	code, out, stderr := costCmd("-dir", dir, "-stack", "prod")
	assert.Equal(t, 2, code)
	assert.Contains(t, out, "**AWS total**", "the table says how far below")
	assert.Contains(t, stderr, "cost.budget.monthlyUsd=500 is below the cost model's estimate at minimum replicas")
}

func TestUnpricedRegionAndBadUsageExitTwo(t *testing.T) {
	dir := projectCopy(t, "prod", "aws:region: us-east-1", "aws:region: eu-west-1",
		"arn:aws:acm:us-east-1:", "arn:aws:acm:eu-west-1:")
	code, _, stderr := costCmd("-dir", dir, "-stack", "prod")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `no price table for region "eu-west-1"`)
	code, _, stderr = costCmd()
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "-stack is required")
	code, _, stderr = costCmd("-stack", "nope")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `unknown stack "nope"`)
}
