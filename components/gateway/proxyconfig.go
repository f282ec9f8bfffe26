package gateway

import (
	"fmt"

	"github.com/langgraph-platform/infra/catalog"
)

// The LiteLLM proxy's configuration file (its config.yaml, the chart's proxy_config), rendered
// from typed settings: the component deploys it and the live tests (tests/gateway) start the
// real proxy with it. It holds no secret: keys and passwords are os.environ/<NAME> references
// to the Secret the pods read.

// Settings are what the proxy enforces.
type Settings struct {
	Models            []Model
	Retries           int
	RetryAfterSeconds float64
	TimeoutSeconds    int
	// The breaker: a deployment with AllowedFails failures in a minute is cooled down
	// (taken out of rotation) for CooldownSeconds.
	AllowedFails, CooldownSeconds int
	// Redis holds the router's shared usage counts (the limits hold across the gateway's pods)
	// and, with Cache, the response cache.
	Redis Redis
	Cache *Cache
}

// Model is one model name graphs call and the deployments (one per provider key) behind it.
type Model struct {
	Name     string // what graphs send
	Provider string // catalog.LLMProviders key
	Model    string // the provider's model ID
	// KeyEnvs are the environment variables holding each deployment's provider key.
	KeyEnvs []string
	// RPM and TPM are the model's limits across its deployments.
	RPM, TPM int
	Fallback string
	// USDPerToken prices the model's tokens (the cost model's price per 1,000 / 1,000) for the
	// gateway's spend metric.
	USDPerToken float64
	// APIBase overrides the provider's API (a regional endpoint, or a stand-in in a test).
	APIBase string
}

// Redis is the cache the proxy shares; its host comes from RedisHostEnv and its password
// from RedisPasswordEnv.
type Redis struct {
	Port int
	TLS  bool
}

// Cache is the response cache: identical requests within TTLSeconds are answered from Redis,
// under KeyPrefix.
type Cache struct {
	TTLSeconds int
	KeyPrefix  string
}

// MasterKeyEnv is the variable holding the gateway's key, which the dataplane's model clients
// send as their API key: the chart sets it from the Secret's MasterKeySecretKey entry.
const (
	MasterKeyEnv       = "PROXY_MASTER_KEY"
	MasterKeySecretKey = "masterkey"
)

// RedisPasswordEnv holds the cache's AUTH token in the gateway's pods, RedisHostEnv its primary
// endpoint.
const (
	RedisPasswordEnv = "REDIS_PASSWORD"
	RedisHostEnv     = "REDIS_HOST"
)

// env references a variable the way LiteLLM's config reads one.
func env(name string) string { return "os.environ/" + name }

// ProxyConfig renders the proxy's config.yaml as data.
func ProxyConfig(s Settings) (map[string]any, error) {
	var models []any
	var fallbacks []any
	for _, m := range s.Models {
		provider, ok := catalog.LLMProviders[m.Provider]
		if !ok {
			return nil, fmt.Errorf("gateway model %q: unknown provider %q", m.Name, m.Provider)
		}
		if len(m.KeyEnvs) == 0 {
			return nil, fmt.Errorf("gateway model %q: no key", m.Name)
		}
		n := len(m.KeyEnvs)
		for i, key := range m.KeyEnvs {
			params := map[string]any{
				"model":   provider.LiteLLMPrefix + "/" + m.Model,
				"api_key": env(key),
				// The model's limits split over its deployments; the router counts them in Redis.
				"rpm":     perDeployment(m.RPM, n),
				"tpm":     perDeployment(m.TPM, n),
				"timeout": s.TimeoutSeconds,
				// The router retries (on another deployment, with backoff) and counts each
				// failure for the breaker; the provider SDK's own retries would hide them.
				"max_retries": 0,
			}
			if m.APIBase != "" {
				params["api_base"] = m.APIBase
			}
			models = append(models, map[string]any{
				"model_name":     m.Name,
				"litellm_params": params,
				"model_info": map[string]any{
					"id":                    fmt.Sprintf("%s-%d", m.Name, i),
					"input_cost_per_token":  m.USDPerToken,
					"output_cost_per_token": m.USDPerToken,
				},
			})
		}
		if m.Fallback != "" {
			fallbacks = append(fallbacks, map[string]any{m.Name: []any{m.Fallback}})
		}
	}
	redisKwargs := map[string]any{"ssl": s.Redis.TLS}
	router := map[string]any{
		"routing_strategy": "simple-shuffle",
		// Checks a deployment's limits before the call: a call over them goes to another
		// deployment, or is answered 429 by the gateway, never sent to the provider.
		"enable_pre_call_checks": true,
		"num_retries":            s.Retries,
		"retry_after":            s.RetryAfterSeconds,
		"allowed_fails":          s.AllowedFails,
		"cooldown_time":          s.CooldownSeconds,
		"redis_host":             env(RedisHostEnv),
		"redis_port":             s.Redis.Port,
		"redis_password":         env(RedisPasswordEnv),
		"cache_kwargs":           redisKwargs,
	}
	if len(fallbacks) > 0 {
		router["fallbacks"] = fallbacks
	}
	settings := map[string]any{
		"callbacks": []any{"prometheus"},
		// Prometheus scrapes without a key: the NetworkPolicy admits only it and the dataplane
		// to the port, and the metrics carry no prompt or key.
		"require_auth_for_metrics_endpoint": false,
		"request_timeout":                   s.TimeoutSeconds,
		"drop_params":                       false,
		"telemetry":                         false,
	}
	if c := s.Cache; c != nil {
		settings["cache"] = true
		settings["cache_params"] = map[string]any{
			"type": "redis", "host": env(RedisHostEnv), "port": s.Redis.Port, "password": env(RedisPasswordEnv), "ssl": s.Redis.TLS,
			"namespace": c.KeyPrefix, "ttl": c.TTLSeconds,
		}
	}
	return map[string]any{
		"model_list":       models,
		"router_settings":  router,
		"litellm_settings": settings,
		"general_settings": map[string]any{"master_key": env(MasterKeyEnv)},
	}, nil
}

// perDeployment is a model-wide limit's share of one of n deployments (at least 1).
func perDeployment(limit, n int) int {
	return max(limit/n, 1)
}

// KeyEnv is the variable of the i-th distinct provider key (Secrets Manager secret) in the
// gateway's pods; models that share a key share its variable.
func KeyEnv(i int) string { return fmt.Sprintf("LLM_PROVIDER_KEY_%d", i) }
