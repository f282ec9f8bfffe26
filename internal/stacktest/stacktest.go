// Package stacktest runs the real program for a stack in tests.
package stacktest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/program"
)

// Stacks are the stacks every whole-program test covers.
var Stacks = []string{"prod", "staging"}

// Run runs the program for stack with the default test secrets and the given --path changes.
func Run(t testing.TB, stack string, set map[string]any) *harness.Result {
	t.Helper()
	opts, err := harness.WithPrimary(program.Build, harness.Options{Stack: stack, Secrets: harness.DefaultSecrets(), Set: set})
	require.NoError(t, err)
	res, err := harness.Run(program.Build, opts)
	require.NoError(t, err)
	return res
}

// One returns the single resource of typ whose name ends with suffix.
func One(t testing.TB, res *harness.Result, typ, suffix string) *harness.Resource {
	t.Helper()
	var found []*harness.Resource
	for _, r := range res.ByType(typ) {
		if len(r.Name) >= len(suffix) && r.Name[len(r.Name)-len(suffix):] == suffix {
			found = append(found, r)
		}
	}
	require.Len(t, found, 1, "want exactly one %s named *%s", typ, suffix)
	return found[0]
}
