package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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

// moduleVersion is the version of modulePath the program's module requires ("v" dropped): the
// version the program's SDK asks the engine for.
func moduleVersion(modulePath string) (string, error) {
	root, err := harness.RepoRoot()
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Version}}", modulePath)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w", modulePath, err)
	}
	return strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), nil
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
	cliVersion, err := moduleVersion("github.com/pulumi/pulumi/sdk/v3")
	if err != nil {
		return nil, err
	}
	kubeVersion, err := moduleVersion("github.com/pulumi/pulumi-kubernetes/sdk/v4")
	if err != nil {
		return nil, err
	}
	// -s -w: no symbol table or DWARF; the binaries are run, never debugged here, and linking the
	// largest (a 440 MB provider with DWARF) takes markedly longer with them.
	var cli, provider string
	specs := []struct {
		module, pkg string
		opts        tooltest.Options
		dest        *string
	}{
		{"pulumi", "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi", tooltest.Options{
			LDFlags: "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v" + cliVersion,
		}, &cli},
		// The provider module's own main embeds a schema its module zip does not carry under that
		// name; the tools module's main embeds the module's schema.json, copied in here.
		{"kubernetes-provider", "./cmd/pulumi-resource-kubernetes", tooltest.Options{
			LDFlags: "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=" + kubeVersion,
			Key:     "schema.json",
			Prepare: func(scratch string) error {
				src, err := tooltest.ModuleDir("kubernetes-provider", "github.com/pulumi/pulumi-kubernetes/provider/v4")
				if err != nil {
					return err
				}
				schema, err := os.ReadFile(filepath.Join(src, "cmd", "pulumi-resource-kubernetes", "schema.json"))
				if err != nil {
					return err
				}
				return os.WriteFile(filepath.Join(scratch, "cmd", "pulumi-resource-kubernetes", "schema.json"), schema, 0o644)
			},
		}, &provider},
		{"kube-apiserver", "k8s.io/kubernetes/cmd/kube-apiserver", tooltest.Options{LDFlags: "-s -w"}, &t.KubeAPIServer},
		{"etcd", "go.etcd.io/etcd/server/v3", tooltest.Options{LDFlags: "-s -w"}, &t.Etcd},
	}
	var missing []string
	for _, spec := range specs {
		if _, cached, err := tooltest.Path(spec.module, spec.pkg, spec.opts); err != nil {
			return nil, err
		} else if !cached {
			missing = append(missing, spec.module)
		}
	}
	// go test kills a test binary one minute after its -timeout, TestMain included: say so
	// before starting builds that would be killed half way.
	if len(missing) > 0 && timeout > 0 && timeout < coldBuildBudget {
		return nil, fmt.Errorf("%s not built yet: a cold build takes about 20 minutes on two cores, longer than this run's -timeout %s; "+
			"run the README's test command (go test -timeout 60m ./...) or `go test -timeout 60m ./tests/e2e` once, and later runs find them cached",
			strings.Join(missing, ", "), timeout)
	}
	// The builds run side by side: on two cores one build's single-threaded link overlaps
	// another's compiles.
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	for i, spec := range specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			*spec.dest, errs[i] = tooltest.BuildTool(spec.module, spec.pkg, spec.opts)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	links := map[string]string{"pulumi": cli, "pulumi-resource-kubernetes": provider}
	root, err := harness.RepoRoot()
	if err != nil {
		return nil, err
	}
	for _, standin := range []struct{ pkg, module string }{
		{"aws", "github.com/pulumi/pulumi-aws/sdk/v6"},
		{"random", "github.com/pulumi/pulumi-random/sdk/v4"},
	} {
		version, err := moduleVersion(standin.module)
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
