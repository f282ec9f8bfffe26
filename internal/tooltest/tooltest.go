// Package tooltest builds the command-line tools that tests run (promtool, actionlint, and the
// end-to-end tests' Pulumi CLI, Kubernetes provider, kube-apiserver and etcd) from their pinned
// modules under tools/, so nothing is downloaded from anywhere but the Go module proxy.
package tooltest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langgraph-platform/infra/internal/harness"
)

// building serialises builds of the same tool (a test package's tests may ask at once); builds
// of different tools run side by side.
var (
	mu       sync.Mutex
	building = map[string]*sync.Mutex{}
)

func lockFor(key string) *sync.Mutex {
	mu.Lock()
	defer mu.Unlock()
	l, ok := building[key]
	if !ok {
		l = &sync.Mutex{}
		building[key] = l
	}
	return l
}

// Build returns the path of the tool built from pkg, a main package that the module in
// tools/<module> pins, with the given build tags. See BuildTool.
func Build(t testing.TB, module, pkg string, tags ...string) string {
	t.Helper()
	bin, err := BuildTool(module, pkg, Options{Tags: tags})
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// Options adjust a tool's build.
type Options struct {
	Tags    []string
	LDFlags string
	// Prepare runs on a scratch copy of the tools module before the build, for files the
	// module cannot carry (the Kubernetes provider's generated schema); the build then runs in
	// that copy. It is part of the cache key by Key.
	Prepare func(dir string) error
	// Key names what Prepare adds, for the cache key.
	Key string
	// Timeout bounds the build (default 30 minutes: a cold build of the largest tool on two
	// cores takes under ten).
	Timeout time.Duration
}

// Path is where BuildTool puts (and finds) the tool built from pkg in tools/<module> with opts,
// and whether it is there already.
func Path(module, pkg string, opts Options) (string, bool, error) {
	root, err := harness.RepoRoot()
	if err != nil {
		return "", false, err
	}
	toolsDir := filepath.Join(root, "tools", module)
	var key strings.Builder
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(toolsDir, f))
		if err != nil {
			return "", false, err
		}
		key.Write(b)
	}
	if opts.Prepare != nil {
		// The module's own sources are copied: they are part of what is built.
		if err := filepath.WalkDir(toolsDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
				return err
			}
			b, err := os.ReadFile(p)
			key.Write(b)
			return err
		}); err != nil {
			return "", false, err
		}
	}
	fmt.Fprintf(&key, "\x00%s\x00%s\x00%s\x00%s", pkg, strings.Join(opts.Tags, ","), opts.LDFlags, opts.Key)
	digest := sha256.Sum256([]byte(key.String()))
	name := path.Base(pkg)
	if major := strings.TrimLeft(name, "v0123456789"); major == "" && strings.HasPrefix(name, "v") {
		name = path.Base(path.Dir(pkg)) // go.etcd.io/etcd/server/v3: server, not v3
	}
	bin := filepath.Join(os.TempDir(), "langgraph-platform-tools", hex.EncodeToString(digest[:8]), name)
	_, err = os.Stat(bin)
	return bin, err == nil, nil
}

// BuildTool returns the path of the tool built from pkg in tools/<module>. Binaries are cached
// under the OS temp directory by that module's go.mod and go.sum and the options (Path), so a
// machine builds each tool once and a version bump rebuilds it.
func BuildTool(module, pkg string, opts Options) (string, error) {
	l := lockFor(module + "\x00" + pkg)
	l.Lock()
	defer l.Unlock()
	bin, cached, err := Path(module, pkg, opts)
	if err != nil || cached {
		return bin, err
	}
	// Across processes too: a test run started while `go run ./cmd/e2etools` (or another test
	// run) builds the tool waits for that build instead of starting a second.
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	built := func() bool { _, err := os.Stat(bin); return err == nil }
	if err := Once(bin, built, func() error { return build(module, pkg, opts, bin) }); err != nil {
		return "", err
	}
	return bin, nil
}

// build builds pkg of tools/<module> to bin.
func build(module, pkg string, opts Options, bin string) error {
	root, err := harness.RepoRoot()
	if err != nil {
		return err
	}
	toolsDir := filepath.Join(root, "tools", module)
	dir := toolsDir
	if opts.Prepare != nil {
		scratch, err := os.MkdirTemp("", "tool-build-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(scratch)
		if err := os.CopyFS(scratch, os.DirFS(toolsDir)); err != nil {
			return err
		}
		if err := opts.Prepare(scratch); err != nil {
			return fmt.Errorf("preparing %s: %w", module, err)
		}
		dir = scratch
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = 30 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// Built to a temporary name and renamed: an interrupted build never leaves a partial binary
	// where the cache would find it.
	tmp := bin + ".partial"
	args := []string{"build", "-o", tmp}
	if len(opts.Tags) > 0 {
		args = append(args, "-tags", strings.Join(opts.Tags, ","))
	}
	if opts.LDFlags != "" {
		args = append(args, "-ldflags", opts.LDFlags)
	}
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building %s from the tools module %s: %v\n%s", pkg, module, err, out)
	}
	return os.Rename(tmp, bin)
}

// ModuleDir is the directory of module in the module cache, as the tools module module pins it
// (downloading it if needed).
func ModuleDir(module, modulePath string) (string, error) {
	root, err := harness.RepoRoot()
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "mod", "download", "-json", modulePath)
	cmd.Dir = filepath.Join(root, "tools", module)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s in tools/%s: %w", modulePath, module, err)
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
		return "", fmt.Errorf("go mod download %s: no module directory (%v%s)", modulePath, err, m.Error)
	}
	return m.Dir, nil
}
