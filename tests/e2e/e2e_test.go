// Package e2e runs the program on the real Pulumi engine: the pinned Pulumi CLI driven through
// the Automation API with the program inline, the real Kubernetes provider, and a local
// kube-apiserver with etcd. Only the cloud is stood in for: AWS and random by one small provider
// plugin (./standin), the Helm repositories by a loopback repository of stub charts reached
// through the charts.mirror setting, and the nodes by nothing (the test tells the Kubernetes
// provider not to wait for readiness). The binaries are built from the tools modules once per
// machine (package tooltest caches them).
package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/program"
)

// environment is what TestMain starts once for every test.
type environment struct {
	dir    string
	tools  *tools
	charts *chartRepo
	// renderings are the mock-engine runs of each stack with the same configuration changes,
	// made before the tests start: the harness sets PULUMI_CONFIG in the process environment,
	// which the CLI processes the tests start would inherit.
	renderings map[string]*harness.Result
}

var env *environment

func TestMain(m *testing.M) { os.Exit(run(m)) }

// optionalConfig turns on, per stack, features its stack file leaves off, so the real API server
// sees their objects too: staging deploys headroom placeholders and their PriorityClasses.
var optionalConfig = map[string]map[string]string{
	"staging": {"capacity.headroomPods": "2"},
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "langgraph-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	flag.Parse()
	timeout, _ := flag.Lookup("test.timeout").Value.(flag.Getter).Get().(time.Duration)
	tl, err := buildTools(dir, timeout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: building the tools:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: tools ready in %s\n", time.Since(start).Round(time.Second))
	repo, err := startChartRepo()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: starting the chart repository:", err)
		return 1
	}
	defer repo.Close()
	env = &environment{dir: dir, tools: tl, charts: repo, renderings: map[string]*harness.Result{}}
	for _, stack := range []string{"prod", "staging", "prod-standby"} {
		set := map[string]any{"charts.mirror": repo.URL}
		for k, v := range optionalConfig[stack] {
			set[k] = v
		}
		// The standby reads prod's outputs: prod is rendered for it first.
		opts, err := harness.WithPrimary(program.Build, harness.Options{Stack: stack, Secrets: harness.DefaultSecrets(), Set: set})
		if err != nil {
			fmt.Fprintf(os.Stderr, "e2e: rendering %s's primary on the mock engine: %v\n", stack, err)
			return 1
		}
		res, err := harness.Run(program.Build, opts)
		if err != nil {
			fmt.Fprintf(os.Stderr, "e2e: rendering %s on the mock engine: %v\n", stack, err)
			return 1
		}
		env.renderings[stack] = res
	}
	return m.Run()
}

// skipAwait is the test's stack transform: the local API server runs no nodes and no
// controllers, so no Deployment becomes ready and no Service gets endpoints; the Kubernetes
// provider is told not to wait for readiness. No garbage collector runs either, which finishes
// the provider's default foreground deletion, so objects are deleted in the background (they
// own nothing here). Only the test registers it.
func skipAwait(_ context.Context, args *pulumi.ResourceTransformArgs) *pulumi.ResourceTransformResult {
	if !args.Custom || !strings.HasPrefix(args.Type, "kubernetes:") || strings.HasPrefix(args.Type, "pulumi:providers:") {
		return nil
	}
	props := args.Props
	if args.Type == "kubernetes:helm.sh/v3:Release" {
		props["skipAwait"] = pulumi.Bool(true)
		return &pulumi.ResourceTransformResult{Props: props, Opts: args.Opts}
	}
	props["metadata"] = withSkipAwait(props["metadata"])
	return &pulumi.ResourceTransformResult{Props: props, Opts: args.Opts}
}

// testAnnotations are what skipAwait adds to every Kubernetes object.
var testAnnotations = map[string]string{
	"pulumi.com/skipAwait":                 "true",
	"pulumi.com/deletionPropagationPolicy": "background",
}

// withSkipAwait is metadata with testAnnotations added. Metadata arrives as plain values in a
// pulumi.Map (the transform's properties are unmarshalled from the engine's); anything else
// (an output) is resolved first.
func withSkipAwait(metadata pulumi.Input) pulumi.Input {
	if m, ok := metadata.(pulumi.Map); ok {
		if a, ok := m["annotations"].(pulumi.Map); ok || m["annotations"] == nil {
			out, annotations := pulumi.Map{}, pulumi.Map{}
			for k, v := range m {
				out[k] = v
			}
			for k, v := range a {
				annotations[k] = v
			}
			for k, v := range testAnnotations {
				annotations[k] = pulumi.String(v)
			}
			out["annotations"] = annotations
			return out
		}
	}
	if metadata == nil {
		return pulumi.Map{"annotations": pulumi.ToStringMap(testAnnotations)}
	}
	return pulumi.ToOutput(metadata).ApplyT(func(x any) map[string]any {
		out := map[string]any{}
		m, _ := x.(map[string]any)
		for k, v := range m {
			out[k] = v
		}
		annotations := map[string]any{}
		a, _ := out["annotations"].(map[string]any)
		for k, v := range a {
			annotations[k] = v
		}
		for k, v := range testAnnotations {
			annotations[k] = v
		}
		out["annotations"] = annotations
		return out
	})
}

// inline is the program as an embedding platform runs it: program.Run, here with the test's
// transform registered first.
func inline(ctx *pulumi.Context) error {
	if err := ctx.RegisterResourceTransform(skipAwait); err != nil {
		return err
	}
	return program.Run(ctx)
}

// newCluster starts a local API server of the test's own (a stack has its cluster, as in real
// life: prod and staging share no namespaces). It is stopped by process group when the test
// ends, passed or failed; its processes also die with the test's thread (Pdeathsig) if the test
// binary is killed, so the thread is locked for the test's life.
func newCluster(t *testing.T) *cluster {
	t.Helper()
	runtime.LockOSThread()
	// One directory per cluster: a test may start two (prod and its standby).
	if err := os.MkdirAll(filepath.Join(env.dir, "clusters"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(filepath.Join(env.dir, "clusters"), strings.ReplaceAll(t.Name(), "/", "_")+"-")
	if err != nil {
		t.Fatal(err)
	}
	c, err := startCluster(env.tools, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.stop)
	return c
}

// deployment is one stack of the project in its own workspace and state backend.
type deployment struct {
	name  string
	stack auto.Stack
	work  string
	kube  *kube
	cmd   auto.PulumiCommand
	env   map[string]string
	log   *os.File
	// backend is the file state backend's directory: the layout a DIY backend has in S3 too.
	backend string
	// secrets are the values set with --secret, which must never reach the state in plaintext.
	secrets map[string]string
}

const project = "langgraph-platform"

// newDeployment copies Pulumi.yaml and the stack's file into a workspace, as a user's checkout,
// sets the secrets (test values, and a kubeconfig for the local API server under the stack's
// kubeContext) and points charts.mirror at the loopback repository.
func newDeployment(t *testing.T, ctx context.Context, stackName string) *deployment {
	t.Helper()
	return newDeploymentIn(t, ctx, stackName, stackName)
}

// newDeploymentIn is newDeployment with the state in backend's directory: a standby shares its
// primary's backend, as its StackReference reads the primary there.
func newDeploymentIn(t *testing.T, ctx context.Context, stackName, backend string) *deployment {
	t.Helper()
	root, err := harness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(env.dir, "workspaces", stackName)
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"Pulumi.yaml", "Pulumi." + stackName + ".yaml"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sc, err := harness.LoadStackConfig(harness.Options{Stack: stackName, Secrets: harness.DefaultSecrets()})
	if err != nil {
		t.Fatal(err)
	}
	kubeContext := ""
	if cluster, ok := sc.Values[project+":cluster"]; ok {
		kubeContext = jsonField(cluster, "kubeContext")
	}
	state := filepath.Join(env.dir, "state", backend)
	if err := os.MkdirAll(state, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: env.tools.Root})
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"PULUMI_BACKEND_URL":       "file://" + state,
		"PULUMI_CONFIG_PASSPHRASE": "e2e-passphrase-not-a-secret",
		"PULUMI_HOME":              filepath.Join(env.dir, "pulumi-home", stackName),
		"PATH":                     env.tools.Bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"PULUMI_SKIP_UPDATE_CHECK": "true",
		// Every plugin is on PATH; a missing one is an error here, never a download.
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
	}
	ws, err := auto.NewLocalWorkspace(ctx,
		auto.WorkDir(work),
		auto.Program(inline),
		auto.Pulumi(cmd),
		auto.SecretsProvider("passphrase"),
		auto.EnvVars(vars),
	)
	if err != nil {
		t.Fatal(err)
	}
	stack, err := auto.UpsertStack(ctx, stackName, ws)
	if err != nil {
		t.Fatal(err)
	}
	cl := newCluster(t)
	d := &deployment{name: stackName, stack: stack, work: work, kube: &kube{c: cl}, cmd: cmd, env: vars, secrets: map[string]string{}, backend: state}
	cfg := auto.ConfigMap{}
	for k, v := range harness.DefaultSecrets() {
		cfg[project+":"+k] = auto.ConfigValue{Value: v, Secret: true}
		d.secrets[k] = v
	}
	kubeconfig := strings.Replace(cl.Kubeconfig, "name: e2e\n  context:", "name: "+kubeContext+"\n  context:", 1)
	kubeconfig = strings.Replace(kubeconfig, "current-context: e2e", "current-context: "+kubeContext, 1)
	cfg[project+":kubeconfig"] = auto.ConfigValue{Value: kubeconfig, Secret: true}
	d.secrets["kubeconfig"] = kubeconfig
	d.secrets["apiServerToken"] = cl.Token
	if err := stack.SetAllConfig(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	d.set(t, ctx, "charts.mirror", env.charts.URL)
	for k, v := range optionalConfig[stackName] {
		d.set(t, ctx, k, v)
	}
	d.log, err = os.Create(filepath.Join(env.dir, stackName+".log"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// set changes one config value by path, as `pulumi config set --path`.
func (d *deployment) set(t *testing.T, ctx context.Context, path, value string) {
	t.Helper()
	if err := d.stack.SetConfigWithOptions(ctx, project+":"+path, auto.ConfigValue{Value: value}, &auto.ConfigOptions{Path: true}); err != nil {
		t.Fatal(err)
	}
}

// state is the stack's state as the backend stores it (`pulumi stack export`, without
// --show-secrets, which the Automation API's Export passes).
func (d *deployment) state(t *testing.T, ctx context.Context) string {
	t.Helper()
	var environ []string
	for k, v := range d.env {
		environ = append(environ, k+"="+v)
	}
	out, stderr, code, err := d.cmd.Run(ctx, d.work, nil, nil, nil, environ, "stack", "export", "--stack", d.name)
	if err != nil || code != 0 {
		t.Fatalf("pulumi stack export: %v (exit %d)\n%s", err, code, stderr)
	}
	return out
}

// logTail is the end of the stack's engine output, for failure messages.
func (d *deployment) logTail() string {
	b, _ := os.ReadFile(d.log.Name())
	return tail(b, 6000)
}
