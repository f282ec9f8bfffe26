package config

import (
	"encoding/json"

	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Raw is the configuration as the Pulumi CLI hands it to a Go program: every value of the stack
// (project defaults applied) keyed "<namespace>:<name>", objects as JSON text, and the keys
// whose values are secrets.
type Raw struct {
	Values     map[string]string
	SecretKeys []string
}

// RawFromEnvironment reads the configuration the way Pulumi's Go SDK does (PULUMI_CONFIG and
// PULUMI_CONFIG_SECRET_KEYS). The SDK has no API that lists config keys, and the loader needs
// the list to reject unknown keys.
func RawFromEnvironment() (Raw, error) {
	var raw Raw
	if s := os.Getenv(pulumi.EnvConfig); s != "" {
		if err := json.Unmarshal([]byte(s), &raw.Values); err != nil {
			return raw, fmt.Errorf("reading %s: %w", pulumi.EnvConfig, err)
		}
	}
	if s := os.Getenv(pulumi.EnvConfigSecretKeys); s != "" {
		if err := json.Unmarshal([]byte(s), &raw.SecretKeys); err != nil {
			return raw, fmt.Errorf("reading %s: %w", pulumi.EnvConfigSecretKeys, err)
		}
	}
	return raw, nil
}

// FromContext loads the configuration of the running Pulumi program.
func FromContext(ctx *pulumi.Context) (*Config, error) {
	raw, err := RawFromEnvironment()
	if err != nil {
		return nil, err
	}
	return Load(ctx.Project(), ctx.Stack(), raw)
}

// Load decodes, defaults and validates a stack's configuration. Keys of other namespaces
// (aws:, kubernetes:, ...) belong to providers and are left alone. All problems are reported at
// once, one per line, each naming the key, the value and what is allowed.
func Load(project, stack string, raw Raw) (*Config, error) {
	return LoadWithOptions(project, stack, raw, Options{})
}

// Options adjust loading.
type Options struct {
	// SkipCapacityCheck loads a stack that fails the capacity model (cmd/capacity reports it).
	SkipCapacityCheck bool
}

// LoadWithOptions is Load with options.
func LoadWithOptions(project, stack string, raw Raw, opts Options) (*Config, error) {
	cfg := Defaults()
	cfg.Project, cfg.Stack = project, stack
	var errs []error
	seen := map[string]bool{}
	names := make([]string, 0, len(Keys))
	for _, k := range Keys {
		names = append(names, k.Name)
	}
	fullKeys := make([]string, 0, len(raw.Values))
	for full := range raw.Values {
		fullKeys = append(fullKeys, full)
	}
	slices.Sort(fullKeys)
	for _, full := range fullKeys {
		value := raw.Values[full]
		ns, name, ok := strings.Cut(full, ":")
		if !ok || ns != project {
			continue
		}
		key, known := LookupKey(name)
		if !known {
			errs = append(errs, unknownKeyError(name, name, names))
			continue
		}
		secret := slices.Contains(raw.SecretKeys, full)
		switch {
		case key.Secret:
			if value == "" {
				continue
			}
			if !secret {
				// Never echo the value: it is a credential in the wrong place.
				errs = append(errs, fmt.Errorf("%s: a plaintext value is set, but this key holds a credential; remove it and run `pulumi config set --secret %s <value>`", name, name))
				continue
			}
			*key.secret(&cfg.Secrets) = NewSecret(value)
		case key.object != nil:
			errs = append(errs, decodeObject(name, value, key.object(&cfg))...)
		default:
			*key.str(&cfg) = value
		}
		seen[name] = true
	}
	for _, k := range Keys {
		if k.Required && !seen[k.Name] {
			errs = append(errs, fmt.Errorf("%s: required key is missing (%s); set it in Pulumi.%s.yaml", k.Name, k.Description, stack))
		}
	}
	if len(errs) == 0 {
		errs = Validate(&cfg)
	}
	if len(errs) == 0 && !opts.SkipCapacityCheck {
		errs = capacityProblems(&cfg)
	}
	if len(errs) > 0 {
		return nil, &Error{Stack: stack, Problems: errs}
	}
	return &cfg, nil
}

// Error is an invalid configuration: every problem found, in a stable order.
type Error struct {
	Stack    string
	Problems []error
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = "  - " + p.Error()
	}
	return fmt.Sprintf("invalid configuration for stack %q (%d problem(s)):\n%s", e.Stack, len(e.Problems), strings.Join(lines, "\n"))
}

// Unwrap lets errors.Is/As see each problem.
func (e *Error) Unwrap() []error { return e.Problems }
