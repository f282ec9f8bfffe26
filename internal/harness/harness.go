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
	"maps"
	"os"
	"slices"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/langgraph-platform/infra/internal/stackfile"
)

// Program is the function under test: it registers resources and returns the stack outputs.
type Program func(ctx *pulumi.Context) (map[string]pulumi.Output, error)

// Options select the stack and adjust its configuration, as package stackfile reads it.
type Options = stackfile.Options

// DefaultSecrets are stand-in values for the secrets a stack needs; synth uses them, and tests
// look for them in rendered output to prove no secret leaks.
func DefaultSecrets() map[string]string {
	return map[string]string{
		"langsmithApiKey":     "lsv2_test_secret_value_0000000000000001",
		"slackWebhookUrl":     "https://hooks.slack.com/services/TEST/SECRET/0000000000000002",
		"pagerdutyRoutingKey": "pagerduty-test-secret-0000000000000003",
		"heartbeatUrl":        "https://heartbeat.example.test/ping/test-secret-0000000000000004",
	}
}

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
	sc, err := stackfile.Load(opts)
	if err != nil {
		return nil, err
	}
	project, values, secretKeys, region := sc.Project, sc.Values, sc.SecretKeys, sc.Region()

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
	mocks.referenced, mocks.autoMode, mocks.created = opts.ReferencedStacks, opts.AutoModeClusters, opts.CreatedClusters
	mocks.configMapOnly = opts.ConfigMapClusters
	mocks.upgradeTargets = opts.RDSUpgradeTargets
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

// LoadStackConfig reads a stack's configuration exactly as Run does, without running anything.
func LoadStackConfig(opts Options) (*stackfile.Config, error) {
	return stackfile.Load(opts)
}

// RepoRoot is the nearest directory upwards holding Pulumi.yaml.
func RepoRoot() (string, error) { return stackfile.RepoRoot() }

// EncryptedPlaceholder stands in for a secure value the harness cannot decrypt.
const EncryptedPlaceholder = stackfile.EncryptedPlaceholder

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
