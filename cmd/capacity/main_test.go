package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/langgraph-platform/infra/internal/stacktest"
)

func capacity(t *testing.T, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestStacksPass(t *testing.T) {
	for _, stack := range []string{"prod", "staging"} {
		code, out, stderr := capacity(t, "-stack", stack)
		assert.Equal(t, 0, code, "%s\n%s", out, stderr)
		assert.Contains(t, out, "| run slots at max replicas |")
		assert.NotContains(t, out, "FAIL")
	}
}

// A project copy whose prod stack restores the seed's 10 jobs per pod: the report fails and names it.
func TestFailingStackExitsOne(t *testing.T) {
	dir := stacktest.ProjectCopy(t, "prod", "jobsPerWorker: 100", "jobsPerWorker: 10")
	code, out, _ := capacity(t, "-dir", dir, "-stack", "prod")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "| run slots at max replicas | 500 runs | 3750 runs | FAIL |")
	code, _, stderr := capacity(t, "-stack", "nope")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `unknown stack "nope"`)
}
