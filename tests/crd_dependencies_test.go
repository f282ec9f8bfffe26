package tests

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/clusteraddons"
	"github.com/langgraph-platform/infra/internal/crds"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

// On a fresh cluster an object of a CRD kind sent before its CRD is refused; the provider's
// retries would hide the ordering bug until they run out. Every object of the operator's kinds,
// and every release whose chart renders such objects, depends on the CRD set itself.
func TestObjectsOfCRDKindsDependOnTheirCRDs(t *testing.T) {
	renderCRDKinds := []string{catalog.ChartKubePrometheusStack, catalog.ChartPostgresExporter, catalog.ChartRedisExporter}
	for _, stack := range stacktest.Stacks {
		res := stacktest.Run(t, stack, nil)
		crds := stacktest.One(t, res, "kubernetes:yaml/v2:ConfigGroup", "-monitoring-crds")
		checked := 0
		for _, r := range res.Resources {
			release := r.Type == releaseType && slices.Contains(renderCRDKinds, chartOf(r))
			if !strings.HasPrefix(r.Type, "kubernetes:monitoring.coreos.com/") && !release {
				continue
			}
			checked++
			assert.Contains(t, r.Dependencies, crds.URN, "%s %s must depend on the CRDs", r.Type, r.Name)
		}
		// kube-prometheus-stack, two exporters, the rules, the dataplane's ServiceMonitor and,
		// with the LLM gateway, its ServiceMonitor.
		want := 5
		if len(res.ByType("langgraph:platform:LLMGateway")) > 0 {
			want++
		}
		require.Equal(t, want, checked, stack)
	}
}

// Karpenter's CRDs are the program's, like the operator's: applied from the chart version's copy
// (taking the fields over from a Helm first install), the chart installs none, and the NodePool
// and EC2NodeClass wait for them.
func TestKarpenterCRDsAreAppliedByTheProgram(t *testing.T) {
	res := stacktest.Run(t, "sandbox", nil)
	set := stacktest.One(t, res, "kubernetes:yaml/v2:ConfigGroup", "-karpenter-crds")
	manifests, names, err := clusteraddons.KarpenterCRDs(catalog.ChartVersions[catalog.ChartKarpenter][0])
	require.NoError(t, err)
	assert.Equal(t, manifests, set.In("yaml"))
	assert.Equal(t, []string{"ec2nodeclasses.karpenter.k8s.aws", "nodeclaims.karpenter.sh", "nodeoverlays.karpenter.sh", "nodepools.karpenter.sh"}, names)
	assert.Equal(t, len(names), strings.Count(manifests, crds.PatchForceAnnotation+`: "true"`), "every CRD takes its fields over from a Helm first install")
	var karpenter *harness.Resource
	for _, r := range res.ByType(releaseType) {
		if chartOf(r) == catalog.ChartKarpenter {
			karpenter = r
		}
	}
	require.NotNil(t, karpenter)
	assert.Equal(t, true, karpenter.In("skipCrds"), "Helm would install them once and never upgrade them")
	assert.Contains(t, karpenter.Dependencies, set.URN)
	for _, kind := range []string{"kubernetes:karpenter.sh/v1:NodePool", "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"} {
		objects := res.ByType(kind)
		require.Len(t, objects, 1, kind)
		assert.Contains(t, objects[0].Dependencies, set.URN, kind)
	}
	_, _, err = clusteraddons.KarpenterCRDs("0.0.1")
	assert.ErrorContains(t, err, "go run ./cmd/crds -write")
}
