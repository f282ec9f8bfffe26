package catalog

// The LLM gateway's facts: LiteLLM's proxy (the release the live tests run, the image the chart
// runs), the providers it calls, their published rate-limit quotas and the Prometheus metrics
// the recording rules read. Read from litellm 1.108.7 (PyPI; litellm/integrations/prometheus.py
// and a live /metrics/ scrape, tests/gateway) and the providers' rate-limit pages.

// LiteLLMVersion is the LiteLLM proxy release: tools/litellm/requirements.txt installs it for the
// live tests and the chart runs its image (LiteLLMImageTag).
const LiteLLMVersion = "1.108.7"

// LiteLLMImage is LiteLLM's image without the Prisma client (the gateway keeps no database) that
// runs as a non-root user; the tag follows the chart's own form, main-v<release>.
const (
	LiteLLMImage    = "ghcr.io/berriai/litellm-non_root"
	LiteLLMImageTag = "main-v" + LiteLLMVersion
)

// LiteLLMPort is the proxy's HTTP port (the chart's service.port); it serves the OpenAI API under
// /v1, Anthropic's under /v1/messages, health under /health/* and metrics under
// LiteLLMMetricsPath.
const LiteLLMPort = 4000

// LiteLLMMetricsPath is where the proxy serves Prometheus metrics: /metrics answers with a
// redirect to it, which Prometheus does not follow for a scrape.
const LiteLLMMetricsPath = "/metrics/"

// LiteLLM's health endpoints (the chart's probes): liveness answers while the process serves,
// readiness also reports the cache's state.
const (
	LiteLLMLivenessPath  = "/health/liveliness"
	LiteLLMReadinessPath = "/health/readiness"
)

// LLMProvider is a model provider the gateway calls and the dataplane's model clients would
// otherwise call directly.
type LLMProvider struct {
	// LiteLLMPrefix is the provider's prefix in a LiteLLM model string (openai/gpt-4o).
	LiteLLMPrefix string
	// BaseURLEnv is the environment variable the provider's LangChain client reads for its base
	// URL (langchain-openai's ChatOpenAI: OPENAI_BASE_URL through the openai SDK;
	// langchain-anthropic's ChatAnthropic: ANTHROPIC_BASE_URL through the anthropic SDK), and
	// BaseURLPath the gateway's path for that API.
	BaseURLEnv, BaseURLPath string
	// APIKeyEnv is the variable the client reads its key from: set to the gateway's key, so a
	// graph that reads it unchanged authenticates to the gateway.
	APIKeyEnv string
}

// Providers the gateway supports.
const (
	ProviderOpenAI    = "openai"
	ProviderAnthropic = "anthropic"
)

// LLMProviders are the providers by name.
var LLMProviders = map[string]LLMProvider{
	ProviderOpenAI:    {LiteLLMPrefix: "openai", BaseURLEnv: "OPENAI_BASE_URL", BaseURLPath: "/v1", APIKeyEnv: "OPENAI_API_KEY"},
	ProviderAnthropic: {LiteLLMPrefix: "anthropic", BaseURLEnv: "ANTHROPIC_BASE_URL", BaseURLPath: "", APIKeyEnv: "ANTHROPIC_API_KEY"},
}

// ModelQuota is a provider's published limit for one model and organisation: requests and
// tokens a minute.
type ModelQuota struct {
	Provider string
	RPM, TPM int
}

// ModelQuotas are the quotas the gateway's per-model limits must stay below (one organisation's
// keys share them): OpenAI's usage tier 5 and Anthropic's tier 4, as their rate-limit pages list
// them in 2026. An organisation granted more raises the entry here, in a reviewed change.
var ModelQuotas = map[string]ModelQuota{
	"gpt-4o":            {Provider: ProviderOpenAI, RPM: 10_000, TPM: 30_000_000},
	"gpt-4o-mini":       {Provider: ProviderOpenAI, RPM: 30_000, TPM: 150_000_000},
	"gpt-4.1":           {Provider: ProviderOpenAI, RPM: 10_000, TPM: 30_000_000},
	"gpt-4.1-mini":      {Provider: ProviderOpenAI, RPM: 30_000, TPM: 150_000_000},
	"claude-sonnet-4-5": {Provider: ProviderAnthropic, RPM: 4_000, TPM: 2_000_000},
	"claude-haiku-4-5":  {Provider: ProviderAnthropic, RPM: 4_000, TPM: 4_000_000},
}

// LiteLLM's metrics the recording rules read, with the labels they use (litellm 1.108.7). Spend
// is in US dollars from the prices the gateway's configuration gives each model.
const (
	MetricLiteLLMSpend            = "litellm_spend_metric_total"                 // model, requested_model, api_provider
	MetricLiteLLMDeploymentFailed = "litellm_deployment_failure_responses_total" // exception_status, model_group, litellm_model_name, model_id
	MetricLiteLLMDeploymentOK     = "litellm_deployment_success_responses_total" // model_group, litellm_model_name, model_id
	MetricLiteLLMDeploymentState  = "litellm_deployment_state"                   // litellm_model_name, model_id, api_base: 0 healthy, 1 partial outage, 2 complete outage
	MetricLiteLLMCooledDown       = "litellm_deployment_cooled_down_total"       // litellm_model_name, model_id, exception_status
	MetricLiteLLMFallbacks        = "litellm_deployment_successful_fallbacks_total"
	MetricLiteLLMCacheHits        = "litellm_cache_hits_metric_total"
)

// LiteLLMMetricLabels are the labels each metric above must carry for the rules that read it.
var LiteLLMMetricLabels = map[string][]string{
	MetricLiteLLMSpend:            {"model", "requested_model"},
	MetricLiteLLMDeploymentFailed: {"exception_status", "model_group", "model_id"},
	MetricLiteLLMDeploymentOK:     {"model_group", "model_id"},
	MetricLiteLLMDeploymentState:  {"litellm_model_name", "model_id"},
	MetricLiteLLMCooledDown:       {"litellm_model_name", "model_id"},
	MetricLiteLLMFallbacks:        {},
	MetricLiteLLMCacheHits:        {},
}

// LiteLLMDeploymentOutage is litellm_deployment_state's value for a deployment the router has
// taken out of rotation (its breaker is open).
const LiteLLMDeploymentOutage = 2
