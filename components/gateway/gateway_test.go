package gateway_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/gateway"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/netpol"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

const (
	releaseType    = "kubernetes:helm.sh/v3:Release"
	secretType     = "kubernetes:core/v1:Secret"
	deploymentType = "kubernetes:apps/v1:Deployment"
	gatewayType    = "langgraph:platform:LLMGateway"
)

func release(t *testing.T, res *harness.Result) *harness.Resource {
	return stacktest.One(t, res, releaseType, "-gateway-release")
}

// Off by default: a stack that does not turn it on has none of it, and its pods keep their
// direct HTTPS egress.
func TestOffByDefault(t *testing.T) {
	res := stacktest.Run(t, "prod", map[string]any{"gateway.enabled": false})
	assert.Empty(t, res.ByType(gatewayType))
	for _, r := range res.Resources {
		assert.NotContains(t, r.Name, "-gateway-", r.Name)
	}
	assert.Nil(t, stacktest.One(t, res, secretType, "-dataplane-env").In("stringData.OPENAI_BASE_URL"))
}

// The chart at its pinned version from LiteLLM's registry, the image the live tests run, no
// database, the dataplane's guard-rails.
func TestReleaseValues(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	r := release(t, res)
	assert.Equal(t, catalog.ChartRepositories[catalog.ChartLiteLLM]+"/"+catalog.ChartLiteLLM, r.In("chart"))
	assert.Equal(t, "1.1.0", r.In("version"))
	assert.Equal(t, "llm-gateway", r.In("namespace"))
	assert.Equal(t, catalog.LiteLLMImage, r.In("values.image.repository"))
	assert.Equal(t, "main-v"+catalog.LiteLLMVersion, r.In("values.image.tag"))
	assert.Equal(t, false, r.In("values.db.deployStandalone"), "no Bitnami Postgres beside RDS")
	assert.Equal(t, false, r.In("values.db.useExisting"))
	assert.Equal(t, false, r.In("values.migrationJob.enabled"), "no database, no Prisma migrations")
	assert.Equal(t, false, r.In("values.redis.enabled"), "the stack's ElastiCache, not a subchart")
	assert.Equal(t, gateway.SecretName, r.In("values.masterkeySecretName"))
	assert.Equal(t, []any{gateway.SecretName}, r.In("values.environmentSecrets"))
	// Restricted: non-root, no escalation, no capabilities, RuntimeDefault, a read-only root.
	assert.Equal(t, true, r.In("values.podSecurityContext.runAsNonRoot"))
	assert.Equal(t, "RuntimeDefault", r.In("values.podSecurityContext.seccompProfile.type"))
	assert.Equal(t, false, r.In("values.securityContext.allowPrivilegeEscalation"))
	assert.Equal(t, true, r.In("values.securityContext.readOnlyRootFilesystem"))
	assert.Equal(t, []any{"ALL"}, r.In("values.securityContext.capabilities.drop"))
	// Autoscaled between gateway.minReplicas and maxReplicas, one pod at a time disrupted.
	assert.Equal(t, true, r.In("values.autoscaling.enabled"))
	assert.Equal(t, 3.0, r.In("values.autoscaling.minReplicas"))
	assert.Equal(t, 12.0, r.In("values.autoscaling.maxReplicas"))
	assert.Equal(t, 70.0, r.In("values.autoscaling.targetCPUUtilizationPercentage"))
	assert.Equal(t, true, r.In("values.pdb.enabled"))
	assert.Equal(t, 1.0, r.In("values.pdb.maxUnavailable"))
	assert.Equal(t, "1Gi", r.In("values.resources.requests.memory"))
	assert.Equal(t, "2Gi", r.In("values.resources.limits.memory"))
	assert.Nil(t, r.In("values.resources.limits.cpu"), "CPU requested, not limited")
	assert.Equal(t, "1Gi", r.In("values.resources.limits.ephemeral-storage"))
	assert.Equal(t, "topology.kubernetes.io/zone", r.In("values.topologySpreadConstraints[0].topologyKey"))
	assert.NotEmpty(t, r.In("values.podAnnotations"), "a rotated key rolls the pods")
}

// The proxy's config: one deployment per key, the limits split over them, prices from cost.llm,
// the fallback, the breaker, retries, the cache on the stack's ElastiCache over TLS. No secret
// in it: every key and password is an os.environ reference.
func TestProxyConfig(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	r := release(t, res)
	models := r.In("values.proxy_config.model_list").([]any)
	require.Len(t, models, 4, "two models, two keys each")
	first := models[0].(map[string]any)
	assert.Equal(t, "gpt-4o", first["model_name"])
	params := first["litellm_params"].(map[string]any)
	assert.Equal(t, "openai/gpt-4o", params["model"])
	assert.Equal(t, "os.environ/"+gateway.KeyEnv(0), params["api_key"])
	assert.Equal(t, 4000.0, params["rpm"], "prod's 8,000 a minute over two keys")
	assert.Equal(t, 12000000.0, params["tpm"])
	assert.Equal(t, 0.0, params["max_retries"])
	info := first["model_info"].(map[string]any)
	assert.InDelta(t, catalog.LLMPricePer1KTokens["gpt-4o"]/1000, info["input_cost_per_token"], 1e-15, "the cost model's price")
	assert.Equal(t, "gpt-4o-0", info["id"])
	second := models[1].(map[string]any)["litellm_params"].(map[string]any)
	assert.Equal(t, "os.environ/"+gateway.KeyEnv(1), second["api_key"])

	router := r.In("values.proxy_config.router_settings").(map[string]any)
	assert.Equal(t, []any{map[string]any{"gpt-4o": []any{"gpt-4o-mini"}}}, router["fallbacks"])
	assert.Equal(t, 3.0, router["allowed_fails"])
	assert.Equal(t, 30.0, router["cooldown_time"])
	assert.Equal(t, 2.0, router["num_retries"])
	assert.Equal(t, "os.environ/"+gateway.RedisHostEnv, router["redis_host"])
	assert.Equal(t, map[string]any{"ssl": true}, router["cache_kwargs"])
	cache := r.In("values.proxy_config.litellm_settings.cache_params").(map[string]any)
	assert.Equal(t, 3600.0, cache["ttl"])
	assert.Equal(t, "llm-gateway", cache["namespace"])
	assert.Equal(t, true, cache["ssl"])
	assert.Equal(t, "os.environ/"+gateway.MasterKeyEnv, r.In("values.proxy_config.general_settings.master_key"))

	// The Secret holds the keys (from Secrets Manager), the gateway's key and the cache's token,
	// every value secret.
	s := stacktest.One(t, res, secretType, "-gateway-keys")
	for _, k := range []string{gateway.KeyEnv(0), gateway.KeyEnv(1), gateway.MasterKeySecretKey, gateway.RedisPasswordEnv} {
		assert.True(t, s.SecretIn("stringData."+k), "%s is a secret", k)
	}
	assert.Nil(t, s.In("stringData."+gateway.KeyEnv(2)), "two distinct key secrets, two variables")
}

// The dataplane's model clients call the gateway: base URL and key in their Secret; with
// bypass (staging only) they call the providers as before.
func TestDataplaneCallsTheGateway(t *testing.T) {
	res := stacktest.Run(t, "staging", nil)
	env := stacktest.One(t, res, secretType, "-dataplane-env")
	assert.Equal(t, "http://llm-gateway-litellm.llm-gateway.svc:4000/v1", env.In("stringData.OPENAI_BASE_URL"))
	assert.True(t, env.SecretIn("stringData.OPENAI_API_KEY"))
	names := map[string]bool{}
	for _, e := range stacktest.One(t, res, deploymentType, "-dataplane-deployment").In("spec.template.spec.containers[0].env").([]any) {
		names[e.(map[string]any)["name"].(string)] = true
	}
	assert.True(t, names["OPENAI_BASE_URL"] && names["OPENAI_API_KEY"], "the pods read both from the Secret")

	bypass := stacktest.Run(t, "staging", map[string]any{"gateway.bypass": true})
	assert.NotEmpty(t, bypass.ByType(gatewayType), "the gateway still runs")
	assert.Nil(t, stacktest.One(t, bypass, secretType, "-dataplane-env").In("stringData.OPENAI_BASE_URL"))
	for _, np := range bypass.ByType(netpol.PolicyType) {
		assert.NotEqual(t, "allow-llm-gateway", np.In("metadata.name"))
	}
}

// The flows: only the dataplane's pods (and Prometheus) reach the gateway; the gateway alone
// reaches the providers; staging's dataplane pods reach no address on 443 at all.
func TestGatewayNetworkPoliciesAdmitOnlyTheIntendedFlows(t *testing.T) {
	res := stacktest.Run(t, "staging", nil)
	gw := gateway.PodLabels
	gwPod := map[string]any{}
	for k, v := range gw {
		gwPod[k] = v
	}
	dp := stacktest.One(t, res, deploymentType, "-dataplane-deployment")
	dpNS := dp.In("metadata.namespace").(string)
	dpPod := dp.In("spec.template.metadata.labels").(map[string]any)
	dataplanePod := netpol.PodIn(dpNS, dpPod)
	gatewayPod := netpol.PodIn("llm-gateway", gwPod)
	provider := netpol.Address("104.18.7.192")
	cases := []struct {
		name      string
		ns        string
		pod       map[string]any
		direction string
		other     netpol.Endpoint
		port      float64
		want      bool
	}{
		{"dataplane pod calls the gateway", "llm-gateway", gwPod, "ingress", dataplanePod, 4000, true},
		{"dataplane pod sends to the gateway", dpNS, dpPod, "egress", gatewayPod, 4000, true},
		{"another pod of the dataplane's namespace", "llm-gateway", gwPod, "ingress", netpol.PodIn(dpNS, map[string]any{"app": "debug"}), 4000, false},
		{"a pod of another namespace", "llm-gateway", gwPod, "ingress", netpol.PodIn("default", dpPod), 4000, false},
		{"Prometheus scrapes", "llm-gateway", gwPod, "ingress", netpol.PodIn("monitoring", map[string]any{"app.kubernetes.io/name": "prometheus"}), 4000, true},
		{"the gateway reaches a provider", "llm-gateway", gwPod, "egress", provider, 443, true},
		{"the gateway over plain HTTP", "llm-gateway", gwPod, "egress", provider, 80, false},
		{"the gateway and instance metadata", "llm-gateway", gwPod, "egress", netpol.Address("169.254.169.254"), 443, false},
		{"the gateway reaches the cache", "llm-gateway", gwPod, "egress", netpol.Address("10.50.1.20"), 6379, true},
		{"the gateway and the database", "llm-gateway", gwPod, "egress", netpol.Address("10.50.1.20"), 5432, false},
		{"the gateway's DNS", "llm-gateway", gwPod, "egress", netpol.PodIn("kube-system", map[string]any{"k8s-app": "kube-dns"}), 53, true},
		{"a dataplane pod and a provider", dpNS, dpPod, "egress", provider, 443, false},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, netpol.Allowed(res, c.ns, c.pod, c.direction, c.other, c.port, "TCP"), c.name)
	}
	// Default deny covers any other pod in the gateway's namespace.
	assert.False(t, netpol.Allowed(res, "llm-gateway", map[string]any{"app": "other"}, "egress", provider, 443, "TCP"))
	names := []string{}
	for _, np := range res.ByType(netpol.PolicyType) {
		if np.In("metadata.namespace") == "llm-gateway" {
			names = append(names, np.In("metadata.name").(string))
		}
	}
	assert.ElementsMatch(t, gateway.NetworkPolicyNames, names)
}

// The namespace enforces restricted Pod Security; the ServiceMonitor scrapes /metrics/ on the
// chart's port and carries the monitoring stack's selector labels.
func TestNamespaceAndServiceMonitor(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	ns := stacktest.One(t, res, "kubernetes:core/v1:Namespace", "-gateway-namespace")
	nsLabels := ns.In("metadata.labels").(map[string]any)
	for _, mode := range []string{"enforce", "audit", "warn"} {
		assert.Equal(t, "restricted", nsLabels["pod-security.kubernetes.io/"+mode], mode)
	}
	sm := stacktest.One(t, res, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "-gateway-servicemonitor")
	assert.Equal(t, catalog.LiteLLMMetricsPath, sm.In("spec.endpoints[0].path"))
	assert.Equal(t, "http", sm.In("spec.endpoints[0].port"))
	labels := sm.In("metadata.labels").(map[string]any)
	assert.NotEmpty(t, labels["release"], "kube-prometheus-stack's selector")
	selector := sm.In("spec.selector.matchLabels").(map[string]any)
	assert.Equal(t, gateway.ReleaseName, selector["app.kubernetes.io/instance"], "the chart's Service for the release")
	assert.True(t, strings.HasPrefix(gateway.ServiceName, gateway.ReleaseName))
}
