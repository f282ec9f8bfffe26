// Package crdsync keeps components/monitoring/crds equal to the prometheus-operator CRDs that
// each accepted kube-prometheus-stack version needs (catalog.PrometheusOperatorCRDs): it reads
// them from the Go module github.com/prometheus-operator/prometheus-operator at that version,
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

// Module is the Go module whose example/prometheus-operator-crd directory holds the CRDs.
const Module = "github.com/prometheus-operator/prometheus-operator"

// moduleCRDDir is where the CRDs sit inside the module.
const moduleCRDDir = "example/prometheus-operator-crd"

// Dir is the repository directory of the copies, one subdirectory per operator version.
const Dir = "components/monitoring/crds"

// Versions are the operator versions the accepted charts need, sorted, without repeats.
func Versions() []string {
	return slices.Compact(slices.Sorted(maps.Values(catalog.PrometheusOperatorCRDs)))
}

// ModuleDir downloads the module at version (or finds it in the module cache) and returns its
// directory.
func ModuleDir(version string) (string, error) {
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
func Want(version string) (map[string][]byte, error) {
	dir, err := ModuleDir(version)
	if err != nil {
		return nil, err
	}
	return readYAML(filepath.Join(dir, moduleCRDDir))
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

// Drift lists every difference between the copies under root/Dir and the module: a missing or
// changed file, a file the module does not have, a version directory no chart needs.
func Drift(root string) ([]string, error) {
	var drift []string
	want := Versions()
	for _, v := range want {
		files, err := Want(v)
		if err != nil {
			return nil, err
		}
		have, err := readYAML(filepath.Join(root, Dir, v))
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		for _, name := range slices.Sorted(maps.Keys(files)) {
			switch b, ok := have[name]; {
			case !ok:
				drift = append(drift, fmt.Sprintf("%s/%s/%s is missing", Dir, v, name))
			case !bytes.Equal(b, files[name]):
				drift = append(drift, fmt.Sprintf("%s/%s/%s differs from %s@%s", Dir, v, name, Module, v))
			}
		}
		for _, name := range slices.Sorted(maps.Keys(have)) {
			if _, ok := files[name]; !ok {
				drift = append(drift, fmt.Sprintf("%s/%s/%s is not in %s@%s", Dir, v, name, Module, v))
			}
		}
	}
	entries, err := os.ReadDir(filepath.Join(root, Dir))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() && !slices.Contains(want, e.Name()) {
			drift = append(drift, fmt.Sprintf("%s/%s is needed by no accepted chart version", Dir, e.Name()))
		}
	}
	return drift, nil
}

// Write makes root/Dir equal to the module's CRDs for every needed version.
func Write(root string) error {
	base := filepath.Join(root, Dir)
	if err := os.RemoveAll(base); err != nil {
		return err
	}
	for _, v := range Versions() {
		files, err := Want(v)
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
	return nil
}
