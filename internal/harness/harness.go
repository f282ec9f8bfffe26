// Package harness runs the real program on Pulumi's mock engine, for one stack file read the way
// the Pulumi CLI reads it, and records everything the program registers. Tests, cmd/synth and
// the policy checks all use it: it is how the program is proven where no cloud is at hand.
//
// Faithful to the CLI: the stack file and Pulumi.yaml are parsed by the Pulumi SDK's own
// workspace loaders; project defaults fill absent keys and declared types are checked with the
// SDK's ValidateConfigValue; config reaches the program through PULUMI_CONFIG and
// PULUMI_CONFIG_SECRET_KEYS, as the CLI passes it. Encrypted values in a stack file cannot be
// decrypted here, so each must be provided by the caller (Options.Secrets), which is also how
// tests supply secrets. The mock engine honours additionalSecretOutputs, as the real engine does.
package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"

	pconfig "github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
)

// Program is the function under test: it registers resources and returns the stack outputs.
type Program func(ctx *pulumi.Context) (map[string]pulumi.Output, error)

// Options select the stack and adjust its configuration.
type Options struct {
	// Dir holds Pulumi.yaml and the stack files; empty: the repository root.
	Dir string
	// Stack is the stack name: Pulumi.<Stack>.yaml is read.
	Stack string
	// Secrets are set as if with `pulumi config set --secret <key> <value>` (keys without the
	// project namespace). They also stand in for encrypted values in the stack file.
	Secrets map[string]string
	// Set changes config as `pulumi config set --path <path> <value>` would, after the stack
	// file is read: "hpa.minReplicas" -> 3. A nil value removes the path.
	Set map[string]any
	// Raw replaces whole top-level values with text as the CLI passes it (objects as JSON),
	// for tests of malformed input.
	Raw map[string]string
}

// DefaultSecrets are stand-in values for the secrets a stack needs; synth uses them, and tests
// look for them in rendered output to prove no secret leaks.
func DefaultSecrets() map[string]string {
	return map[string]string{
		"langsmithApiKey":     "lsv2_test_secret_value_0000000000000001",
		"slackWebhookUrl":     "https://hooks.slack.com/services/TEST/SECRET/0000000000000002",
		"pagerdutyRoutingKey": "pagerduty-test-secret-0000000000000003",
	}
}

// EncryptedPlaceholder stands in for a secure value of the stack file that the harness cannot
// decrypt; it is passed as a secret, so every rendering shows <secret>.
const EncryptedPlaceholder = "encrypted-value-not-decrypted-by-the-harness"

// Result is what one run registered.
type Result struct {
	Project    string
	Stack      string
	Resources  []*Resource // in registration order
	Outputs    map[string]Output
	Config     map[string]string // the raw config the program received
	SecretKeys []string          // which of its keys are secrets
}

// Output is a stack output as the engine would store it.
type Output struct {
	Value  any
	Secret bool
}

// envMu serialises runs: configuration reaches the program through process environment
// variables, exactly as the Pulumi CLI passes it.
var envMu sync.Mutex

// Run runs program for the stack described by opts on the mock engine.
func Run(program Program, opts Options) (*Result, error) {
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = RepoRoot(); err != nil {
			return nil, err
		}
	}
	project, values, secretKeys, region, err := stackConfig(dir, opts)
	if err != nil {
		return nil, err
	}

	envMu.Lock()
	defer envMu.Unlock()
	cfgJSON, _ := json.Marshal(values)
	secretJSON, _ := json.Marshal(secretKeys)
	restore := setEnv(map[string]string{
		pulumi.EnvConfig:           string(cfgJSON),
		pulumi.EnvConfigSecretKeys: string(secretJSON),
	})
	defer restore()

	mocks := newMocks(opts.Stack, project, region)
	res := &Result{Project: project, Stack: opts.Stack, Outputs: map[string]Output{}, Config: values, SecretKeys: secretKeys}
	err = pulumi.RunErr(func(ctx *pulumi.Context) error {
		outputs, err := program(ctx)
		if err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(outputs)) {
			ctx.Export(name, outputs[name])
			r, err := internals.UnsafeAwaitOutput(context.Background(), outputs[name])
			if err != nil {
				return fmt.Errorf("stack output %s: %w", name, err)
			}
			res.Outputs[name] = Output{Value: r.Value, Secret: r.Secret}
		}
		return nil
	}, pulumi.WithMocks(project, opts.Stack, mocks))
	if err != nil {
		return nil, err
	}
	res.Resources = mocks.recorded()
	return res, nil
}

// StackConfig is the configuration the CLI would hand the program for a stack.
type StackConfig struct {
	Project    string
	Values     map[string]string
	SecretKeys []string
}

// LoadStackConfig reads a stack's configuration exactly as Run does, without running anything.
func LoadStackConfig(opts Options) (*StackConfig, error) {
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = RepoRoot(); err != nil {
			return nil, err
		}
	}
	project, values, secretKeys, _, err := stackConfig(dir, opts)
	if err != nil {
		return nil, err
	}
	return &StackConfig{Project: project, Values: values, SecretKeys: secretKeys}, nil
}

// stackConfig builds the configuration the CLI would pass: the stack file's values, test
// changes, secrets, and Pulumi.yaml defaults for absent keys, type-checked as the CLI does.
func stackConfig(dir string, opts Options) (project string, values map[string]string, secretKeys []string, region string, err error) {
	proj, err := workspace.LoadProject(filepath.Join(dir, "Pulumi.yaml"))
	if err != nil {
		return "", nil, nil, "", fmt.Errorf("reading Pulumi.yaml: %w", err)
	}
	project = string(proj.Name)
	stackFile := filepath.Join(dir, "Pulumi."+opts.Stack+".yaml")
	if _, statErr := os.Stat(stackFile); statErr != nil {
		return "", nil, nil, "", fmt.Errorf("unknown stack %q: %s does not exist (stacks: %s)", opts.Stack, filepath.Base(stackFile), strings.Join(Stacks(dir), ", "))
	}
	sink := diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: colors.Never})
	ps, err := workspace.LoadProjectStack(sink, proj, stackFile)
	if err != nil {
		return "", nil, nil, "", fmt.Errorf("reading %s: %w", filepath.Base(stackFile), err)
	}

	// Values as the stack file holds them, objects decoded so --path changes can apply.
	tree := map[string]any{}
	secret := map[string]bool{}
	for key, v := range ps.Config {
		full := key.Namespace() + ":" + key.Name()
		if v.Secure() {
			// The harness cannot decrypt a `pulumi config set --secret` value, but it knows the key
			// is set and secret: a caller's stand-in, or a placeholder that renders as <secret>.
			plain, ok := opts.Secrets[key.Name()]
			if !ok || key.Namespace() != project {
				plain = EncryptedPlaceholder
			}
			tree[full] = plain
			secret[full] = true
			continue
		}
		if v.Object() {
			obj, err := v.ToObject()
			if err != nil {
				return "", nil, nil, "", fmt.Errorf("%s: %w", full, err)
			}
			tree[full] = obj
			continue
		}
		s, _ := v.Value(pconfig.NopDecrypter)
		tree[full] = s
	}
	for name, v := range opts.Secrets {
		full := project + ":" + name
		if _, inFile := tree[full]; inFile && !secret[full] {
			// A plaintext value in the stack file stays what it is, so the loader refuses it
			// exactly as it does under the CLI: a stand-in must never launder it.
			continue
		}
		tree[full] = v
		secret[full] = true
	}
	for path, v := range opts.Set {
		if err := setPath(tree, project, path, v); err != nil {
			return "", nil, nil, "", err
		}
	}

	values = map[string]string{}
	for full, v := range tree {
		if s, ok := v.(string); ok {
			values[full] = s
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return "", nil, nil, "", fmt.Errorf("%s: %w", full, err)
		}
		values[full] = string(b)
	}
	for name, text := range opts.Raw {
		values[project+":"+name] = text
	}

	// Project-level declarations: defaults for absent keys, type checks, required keys.
	var missing []string
	for _, name := range slices.Sorted(maps.Keys(proj.Config)) {
		decl := proj.Config[name]
		full := name
		if !strings.Contains(name, ":") {
			full = project + ":" + name
		}
		text, present := values[full]
		if !present {
			if decl.Default == nil {
				missing = append(missing, name)
				continue
			}
			if s, ok := decl.Default.(string); ok {
				values[full] = s
			} else {
				b, _ := json.Marshal(decl.Default)
				values[full] = string(b)
			}
			continue
		}
		typeName := decl.TypeName()
		if typeName == "" {
			continue
		}
		var typed any = text
		if typeName == "object" || typeName == "array" {
			if json.Unmarshal([]byte(text), &typed) != nil {
				typed = text
			}
		}
		if !workspace.ValidateConfigValue(typeName, decl.Items, typed) {
			return "", nil, nil, "", fmt.Errorf("stack %q with configuration key %q must be of type %q", opts.Stack, name, typeName)
		}
	}
	if len(missing) > 0 {
		return "", nil, nil, "", fmt.Errorf("stack %q is missing configuration values: %s", opts.Stack, strings.Join(missing, ", "))
	}
	for full := range secret {
		secretKeys = append(secretKeys, full)
	}
	sort.Strings(secretKeys)
	return project, values, secretKeys, values["aws:region"], nil
}

// setPath applies `pulumi config set --path` semantics to the decoded config tree.
func setPath(tree map[string]any, project, path string, v any) error {
	parts := strings.Split(path, ".")
	top := parts[0]
	if !strings.Contains(top, ":") {
		top = project + ":" + top
	}
	if len(parts) == 1 {
		if v == nil {
			delete(tree, top)
		} else {
			tree[top] = v
		}
		return nil
	}
	cur, ok := tree[top].(map[string]any)
	if !ok {
		cur = map[string]any{}
		tree[top] = cur
	}
	for _, p := range parts[1 : len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	last := parts[len(parts)-1]
	if v == nil {
		delete(cur, last)
	} else {
		cur[last] = v
	}
	return nil
}

func setEnv(vars map[string]string) (restore func()) {
	old := map[string]*string{}
	for k, v := range vars {
		if prev, ok := os.LookupEnv(k); ok {
			old[k] = &prev
		} else {
			old[k] = nil
		}
		os.Setenv(k, v)
	}
	return func() {
		for k, v := range old {
			if v == nil {
				os.Unsetenv(k)
			} else {
				os.Setenv(k, *v)
			}
		}
	}
}

// RepoRoot is the nearest directory upwards holding Pulumi.yaml.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "Pulumi.yaml")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no Pulumi.yaml found above the working directory")
		}
		dir = parent
	}
}

// Stacks lists the stacks that have a Pulumi.<stack>.yaml in dir.
func Stacks(dir string) []string {
	matches, _ := filepath.Glob(filepath.Join(dir, "Pulumi.*.yaml"))
	var stacks []string
	for _, m := range matches {
		stacks = append(stacks, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), "Pulumi."), ".yaml"))
	}
	sort.Strings(stacks)
	return stacks
}
