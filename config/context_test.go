package config_test

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/harness"
)

type noResources struct{}

func (noResources) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	return args.Name, args.Inputs, nil
}

func (noResources) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// inline runs fn the way an Automation API inline program runs: the configuration is in the
// context's RunInfo (from the engine's Run request) and PULUMI_CONFIG is not set.
func inline(t *testing.T, values map[string]string, secretKeys []string, fn func(ctx *pulumi.Context) error) {
	t.Helper()
	t.Setenv(pulumi.EnvConfig, "")
	t.Setenv(pulumi.EnvConfigSecretKeys, "")
	err := pulumi.RunErr(fn, pulumi.WithMocks(project, "prod", noResources{}), func(info *pulumi.RunInfo) {
		info.Config = values
		info.ConfigSecretKeys = secretKeys
	})
	require.NoError(t, err)
}

func prodRaw(t *testing.T) (map[string]string, []string) {
	t.Helper()
	sc, err := harness.LoadStackConfig(harness.Options{Stack: "prod", Secrets: harness.DefaultSecrets()})
	require.NoError(t, err)
	return sc.Values, sc.SecretKeys
}

func TestConfigFromContextInline(t *testing.T) {
	values, secretKeys := prodRaw(t)
	inline(t, values, secretKeys, func(ctx *pulumi.Context) error {
		raw, err := config.RawFromContext(ctx)
		require.NoError(t, err)
		assert.Equal(t, values, raw.Values, "every key and value the engine passed")
		assert.ElementsMatch(t, secretKeys, raw.SecretKeys, "secrecy as the engine marked it")
		cfg, err := config.FromContext(ctx)
		require.NoError(t, err)
		assert.Equal(t, "prod", cfg.Environment)
		assert.True(t, cfg.Secrets.LangSmithAPIKey.IsSet())
		return nil
	})
}

func TestConfigFromContextInlineRejectsUnknownKeys(t *testing.T) {
	values, secretKeys := prodRaw(t)
	values[project+":hpa_max"] = "40"
	values["kubernets:context"] = "x"
	inline(t, values, secretKeys, func(ctx *pulumi.Context) error {
		_, err := config.FromContext(ctx)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "hpa_max")
		assert.Contains(t, err.Error(), `unknown config namespace "kubernets"`)
		return nil
	})
}

func TestConfigFromContextInlineKeepsSecretsSecret(t *testing.T) {
	values, secretKeys := prodRaw(t)
	// The engine marks langsmithApiKey secret; without the mark the loader refuses a plaintext
	// credential, so secrecy must come through the context too.
	plain := slices.DeleteFunc(slices.Clone(secretKeys), func(k string) bool { return k == project+":langsmithApiKey" })
	inline(t, values, plain, func(ctx *pulumi.Context) error {
		_, err := config.FromContext(ctx)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "langsmithApiKey: a plaintext value is set")
		return nil
	})
}

// The context is the run's configuration: a stale PULUMI_CONFIG in the embedding process is not
// read over it.
func TestConfigFromContextPrefersTheRunOverTheEnvironment(t *testing.T) {
	values, secretKeys := prodRaw(t)
	t.Setenv(pulumi.EnvConfig, `{"langgraph-platform:environment":"staging"}`)
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		cfg, err := config.FromContext(ctx)
		require.NoError(t, err)
		assert.Equal(t, "prod", cfg.Environment)
		return nil
	}, pulumi.WithMocks(project, "prod", noResources{}), func(info *pulumi.RunInfo) {
		info.Config = values
		info.ConfigSecretKeys = secretKeys
	})
	require.NoError(t, err)
}

func TestConfigWithoutAContextIsAnErrorNotAnEmptyConfiguration(t *testing.T) {
	t.Setenv(pulumi.EnvConfig, "")
	_, err := config.RawFromContext(nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "PULUMI_CONFIG is not set")

	t.Setenv(pulumi.EnvConfig, `{"langgraph-platform:environment":"prod"}`)
	raw, err := config.RawFromContext(nil)
	require.NoError(t, err, "the environment is read where the context cannot be")
	assert.Equal(t, "prod", raw.Values["langgraph-platform:environment"])
}
