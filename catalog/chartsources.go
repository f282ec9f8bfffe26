package catalog

import (
	"net/netip"
	"net/url"
	"strings"
)

// ChartRepositories are the Helm repositories that publish each chart upstream: where a chart
// comes from when the stack names no mirror.
var ChartRepositories = map[string]string{
	ChartKubePrometheusStack:       "https://prometheus-community.github.io/helm-charts",
	ChartPostgresExporter:          "https://prometheus-community.github.io/helm-charts",
	ChartRedisExporter:             "https://prometheus-community.github.io/helm-charts",
	ChartPrometheusAdapter:         "https://prometheus-community.github.io/helm-charts",
	ChartMetricsServer:             "https://kubernetes-sigs.github.io/metrics-server/",
	ChartAWSLoadBalancerController: "https://aws.github.io/eks-charts",
	ChartAWSForFluentBit:           "https://aws.github.io/eks-charts",
	// Karpenter publishes its chart only to an OCI registry.
	ChartKarpenter: "oci://public.ecr.aws/karpenter",
	// LiteLLM publishes its chart beside its images on GitHub's registry.
	ChartLiteLLM: "oci://ghcr.io/berriai",
}

// ChartSource is where Helm fetches one chart, in the two forms a Helm release takes: from a
// Helm repository (Repo is its URL, Chart the chart's name) or from an OCI registry (Chart is the
// full oci:// reference, Repo is empty). The version is pinned separately and never changes
// with the source.
type ChartSource struct {
	Chart string
	Repo  string
}

// OCIScheme prefixes a chart location in an OCI registry (ECR, Harbor, ...).
const OCIScheme = "oci://"

// SourceAt is chart's source at location: "" is the upstream repository; an oci:// location is
// the registry path the chart sits under (oci://<registry>/<path>/<chart>); anything else is a
// Helm repository URL serving the chart under its own name.
func SourceAt(chart, location string) ChartSource {
	switch {
	case location == "" && strings.HasPrefix(ChartRepositories[chart], OCIScheme):
		return SourceAt(chart, ChartRepositories[chart])
	case location == "":
		return ChartSource{Chart: chart, Repo: ChartRepositories[chart]}
	case strings.HasPrefix(location, OCIScheme):
		return ChartSource{Chart: strings.TrimRight(location, "/") + "/" + chart}
	default:
		return ChartSource{Chart: chart, Repo: location}
	}
}

// ChartLocationProblem says what is wrong with a chart location (a mirror), or "" if Helm can
// fetch from it safely: an https:// Helm repository, an oci:// registry path (Helm speaks TLS to
// registries), or plain http:// on a loopback address only (a mirror on the machine that runs
// `pulumi up`, where TLS protects nothing). No credentials, query or fragment: the location is
// stored in the stack's state and shown in every preview.
func ChartLocationProblem(location string) string {
	u, err := url.Parse(location)
	if err != nil || u.Host == "" {
		return "is not a URL with a host"
	}
	if u.User != nil {
		return "carries credentials, which would be stored in the stack's state; log in with `helm registry login` (OCI) or `helm repo add --username` instead"
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "has a query or fragment, which Helm does not use for a repository"
	}
	switch u.Scheme {
	case "https":
		return ""
	case "oci":
		if strings.Trim(u.Path, "/") == "" {
			return "names an OCI registry without a repository path (oci://<registry>/<path>)"
		}
		return ""
	case "http":
		if IsLoopback(u.Hostname()) {
			return ""
		}
		return "is plain http to a host that is not loopback: charts must be fetched over TLS"
	}
	return "has scheme " + u.Scheme + "; allowed: https://, oci://, or http:// on a loopback address"
}

// IsLoopback reports whether host is localhost or a loopback IP address.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.IsLoopback()
}
