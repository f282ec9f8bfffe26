// Package stackfiletest makes edited copies of the project's stack files for tests. It links no
// part of the program, so a test of a tool that only reads stack files stays a small binary.
package stackfiletest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/internal/stackfile"
)

// ProjectCopy copies Pulumi.yaml and Pulumi.<stack>.yaml into a temporary directory, replacing
// text in the stack file (old, new pairs, each must match), and returns the directory: a project
// whose stack file a user edited.
func ProjectCopy(t testing.TB, stack string, replacements ...string) string {
	t.Helper()
	root, err := stackfile.RepoRoot()
	require.NoError(t, err)
	dir := t.TempDir()
	for _, f := range []string{"Pulumi.yaml", "Pulumi." + stack + ".yaml"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		if f != "Pulumi.yaml" {
			for i := 0; i+1 < len(replacements); i += 2 {
				require.True(t, bytes.Contains(b, []byte(replacements[i])), "%s does not contain %q", f, replacements[i])
				b = bytes.Replace(b, []byte(replacements[i]), []byte(replacements[i+1]), 1)
			}
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o644))
	}
	return dir
}
