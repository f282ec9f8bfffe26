package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/langgraph-platform/infra/catalog"
)

var (
	// secretID is a Secrets Manager secret's name (letters, digits, /_+=.@-, up to 512) or ARN.
	secretID = regexp.MustCompile(`^([A-Za-z0-9/_+=.@-]{1,512}|arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+)$`)
	// modelName is what graphs send as the model: LiteLLM matches it exactly.
	modelName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)
	// keyPrefix is a Redis key prefix without spaces or the separator LiteLLM adds.
	keyPrefix = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
)

func validateGateway(c *checker, cfg *Config) {
	g := cfg.Gateway
	if !g.Enabled {
		return
	}
	if g.Bypass && cfg.Production() {
		c.failf("gateway.bypass", true, "is refused in production: the dataplane's model calls must go through the gateway, which holds the keys and the limits")
	}
	if c.match("gateway.namespace", g.Namespace, dnsLabel, "a DNS label (lowercase letters, digits, '-')") &&
		(g.Namespace == cfg.Dataplane.Namespace || g.Namespace == cfg.Monitoring.Namespace || g.Namespace == cfg.Monitoring.NodeExporterNamespace) {
		c.failf("gateway.namespace", g.Namespace, "must differ from the dataplane's and the monitoring stack's namespaces: the gateway alone may reach the providers")
	}
	minReplicas := 1
	if cfg.Production() {
		minReplicas = 2 // the disruption budget lets one go; one pod would make a drain an outage
	}
	c.between("gateway.minReplicas", g.MinReplicas, minReplicas, 100)
	if g.MaxReplicas < g.MinReplicas || g.MaxReplicas > 100 {
		c.failf("gateway.maxReplicas", g.MaxReplicas, "must be between gateway.minReplicas (%d) and 100", g.MinReplicas)
	}
	c.between("gateway.cpuUtilization", g.CPUUtilization, 1, 100)
	c.between("gateway.retries", g.Retries, 0, 5)
	if g.RetryAfterSeconds <= 0 || g.RetryAfterSeconds > 60 {
		c.failf("gateway.retryAfterSeconds", g.RetryAfterSeconds, "must be above 0 and at most 60: the first backoff step")
	}
	c.between("gateway.timeoutSeconds", g.TimeoutSeconds, 1, 3600)
	c.between("gateway.breaker.allowedFails", g.Breaker.AllowedFails, 1, 100)
	c.between("gateway.breaker.cooldownSeconds", g.Breaker.CooldownSeconds, 1, 3600)
	if g.DailyBudgetUSD < 0 {
		c.failf("gateway.dailyBudgetUsd", g.DailyBudgetUSD, "must be >= 0 (0: no spend alert)")
	}
	c.cidrs("gateway.providerEgressCidrs", g.ProviderEgressCIDRs, 1)
	c.cidrs("gateway.dataplaneHttpsEgressCidrs", g.DataplaneHTTPSEgressCIDRs, 0)
	if g.Routes() && cfg.Auth.Mode == AuthLangSmith && len(g.DataplaneHTTPSEgressCIDRs) == 0 {
		c.failf("gateway.dataplaneHttpsEgressCidrs", "[]", "is empty with auth.mode langsmith: the server checks every caller's key at %s; list the addresses the pods may reach on 443", cfg.Auth.LangSmithAuthEndpoint)
	}
	validateGatewayCache(c, g.Cache)
	validateGatewayModels(c, cfg)
}

func validateGatewayCache(c *checker, k GatewayCache) {
	if !k.Enabled {
		if k.TTLSeconds != 0 {
			c.failf("gateway.cache.ttlSeconds", k.TTLSeconds, "is set but gateway.cache.enabled is false: there is no cache to expire; enable it or remove the TTL")
		}
		return
	}
	c.between("gateway.cache.ttlSeconds", k.TTLSeconds, 1, 86400)
	c.match("gateway.cache.keyPrefix", k.KeyPrefix, keyPrefix, "lowercase letters, digits, '.', '_', '-' (up to 64), apart from the dataplane's keys")
	c.between("gateway.cache.memoryMb", k.MemoryMB, 1, 1<<20)
}

func validateGatewayModels(c *checker, cfg *Config) {
	g := cfg.Gateway
	if len(g.Models) == 0 {
		c.failf("gateway.models", "[]", "is empty with gateway.enabled: list the models graphs call, each {name, provider, model, keySecrets, rpm, tpm}")
		return
	}
	names := map[string]bool{}
	for i, m := range g.Models {
		key := fmt.Sprintf("gateway.models[%d]", i)
		if c.match(key+".name", m.Name, modelName, "a model name (letters, digits, '.', '_', ':', '-')") && names[m.Name] {
			c.failf(key+".name", m.Name, "is listed twice")
		}
		names[m.Name] = true
		_, known := catalog.LLMProviders[m.Provider]
		if !known {
			c.failf(key+".provider", m.Provider, "is not a provider the gateway supports: one of %s", strings.Join(slices.Sorted(maps.Keys(catalog.LLMProviders)), ", "))
		}
		quota, quoted := catalog.ModelQuotas[m.Model]
		switch {
		case !quoted:
			c.failf(key+".model", m.Model, "has no provider quota in catalog (catalog.ModelQuotas: %s): add the quota your organisation has, in a reviewed change", strings.Join(slices.Sorted(maps.Keys(catalog.ModelQuotas)), ", "))
		case known && quota.Provider != m.Provider:
			c.failf(key+".model", m.Model, "is a %s model, not %s", quota.Provider, m.Provider)
		}
		if _, priced := cfg.Cost.LLMPrice(m.Model); !priced {
			c.failf(key+".model", m.Model, "has no price: add it to cost.llm (with pricePer1kTokens unless the seed prices it), which prices both the cost model and the gateway's spend")
		}
		if len(m.Keys) == 0 {
			c.failf(key+".keySecrets", "[]", "is empty: a model without a key cannot be called; name the Secrets Manager secret(s) holding the provider's API key")
		}
		seen := map[string]bool{}
		own := ResourcePrefix(cfg.Environment) + "-"
		for j, k := range m.Keys {
			kk := fmt.Sprintf("%s.keySecrets[%d]", key, j)
			if !c.match(kk, k, secretID, "a Secrets Manager secret name or ARN") {
				continue
			}
			name := k
			if _, after, isARN := strings.Cut(k, ":secret:"); isARN {
				name = after
			}
			if !strings.HasPrefix(name, own) {
				c.failf(kk, k, "must be named %s...: the stack's CI roles may read the values of its own secrets only (bootstrap); create the key under that name", own)
			}
			if seen[k] {
				c.failf(kk, k, "is listed twice: each key is one deployment")
			}
			seen[k] = true
		}
		if quoted {
			if m.RPM < 1 || m.RPM > quota.RPM {
				c.failf(key+".rpm", m.RPM, "must be between 1 and %s's quota of %d requests a minute (catalog.ModelQuotas)", m.Model, quota.RPM)
			}
			if m.TPM < 1 || m.TPM > quota.TPM {
				c.failf(key+".tpm", m.TPM, "must be between 1 and %s's quota of %d tokens a minute (catalog.ModelQuotas)", m.Model, quota.TPM)
			}
		}
	}
	for i, m := range g.Models {
		if m.Fallback == "" {
			continue
		}
		key := fmt.Sprintf("gateway.models[%d].fallback", i)
		if _, ok := g.ModelNamed(m.Fallback); !ok {
			c.failf(key, m.Fallback, "is not a gateway model: one of %s", strings.Join(slices.Sorted(maps.Keys(names)), ", "))
			continue
		}
		if cycle := fallbackCycle(g, m.Name); cycle != nil {
			c.failf(key, m.Fallback, "makes a fallback cycle (%s): a failing call would go round it", strings.Join(cycle, " -> "))
		}
	}
}

// fallbackCycle is the chain of fallbacks from name back to name, or nil when it ends.
func fallbackCycle(g Gateway, name string) []string {
	chain := []string{name}
	for next := name; ; {
		m, ok := g.ModelNamed(next)
		if !ok || m.Fallback == "" {
			return nil
		}
		next = m.Fallback
		chain = append(chain, next)
		if next == name {
			return chain
		}
		if slices.Contains(chain[:len(chain)-1], next) {
			return nil // a cycle that does not pass through name: reported for its own members
		}
	}
}
