package tests

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/internal/render"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

// Both stacks export the capacity figures a platform team reads after `pulumi up`, among them
// the headline ramp: the fastest linear arrival of kpi.concurrentUsers absorbed inside the
// queue-wait target. Durations are plain numbers, -1 meaning "never".
func TestStacksExportTheRampHeadline(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		res := stacktest.Run(t, stack, nil)
		for _, name := range []string{"capacityRampSeconds", "capacityStepQueueWaitP95Seconds", "capacityFastestRampSeconds"} {
			out, ok := res.Outputs[name]
			require.True(t, ok, "%s: output %s", stack, name)
			v, isNumber := out.Value.(float64)
			require.True(t, isNumber, "%s: %s is %v", stack, name, out.Value)
			assert.GreaterOrEqual(t, v, -1.0)
		}
	}
	// Prod is tuned (issue 32): a Percent policy beside the seed's Pods policy absorbs even a step.
	prod := stacktest.Run(t, "prod", nil).Outputs
	assert.LessOrEqual(t, prod["capacityFastestRampSeconds"].Value, 300.0, "prod absorbs a five-minute crowd")
	assert.Less(t, prod["capacityStepQueueWaitP95Seconds"].Value, 60.0, "and a step, inside the queue-wait KPI")
	// The seed's policy alone: Karpenter's 60 s for a node before the pod's 90 s: 705 s, where
	// nodes already there gave 600.
	seedPolicy := map[string]any{"hpa.scaleUp.percent": 0}
	seed := stacktest.Run(t, "prod", seedPolicy).Outputs
	assert.Equal(t, 705.0, seed["capacityFastestRampSeconds"].Value, "the seed's 5 pods a minute absorb 0 to 5,000 users over 11:45 minutes")
	with := func(set map[string]any) map[string]any {
		out := map[string]any{"hpa.scaleUp.percent": 0}
		for k, v := range set {
			out[k] = v
		}
		return out
	}
	slower := stacktest.Run(t, "prod", with(map[string]any{"cluster.nodeAutoscaler": "clusterAutoscaler"})).Outputs
	assert.Greater(t, slower["capacityFastestRampSeconds"].Value.(float64), 705.0, "the Cluster Autoscaler's slower nodes slow the ramp")
	warmed := stacktest.Run(t, "prod", with(map[string]any{"cluster.nodeAutoscaler": "clusterAutoscaler", "capacity.headroomPods": 12})).Outputs
	assert.Less(t, warmed["capacityFastestRampSeconds"].Value.(float64), slower["capacityFastestRampSeconds"].Value.(float64), "placeholders spare the first pods the node's wait")
	warm := stacktest.Run(t, "prod", with(map[string]any{"cluster.nodeAutoscaler": "none"})).Outputs
	assert.Equal(t, 600.0, warm["capacityFastestRampSeconds"].Value, "with room for every pod already there, only the pods' start-up counts")
}

// A stack that accepts the risk of an overloaded queue still deploys: state is JSON, which has no
// infinity, so a wait that never ends is exported as -1 and every output renders.
func TestAnAcceptedOverloadExportsFiniteNumbers(t *testing.T) {
	res := stacktest.Run(t, "prod", map[string]any{"hpa.maxReplicas": 12, "capacity.acceptRisk": "load test environment"})
	assert.Equal(t, -1.0, res.Outputs["capacityP95QueueWaitSeconds"].Value, "the queue never drains")
	for name, o := range res.Outputs {
		if v, ok := o.Value.(float64); ok {
			assert.False(t, math.IsInf(v, 0) || math.IsNaN(v), "%s is %v", name, v)
		}
	}
	_, err := render.Renderer{}.Files(res, nil)
	assert.NoError(t, err, "synth renders it")
}
