package tests

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
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
		// kube-prometheus-stack, two exporters, the rules and the dataplane's ServiceMonitor.
		require.Equal(t, 5, checked, stack)
	}
}
