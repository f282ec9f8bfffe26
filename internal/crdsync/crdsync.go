// Package crdsync keeps the CRD copies the components apply equal to their upstream: the
// prometheus-operator CRDs each accepted kube-prometheus-stack version needs
// (components/monitoring/crds, from github.com/prometheus-operator/prometheus-operator) and
// Karpenter's for each accepted chart version (components/clusteraddons/crds, from
// github.com/aws/karpenter-provider-aws). It reads them from the Go modules at those versions,
// fetched from the Go module proxy like any dependency.
package crdsync

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/langgraph-platform/infra/catalog"
)

// Source is one upstream of CRD copies.
type Source struct {
	// Module is the Go module holding the CRDs, ModuleDir where inside it.
	Module, ModuleDir string
	// Dir is the repository directory of the copies, one subdirectory per version.
	Dir string
	// Versions are the versions the accepted charts need, sorted, without repeats; Tag is the
	// module version of one.
	Versions func() []string
	Tag      func(version string) string
}

// Sources are every upstream the program copies CRDs from.
var Sources = []Source{
	{
		Module: "github.com/prometheus-operator/prometheus-operator", ModuleDir: "example/prometheus-operator-crd",
		Dir:      "components/monitoring/crds",
		Versions: func() []string { return slices.Compact(slices.Sorted(maps.Values(catalog.PrometheusOperatorCRDs))) },
		Tag:      func(v string) string { return v },
	},
	{
		// Karpenter's chart and controller share a version; its module tags it with a v.
		Module: "github.com/aws/karpenter-provider-aws", ModuleDir: "pkg/apis/crds",
		Dir:      "components/clusteraddons/crds",
		Versions: func() []string { return slices.Sorted(slices.Values(catalog.ChartVersions[catalog.ChartKarpenter])) },
		Tag:      func(v string) string { return "v" + v },
	},
}

// moduleDir downloads the source's module at version (or finds it in the module cache) and
// returns its directory.
func (s Source) moduleDir(version string) (string, error) {
	Module, version := s.Module, s.Tag(version)
	cmd := exec.Command("go", "mod", "download", "-json", Module+"@"+version)
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	cmd.Dir = os.TempDir() // outside any module: the download does not touch go.mod
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); jerr == nil && info.Error != "" {
		return "", fmt.Errorf("go mod download %s@%s: %s", Module, version, info.Error)
	}
	if err != nil {
		return "", fmt.Errorf("go mod download %s@%s: %v: %s", Module, version, err, stderr.String())
	}
	if info.Dir == "" {
		return "", fmt.Errorf("go mod download %s@%s returned no directory", Module, version)
	}
	return info.Dir, nil
}

// Want returns the CRD files (name -> content) the module holds at version.
func (s Source) Want(version string) (map[string][]byte, error) {
	dir, err := s.moduleDir(version)
	if err != nil {
		return nil, err
	}
	return readYAML(filepath.Join(dir, s.ModuleDir))
}

func readYAML(dir string) (map[string][]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".yaml") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		files[e.Name()] = b
	}
	return files, nil
}

// Drift lists every difference between the copies under root and their modules: a missing or
// changed file, a file the module does not have, a version directory no chart needs.
func Drift(root string) ([]string, error) {
	var drift []string
	for _, src := range Sources {
		d, err := src.drift(root)
		if err != nil {
			return nil, err
		}
		drift = append(drift, d...)
	}
	return drift, nil
}

func (s Source) drift(root string) ([]string, error) {
	var drift []string
	want := s.Versions()
	for _, v := range want {
		files, err := s.Want(v)
		if err != nil {
			return nil, err
		}
		have, err := readYAML(filepath.Join(root, s.Dir, v))
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		for _, name := range slices.Sorted(maps.Keys(files)) {
			switch b, ok := have[name]; {
			case !ok:
				drift = append(drift, fmt.Sprintf("%s/%s/%s is missing", s.Dir, v, name))
			case !bytes.Equal(b, files[name]):
				drift = append(drift, fmt.Sprintf("%s/%s/%s differs from %s@%s", s.Dir, v, name, s.Module, s.Tag(v)))
			}
		}
		for _, name := range slices.Sorted(maps.Keys(have)) {
			if _, ok := files[name]; !ok {
				drift = append(drift, fmt.Sprintf("%s/%s/%s is not in %s@%s", s.Dir, v, name, s.Module, s.Tag(v)))
			}
		}
	}
	entries, err := os.ReadDir(filepath.Join(root, s.Dir))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() && !slices.Contains(want, e.Name()) {
			drift = append(drift, fmt.Sprintf("%s/%s is needed by no accepted chart version", s.Dir, e.Name()))
		}
	}
	return drift, nil
}

// Write makes every source's copies under root equal to its module's CRDs for every needed
// version.
func Write(root string) error {
	for _, src := range Sources {
		base := filepath.Join(root, src.Dir)
		if err := os.RemoveAll(base); err != nil {
			return err
		}
		for _, v := range src.Versions() {
			files, err := src.Want(v)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Join(base, v), 0o755); err != nil {
				return err
			}
			for name, b := range files {
				if err := os.WriteFile(filepath.Join(base, v, name), b, 0o644); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
