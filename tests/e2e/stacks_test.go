package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/bootstrap/account"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/rollout"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

func jsonField(doc, field string) string {
	var m map[string]any
	if json.Unmarshal([]byte(doc), &m) != nil {
		return ""
	}
	s, _ := m[field].(string)
	return s
}

// kubeObjects are the rendering's Kubernetes objects the engine creates one by one (not Helm
// releases, not the CRD ConfigGroup: both are checked by what they install).
func kubeObjects(res *harness.Result) []*harness.Resource {
	var out []*harness.Resource
	for _, r := range res.Resources {
		if !r.Custom || r.Read || !strings.HasPrefix(r.Type, "kubernetes:") || strings.HasPrefix(r.Type, "pulumi:providers:") {
			continue
		}
		if r.Type == "kubernetes:helm.sh/v3:Release" || strings.HasPrefix(r.Type, "kubernetes:yaml/") {
			continue
		}
		out = append(out, r)
	}
	return out
}

func str(r *harness.Resource, path string) string {
	s, _ := r.In(path).(string)
	return s
}

// subset reports where want (a rendered value) is not part of got (the live object): the API
// server adds defaults and status, but never changes what the program set. Values the mock
// engine cannot know (placeholders, secrets) are not compared.
func subset(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, the server has %T", path, got)}
		}
		var out []string
		for k, v := range w {
			out = append(out, subset(path+"."+k, v, g[k])...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %d items, the server has %v", path, len(w), got)}
		}
		var out []string
		for i := range w {
			out = append(out, subset(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	case string:
		if strings.HasPrefix(w, "<computed:") || w == "[secret]" {
			return nil
		}
		if got == w || fmt.Sprint(got) == w {
			return nil
		}
		return []string{fmt.Sprintf("%s: want %q, the server has %v", path, w, got)}
	default:
		if reflect.DeepEqual(want, got) || fmt.Sprint(want) == fmt.Sprint(got) {
			return nil
		}
		return []string{fmt.Sprintf("%s: want %v, the server has %v", path, want, got)}
	}
}

// plain is the rendered inputs as JSON-shaped data, secrets shown as "[secret]".
func plain(r *harness.Resource) map[string]any {
	m := r.Inputs.MapRepl(nil, nil)
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// skipFields are left out of the comparison with the server's copy: metadata the program does
// not own and Secret payloads (stored base64, checked elsewhere). Everything else it sets is compared.
var skipFields = []string{"apiVersion", "kind", "metadata", "data", "stringData"}

func checkObjectsExist(t *testing.T, k *kube, res *harness.Result) {
	t.Helper()
	objects := kubeObjects(res)
	require.NotEmpty(t, objects)
	for _, r := range objects {
		apiVersion, kind, ns, name := str(r, "apiVersion"), str(r, "kind"), str(r, "metadata.namespace"), str(r, "metadata.name")
		if !assert.NotEmpty(t, name, "%s %s has no metadata.name", r.Type, r.Name) {
			continue
		}
		live, err := k.object(apiVersion, kind, ns, name)
		require.NoError(t, err, r.Name)
		if !assert.NotNil(t, live, "%s %s/%s (%s) is not in the API server", kind, ns, name, r.Name) {
			continue
		}
		want := plain(r)
		// The credential checksum hashes generated passwords, which the mock engine and the
		// stand-in random provider generate differently; checkRotationOrder checks it live.
		if kind == "Deployment" {
			spec, _ := want["spec"].(map[string]any)
			tpl, _ := spec["template"].(map[string]any)
			md, _ := tpl["metadata"].(map[string]any)
			if a, ok := md["annotations"].(map[string]any); ok {
				delete(a, rollout.Annotation)
			}
		}
		var problems []string
		if labels, ok := want["metadata"].(map[string]any)["labels"]; ok {
			problems = append(problems, subset("metadata.labels", labels, live["metadata"].(map[string]any)["labels"])...)
		}
		for k, v := range want {
			if !slices.Contains(skipFields, k) {
				problems = append(problems, subset(k, v, live[k])...)
			}
		}
		if kind == "ConfigMap" {
			problems = append(problems, subset("data", want["data"], live["data"])...)
		}
		assert.Empty(t, problems, "%s %s/%s differs from the rendering", kind, ns, name)
	}
	for _, r := range res.ByType("kubernetes:helm.sh/v3:Release") {
		ns, release := str(r, "namespace"), str(r, "name")
		secret, err := k.object("v1", "Secret", ns, "sh.helm.release.v1."+release+".v1")
		require.NoError(t, err)
		assert.NotNil(t, secret, "Helm release %s/%s is not installed", ns, release)
		stub, err := k.object("v1", "ConfigMap", ns, release+StubConfigMapSuffix)
		require.NoError(t, err)
		if assert.NotNil(t, stub, "Helm release %s/%s rendered nothing", ns, release) {
			assert.Equal(t, str(r, "version"), stub["data"].(map[string]any)["version"], "the pinned version was installed")
		}
	}
	for _, crd := range []string{"servicemonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com", "prometheuses.monitoring.coreos.com", "alertmanagers.monitoring.coreos.com"} {
		obj, err := k.object("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", crd)
		require.NoError(t, err)
		assert.NotNil(t, obj, "CRD %s is not installed", crd)
	}
}

// previewSteps previews and returns each step that changes something: "<op> <type> <name>".
func previewSteps(t *testing.T, ctx context.Context, d *deployment) []string {
	t.Helper()
	ch := make(chan events.EngineEvent)
	done := make(chan []string)
	go func() {
		var steps []string
		for e := range ch {
			if e.ResourcePreEvent == nil {
				continue
			}
			md := e.ResourcePreEvent.Metadata
			if md.Op == apitype.OpSame || md.Op == apitype.OpRead {
				continue
			}
			steps = append(steps, fmt.Sprintf("%s %s %s", md.Op, md.Type, md.URN[strings.LastIndex(md.URN, "::")+2:]))
		}
		done <- steps
	}()
	_, err := d.stack.Preview(ctx, optpreview.EventStreams(ch), optpreview.ProgressStreams(d.log), optpreview.ErrorProgressStreams(d.log))
	steps := <-done
	require.NoError(t, err, d.logTail())
	slices.Sort(steps)
	return steps
}

// secretValues are the plaintext values the state must never hold: the secrets set in config,
// the stack outputs the engine marks secret, and the payload of every Secret the stack put in
// the API server (generated passwords among them).
func secretValues(t *testing.T, ctx context.Context, d *deployment, res *harness.Result) map[string]string {
	t.Helper()
	values := map[string]string{}
	for k, v := range d.secrets {
		values["config "+k] = v
	}
	outputs, err := d.stack.Outputs(ctx)
	require.NoError(t, err)
	for k, o := range outputs {
		if !o.Secret {
			continue
		}
		s, ok := o.Value.(string)
		if !ok {
			b, _ := json.Marshal(o.Value)
			s = string(b)
		}
		values["output "+k] = s
	}
	for _, r := range res.ByType("kubernetes:core/v1:Secret") {
		live, err := d.kube.object("v1", "Secret", str(r, "metadata.namespace"), str(r, "metadata.name"))
		require.NoError(t, err)
		require.NotNil(t, live, r.Name)
		data, _ := live["data"].(map[string]any)
		for k, v := range data {
			b, err := base64.StdEncoding.DecodeString(v.(string))
			require.NoError(t, err)
			values[fmt.Sprintf("Secret %s key %s", r.Name, k)] = string(b)
		}
	}
	return values
}

func checkNoPlaintextSecrets(t *testing.T, ctx context.Context, d *deployment, res *harness.Result) {
	t.Helper()
	text := d.state(t, ctx)
	values := secretValues(t, ctx, d, res)
	require.Greater(t, len(values), len(d.secrets), "the stack's outputs and Secrets hold secret values to look for")
	for what, v := range values {
		if len(v) < 8 {
			continue // too short to tell from other text
		}
		escaped, _ := json.Marshal(v)
		for _, form := range []string{v, string(escaped[1 : len(escaped)-1]), base64.StdEncoding.EncodeToString([]byte(v))} {
			assert.False(t, strings.Contains(text, form), "the exported state holds %s in plaintext", what)
		}
	}
}

// checkState: the engine's state holds every resource the mock-engine rendering has, under the
// same URN, and nothing else but what only a real engine adds: the stack, the default providers
// and the CRDs the CRD ConfigGroup (a remote component) creates.
func checkState(t *testing.T, ctx context.Context, d *deployment, res *harness.Result) {
	t.Helper()
	var state struct {
		Deployment struct {
			Resources []struct {
				URN    string `json:"urn"`
				Type   string `json:"type"`
				Parent string `json:"parent"`
			} `json:"resources"`
		} `json:"deployment"`
	}
	require.NoError(t, json.Unmarshal([]byte(d.state(t, ctx)), &state))
	inState := map[string]bool{}
	crds := 0
	for _, r := range state.Deployment.Resources {
		inState[r.URN] = true
	}
	rendered := map[string]bool{}
	for _, r := range res.Resources {
		rendered[r.URN] = true
		assert.True(t, inState[r.URN], "%s is not in the engine's state", r.URN)
	}
	configGroup := stacktest.One(t, res, "kubernetes:yaml/v2:ConfigGroup", "-monitoring-crds")
	for _, r := range state.Deployment.Resources {
		switch {
		case rendered[r.URN], r.Type == "pulumi:pulumi:Stack", strings.HasPrefix(r.Type, "pulumi:providers:") && strings.Contains(r.URN, "::default"):
		case r.Type == "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition" && r.Parent == configGroup.URN:
			crds++
		default:
			t.Errorf("%s is in the state but not in the rendering", r.URN)
		}
	}
	assert.Equal(t, strings.Count(str(configGroup, "yaml"), "\nkind: CustomResourceDefinition"), crds, "the CRD ConfigGroup created one resource per manifest")
}

func up(t *testing.T, ctx context.Context, d *deployment) auto.UpResult {
	t.Helper()
	start := time.Now()
	res, err := d.stack.Up(ctx, optup.ProgressStreams(d.log), optup.ErrorProgressStreams(d.log))
	require.NoError(t, err, d.logTail())
	require.Equal(t, "succeeded", res.Summary.Result, d.logTail())
	t.Logf("%s: up in %s: %v", d.name, time.Since(start).Round(time.Second), *res.Summary.ResourceChanges)
	return res
}

// deployAndCheck deploys the stack and checks what every stack must show: the state matches
// the rendering, every object is in the API server, no secret is in the state in plaintext, a
// second preview is clean, and the edit hpa.maxReplicas=maxReplicas previews one update, on
// the HPA (what a pull request's preview comment shows for a one-line change).
func deployAndCheck(t *testing.T, ctx context.Context, stackName, maxReplicas string) (*deployment, *harness.Result) {
	t.Helper()
	d := newDeployment(t, ctx, stackName)
	res := env.renderings[stackName]

	up(t, ctx, d)
	checkState(t, ctx, d, res)
	checkObjectsExist(t, d.kube, res)
	checkNoPlaintextSecrets(t, ctx, d, res)
	assert.Empty(t, previewSteps(t, ctx, d), "a second preview changes nothing")

	hpa := stacktest.One(t, res, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "-dataplane-hpa")
	d.set(t, ctx, "hpa.maxReplicas", maxReplicas)
	assert.Equal(t, []string{"update kubernetes:autoscaling/v2:HorizontalPodAutoscaler " + hpa.Name}, previewSteps(t, ctx, d))
	return d, res
}

func TestStagingUpPreviewEditDestroy(t *testing.T) {
	t.Parallel() // each stack has its own cluster, workspace, state and Pulumi home
	ctx := context.Background()
	d, res := deployAndCheck(t, ctx, "staging", "7")
	checkRotationOrder(t, ctx, d, res)

	start := time.Now()
	_, err := d.stack.Destroy(ctx, optdestroy.ProgressStreams(d.log), optdestroy.ErrorProgressStreams(d.log))
	require.NoError(t, err, d.logTail())
	t.Logf("staging: destroy in %s", time.Since(start).Round(time.Second))
	checkObjectsGone(t, d.kube, res)
}

func TestProdUpPreviewAndProtectedResources(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, res := deployAndCheck(t, ctx, "prod", "60")
	checkStandbyBesidePrimary(t, ctx, d)

	var protected []string
	for _, r := range res.Resources {
		if r.Protect {
			protected = append(protected, r.URN)
		}
	}
	require.NotEmpty(t, protected, "prod protects its data")
	_, err := d.stack.Destroy(ctx, optdestroy.ProgressStreams(d.log), optdestroy.ErrorProgressStreams(d.log))
	require.Error(t, err, "destroying prod must fail on its protected resources")
	assert.Contains(t, d.logTail(), "protected")
	state := d.state(t, ctx)
	for _, urn := range protected {
		assert.Contains(t, state, `"`+urn+`"`, "a protected resource survived the destroy")
	}
	checkStateWithinTheCIRolesReach(t, d, "prod-standby")
}

// checkStandbyBesidePrimary deploys prod's warm standby into its own API server, beside prod,
// with prod's backend: its StackReference reads prod's real outputs, and its database replicates
// prod's, with prod's credentials as a secret.
func checkStandbyBesidePrimary(t *testing.T, ctx context.Context, primary *deployment) {
	t.Helper()
	d := newDeploymentIn(t, ctx, "prod-standby", primary.name)
	res := env.renderings["prod-standby"]
	up(t, ctx, d)
	checkState(t, ctx, d, res)
	checkObjectsExist(t, d.kube, res)
	checkNoPlaintextSecrets(t, ctx, d, res)
	assert.Empty(t, previewSteps(t, ctx, d), "a second preview of the standby changes nothing")
	out, err := primary.stack.Outputs(ctx)
	require.NoError(t, err)
	arn, _ := out["databaseArn"].Value.(string)
	require.NotEmpty(t, arn)
	assert.True(t, out["databasePassword"].Secret, "prod exports its password as a secret")
	assert.Contains(t, d.state(t, ctx), `"replicateSourceDb": "`+arn+`"`, "the standby's database replicates prod's")
	standby, err := d.stack.Outputs(ctx)
	require.NoError(t, err)
	assert.Equal(t, "standby", standby["drRole"].Value)
	hpa, err := d.kube.object("autoscaling/v2", "HorizontalPodAutoscaler", "langgraph", "langgraph-dataplane")
	require.NoError(t, err)
	require.NotNil(t, hpa)
	assert.EqualValues(t, 3, hpa["spec"].(map[string]any)["minReplicas"], "the standby stands small")
}

// checkStateWithinTheCIRolesReach: after an up, a preview, a refresh and a destroy by the real
// CLI, every object the stack wrote to its DIY backend is one the bootstrap's deploy role may
// write (account.StatePaths), so the roles' state grants match the CLI's layout.
func checkStateWithinTheCIRolesReach(t *testing.T, d *deployment, sharing ...string) {
	t.Helper()
	var files []string
	require.NoError(t, filepath.WalkDir(d.backend, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			rel, _ := filepath.Rel(d.backend, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	}))
	require.NotEmpty(t, files)
	patterns := append(account.StatePaths(d.name), account.BackendMetadata)
	for _, other := range sharing { // stacks sharing the backend: each file is some stack's roles'
		patterns = append(patterns, account.StatePaths(other)...)
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".attrs") { // the file backend's own metadata beside each object (gocloud fileblob); S3 has none
			continue
		}
		ok := false
		for _, p := range patterns {
			ok = ok || account.ARNMatch(p, f)
		}
		assert.True(t, ok, "the CLI wrote %s, which the stack's CI roles cannot reach (%v)", f, patterns)
	}
}

// checkObjectsGone: after destroy no object of the rendering is left. The local server runs no
// namespace controller, so a deleted Namespace stays Terminating: marked for deletion is gone.
func checkObjectsGone(t *testing.T, k *kube, res *harness.Result) {
	t.Helper()
	for _, r := range kubeObjects(res) {
		apiVersion, kind, ns, name := str(r, "apiVersion"), str(r, "kind"), str(r, "metadata.namespace"), str(r, "metadata.name")
		live, err := k.object(apiVersion, kind, ns, name)
		if err != nil && strings.Contains(err.Error(), "serves no") {
			continue // its CRD is gone with it
		}
		require.NoError(t, err)
		if live != nil && kind == "Namespace" && live["metadata"].(map[string]any)["deletionTimestamp"] != nil {
			continue
		}
		assert.Nil(t, live, "%s %s/%s is still in the API server after destroy", kind, ns, name)
	}
	for _, r := range res.ByType("kubernetes:helm.sh/v3:Release") {
		secret, err := k.object("v1", "Secret", str(r, "namespace"), "sh.helm.release.v1."+str(r, "name")+".v1")
		require.NoError(t, err)
		assert.Nil(t, secret, "Helm release %s is still installed", str(r, "name"))
	}
}

// checkRotationOrder rotates the cache's AUTH token on the real engine and follows the update's
// events: ElastiCache takes the new token (ROTATE) before the dataplane's Secret is written, and
// the Secret before the Deployment rolls; the live pod template's checksum and the live Secret
// change, and the next preview is clean.
func checkRotationOrder(t *testing.T, ctx context.Context, d *deployment, res *harness.Result) {
	t.Helper()
	group := stacktest.One(t, res, "aws:elasticache/replicationGroup:ReplicationGroup", "-cache")
	secret := stacktest.One(t, res, "kubernetes:core/v1:Secret", "-dataplane-env")
	deploy := stacktest.One(t, res, "kubernetes:apps/v1:Deployment", "-dataplane-deployment")
	live := func() (annotation, redisURI string) {
		dep, err := d.kube.object("apps/v1", "Deployment", str(deploy, "metadata.namespace"), str(deploy, "metadata.name"))
		require.NoError(t, err)
		annotations, _ := dep["spec"].(map[string]any)["template"].(map[string]any)["metadata"].(map[string]any)["annotations"].(map[string]any)
		sec, err := d.kube.object("v1", "Secret", str(secret, "metadata.namespace"), str(secret, "metadata.name"))
		require.NoError(t, err)
		uri, _ := sec["data"].(map[string]any)["REDIS_URI"].(string)
		return fmt.Sprint(annotations[rollout.Annotation]), uri
	}
	beforeAnnotation, beforeURI := live()
	require.NotEmpty(t, beforeURI)

	d.set(t, ctx, "rotation.cacheAuthToken.generation", "1")
	ch := make(chan events.EngineEvent)
	done := make(chan []string)
	go func() {
		var order []string
		for e := range ch {
			switch {
			case e.ResourcePreEvent != nil && e.ResourcePreEvent.Metadata.Op != apitype.OpSame:
				order = append(order, "start "+e.ResourcePreEvent.Metadata.URN)
			case e.ResOutputsEvent != nil && e.ResOutputsEvent.Metadata.Op != apitype.OpSame:
				order = append(order, "done "+e.ResOutputsEvent.Metadata.URN)
			}
		}
		done <- order
	}()
	_, err := d.stack.Up(ctx, optup.EventStreams(ch), optup.ProgressStreams(d.log), optup.ErrorProgressStreams(d.log))
	order := <-done
	require.NoError(t, err, d.logTail())
	at := func(event string) int {
		i := slices.Index(order, event)
		require.GreaterOrEqual(t, i, 0, "no %q in the update's events %v", event, order)
		return i
	}
	assert.Less(t, at("done "+group.URN), at("start "+secret.URN), "the dataplane's Secret is written after ElastiCache takes the token")
	assert.Less(t, at("done "+secret.URN), at("start "+deploy.URN), "the pods roll after their Secret holds it")

	afterAnnotation, afterURI := live()
	assert.NotEqual(t, beforeURI, afterURI, "the live Secret holds the new token")
	assert.NotEqual(t, beforeAnnotation, afterAnnotation, "the live pod template rolled")
	assert.NotEmpty(t, afterAnnotation)
	assert.Empty(t, previewSteps(t, ctx, d), "the rotation converged")
}
