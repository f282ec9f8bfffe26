package config

// The LLM gateway: LiteLLM's proxy in the dataplane's egress path (package components/gateway),
// which holds the provider keys and enforces the limits, retries, breaker, fallbacks and
// response cache below (docs/gateway.md).

// Gateway configures the LLM gateway.
type Gateway struct {
	Enabled bool `json:"enabled" doc:"Run the LLM gateway (LiteLLM's proxy) and send the dataplane's model calls through it (off by default; prod on)."`
	// Bypass keeps the gateway running but lets the dataplane call the providers directly, with
	// its own keys: for comparing behaviour in staging. Refused in production.
	Bypass            bool           `json:"bypass" doc:"Leave the dataplane's model base URLs and HTTPS egress as without the gateway (it still runs): staging only, to compare; refused in production."`
	Namespace         string         `json:"namespace" doc:"Namespace of the gateway (restricted Pod Security, default-deny NetworkPolicies)."`
	MinReplicas       int            `json:"minReplicas" doc:"Gateway pods at least (HPA minimum; at least 2 in production for the disruption budget)."`
	MaxReplicas       int            `json:"maxReplicas" doc:"Gateway pods at most (HPA maximum)."`
	CPUUtilization    int            `json:"cpuUtilization" doc:"HPA target CPU utilisation of the gateway pods, % of the request (1-100)."`
	Models            []GatewayModel `json:"models" doc:"The models graphs may call: each {name, provider, model, keySecrets, rpm, tpm, fallback} (docs/gateway.md)."`
	Retries           int            `json:"retries" doc:"Retries of a failed call (429, 5xx, timeout) on another deployment, with exponential backoff from retryAfterSeconds (0-5)."`
	RetryAfterSeconds float64        `json:"retryAfterSeconds" doc:"Smallest wait before a retry, seconds; a provider's Retry-After header wins when longer."`
	TimeoutSeconds    int            `json:"timeoutSeconds" doc:"Timeout of one provider call, seconds (1-3600)."`
	Breaker           GatewayBreaker `json:"breaker"`
	Cache             GatewayCache   `json:"cache"`
	DailyBudgetUSD    float64        `json:"dailyBudgetUsd" doc:"Alert (LLMSpendAboveDailyBudget) when the gateway's measured spend over 24 hours exceeds this, US dollars; 0: no alert."`
	// DataplaneHTTPSEgressCIDRs replace dataplane.llmEgressCidrs while the gateway routes.
	DataplaneHTTPSEgressCIDRs []string `json:"dataplaneHttpsEgressCidrs" doc:"CIDRs the dataplane's pods may still reach on TCP 443 while the gateway carries their model calls (LangSmith: auth.mode langsmith needs it); empty: none, the gateway is their only way out. A wide range lets a pod reach a provider's address, without a provider key (only the gateway holds them)."`
	ProviderEgressCIDRs       []string `json:"providerEgressCidrs" doc:"CIDRs the gateway pods may reach on TCP 443 (the providers publish no stable ranges)."`
}

// GatewayModel is one model name graphs call and the provider deployments behind it: one per key.
type GatewayModel struct {
	Name     string   `json:"name" doc:"The model name graphs ask for (ChatOpenAI(model=...))."`
	Provider string   `json:"provider" doc:"openai or anthropic."`
	Model    string   `json:"model" doc:"The provider's model ID; its price is cost.llm's entry for it (one owner of prices)."`
	Keys     []string `json:"keySecrets" doc:"Names or ARNs of Secrets Manager secrets holding the provider's API key, one deployment each (at least one; two or more give the breaker a deployment to route to)."`
	RPM      int      `json:"rpm" doc:"Requests a minute across the model's keys, below the provider's quota (catalog)."`
	TPM      int      `json:"tpm" doc:"Tokens a minute across the model's keys, below the provider's quota (catalog)."`
	Fallback string   `json:"fallback" doc:"Name of the (cheaper) model to call when every deployment of this one fails; empty: none."`
}

// GatewayBreaker is the per-deployment circuit breaker: LiteLLM's cooldown.
type GatewayBreaker struct {
	AllowedFails    int `json:"allowedFails" doc:"Failures of a deployment within a minute that open its breaker (take it out of rotation) (1-100)."`
	CooldownSeconds int `json:"cooldownSeconds" doc:"How long an open breaker keeps the deployment out, seconds (1-3600)."`
}

// GatewayCache is the response cache on the stack's ElastiCache.
type GatewayCache struct {
	Enabled    bool   `json:"enabled" doc:"Cache identical completions in the stack's ElastiCache under gateway.cache.keyPrefix."`
	TTLSeconds int    `json:"ttlSeconds" doc:"How long a cached response is served, seconds (needs gateway.cache.enabled; 1-86400)."`
	KeyPrefix  string `json:"keyPrefix" doc:"Key prefix (LiteLLM namespace) of the cache's entries, apart from the dataplane's keys."`
	MemoryMB   int    `json:"memoryMb" doc:"Memory the cached responses may take on each cache node, MiB: added to the capacity model's Redis memory check (allkeys-lru would evict the dataplane's streams first otherwise)."`
}

// ModelNamed is the gateway model graphs call name, and whether there is one.
func (g Gateway) ModelNamed(name string) (GatewayModel, bool) {
	for _, m := range g.Models {
		if m.Name == name {
			return m, true
		}
	}
	return GatewayModel{}, false
}

// Routes reports whether the dataplane's model calls go through the gateway.
func (g Gateway) Routes() bool { return g.Enabled && !g.Bypass }

// CacheBytes is the Redis memory the gateway's response cache may take, 0 without one.
func (g Gateway) CacheBytes() float64 {
	if !g.Enabled || !g.Cache.Enabled {
		return 0
	}
	return float64(g.Cache.MemoryMB) * (1 << 20)
}
