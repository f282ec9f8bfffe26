package tests

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/internal/tooltest"
)

// checkovAccepted is one entry of policy-config/checkov-accepted.yaml.
type checkovAccepted struct {
	Check    string `yaml:"check"`
	Resource string `yaml:"resource"` // Kind.namespace.name, a path.Match pattern
	Reason   string `yaml:"reason"`
}

// checkovFinding is one failed Checkov check on one object.
type checkovFinding struct{ Check, Name, Resource string }

// checkov runs Checkov (tools/checkov, installed from PyPI by hash) over the Kubernetes objects of
// a rendering, offline, and returns what it failed and how many checks passed.
func checkov(t *testing.T, venv string, docs []string) (findings []checkovFinding, passed int) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "objects.yaml"), []byte(strings.Join(docs, "\n---\n")), 0o600))
	cmd := exec.Command(filepath.Join(venv, "bin", "checkov"), "--directory", dir, "--framework", "kubernetes",
		"--quiet", "--compact", "--output", "json",
		// Offline: no guidelines or policies fetched from Prisma Cloud, no telemetry.
		"--skip-download")
	cmd.Env = append(os.Environ(), "BC_SKIP_MAPPING=TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false", "LOG_LEVEL=ERROR")
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		err = nil // exit 1: checks failed, which the output lists
	}
	require.NoError(t, err, "checkov: %s", out)
	var report struct {
		Results struct {
			Failed []struct {
				CheckID   string `json:"check_id"`
				CheckName string `json:"check_name"`
				Resource  string `json:"resource"`
			} `json:"failed_checks"`
		} `json:"results"`
		Summary struct {
			Passed        int `json:"passed"`
			ParsingErrors int `json:"parsing_errors"`
			ResourceCount int `json:"resource_count"`
		} `json:"summary"`
	}
	require.NoError(t, json.Unmarshal(out, &report), "checkov's JSON: %s", out)
	require.Zero(t, report.Summary.ParsingErrors)
	require.Positive(t, report.Summary.ResourceCount, "checkov read the objects")
	for _, f := range report.Results.Failed {
		findings = append(findings, checkovFinding{Check: f.CheckID, Name: f.CheckName, Resource: f.Resource})
	}
	return findings, report.Summary.Passed
}

// TestCheckov is the second opinion the policy pack is checked against: Checkov's Kubernetes
// checks over every object of each stack and of prod with every optional workload on. A finding
// is fixed, or accepted with its reason in policy-config/checkov-accepted.yaml; an entry that no
// longer matches anything fails too.
func TestCheckov(t *testing.T) {
	requirements := repoPath(t, "tools", "checkov", "requirements.txt")
	venv, err := tooltest.PythonVenv("checkov", requirements)
	require.NoError(t, err)
	b, err := os.ReadFile(repoPath(t, "policy-config", "checkov-accepted.yaml"))
	require.NoError(t, err)
	var accepted []checkovAccepted
	require.NoError(t, yaml.Unmarshal(b, &accepted))
	for _, a := range accepted {
		require.Regexp(t, `^CKV_K8S_[0-9]+$`, a.Check)
		_, err := path.Match(a.Resource, "")
		require.NoError(t, err, a.Resource)
		require.Greater(t, len(a.Reason), 40, "%s on %s: an accepted finding says why", a.Check, a.Resource)
	}
	used := make([]bool, len(accepted))
	renderings := scoredRenderings()
	total, passed := 0, 0
	for _, name := range slices.Sorted(maps.Keys(renderings)) {
		stack, _, _ := strings.Cut(name, "+")
		findings, ok := checkov(t, venv, kubernetesManifest(t, stacktest.Run(t, stack, renderings[name])))
		total, passed = total+len(findings), passed+ok
		for _, f := range findings {
			i := slices.IndexFunc(accepted, func(a checkovAccepted) bool {
				match, _ := path.Match(a.Resource, f.Resource)
				return match && a.Check == f.Check
			})
			if i < 0 {
				t.Errorf("%s: Checkov finding neither fixed nor accepted: %s (%s) on %s", name, f.Check, f.Name, f.Resource)
				continue
			}
			used[i] = true
		}
	}
	for i, a := range accepted {
		assert.True(t, used[i], "policy-config/checkov-accepted.yaml: %s on %s matches nothing any more: remove it", a.Check, a.Resource)
	}
	t.Logf("Checkov %s: %d checks passed, %d findings over %d renderings, all accepted", checkovVersion(t, requirements), passed, total, len(renderings))
}

// checkovVersion is the pinned version, from the requirements.
func checkovVersion(t *testing.T, requirements string) string {
	b, err := os.ReadFile(requirements)
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "checkov=="); ok {
			return strings.Fields(v)[0]
		}
	}
	t.Fatal("tools/checkov/requirements.txt pins no checkov")
	return ""
}
