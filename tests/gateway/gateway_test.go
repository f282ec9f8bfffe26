package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/gateway"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stackfile"
	"github.com/langgraph-platform/infra/program"
)

// The prod stack's gateway with limits small enough to reach in a test: gpt-4o at 6 requests a
// minute over two keys (3 each) falling back to gpt-4o-mini; everything else is prod's.
var testModels = []any{
	map[string]any{"name": "gpt-4o", "provider": "openai", "model": "gpt-4o", "keySecrets": []any{"langgraph-prod-test-key-a", "langgraph-prod-test-key-b"},
		"rpm": 6, "tpm": 100000, "fallback": "gpt-4o-mini"},
	map[string]any{"name": "gpt-4o-mini", "provider": "openai", "model": "gpt-4o-mini", "keySecrets": []any{"langgraph-prod-test-key-a", "langgraph-prod-test-key-b"},
		"rpm": 1000, "tpm": 1000000},
	map[string]any{"name": "claude-haiku-4-5", "provider": "anthropic", "model": "claude-haiku-4-5", "keySecrets": []any{"langgraph-prod-test-key-c"},
		"rpm": 1000, "tpm": 1000000},
}

// testPrices is prod's cost.llm with the Anthropic model's price added (a model the gateway
// serves must have one).
var testPrices = []any{
	map[string]any{"model": "gpt-4o", "pricePer1kTokens": 0, "tokensPerRun": 3000},
	map[string]any{"model": "gpt-4o-mini", "pricePer1kTokens": 0, "tokensPerRun": 10000},
	map[string]any{"model": "claude-haiku-4-5", "pricePer1kTokens": 0.003, "tokensPerRun": 100},
}

type gatewayUnderTest struct {
	url, key string
	provider *provider
	cfg      *config.Config
	redis    func(args ...string) string
}

func start(t *testing.T) *gatewayUnderTest {
	t.Helper()
	cfg, err := stackfile.LoadTyped(stackfile.Options{Stack: "prod", Secrets: harness.DefaultSecrets(), Set: map[string]any{"gateway.models": testModels, "cost.llm": testPrices}}, config.LoadOptions{})
	require.NoError(t, err)
	p := newProvider()
	base := httptestServer(t, p)
	settings := program.GatewaySettings(cfg)
	for i, m := range settings.Models {
		// The OpenAI SDK's base URL ends in /v1; LiteLLM adds /v1/messages to Anthropic's.
		settings.Models[i].APIBase = base + "/v1"
		if m.Provider == catalog.ProviderAnthropic {
			settings.Models[i].APIBase = base
		}
	}
	const redisPassword = "test-redis-token"
	redisPort := startRedis(t, redisPassword)
	settings.Redis.Port, settings.Redis.TLS = redisPort, false // ElastiCache's TLS is the one difference
	proxyConfig, err := gateway.ProxyConfig(settings)
	require.NoError(t, err)
	env := map[string]string{gateway.MasterKeyEnv: "sk-gateway-under-test", gateway.RedisPasswordEnv: redisPassword, gateway.RedisHostEnv: "127.0.0.1"}
	for i := range program.GatewayKeySecrets(cfg) {
		env[gateway.KeyEnv(i)] = fmt.Sprintf("sk-standin-%d", i)
	}
	url := startProxy(t, proxyConfig, env)
	return &gatewayUnderTest{url: url, key: env[gateway.MasterKeyEnv], provider: p, cfg: cfg,
		redis: func(args ...string) string { return redisCLI(t, redisPort, redisPassword, args...) }}
}

type completion struct {
	status int
	model  string
	header http.Header
}

// chat calls the gateway as a graph's ChatOpenAI would: POST /v1/chat/completions with the key.
func (g *gatewayUnderTest) chat(t *testing.T, model, prompt string) completion {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"model": model, "messages": []any{map[string]any{"role": "user", "content": prompt}}})
	req, _ := http.NewRequest(http.MethodPost, g.url+"/v1/chat/completions", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+g.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out struct {
		Model   string `json:"model"`
		Choices []struct {
			Message struct {
				Content string `json:"content"`
			} `json:"message"`
		} `json:"choices"`
	}
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	served := ""
	if len(out.Choices) > 0 {
		served = strings.TrimPrefix(out.Choices[0].Message.Content, "served by ")
	}
	return completion{status: resp.StatusCode, model: served, header: resp.Header}
}

// messages calls the gateway as a graph's ChatAnthropic would: POST <path>/v1/messages with the
// key in x-api-key; it returns the status and the body.
func (g *gatewayUnderTest) messages(t *testing.T, path, key, model string) (int, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"model": model, "max_tokens": 64,
		"messages": []any{map[string]any{"role": "user", "content": "hello through the gateway"}}})
	req, _ := http.NewRequest(http.MethodPost, g.url+path+"/v1/messages", bytes.NewReader(body))
	req.Header.Set("x-api-key", key)
	req.Header.Set("anthropic-version", "2023-06-01")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, raw
}

func (g *gatewayUnderTest) metrics(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(g.url + catalog.LiteLLMMetricsPath)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "Prometheus scrapes %s without a key", catalog.LiteLLMMetricsPath)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return families
}

// sum adds a family's samples whose labels match want.
func sum(f *dto.MetricFamily, want map[string]string) float64 {
	total := 0.0
	if f == nil {
		return 0
	}
	for _, m := range f.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			if labels[k] != v {
				match = false
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			total += m.Counter.GetValue()
		case m.Gauge != nil:
			total += m.Gauge.GetValue()
		}
	}
	return total
}

// family is a counter's family by its exposed name (the parser drops the _total suffix).
func family(families map[string]*dto.MetricFamily, name string) *dto.MetricFamily {
	if f, ok := families[name]; ok {
		return f
	}
	return families[strings.TrimSuffix(name, "_total")]
}

// One proxy, the scenarios in order (each minute's limits are shared state).
func TestGatewayEnforcesTheConfiguredBehaviour(t *testing.T) {
	g := start(t)
	a, b := "sk-standin-0", "sk-standin-1"
	price, _ := g.cfg.Cost.LLMPrice("gpt-4o")
	price /= 1000
	require.Greater(t, price, 0.0)

	t.Run("response cache on Redis under the key prefix", func(t *testing.T) {
		first := g.chat(t, "gpt-4o-mini", "what is the capital of France?")
		second := g.chat(t, "gpt-4o-mini", "what is the capital of France?")
		require.Equal(t, http.StatusOK, first.status)
		require.Equal(t, http.StatusOK, second.status)
		assert.Equal(t, 1, g.provider.count("gpt-4o-mini/"+a)+g.provider.count("gpt-4o-mini/"+b), "the second identical request is answered from the cache")
		keys := strings.Fields(g.redis("--scan", "--pattern", g.cfg.Gateway.Cache.KeyPrefix+":*"))
		require.NotEmpty(t, keys, "cached responses live under gateway.cache.keyPrefix")
		cached := 0
		for _, k := range keys {
			ttl, err := strconv.Atoi(g.redis("TTL", k))
			require.NoError(t, err)
			if ttl > 0 {
				cached++
				assert.LessOrEqual(t, ttl, g.cfg.Gateway.Cache.TTLSeconds, "%s expires within gateway.cache.ttlSeconds", k)
			}
		}
		assert.Positive(t, cached, "at least one entry carries the configured TTL")
		assert.Equal(t, 1.0, sum(family(g.metrics(t), catalog.MetricLiteLLMCacheHits), nil))
	})

	t.Run("rate limit per model, then the fallback", func(t *testing.T) {
		// LiteLLM counts a minute by the clock (its Redis keys end in the minute): start the
		// seven calls early in one.
		if s := time.Now().Second(); s > 40 {
			time.Sleep(time.Duration(61-s) * time.Second)
		}
		for i := range 6 {
			c := g.chat(t, "gpt-4o", fmt.Sprintf("limit %d", i))
			require.Equal(t, http.StatusOK, c.status, "call %d is inside gpt-4o's 6 a minute", i)
			assert.Equal(t, "gpt-4o", c.model)
		}
		assert.Equal(t, 3, g.provider.count("gpt-4o/"+a), "the limit splits over the model's keys")
		assert.Equal(t, 3, g.provider.count("gpt-4o/"+b))
		over := g.chat(t, "gpt-4o", "limit 6")
		require.Equal(t, http.StatusOK, over.status)
		assert.Equal(t, "gpt-4o-mini", over.model, "over its limit, gpt-4o falls back to its cheaper model")
		assert.Equal(t, 6, g.provider.count("gpt-4o/"+a)+g.provider.count("gpt-4o/"+b), "no call above the limit reached the provider")
		assert.GreaterOrEqual(t, sum(family(g.metrics(t), catalog.MetricLiteLLMFallbacks), nil), 1.0)
	})

	t.Run("the breaker takes a failing key out of rotation", func(t *testing.T) {
		g.provider.set("gpt-4o-mini/"+a, http.StatusInternalServerError)
		// LiteLLM counts a deployment's failures in a background task, so under load a few more
		// calls may reach the key before its breaker opens: call until the gateway reports the
		// key cooled down, at most 40 calls.
		failing := func() int { return g.provider.count("gpt-4o-mini/" + a) }
		cooled := func() float64 {
			return sum(family(g.metrics(t), catalog.MetricLiteLLMCooledDown), map[string]string{"model_id": "gpt-4o-mini-0"})
		}
		ok, calls := 0, 0
		for ; calls < 40 && cooled() == 0; calls++ {
			if g.chat(t, "gpt-4o-mini", fmt.Sprintf("breaker %d", calls)).status == http.StatusOK {
				ok++
			}
		}
		require.Positive(t, cooled(), "the failing key was never taken out of rotation (%d of %d calls reached it)", failing(), calls)
		assert.GreaterOrEqual(t, failing(), g.cfg.Gateway.Breaker.AllowedFails, "it opens only after allowedFails failures")
		// Without retries each call that drew the failing key would fail: ok == calls - failing().
		// With them a failed call used up several attempts and most were rescued.
		assert.Greater(t, ok, calls-failing(), "calls that drew the failing key are retried (%d of %d succeeded, %d attempts on the key)", ok, calls, failing())
		// Ten calls well inside the 30 s cooldown: a shuffle would send five to the key.
		failed := failing()
		for i := range 10 {
			c := g.chat(t, "gpt-4o-mini", fmt.Sprintf("cooled %d", i))
			assert.Equal(t, http.StatusOK, c.status, "with the failing key out, every call succeeds")
		}
		assert.Equal(t, failed, failing(), "no call reaches a cooled-down deployment")
		families := g.metrics(t)
		assert.GreaterOrEqual(t, sum(family(families, catalog.MetricLiteLLMCooledDown), map[string]string{"model_id": "gpt-4o-mini-0"}), 1.0)
		assert.GreaterOrEqual(t, sum(family(families, catalog.MetricLiteLLMDeploymentFailed), map[string]string{"model_id": "gpt-4o-mini-0", "exception_status": "500"}), 1.0)
	})

	t.Run("Anthropic's Messages API, as ChatAnthropic calls it", func(t *testing.T) {
		// The dataplane's ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY (program.DataplaneGateway): the
		// anthropic SDK posts to <base>/v1/messages with the key in x-api-key.
		anthropic := catalog.LLMProviders[catalog.ProviderAnthropic]
		env := program.DataplaneGateway(g.cfg, pulumi.String(g.key))
		base, ok := env.BaseURLs[anthropic.BaseURLEnv]
		require.True(t, ok, "an Anthropic model sets the dataplane's %s", anthropic.BaseURLEnv)
		require.Contains(t, env.KeyEnvs, anthropic.APIKeyEnv)
		path := strings.TrimPrefix(base, gateway.BaseURL(g.cfg.Gateway.Namespace))

		status, raw := g.messages(t, path, g.key, "claude-haiku-4-5")
		require.Equal(t, http.StatusOK, status, "%s", raw)
		var out struct {
			Type    string `json:"type"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		}
		require.NoError(t, json.Unmarshal(raw, &out), "%s", raw)
		assert.Equal(t, "message", out.Type, "the answer is in Anthropic's shape")
		if assert.NotEmpty(t, out.Content) {
			assert.Equal(t, "served by claude-haiku-4-5", out.Content[0].Text)
		}
		assert.Equal(t, 1, g.provider.count("claude-haiku-4-5/sk-standin-2"), "the gateway called Anthropic with the model's own key, not the caller's")

		// Another key: refused before any provider call.
		status, raw = g.messages(t, path, "sk-ant-not-the-gateway-key", "claude-haiku-4-5")
		// LiteLLM 1.108.7 without a database answers 400 "No connected db." for any key other than
		// its master key (it cannot look one up): refused all the same.
		assert.True(t, status == http.StatusUnauthorized || status == http.StatusBadRequest, "%d %s", status, raw)
		assert.Equal(t, 1, g.provider.count("claude-haiku-4-5/sk-standin-2"))
	})

	t.Run("a provider's 429 is counted per deployment", func(t *testing.T) {
		g.provider.set("gpt-4o-mini/"+b, http.StatusTooManyRequests)
		c := g.chat(t, "gpt-4o-mini", "throttled")
		assert.Equal(t, http.StatusTooManyRequests, c.status, "no fallback for gpt-4o-mini: the provider's 429 reaches the caller")
		assert.GreaterOrEqual(t, sum(family(g.metrics(t), catalog.MetricLiteLLMDeploymentFailed), map[string]string{"model_id": "gpt-4o-mini-1", "exception_status": "429"}), 1.0)
	})

	t.Run("the metrics the rules read, with their labels and the cost model's prices", func(t *testing.T) {
		families := g.metrics(t)
		for name, labels := range catalog.LiteLLMMetricLabels {
			f := family(families, name)
			if !assert.NotNil(t, f, "LiteLLM %s serves no %s", catalog.LiteLLMVersion, name) {
				continue
			}
			if name == catalog.MetricLiteLLMDeploymentState {
				assert.Equal(t, dto.MetricType_GAUGE, f.GetType())
			} else {
				assert.Equal(t, dto.MetricType_COUNTER, f.GetType(), name)
			}
			for _, m := range f.Metric {
				have := map[string]bool{}
				for _, l := range m.Label {
					have[l.GetName()] = true
				}
				for _, l := range labels {
					assert.True(t, have[l], "%s lacks label %s", name, l)
				}
			}
		}
		// Spend in dollars from cost.llm's price: 6 gpt-4o calls of 15 tokens.
		spend := sum(family(families, catalog.MetricLiteLLMSpend), map[string]string{"model": "gpt-4o"})
		assert.InDelta(t, 6*tokensPerCall*price, spend, 1e-9, "the gateway prices gpt-4o as the cost model does")
		claude, _ := g.cfg.Cost.LLMPrice("claude-haiku-4-5")
		assert.InDelta(t, tokensPerCall*claude/1000, sum(family(families, catalog.MetricLiteLLMSpend), map[string]string{"model": "claude-haiku-4-5"}), 1e-9,
			"one Anthropic call, priced from cost.llm")
		outage := 0.0
		for _, m := range family(families, catalog.MetricLiteLLMDeploymentState).Metric {
			outage = max(outage, m.Gauge.GetValue())
		}
		assert.LessOrEqual(t, outage, float64(catalog.LiteLLMDeploymentOutage))
	})
}
