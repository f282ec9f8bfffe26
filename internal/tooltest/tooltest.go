// Package tooltest builds the command-line tools that tests run (promtool, actionlint) from their
// pinned modules under tools/, so nothing is downloaded from anywhere but the Go module proxy.
package tooltest

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/langgraph-platform/infra/internal/harness"
)

var mu sync.Mutex

// Build returns the path of the tool built from pkg, a main package that the module in
// tools/<module> pins, with the given build tags. Binaries are cached under the OS temp directory
// by that module's go.sum, so a test run builds each tool once and a version bump rebuilds it.
func Build(t testing.TB, module, pkg string, tags ...string) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	root, err := harness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	toolsDir := filepath.Join(root, "tools", module)
	sum, err := os.ReadFile(filepath.Join(toolsDir, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(string(sum) + pkg + strings.Join(tags, ",")))
	bin := filepath.Join(os.TempDir(), "langgraph-platform-tools", hex.EncodeToString(digest[:8]), path.Base(pkg))
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	args := []string{"build", "-o", bin}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Dir = toolsDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building %s from the tools module: %v\n%s", pkg, err, out)
	}
	return bin
}
