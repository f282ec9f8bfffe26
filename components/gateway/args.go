package gateway

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/internal/helmsource"
	"github.com/langgraph-platform/infra/internal/helmvalues"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "langgraph:platform:LLMGateway"

// ReleaseName is the Helm release; with the chart's nameOverride "litellm" its objects are
// named <release>-litellm.
const ReleaseName = "llm-gateway"

// ServiceName is the chart's Service (and Deployment) name: the dataplane's base URLs use it.
const ServiceName = ReleaseName + "-litellm"

// SecretName holds the provider keys, the gateway's key and the cache's token.
const SecretName = "llm-gateway-keys"

// Args are the gateway's plain inputs.
type Args struct {
	Namespace    string
	ChartVersion string
	Charts       map[string]catalog.ChartSource
	Image        string // repository, no tag
	ImageTag     string
	MinReplicas  int
	MaxReplicas  int
	// CPUUtilization is the HPA's target, % of the CPU request.
	CPUUtilization int
	Resources      helmvalues.Sized
	Settings       Settings
	// Keys are the provider keys by environment variable (KeyEnv), each a secret.
	Keys map[string]pulumi.StringInput
	// RedisPassword is the cache's AUTH token (secret).
	RedisPassword pulumi.StringInput
	// RedisHost is the cache's primary endpoint.
	RedisHost pulumi.StringInput
	Network   Network
	// ServiceMonitorLabels make the monitoring stack pick the ServiceMonitor up;
	// ServiceMonitorCRD is what installs its CRD (nil when not yet known: the dataplane's case).
	ServiceMonitorLabels map[string]string
	ServiceMonitorCRD    pulumi.Resource
	Labels               map[string]string
}

// Network are the flows the gateway's pods have.
type Network struct {
	// ClientNamespace and ClientPods select the only callers (the dataplane's pods).
	ClientNamespace string
	ClientPods      map[string]string
	// MonitoringNamespace's Prometheus scrapes the metrics.
	MonitoringNamespace string
	// CacheCIDRs and CachePort reach the stack's ElastiCache.
	CacheCIDRs []string
	CachePort  int
	// ProviderCIDRs are reachable on 443: the model providers.
	ProviderCIDRs []string
}

// Validate reports every missing or impossible input.
func (a Args) Validate() error {
	var errs []error
	bad := func(field string, v any, why string) {
		errs = append(errs, fmt.Errorf("gateway.Args.%s=%v: %s", field, v, why))
	}
	if a.Namespace == "" {
		bad("Namespace", a.Namespace, "is required")
	}
	if _, err := helmsource.Lookup(a.Charts, catalog.ChartLiteLLM); err != nil {
		bad("Charts", catalog.ChartLiteLLM, err.Error())
	}
	if a.ChartVersion == "" || a.Image == "" || a.ImageTag == "" {
		bad("ChartVersion/Image/ImageTag", a.ChartVersion+" "+a.Image+":"+a.ImageTag, "are required")
	}
	if a.MinReplicas < 1 || a.MaxReplicas < a.MinReplicas {
		bad("MinReplicas/MaxReplicas", fmt.Sprint(a.MinReplicas, "/", a.MaxReplicas), "need 1 <= min <= max")
	}
	if a.CPUUtilization < 1 || a.CPUUtilization > 100 {
		bad("CPUUtilization", a.CPUUtilization, "must be 1-100")
	}
	if len(a.Settings.Models) == 0 {
		bad("Settings.Models", "[]", "at least one model is required")
	}
	for _, m := range a.Settings.Models {
		for _, k := range m.KeyEnvs {
			if a.Keys[k] == nil {
				bad("Keys", k, fmt.Sprintf("model %q reads a key nobody gave", m.Name))
			}
		}
	}
	if a.RedisPassword == nil || a.RedisHost == nil {
		bad("RedisPassword/RedisHost", "nil", "are required")
	}
	if a.Network.ClientNamespace == "" || len(a.Network.ClientPods) == 0 || a.Network.MonitoringNamespace == "" ||
		len(a.Network.CacheCIDRs) == 0 || a.Network.CachePort < 1 || len(a.Network.ProviderCIDRs) == 0 {
		bad("Network", a.Network, "the client, monitoring, cache and provider flows are required")
	}
	errs = append(errs, a.Resources.Check("gateway", catalog.ContainerLLMGateway))
	return errors.Join(errs...)
}
