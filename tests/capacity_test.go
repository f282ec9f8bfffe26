package tests

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	prod := stacktest.Run(t, "prod", nil).Outputs
	assert.Equal(t, 600.0, prod["capacityFastestRampSeconds"].Value, "prod absorbs 0 to 5,000 users over 10 minutes")
	faster := stacktest.Run(t, "prod", map[string]any{"hpa.scaleUp.percent": 100}).Outputs
	assert.Less(t, faster["capacityFastestRampSeconds"].Value.(float64), 600.0, "the percent lever absorbs a faster crowd")
}
