// Package stackfile reads a stack's configuration the way the Pulumi CLI hands it to a Go
// program: Pulumi.yaml and Pulumi.<stack>.yaml parsed by the Pulumi SDK's own workspace loaders,
// project defaults for absent keys, declared types checked with the SDK's ValidateConfigValue,
// secure values kept secret. The mock-engine harness, cmd/synth, cmd/capacity and cmd/loadtest
// all load stacks through it, so they agree with each other and with `pulumi up`.
package stackfile

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag/colors"
	pconfig "github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	"github.com/langgraph-platform/infra/config"
)

// EncryptedPlaceholder stands in for a secure value of the stack file that cannot be decrypted
// here (no secrets provider); it is passed as a secret, so every rendering shows <secret>.
const EncryptedPlaceholder = "encrypted-value-not-decrypted-by-the-harness"

// Options select the stack and adjust its configuration.
type Options struct {
	// Dir holds Pulumi.yaml and the stack files; empty: found upwards from the working directory.
	Dir string
	// Stack is the stack name: Pulumi.<Stack>.yaml is read.
	Stack string
	// Secrets are set as if with `pulumi config set --secret <key> <value>` (keys without the
	// project namespace), for keys the stack file does not set in plaintext; they also stand in
	// for the stack file's encrypted values. Tests use them; the tools pass none.
	Secrets map[string]string
	// Set changes config as `pulumi config set --path <path> <value>` would, after the stack
	// file is read: "hpa.minReplicas" -> 3. A nil value removes the path.
	Set map[string]any
	// Raw replaces whole top-level values with text as the CLI passes it (objects as JSON),
	// for tests of malformed input.
	Raw map[string]string
	// ReferencedStacks are other stacks' outputs, by fully qualified stack name, as the mock
	// engine answers a StackReference to them (reference mode's tests).
	ReferencedStacks map[string]map[string]any
	// AutoModeClusters are the EKS clusters the mock engine's describe-cluster reports running
	// EKS Auto Mode.
	AutoModeClusters []string
	// ConfigMapClusters are the EKS clusters the mock engine's describe-cluster reports
	// authenticating with the aws-auth ConfigMap only (no access entries).
	ConfigMapClusters []string
	// CreatedClusters are EKS clusters already in the account, by name, with the Kubernetes
	// version they run: what a create-mode stack's upgrade preflight reads.
	CreatedClusters map[string]string
	// RDSUpgradeTargets replace RDS's valid upgrade targets of a PostgreSQL version (by default
	// the newer versions catalog lists).
	RDSUpgradeTargets map[string][]string
}

// Config is the configuration the CLI would hand the program for a stack: every value keyed
// "<namespace>:<name>" (objects as JSON text) and the keys whose values are secrets.
type Config struct {
	Project    string
	Dir        string
	Values     map[string]string
	SecretKeys []string
}

// Region is the stack's aws:region.
func (c *Config) Region() string { return c.Values["aws:region"] }

// Load reads a stack's configuration as the Pulumi CLI would pass it to the program.
func Load(opts Options) (*Config, error) {
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = RepoRoot(); err != nil {
			return nil, err
		}
	}
	project, values, secretKeys, err := stackConfig(dir, opts)
	if err != nil {
		return nil, err
	}
	return &Config{Project: project, Dir: dir, Values: values, SecretKeys: secretKeys}, nil
}

// stackConfig builds the configuration the CLI would pass: the stack file's values, changes,
// secrets, and Pulumi.yaml defaults for absent keys, type-checked as the CLI does.
func stackConfig(dir string, opts Options) (project string, values map[string]string, secretKeys []string, err error) {
	proj, err := workspace.LoadProject(filepath.Join(dir, "Pulumi.yaml"))
	if err != nil {
		return "", nil, nil, fmt.Errorf("reading Pulumi.yaml: %w", err)
	}
	project = string(proj.Name)
	stackFile := filepath.Join(dir, "Pulumi."+opts.Stack+".yaml")
	if _, statErr := os.Stat(stackFile); statErr != nil {
		return "", nil, nil, fmt.Errorf("unknown stack %q: %s does not exist (stacks: %s)", opts.Stack, filepath.Base(stackFile), strings.Join(Stacks(dir), ", "))
	}
	sink := diag.DefaultSink(io.Discard, io.Discard, diag.FormatOptions{Color: colors.Never})
	ps, err := workspace.LoadProjectStack(sink, proj, stackFile)
	if err != nil {
		return "", nil, nil, fmt.Errorf("reading %s: %w", filepath.Base(stackFile), err)
	}

	// Values as the stack file holds them, objects decoded so --path changes can apply.
	tree := map[string]any{}
	secret := map[string]bool{}
	for key, v := range ps.Config {
		full := key.Namespace() + ":" + key.Name()
		if v.Secure() {
			// A `pulumi config set --secret` value cannot be decrypted here, but the key is set and
			// secret: a caller's stand-in, or a placeholder that renders as <secret>.
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
				return "", nil, nil, fmt.Errorf("%s: %w", full, err)
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
			return "", nil, nil, err
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
			return "", nil, nil, fmt.Errorf("%s: %w", full, err)
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
			return "", nil, nil, fmt.Errorf("stack %q with configuration key %q must be of type %q", opts.Stack, name, typeName)
		}
	}
	if len(missing) > 0 {
		return "", nil, nil, fmt.Errorf("stack %q is missing configuration values: %s", opts.Stack, strings.Join(missing, ", "))
	}
	for full := range secret {
		secretKeys = append(secretKeys, full)
	}
	sort.Strings(secretKeys)
	return project, values, secretKeys, nil
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

// ExampleStacks are stack files that show a setup (sandbox: cluster.mode create from an empty
// account) rather than an environment CI deploys: pull requests render and policy-check them, and
// no workflow previews or deploys them.
var ExampleStacks = []string{"sandbox"}

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

// LoadTyped reads a stack's configuration as Load does and loads it into the program's typed,
// validated configuration: the one path the tools (with load.CredentialsOptional) and the tests
// take from a stack file to a *config.Config.
func LoadTyped(opts Options, load config.LoadOptions) (*config.Config, error) {
	sc, err := Load(opts)
	if err != nil {
		return nil, err
	}
	return config.LoadWith(sc.Project, opts.Stack, config.Raw{Values: sc.Values, SecretKeys: sc.SecretKeys}, load)
}
