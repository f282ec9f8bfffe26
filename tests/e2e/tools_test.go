package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/tooltest"
)

// tools are the binaries an end-to-end run needs. Bin holds the Pulumi CLI and every plugin
// under the names the CLI looks for (bin/pulumi, pulumi-resource-<package>); it goes first on
// the PATH the CLI and its plugins see.
type tools struct {
	Root          string // Root/bin/pulumi, as auto.PulumiCommandOptions.Root expects
	Bin           string
	KubeAPIServer string
	Etcd          string
}

// coldBuildBudget is the -timeout below which a run does not start cold builds of the tools.
const coldBuildBudget = 40 * time.Minute

// buildTools builds (or finds cached) the pinned Pulumi CLI, Kubernetes provider, kube-apiserver
// and etcd from the tools modules, and the stand-in AWS and random providers from this tree;
// timeout is the run's -timeout (0: none).
func buildTools(dir string, timeout time.Duration) (*tools, error) {
	t := &tools{Root: dir, Bin: filepath.Join(dir, "bin")}
	if err := os.MkdirAll(t.Bin, 0o755); err != nil {
		return nil, err
	}
	specs, err := tooltest.E2ETools()
	if err != nil {
		return nil, err
	}
	missing, err := tooltest.Missing(specs)
	if err != nil {
		return nil, err
	}
	// go test kills a test binary one minute after its -timeout, TestMain included: say so
	// before starting builds that would be killed half way.
	if len(missing) > 0 && timeout > 0 && timeout < coldBuildBudget {
		return nil, fmt.Errorf("%s not built yet: a cold build takes about 20 minutes on two cores, longer than this run's -timeout %s; "+
			"run the README's test command (go test -timeout 60m ./...) or `go test -timeout 60m ./tests/e2e` once, and later runs find them cached",
			strings.Join(missing, ", "), timeout)
	}
	bins, err := tooltest.BuildAll(specs)
	if err != nil {
		return nil, err
	}
	t.KubeAPIServer, t.Etcd = bins["kube-apiserver"], bins["etcd"]
	links := map[string]string{"pulumi": bins["pulumi"], "pulumi-resource-kubernetes": bins["pulumi-resource-kubernetes"]}
	root, err := harness.RepoRoot()
	if err != nil {
		return nil, err
	}
	for _, standin := range []struct{ pkg, module string }{
		{"aws", "github.com/pulumi/pulumi-aws/sdk/v6"},
		{"random", "github.com/pulumi/pulumi-random/sdk/v4"},
	} {
		version, err := tooltest.ModuleVersion(standin.module)
		if err != nil {
			return nil, err
		}
		out := filepath.Join(t.Bin, "pulumi-resource-"+standin.pkg)
		cmd := exec.Command("go", "build", "-o", out,
			"-ldflags", fmt.Sprintf("-s -w -X main.pkg=%s -X main.version=%s", standin.pkg, version), "./tests/e2e/standin")
		cmd.Dir = root
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("building the stand-in %s provider: %v\n%s", standin.pkg, err, b)
		}
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(t.Bin, name)); err != nil {
			return nil, err
		}
	}
	return t, nil
}
