package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/langgraph-platform/infra/internal/stackfile/stackfiletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func capacityCmd(t *testing.T, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestStacksPass(t *testing.T) {
	for _, stack := range []string{"prod", "staging"} {
		code, out, stderr := capacityCmd(t, "-stack", stack)
		assert.Equal(t, 0, code, "%s\n%s", out, stderr)
		assert.Contains(t, out, "| run slots at max replicas |")
		assert.NotContains(t, out, "FAIL")
	}
}

// A project copy whose prod stack restores the seed's 10 jobs per pod: the report fails and names it.
func TestFailingStackExitsOne(t *testing.T) {
	dir := stackfiletest.ProjectCopy(t, "prod", "jobsPerWorker: 100", "jobsPerWorker: 10")
	code, out, _ := capacityCmd(t, "-dir", dir, "-stack", "prod")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "| run slots at max replicas | 500 runs | 3750 runs | FAIL |")
	code, _, stderr := capacityCmd(t, "-stack", "nope")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `unknown stack "nope"`)
}

// A named scenario prints minute by minute and its verdict; -recommend names the levers; a bad
// profile or flag combination is a usage error naming what is wrong.
func TestScenariosAndRecommendations(t *testing.T) {
	// Prod with the seed's minimum of 10: a five-minute crowd breaks it.
	seed := stackfiletest.ProjectCopy(t, "prod", "    minReplicas: 35\n", "    minReplicas: 10\n")
	code, out, stderr := capacityCmd(t, "-dir", seed, "-stack", "prod", "-ramp", "5m", "-recommend")
	assert.Equal(t, 1, code, stderr)
	assert.Contains(t, out, "Scenario: users from 0 to 5000 over 5m0s.")
	assert.Contains(t, out, "BREAKS the 60 s target")
	assert.Contains(t, out, "in the worst 5 minutes (the alert's window")
	assert.Contains(t, out, "| minute | users | replicas | ready | waiting runs |")
	assert.Contains(t, out, "Cheapest combination of levers that meets the target, priced at $0.054 per pod-hour (cost.nodeInstanceType m7g.2xlarge)")
	assert.Contains(t, out, "| cheapest | hpa.minReplicas 10 -> 35 | +993 |", "the cheapest plan, and prod's stack file uses it")
	assert.Contains(t, out, "| runner-up 1 |")

	code, out, _ = capacityCmd(t, "-stack", "prod", "-ramp", "5m", "-recommend")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "meets the 60 s target")
	assert.Contains(t, out, "No change needed. Combinations that also hold a step (every user at once) better")
	assert.Contains(t, out, "| cheapest | none | +0 |")
	assert.Contains(t, out, "| runner-up 1 | hpa.minReplicas 35 -> 40 |")

	// -svg draws the scenario, or a step without one.
	svg := filepath.Join(t.TempDir(), "ramp.svg")
	code, _, stderr = capacityCmd(t, "-stack", "prod", "-ramp", "5m", "-svg", svg)
	require.Equal(t, 0, code, stderr)
	picture, err := os.ReadFile(svg)
	require.NoError(t, err)
	assert.Contains(t, string(picture), "Stack prod: users from 0 to 5000 over 5m0s (capacity model)")
	assert.Contains(t, string(picture), "model: queue wait")
	code, _, stderr = capacityCmd(t, "-stack", "staging", "-svg", svg)
	require.Equal(t, 0, code, stderr)
	picture, err = os.ReadFile(svg)
	require.NoError(t, err)
	assert.Contains(t, string(picture), "Stack staging: a step to")
	code, _, stderr = capacityCmd(t, "-stack", "prod", "-svg", filepath.Join(t.TempDir(), "no", "such", "dir.svg"))
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "-svg:")

	code, out, _ = capacityCmd(t, "-dir", seed, "-stack", "prod", "-ramp", "5m", "-recommend", "-known-rush")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "hpa.schedules minReplicas (around the rush)")

	dir := t.TempDir()
	good, bad := filepath.Join(dir, "morning.csv"), filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(good, []byte("minute,users\n0,100\n1,150\n2,200\n"), 0o644))
	require.NoError(t, os.WriteFile(bad, []byte("minute,users\n0,-3\n"), 0o644))
	code, out, stderr = capacityCmd(t, "-stack", "staging", "-profile", good)
	assert.Equal(t, 0, code, out+stderr)
	assert.Contains(t, out, "Scenario: the profile "+good+" (3 minutes)")

	for args, want := range map[string][]string{
		"bad profile":      {"-stack", "prod", "-profile", bad},
		"two scenarios":    {"-stack", "prod", "-ramp", "5m", "-profile", good},
		"recommend alone":  {"-stack", "prod", "-recommend"},
		"known rush alone": {"-stack", "prod", "-ramp", "5m", "-known-rush"},
		"negative ramp":    {"-stack", "prod", "-ramp", "-5m"},
		"missing profile":  {"-stack", "prod", "-profile", filepath.Join(dir, "nope.csv")},
	} {
		code, _, stderr := capacityCmd(t, want...)
		assert.Equal(t, 2, code, args)
		assert.NotEmpty(t, stderr, args)
	}
	_, _, stderr = capacityCmd(t, "-stack", "prod", "-profile", bad)
	assert.Contains(t, stderr, `profile line 2: users "-3" is not a number >= 0`)
}
