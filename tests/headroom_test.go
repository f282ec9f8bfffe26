package tests

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/policy"
	"github.com/langgraph-platform/infra/internal/render"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

const priorityClassType = "kubernetes:scheduling.k8s.io/v1:PriorityClass"

// capacity.headroomPods renders placeholders of a run-executing pod's size at a negative priority
// that never preempts, the dataplane at a class above them that exists before its pods, and
// nothing of it without headroom.
func TestHeadroomRendersPlaceholdersBelowTheDataplane(t *testing.T) {
	res := stacktest.Run(t, "prod", map[string]any{"capacity.headroomPods": 6})
	placeholders := stacktest.One(t, res, deployment, "-dataplane-headroom")
	assert.Equal(t, 6.0, placeholders.In("spec.replicas"), "the program owns the count: no HPA")
	assert.Equal(t, "langgraph-prod-headroom", placeholders.In("spec.template.spec.priorityClassName"))
	assert.Equal(t, 0.0, placeholders.In("spec.template.spec.terminationGracePeriodSeconds"), "evicted at once")
	assert.Equal(t, catalog.HeadroomImage, placeholders.In("spec.template.spec.containers[0].image"))
	assert.Equal(t, "langgraph-headroom", placeholders.In("spec.template.spec.serviceAccountName"))
	api := stacktest.One(t, res, deployment, "-dataplane-deployment")
	for _, r := range []string{"cpu", "memory", "ephemeral-storage"} {
		want := api.In("spec.template.spec.containers[0].resources.requests." + r)
		require.NotNil(t, want, r)
		assert.Equal(t, want, placeholders.In("spec.template.spec.containers[0].resources.requests."+r), "a placeholder holds one pod's room: %s", r)
		assert.Equal(t, want, placeholders.In("spec.template.spec.containers[0].resources.limits."+r), r)
	}
	assert.Equal(t, "headroom", placeholders.In(`spec.template.metadata.labels["app.kubernetes.io/component"]`), "no Service selects the placeholders")

	classes := map[string]*harness.Resource{}
	for _, c := range res.ByType(priorityClassType) {
		classes[c.In("metadata.name").(string)] = c
	}
	require.Len(t, classes, 2)
	headroom, dataplane := classes["langgraph-prod-headroom"], classes["langgraph-prod-dataplane"]
	require.NotNil(t, headroom)
	require.NotNil(t, dataplane)
	assert.Equal(t, float64(catalog.HeadroomPriority), headroom.In("value"))
	assert.Less(t, headroom.In("value").(float64), 0.0)
	assert.GreaterOrEqual(t, headroom.In("value").(float64), float64(catalog.ExpendablePodsPriorityCutoff), "the Cluster Autoscaler adds nodes for it")
	assert.Equal(t, "Never", headroom.In("preemptionPolicy"), "a placeholder evicts nothing")
	assert.Greater(t, dataplane.In("value").(float64), headroom.In("value").(float64))
	assert.Equal(t, 0.0, dataplane.In("value"), "the dataplane preempts placeholders, never the cluster's other pods")
	assert.Equal(t, "langgraph-prod-dataplane", api.In("spec.template.spec.priorityClassName"))
	assert.Contains(t, api.Dependencies, dataplane.URN, "a pod naming a class that does not exist is refused")
	assert.Contains(t, placeholders.Dependencies, headroom.URN)

	// With a queue tier the placeholders are the queue pods' size: they execute the runs.
	queued := stacktest.Run(t, "prod", map[string]any{"capacity.headroomPods": 6, "dataplane.queue.enabled": true,
		"dataplane.queue.resources": map[string]any{"cpuRequest": "2", "memoryRequest": "3Gi", "memoryLimit": "6Gi"}, "capacity.acceptRisk": "rendering"})
	assert.Equal(t, "3Gi", stacktest.One(t, queued, deployment, "-dataplane-headroom").In("spec.template.spec.containers[0].resources.requests.memory"))
	assert.Equal(t, "langgraph-prod-dataplane", stacktest.One(t, queued, deployment, "-dataplane-queue-deployment").In("spec.template.spec.priorityClassName"))

	none := stacktest.Run(t, "prod", nil)
	assert.Empty(t, none.ByType(priorityClassType))
	assert.Nil(t, stacktest.One(t, none, deployment, "-dataplane-deployment").In("spec.template.spec.priorityClassName"), "without headroom the pods keep the cluster's default")
	for _, d := range none.ByType(deployment) {
		assert.NotContains(t, d.Name, "headroom")
	}
}

// The placeholders pass the pack: they serve nothing, so the probe rule lists them under exempt
// (policy-config), and without that entry it would deny them.
func TestHeadroomPassesThePack(t *testing.T) {
	pack := loadPack(t)
	for _, stack := range []string{"prod", "staging"} {
		docs := render.AnalyzerDocuments(stacktest.Run(t, stack, map[string]any{"capacity.headroomPods": 2}))
		vs := evaluate(t, pack, stack, docs)
		assert.Empty(t, policy.MandatoryViolations(vs), stack)
		cfg := loadPolicyConfig(t, stack)
		delete(cfg, "deny_k8s_probes")
		vs, err := pack.Evaluate(context.Background(), docs, cfg)
		require.NoError(t, err)
		var probes []string
		for _, v := range vs {
			if v.Rule == "deny_k8s_probes" {
				probes = append(probes, v.Message)
			}
		}
		assert.Len(t, probes, 2, "readiness and liveness of the placeholder: %v", probes)
	}
}
