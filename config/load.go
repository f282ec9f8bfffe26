package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
)

// Raw is the configuration as the Pulumi CLI hands it to a Go program: every value of the stack
// (project defaults applied) keyed "<namespace>:<name>", objects as JSON text, and the keys
// whose values are secrets.
type Raw struct {
	Values     map[string]string
	SecretKeys []string
}

// RawFromContext is the configuration the engine handed this run, read from the SDK's context.
// pulumi.Run fills the context from PULUMI_CONFIG and PULUMI_CONFIG_SECRET_KEYS (the language
// host's path); an Automation API inline program gets it from the engine's Run request, and the
// environment carries nothing. Values and secrecy come through the context's own calls
// (GetConfig, IsConfigSecret); the SDK has no call that lists the keys, which the loader needs to
// reject unknown ones, so the list is read from the context's RunInfo (contextConfigKeys). Where
// that cannot be read the environment is used, and where neither carries configuration it is an
// error, never a silently empty configuration.
func RawFromContext(ctx *pulumi.Context) (Raw, error) {
	keys, err := contextConfigKeys(ctx)
	if err != nil {
		env, envErr := rawFromEnvironment()
		if envErr != nil {
			return env, envErr
		}
		if len(env.Values) == 0 {
			return env, err
		}
		return env, nil
	}
	raw := Raw{Values: make(map[string]string, len(keys))}
	for _, k := range keys {
		raw.Values[k], _ = ctx.GetConfig(k)
		if ctx.IsConfigSecret(k) {
			raw.SecretKeys = append(raw.SecretKeys, k)
		}
	}
	return raw, nil
}

// contextConfigKeys lists the configuration keys of the run. Reading an unexported field
// through reflect is the one way the SDK leaves (it keeps RunInfo.Config behind Context.state);
// the read is checked at every step so a change of the SDK's layout is a clear error, and
// TestConfigFromContextInline proves it against the pinned SDK.
func contextConfigKeys(ctx *pulumi.Context) ([]string, error) {
	fail := func(step string) ([]string, error) {
		return nil, fmt.Errorf("cannot list this run's configuration keys from the Pulumi SDK's context (%s; the SDK's layout has changed) and PULUMI_CONFIG is not set", step)
	}
	v := reflect.ValueOf(ctx)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fail("no context")
	}
	state := v.Elem().FieldByName("state")
	if !state.IsValid() || state.Kind() != reflect.Pointer || state.IsNil() {
		return fail("Context.state")
	}
	info := state.Elem().FieldByName("info")
	if !info.IsValid() || info.Type() != reflect.TypeFor[pulumi.RunInfo]() {
		return fail("Context.state.info")
	}
	m := info.FieldByName("Config")
	if !m.IsValid() || m.Kind() != reflect.Map || m.Type().Key().Kind() != reflect.String {
		return fail("RunInfo.Config")
	}
	keys := make([]string, 0, m.Len())
	for _, k := range m.MapKeys() {
		keys = append(keys, k.String())
	}
	slices.Sort(keys)
	return keys, nil
}

// rawFromEnvironment reads the configuration the way pulumi.Run does (PULUMI_CONFIG and
// PULUMI_CONFIG_SECRET_KEYS).
func rawFromEnvironment() (Raw, error) {
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

// FromContext loads the configuration of the running Pulumi program, whether the language host
// runs it (`pulumi up`) or the Automation API runs it inline.
func FromContext(ctx *pulumi.Context) (*Config, error) {
	raw, err := RawFromContext(ctx)
	if err != nil {
		return nil, err
	}
	return Load(ctx.Project(), ctx.Stack(), raw)
}

// Load decodes, defaults and validates a stack's configuration. Keys of the providers'
// namespaces (aws:, kubernetes:, ...) belong to them; aws:region is read as the stack's region.
// All problems are reported at once, one per line, each naming the key, the value and what is
// allowed. The capacity model is not run here: the program gates on it (package program/sizing).
func Load(project, stack string, raw Raw) (*Config, error) {
	return LoadWith(project, stack, raw, LoadOptions{})
}

// LoadOptions adjust what Load requires.
type LoadOptions struct {
	// CredentialsOptional loads a stack whose server credential (langsmithApiKey or
	// langgraphLicenseKey) is not set here: tools that read only sizing and KPIs (cmd/capacity,
	// cmd/loadtest) need no credential, and a stack file need not hold one. Plaintext credentials
	// are still refused.
	CredentialsOptional bool
}

// LoadWith is Load with options.
func LoadWith(project, stack string, raw Raw, opts LoadOptions) (*Config, error) {
	cfg := Defaults()
	cfg.Project, cfg.Stack = project, stack
	var errs []error
	seen := map[string]bool{}
	names := make([]string, 0, len(Keys))
	for _, k := range Keys {
		names = append(names, k.Name)
	}
	for _, full := range slices.Sorted(maps.Keys(raw.Values)) {
		value := raw.Values[full]
		ns, name, ok := strings.Cut(full, ":")
		if !ok {
			continue
		}
		if ns != project {
			if !slices.Contains(ProviderNamespaces, ns) {
				errs = append(errs, unknownNamespaceError(full, ns, project))
			}
			continue
		}
		key, known := lookupKey(name)
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
	cfg.Region = raw.Values[RegionKey]
	if cfg.Region == "" {
		errs = append(errs, fmt.Errorf("%s is required: the stack's AWS region, such as us-east-1 (`pulumi config set %s <region>`)", RegionKey, RegionKey))
	} else if _, ok := catalog.Regions[cfg.Region]; !ok {
		hint := ""
		if guess := closest(cfg.Region, catalog.Sorted(catalog.Regions)); guess != "" {
			hint = fmt.Sprintf("did you mean %q? ", guess)
		}
		errs = append(errs, fmt.Errorf("%s=%q is not an AWS region; %sallowed: %s", RegionKey, cfg.Region, hint, strings.Join(catalog.Sorted(catalog.Regions), ", ")))
	}
	if len(errs) == 0 {
		errs = Validate(&cfg)
	}
	if !opts.CredentialsOptional && !cfg.Secrets.LangSmithAPIKey.IsSet() && !cfg.Secrets.LangGraphLicenseKey.IsSet() {
		errs = append(errs, fmt.Errorf("langsmithApiKey or langgraphLicenseKey is required: set one with `pulumi config set --secret langsmithApiKey <key>`"))
	}
	if !opts.CredentialsOptional && !cfg.Secrets.HeartbeatURL.IsSet() {
		errs = append(errs, fmt.Errorf("heartbeatUrl is required: without a dead man's switch nobody learns that the monitoring itself is down; set an https heartbeat URL with `pulumi config set --secret heartbeatUrl <url>` (docs/runbooks/heartbeat-stopped.md)"))
	}
	if h := cfg.Secrets.HeartbeatURL; h.IsSet() {
		if u, err := url.Parse(h.value); err != nil || u.Scheme != "https" || u.Host == "" {
			// Never echo the value: the URL is the credential.
			errs = append(errs, fmt.Errorf("heartbeatUrl: the value set is not an https URL with a host (not shown: it is a credential)"))
		}
	}
	if len(errs) > 0 {
		return nil, &Error{Stack: stack, Problems: errs}
	}
	return &cfg, nil
}

// RegionKey is the AWS provider's region setting, which is also the stack's region.
const RegionKey = "aws:region"

// ProviderNamespaces are the config namespaces of the providers and engine this program uses;
// their keys belong to them. Any other namespace is a typo of this project's name or a
// provider's, and would be silently ignored.
var ProviderNamespaces = []string{"aws", "kubernetes", "random", "pulumi"}

func unknownNamespaceError(full, ns, project string) error {
	known := append([]string{project}, ProviderNamespaces...)
	if guess := closest(ns, known); guess != "" {
		return fmt.Errorf("%s: unknown config namespace %q; did you mean %q? (this project reads %s:<key>; providers: %s)", full, ns, guess, project, strings.Join(ProviderNamespaces, ", "))
	}
	return fmt.Errorf("%s: unknown config namespace %q (this project reads %s:<key>; providers: %s)", full, ns, project, strings.Join(ProviderNamespaces, ", "))
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
