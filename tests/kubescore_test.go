package tests

import (
	"encoding/json"
	"errors"
	"fmt"
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

	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/render"
	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/internal/tooltest"
)

// kubeScoreOptional are kube-score's optional checks this project meets and holds itself to.
var kubeScoreOptional = []string{"container-seccomp-profile", "container-ports-check"}

// kubeScoreKinds are the kinds kube-score v1.20 has checks for (`kube-score list`, plus its
// stable-version check on every kind it parses).
var kubeScoreKinds = []string{"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "Service", "Ingress",
	"NetworkPolicy", "PodDisruptionBudget", "HorizontalPodAutoscaler"}

// acceptedFinding is one entry of tests/kube-score-accepted.yaml.
type acceptedFinding struct {
	Check   string `yaml:"check"`
	Object  string `yaml:"object"`
	Summary string `yaml:"summary"`
	Reason  string `yaml:"reason"`
}

// kubeScoreFinding is one comment of one failed check on one object.
type kubeScoreFinding struct {
	Check, Object, Path, Summary string
}

func (f kubeScoreFinding) String() string {
	return fmt.Sprintf("%s %s (%s): %s", f.Check, f.Object, f.Path, f.Summary)
}

func loadAcceptedFindings(t *testing.T) []acceptedFinding {
	t.Helper()
	b, err := os.ReadFile(repoPath(t, "tests", "kube-score-accepted.yaml"))
	require.NoError(t, err)
	var list []acceptedFinding
	require.NoError(t, yaml.Unmarshal(b, &list))
	for _, a := range list {
		require.NotEmpty(t, a.Check, "%+v", a)
		require.NotEmpty(t, a.Object, "%+v", a)
		require.NotEmpty(t, a.Summary, "%+v", a)
		require.Greater(t, len(a.Reason), 40, "%s on %s: an accepted finding says why", a.Check, a.Object)
		_, err := path.Match(a.Object, "")
		require.NoError(t, err, a.Object)
	}
	return list
}

func (a acceptedFinding) matches(f kubeScoreFinding) bool {
	ok, _ := path.Match(a.Object, f.Object)
	return ok && a.Check == f.Check && a.Summary == f.Summary
}

// kubeScore runs kube-score over every Kubernetes object of a rendering (Helm releases are
// rendered by Helm at deploy time and are not objects here) and returns its findings.
func kubeScore(t *testing.T, bin string, res *harness.Result) []kubeScoreFinding {
	t.Helper()
	docs := kubernetesManifest(t, res)
	manifest := filepath.Join(t.TempDir(), "objects.yaml")
	require.NoError(t, os.WriteFile(manifest, []byte(strings.Join(docs, "\n---\n")), 0o600))
	args := []string{"score", "-o", "json", "--kubernetes-version", "v" + config.Defaults().Cluster.Create.Version,
		// An object's own kube-score/ignore annotation cannot hide a finding: the accepted list is
		// the one place a finding is waived.
		"--disable-ignore-checks-annotations"}
	for _, c := range kubeScoreOptional {
		args = append(args, "--enable-optional-test", c)
	}
	out, err := exec.Command(bin, append(args, manifest)...).Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		err = nil // exit 1: there are critical findings, which the output lists
	}
	require.NoError(t, err, "kube-score: %s", out)
	var scored []struct {
		TypeMeta   struct{ Kind string } `json:"type_meta"`
		ObjectMeta struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"object_meta"`
		Checks []struct {
			Check struct {
				ID string `json:"id"`
			} `json:"check"`
			Grade    int  `json:"grade"`
			Skipped  bool `json:"skipped"`
			Comments []struct {
				Path    string `json:"path"`
				Summary string `json:"summary"`
			} `json:"comments"`
		} `json:"checks"`
	}
	require.NoError(t, json.Unmarshal(out, &scored), "kube-score's JSON output")
	// kube-score reports only the kinds it has checks for: every one of those must be scored.
	checked := 0
	for _, d := range docs {
		var meta struct{ Kind string }
		require.NoError(t, yaml.Unmarshal([]byte(d), &meta))
		if slices.Contains(kubeScoreKinds, meta.Kind) {
			checked++
		}
	}
	require.Len(t, scored, checked, "kube-score scored every object of a kind it checks")
	var findings []kubeScoreFinding
	for _, o := range scored {
		object := o.TypeMeta.Kind + "/" + o.ObjectMeta.Namespace + "/" + o.ObjectMeta.Name
		for _, c := range o.Checks {
			if c.Skipped || c.Grade >= 10 { // 10 is kube-score's "all OK"
				continue
			}
			for _, cm := range c.Comments {
				findings = append(findings, kubeScoreFinding{Check: c.Check.ID, Object: object, Path: cm.Path, Summary: cm.Summary})
			}
		}
	}
	return findings
}

// scoredRenderings are what the second opinions (kube-score, Checkov) read: each stack, and prod
// with every optional workload on (the queue tier, scheduled minimums, headroom), by name and
// config changes ("stack+what").
func scoredRenderings() map[string]map[string]any {
	return map[string]map[string]any{"prod": nil, "staging": nil, "prod+optional": {
		"dataplane.queue.enabled": true,
		// The queue tier moves run slots off the API tier; this rendering is for its objects.
		"capacity.acceptRisk":   "rendered for the second opinions only",
		"hpa.schedules":         []any{map[string]any{"cron": "0 8 * * 1-5", "timeZone": "Europe/Berlin", "minReplicas": 20}},
		"capacity.headroomPods": 6,
	}}
}

// kubernetesManifest is every Kubernetes object of a rendering as YAML documents (Helm releases
// are rendered by Helm at deploy time and are not objects here).
func kubernetesManifest(t *testing.T, res *harness.Result) []string {
	t.Helper()
	var docs []string
	for _, r := range res.Sorted() {
		if !r.Custom || r.Read || !render.KubernetesObject(r) {
			continue
		}
		b, err := yaml.Marshal(render.Renderer{}.PlainMap(r.Inputs))
		require.NoError(t, err, r.URN)
		docs = append(docs, string(b))
	}
	require.NotEmpty(t, docs)
	return docs
}

// TestKubeScore holds every Kubernetes object the program renders, for each stack and for prod
// with every optional workload on (the queue tier, scheduled minimums and headroom), to kube-score: a
// finding is fixed or accepted in tests/kube-score-accepted.yaml with its reason.
func TestKubeScore(t *testing.T) {
	bin := tooltest.Build(t, "kube-score", "github.com/zegl/kube-score/cmd/kube-score")
	accepted := loadAcceptedFindings(t)
	used := make([]bool, len(accepted))
	renderings := scoredRenderings()
	total := 0
	for _, name := range slices.Sorted(maps.Keys(renderings)) {
		stack, _, _ := strings.Cut(name, "+")
		findings := kubeScore(t, bin, stacktest.Run(t, stack, renderings[name]))
		total += len(findings)
		for _, f := range findings {
			i := slices.IndexFunc(accepted, func(a acceptedFinding) bool { return a.matches(f) })
			if i < 0 {
				t.Errorf("%s: kube-score finding neither fixed nor accepted: %s", name, f)
				continue
			}
			used[i] = true
		}
	}
	for i, a := range accepted {
		assert.True(t, used[i], "accepted finding %s on %s matches nothing any more: remove it from tests/kube-score-accepted.yaml", a.Check, a.Object)
	}
	t.Logf("kube-score: %d findings over %d renderings", total, len(renderings))
}
