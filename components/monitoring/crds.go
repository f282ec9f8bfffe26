package monitoring

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	yamlv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/yaml/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
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
	dir := path.Join("crds", version)
	entries, err := fs.ReadDir(crdFiles, dir)
	if err != nil || len(entries) == 0 {
		return "", nil, fmt.Errorf("no prometheus-operator CRDs for %s in components/monitoring/crds: run `go run ./cmd/crds -write`", version)
	}
	var docs, names []string
	for _, e := range entries {
		b, err := crdFiles.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return "", nil, err
		}
		doc, err := forceOwnership(strings.TrimPrefix(string(b), "---\n"), e.Name())
		if err != nil {
			return "", nil, err
		}
		docs = append(docs, doc)
		// monitoring.coreos.com_servicemonitors.yaml -> servicemonitors.monitoring.coreos.com
		group, plural, _ := strings.Cut(strings.TrimSuffix(e.Name(), ".yaml"), "_")
		names = append(names, plural+"."+group)
	}
	slices.Sort(names)
	return strings.Join(docs, "---\n"), names, nil
}

// PatchForceAnnotation makes the Kubernetes provider's server-side apply take the CRDs' fields
// over from another field manager: on a cluster where Helm installed them (the chart's first
// install), the upgrade would otherwise stop at a conflict.
const PatchForceAnnotation = "pulumi.com/patchForce"

// forceOwnership adds PatchForceAnnotation to a CRD manifest as controller-gen writes it
// (metadata, then annotations, first).
func forceOwnership(doc, file string) (string, error) {
	const anchor = "metadata:\n  annotations:\n"
	if !strings.Contains(doc, anchor) {
		return "", fmt.Errorf("components/monitoring/crds: %s has no metadata.annotations block where controller-gen writes it", file)
	}
	return strings.Replace(doc, anchor, anchor+"    "+PatchForceAnnotation+": \"true\"\n", 1), nil
}

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
