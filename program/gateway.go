package program

// The LLM gateway's arguments, and how the dataplane's model clients are pointed at it.

import (
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/cache"
	"github.com/langgraph-platform/infra/components/dataplane"
	"github.com/langgraph-platform/infra/components/gateway"
	"github.com/langgraph-platform/infra/components/monitoring"
	"github.com/langgraph-platform/infra/config"
)

// GatewayKeySecrets are the distinct Secrets Manager secrets the gateway's models name, in the
// order their variables are numbered (gateway.KeyEnv).
func GatewayKeySecrets(cfg *config.Config) []string {
	var out []string
	for _, m := range cfg.Gateway.Models {
		for _, k := range m.Keys {
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// GatewaySettings are what the proxy enforces, from gateway.* and the cost model's prices (one
// owner: cost.llm prices the estimate and the gateway's spend metric alike).
func GatewaySettings(cfg *config.Config) gateway.Settings {
	g := cfg.Gateway
	secrets := GatewayKeySecrets(cfg)
	s := gateway.Settings{
		Retries: g.Retries, RetryAfterSeconds: g.RetryAfterSeconds, TimeoutSeconds: g.TimeoutSeconds,
		AllowedFails: g.Breaker.AllowedFails, CooldownSeconds: g.Breaker.CooldownSeconds,
		// ElastiCache takes TLS only (transit encryption is on).
		Redis: gateway.Redis{Port: cache.Port, TLS: true},
	}
	if g.Cache.Enabled {
		s.Cache = &gateway.Cache{TTLSeconds: g.Cache.TTLSeconds, KeyPrefix: g.Cache.KeyPrefix}
	}
	for _, m := range g.Models {
		price, _ := cfg.Cost.LLMPrice(m.Model) // config refuses a model cost.llm does not price
		model := gateway.Model{Name: m.Name, Provider: m.Provider, Model: m.Model, RPM: m.RPM, TPM: m.TPM, Fallback: m.Fallback,
			USDPerToken: price / 1000}
		for _, k := range m.Keys {
			model.KeyEnvs = append(model.KeyEnvs, gateway.KeyEnv(slices.Index(secrets, k)))
		}
		s.Models = append(s.Models, model)
	}
	return s
}

// GatewayArgs maps the configuration, the cluster and the cache onto the gateway; it reads the
// provider keys from Secrets Manager (secret values, never in plaintext in state or previews).
func GatewayArgs(ctx *pulumi.Context, cfg *config.Config, cluster *Cluster, redis *cache.Cache) gateway.Args {
	g := cfg.Gateway
	keys := map[string]pulumi.StringInput{}
	for i, id := range GatewayKeySecrets(cfg) {
		version := secretsmanager.LookupSecretVersionOutput(ctx, secretsmanager.LookupSecretVersionOutputArgs{SecretId: pulumi.String(id)})
		keys[gateway.KeyEnv(i)] = pulumi.ToSecret(version.SecretString()).(pulumi.StringOutput)
	}
	return gateway.Args{
		Namespace: g.Namespace, ChartVersion: catalog.ChartVersions[catalog.ChartLiteLLM][0], Charts: cfg.Charts.Sources(),
		Image: catalog.LiteLLMImage, ImageTag: catalog.LiteLLMImageTag,
		MinReplicas: g.MinReplicas, MaxReplicas: g.MaxReplicas, CPUUtilization: g.CPUUtilization,
		Resources: ChartResources(cfg), Settings: GatewaySettings(cfg), Keys: keys,
		RedisPassword: redis.AuthToken, RedisHost: redis.PrimaryEndpoint,
		Network: gateway.Network{
			// The labels every dataplane pod carries, whichever tier.
			ClientNamespace: cfg.Dataplane.Namespace, ClientPods: dataplane.MetricsSelectorLabels(Prefix(cfg)),
			MonitoringNamespace: cfg.Monitoring.Namespace,
			CacheCIDRs:          cluster.DataSubnetCIDRs, CachePort: cache.Port,
			ProviderCIDRs: g.ProviderEgressCIDRs,
		},
		ServiceMonitorLabels: monitoring.SelectorLabels(),
		Labels: map[string]string{
			"app.kubernetes.io/name": "llm-gateway", "app.kubernetes.io/instance": Prefix(cfg), "app.kubernetes.io/component": "llm-gateway",
			"app.kubernetes.io/version": catalog.LiteLLMVersion,
			"app.kubernetes.io/part-of": dataplane.PartOf, "app.kubernetes.io/managed-by": "pulumi",
		},
	}
}

// DataplaneGateway points the dataplane's model clients at the gateway: each provider's base-URL
// variable, and its API-key variable holding the gateway's key.
func DataplaneGateway(cfg *config.Config, key pulumi.StringInput) *dataplane.LLMGateway {
	base := gateway.BaseURL(cfg.Gateway.Namespace)
	out := &dataplane.LLMGateway{BaseURLs: map[string]string{}, Key: key, Namespace: cfg.Gateway.Namespace, Pods: gateway.PodLabels, Port: catalog.LiteLLMPort}
	for _, m := range cfg.Gateway.Models {
		p := catalog.LLMProviders[m.Provider]
		if _, done := out.BaseURLs[p.BaseURLEnv]; !done {
			out.BaseURLs[p.BaseURLEnv] = base + p.BaseURLPath
			out.KeyEnvs = append(out.KeyEnvs, p.APIKeyEnv)
		}
	}
	slices.Sort(out.KeyEnvs)
	return out
}

// GatewayWarnings are what a preview shows about the gateway's wiring: the dataplane's pods
// carrying a LangSmith key while the gateway leaves them no HTTPS egress. Not refused: whether the
// server must reach LangSmith depends on the image and the key's use.
func GatewayWarnings(cfg *config.Config) []string {
	if !cfg.Gateway.Routes() || len(cfg.Gateway.DataplaneHTTPSEgressCIDRs) > 0 || !cfg.Secrets.LangSmithAPIKey.IsSet() {
		return nil
	}
	return []string{"the dataplane's pods carry LANGSMITH_API_KEY but may reach no address on 443 (gateway.dataplaneHttpsEgressCidrs is empty): " +
		"their LangSmith calls (tracing, a license check) cannot leave the cluster; list LangSmith's addresses there if the server needs them"}
}
