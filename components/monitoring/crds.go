package monitoring

import (
	"embed"
	"path"

	yamlv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/yaml/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/internal/crds"
)

// crdFiles are the prometheus-operator CRDs, one directory per operator version, copied from the
// operator's Go module by `go run ./cmd/crds -write` (package internal/crdsync checks them).
//
//go:embed crds
var crdFiles embed.FS

// CRDsTypeToken is the Pulumi type of the CRD set.
const CRDsTypeToken = "langgraph:kubernetes:PrometheusOperatorCRDs"

// OperatorCRDs returns the CRD manifests of a prometheus-operator version as one YAML stream,
// in file order, and the CRD names.
func OperatorCRDs(version string) (string, []string, error) {
	return crds.Manifests(crdFiles, path.Join("crds", version), "components/monitoring/crds")
}

// PatchForceAnnotation is the annotation that lets the CRDs' apply take their fields over.
const PatchForceAnnotation = crds.PatchForceAnnotation

// OperatorCRDSet is the applied CRD set; objects of its kinds (PrometheusRule, ServiceMonitor,
// the chart's Prometheus and Alertmanager) depend on it.
type OperatorCRDSet struct {
	pulumi.ResourceState
	Version string
	// Applied is the resource that applies the CRDs: depend on it, not on the set. A dependency
	// on a component is expanded to the children the SDK has seen register by then, which under
	// load could leave the CRDs out (seen: a rendering without the exporters' dependency on them).
	Applied pulumi.Resource
}

// NewOperatorCRDs applies (server-side, as the Kubernetes provider does by default) the CRDs of
// the prometheus-operator version the chart needs. Helm installs a chart's CRDs only on first
// install and never upgrades them; applied here, a chart bump upgrades them in the same update.
func NewOperatorCRDs(ctx *pulumi.Context, name, version string, opts ...pulumi.ResourceOption) (*OperatorCRDSet, error) {
	manifests, _, err := OperatorCRDs(version)
	if err != nil {
		return nil, err
	}
	set := &OperatorCRDSet{Version: version}
	if err := ctx.RegisterComponentResource(CRDsTypeToken, name, set, opts...); err != nil {
		return nil, err
	}
	group, err := yamlv2.NewConfigGroup(ctx, name, &yamlv2.ConfigGroupArgs{
		Yaml: pulumi.String(manifests),
	}, pulumi.Parent(set))
	if err != nil {
		return nil, err
	}
	set.Applied = group
	return set, ctx.RegisterResourceOutputs(set, pulumi.Map{"version": pulumi.String(version)})
}
