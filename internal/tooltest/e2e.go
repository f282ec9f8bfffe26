package tooltest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/langgraph-platform/infra/internal/harness"
)

// Tool is one tool the end-to-end tests run: the package built from tools/<Module>.
type Tool struct {
	Name, Module, Pkg string
	Opts              Options
}

// ModuleVersion is the version of modulePath this repository's module requires ("v" dropped):
// the version the program's SDK asks the engine for.
func ModuleVersion(modulePath string) (string, error) {
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

// E2ETools are the pinned Pulumi CLI (stamped with the SDK's version), Kubernetes provider,
// kube-apiserver and etcd. -s -w: no symbol table or DWARF; the binaries are run, never debugged
// here, and linking the largest (a 440 MB provider with DWARF) takes markedly longer with them.
func E2ETools() ([]Tool, error) {
	cliVersion, err := ModuleVersion("github.com/pulumi/pulumi/sdk/v3")
	if err != nil {
		return nil, err
	}
	kubeVersion, err := ModuleVersion("github.com/pulumi/pulumi-kubernetes/sdk/v4")
	if err != nil {
		return nil, err
	}
	return []Tool{
		{"pulumi", "pulumi", "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi", Options{
			LDFlags: "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v" + cliVersion,
		}},
		// The provider module's own main embeds a schema its module zip does not carry under that
		// name; the tools module's main embeds the module's schema.json, copied in here.
		{"pulumi-resource-kubernetes", "kubernetes-provider", "./cmd/pulumi-resource-kubernetes", Options{
			LDFlags: "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=" + kubeVersion,
			Key:     "schema.json",
			Prepare: func(scratch string) error {
				src, err := ModuleDir("kubernetes-provider", "github.com/pulumi/pulumi-kubernetes/provider/v4")
				if err != nil {
					return err
				}
				schema, err := os.ReadFile(filepath.Join(src, "cmd", "pulumi-resource-kubernetes", "schema.json"))
				if err != nil {
					return err
				}
				return os.WriteFile(filepath.Join(scratch, "cmd", "pulumi-resource-kubernetes", "schema.json"), schema, 0o644)
			},
		}},
		{"kube-apiserver", "kube-apiserver", "k8s.io/kubernetes/cmd/kube-apiserver", Options{LDFlags: "-s -w"}},
		{"etcd", "etcd", "go.etcd.io/etcd/server/v3", Options{LDFlags: "-s -w"}},
	}, nil
}

// Missing are the tools not built yet.
func Missing(tools []Tool) ([]string, error) {
	var missing []string
	for _, t := range tools {
		if _, cached, err := Path(t.Module, t.Pkg, t.Opts); err != nil {
			return nil, err
		} else if !cached {
			missing = append(missing, t.Module)
		}
	}
	return missing, nil
}

// BuildAll builds (or finds cached) every tool, side by side: on two cores one build's
// single-threaded link overlaps another's compiles. It returns each binary by tool name.
func BuildAll(tools []Tool) (map[string]string, error) {
	bins := make([]string, len(tools))
	errs := make([]error, len(tools))
	var wg sync.WaitGroup
	for i, t := range tools {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bins[i], errs[i] = BuildTool(t.Module, t.Pkg, t.Opts)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for i, t := range tools {
		out[t.Name] = bins[i]
	}
	return out, nil
}
