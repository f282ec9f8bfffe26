package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/internal/harness"
)

// The gateway is off by default; prod, its standby and staging turn it on.
func TestGatewayDefaults(t *testing.T) {
	prod, err := load(t, "prod", harness.Options{Set: map[string]any{"gateway.enabled": false}})
	require.NoError(t, err)
	assert.False(t, prod.Gateway.Routes())
	assert.Zero(t, prod.Gateway.CacheBytes(), "no gateway, no cache memory taken")
	for _, stack := range []string{"prod", "staging"} {
		cfg, err := load(t, stack, harness.Options{})
		require.NoError(t, err)
		assert.True(t, cfg.Gateway.Routes(), stack)
		assert.Equal(t, float64(cfg.Gateway.Cache.MemoryMB)*(1<<20), cfg.Gateway.CacheBytes(), stack)
	}
}

func model(name, fallback string, rpm int, keys ...any) map[string]any {
	return map[string]any{"name": name, "provider": "openai", "model": "gpt-4o", "keySecrets": keys, "rpm": rpm, "tpm": 1000, "fallback": fallback}
}

// Every bad gateway input names the key, the value and what is allowed.
func TestGatewayRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		stack string
		set   map[string]any
		want  string
	}{
		{"staging", map[string]any{"gateway.models": []any{model("gpt-4o", "", 10)}}, `gateway.models[0].keySecrets="[]" is empty: a model without a key cannot be called`},
		{"staging", map[string]any{"gateway.models": []any{model("gpt-4o", "", 10001, "langgraph-staging-k")}}, `gateway.models[0].rpm=10001 must be between 1 and gpt-4o's quota of 10000 requests a minute`},
		{"staging", map[string]any{"gateway.models": []any{map[string]any{"name": "big", "provider": "openai", "model": "gpt-4o-mini", "keySecrets": []any{"langgraph-staging-k"}, "rpm": 10, "tpm": 150000001}}},
			`gateway.models[0].tpm=150000001 must be between 1 and gpt-4o-mini's quota of 150000000 tokens a minute`},
		{"staging", map[string]any{"gateway.models": []any{model("a", "b", 10, "langgraph-staging-k"), model("b", "c", 10, "langgraph-staging-k"), model("c", "a", 10, "langgraph-staging-k")}},
			`gateway.models[0].fallback="b" makes a fallback cycle (a -> b -> c -> a)`},
		{"staging", map[string]any{"gateway.models": []any{model("a", "a", 10, "langgraph-staging-k")}}, `gateway.models[0].fallback="a" makes a fallback cycle (a -> a)`},
		{"staging", map[string]any{"gateway.models": []any{model("a", "nope", 10, "langgraph-staging-k")}}, `gateway.models[0].fallback="nope" is not a gateway model: one of a`},
		{"staging", map[string]any{"gateway.cache.enabled": false}, `gateway.cache.ttlSeconds=600 is set but gateway.cache.enabled is false`},
		{"staging", map[string]any{"gateway.cache.ttlSeconds": 0}, `gateway.cache.ttlSeconds=0`},
		{"staging", map[string]any{"gateway.cache.keyPrefix": "Has Space"}, `gateway.cache.keyPrefix="Has Space"`},
		{"staging", map[string]any{"gateway.models": []any{map[string]any{"name": "x", "provider": "azure", "model": "gpt-4o", "keySecrets": []any{"langgraph-staging-k"}, "rpm": 1, "tpm": 1}}},
			`gateway.models[0].provider="azure" is not a provider the gateway supports: one of anthropic, openai`},
		{"staging", map[string]any{"gateway.models": []any{map[string]any{"name": "x", "provider": "anthropic", "model": "gpt-4o", "keySecrets": []any{"langgraph-staging-k"}, "rpm": 1, "tpm": 1}}},
			`gateway.models[0].model="gpt-4o" is a openai model, not anthropic`},
		{"staging", map[string]any{"gateway.models": []any{map[string]any{"name": "x", "provider": "openai", "model": "gpt-5-turbo", "keySecrets": []any{"langgraph-staging-k"}, "rpm": 1, "tpm": 1}}},
			`gateway.models[0].model="gpt-5-turbo" has no provider quota in catalog`},
		{"staging", map[string]any{"gateway.models": []any{map[string]any{"name": "x", "provider": "anthropic", "model": "claude-haiku-4-5", "keySecrets": []any{"langgraph-staging-k"}, "rpm": 1, "tpm": 1}}},
			`gateway.models[0].model="claude-haiku-4-5" has no price: add it to cost.llm`},
		{"staging", map[string]any{"gateway.models": []any{model("a", "", 10, "langgraph-staging-k", "langgraph-staging-k")}}, `gateway.models[0].keySecrets[1]="langgraph-staging-k" is listed twice`},
		{"staging", map[string]any{"gateway.models": []any{model("a", "", 10, "not a secret name!")}}, `gateway.models[0].keySecrets[0]="not a secret name!" is not a Secrets Manager secret name or ARN`},
		{"staging", map[string]any{"gateway.models": []any{model("a", "", 10, "langgraph-staging-k"), model("a", "", 10, "langgraph-staging-k")}}, `gateway.models[1].name="a" is listed twice`},
		{"staging", map[string]any{"gateway.models": []any{}}, `gateway.models="[]" is empty with gateway.enabled`},
		{"staging", map[string]any{"gateway.models": []any{model("a", "", 10, "langgraph-prod-openai-key-a")}},
			`gateway.models[0].keySecrets[0]="langgraph-prod-openai-key-a" must be named langgraph-staging-...: the stack's CI roles may read the values of its own secrets only`},
		{"staging", map[string]any{"gateway.models": []any{model("a", "", 10, "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/openai-AbCdEf")}},
			`must be named langgraph-staging-...`},
		{"staging", map[string]any{"gateway.namespace": "langgraph"}, `gateway.namespace="langgraph" must differ from the dataplane's and the monitoring stack's namespaces`},
		{"staging", map[string]any{"gateway.maxReplicas": 0}, `gateway.maxReplicas=0 must be between gateway.minReplicas (1) and 100`},
		{"staging", map[string]any{"gateway.retries": 9}, `gateway.retries=9`},
		{"staging", map[string]any{"gateway.retryAfterSeconds": 0}, `gateway.retryAfterSeconds=0 must be above 0 and at most 60`},
		{"staging", map[string]any{"gateway.breaker.allowedFails": 0}, `gateway.breaker.allowedFails=0`},
		{"staging", map[string]any{"gateway.breaker.cooldownSeconds": 0}, `gateway.breaker.cooldownSeconds=0`},
		{"staging", map[string]any{"gateway.dailyBudgetUsd": -1}, `gateway.dailyBudgetUsd=-1 must be >= 0`},
		{"staging", map[string]any{"gateway.providerEgressCidrs": []any{}}, `gateway.providerEgressCidrs`},
		{"prod", map[string]any{"gateway.bypass": true}, `gateway.bypass=true is refused in production`},
		{"prod", map[string]any{"gateway.minReplicas": 1}, `gateway.minReplicas=1`},
		{"prod", map[string]any{"gateway.dataplaneHttpsEgressCidrs": []any{}}, `gateway.dataplaneHttpsEgressCidrs="[]" is empty with auth.mode langsmith`},
	} {
		_, err := load(t, tc.stack, harness.Options{Set: tc.set})
		if assert.Error(t, err, "%v", tc.set) {
			assert.Contains(t, err.Error(), tc.want)
		}
	}
	// Staging may bypass it, to compare.
	staging, err := load(t, "staging", harness.Options{Set: map[string]any{"gateway.bypass": true}})
	require.NoError(t, err)
	assert.False(t, staging.Gateway.Routes())
}
