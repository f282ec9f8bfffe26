package tests

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/policy"
	"github.com/langgraph-platform/infra/internal/stackfile"
	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/program"
)

// The gateway's config.yaml names its credentials as os.environ references, which the pack's
// credential-literal rule accepts; the same key holding a literal is still refused.
func TestGatewayCredentialsAreReferencesNotLiterals(t *testing.T) {
	pack := loadPack(t)
	res := stacktest.Run(t, "prod", nil)
	docs := lightDocs(res)
	assert.Empty(t, policy.MandatoryViolations(evaluate(t, pack, "prod", docs)), "the rendered references pass")
	for _, path := range [][]any{
		{"values", "proxy_config", "model_list", 0, "litellm_params", "api_key"},
		{"values", "proxy_config", "router_settings", "redis_password"},
		{"values", "proxy_config", "litellm_settings", "cache_params", "password"},
	} {
		m := mutation{typ: releaseType, name: "-gateway-release", path: path, value: "sk-live-0123456789"}
		vs := policy.MandatoryViolations(evaluate(t, pack, "prod", mutate(t, m, docs, res)))
		if assert.NotEmpty(t, vs, "a literal at %v", path) {
			assert.Contains(t, vs[0].Message, "holds a literal")
		}
	}
	// Not every os.environ-looking value: a reference with a space is a literal.
	m := mutation{typ: releaseType, name: "-gateway-release", path: []any{"values", "proxy_config", "router_settings", "redis_password"}, value: "os.environ/REDIS PASSWORD"}
	assert.NotEmpty(t, policy.MandatoryViolations(evaluate(t, pack, "prod", mutate(t, m, docs, res))))
}

// One owner of the LiteLLM release: the live tests install the version the chart's image runs.
func TestLiteLLMPinIsTheCatalogsRelease(t *testing.T) {
	body, err := os.ReadFile(repoPath(t, "tools", "litellm", "requirements.txt"))
	require.NoError(t, err)
	pin := regexp.MustCompile(`(?m)^litellm==([0-9.]+) \\$`).FindStringSubmatch(string(body))
	require.NotNil(t, pin, "tools/litellm/requirements.txt pins no litellm")
	assert.Equal(t, catalog.LiteLLMVersion, pin[1])
	assert.Equal(t, "main-v"+pin[1], catalog.LiteLLMImageTag)
	assert.Regexp(t, `(?m)^prometheus[-_]client==`, string(body), "the proxy's /metrics needs prometheus_client, which litellm[proxy] leaves out")
}

// One owner of prices: the cost model's LLM line and the gateway's per-token prices come from
// the same cost.llm entries.
func TestGatewayPricesAreTheCostModels(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	r := stacktest.One(t, res, releaseType, "-gateway-release")
	cfg := stackConfig(t, "prod", nil)
	for _, m := range r.In("values.proxy_config.model_list").([]any) {
		entry := m.(map[string]any)
		model := entry["litellm_params"].(map[string]any)["model"].(string)
		name := model[len("openai/"):]
		price, _ := cfg.Cost.LLMPrice(name)
		require.Positive(t, price, name)
		info := entry["model_info"].(map[string]any)
		assert.InDelta(t, price/1000, info["input_cost_per_token"], 1e-15, name)
		assert.InDelta(t, price/1000, info["output_cost_per_token"], 1e-15, name)
	}
	// A price changed in cost.llm moves the gateway's too.
	changed := stacktest.Run(t, "prod", map[string]any{"cost.llm": []any{
		map[string]any{"model": "gpt-4o", "tokensPerRun": 3000, "pricePer1kTokens": 0.01},
		map[string]any{"model": "gpt-4o-mini", "tokensPerRun": 10000}}})
	first := stacktest.One(t, changed, releaseType, "-gateway-release").In("values.proxy_config.model_list[0].model_info.input_cost_per_token")
	assert.InDelta(t, 0.01/1000, first, 1e-15)
}

// A preview warns when the gateway leaves the dataplane's pods, which carry a LangSmith key, no
// address on 443; not when they may reach one, when the gateway is bypassed, or without the key.
func TestGatewayWarnsWhenTheLangSmithKeyCannotLeave(t *testing.T) {
	warning := "the dataplane's pods carry LANGSMITH_API_KEY but may reach no address on 443 (gateway.dataplaneHttpsEgressCidrs is empty)"
	staging := stackConfig(t, "staging", nil)
	require.Empty(t, staging.Gateway.DataplaneHTTPSEgressCIDRs, "staging's pods reach no HTTPS address")
	if assert.Len(t, program.GatewayWarnings(staging), 1) {
		assert.Contains(t, program.GatewayWarnings(staging)[0], warning)
	}
	for name, cfg := range map[string]*config.Config{
		"prod lists LangSmith's range": stackConfig(t, "prod", nil),
		"an HTTPS range":               stackConfig(t, "staging", map[string]any{"gateway.dataplaneHttpsEgressCidrs": []any{"203.0.113.0/24"}}),
		"bypassed":                     stackConfig(t, "staging", map[string]any{"gateway.bypass": true}),
		"no gateway":                   stackConfig(t, "staging", map[string]any{"gateway.enabled": false}),
	} {
		assert.Empty(t, program.GatewayWarnings(cfg), name)
	}
	secrets := harness.DefaultSecrets()
	delete(secrets, "langsmithApiKey")
	secrets["langgraphLicenseKey"] = "lg-license-test-0000000000000005"
	noKey, err := stackfile.LoadTyped(harness.Options{Stack: "staging", Secrets: secrets}, config.LoadOptions{})
	require.NoError(t, err)
	assert.Empty(t, program.GatewayWarnings(noKey), "a license key instead of a LangSmith key")
}
