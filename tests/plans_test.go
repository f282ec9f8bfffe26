package tests

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/capacity"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/stackfile"
	"github.com/langgraph-platform/infra/mixin"
	"github.com/langgraph-platform/infra/program/sizing"
)

// docs/capacity.md shows the plans -recommend prices for prod with the seed's minimum of 10 and a
// five-minute crowd, as the code computes them today, and prod's stack file uses the
// cheapest.
func TestCapacityPageShowsTheRecommendedPlans(t *testing.T) {
	root := repoPath(t)
	seed, err := stackfile.LoadTyped(stackfile.Options{Dir: root, Stack: "prod", Set: map[string]any{"hpa.minReplicas": 10}}, config.LoadOptions{CredentialsOptional: true})
	require.NoError(t, err)
	podHour, err := sizing.PodHourUSD(seed)
	require.NoError(t, err)
	plans := capacity.RecommendPlans(sizing.Inputs(seed), capacity.LinearRamp(300), capacity.PlanOptions{PodHourUSD: podHour})
	require.NotEmpty(t, plans)
	b, err := os.ReadFile(repoPath(t, "docs", "capacity.md"))
	require.NoError(t, err)
	assert.Contains(t, string(b), capacity.PlansTable(plans), "docs/capacity.md's plans table is stale: paste `go run ./cmd/capacity -stack prod -ramp 5m -recommend` with hpa.minReplicas 10")

	prod, err := stackfile.LoadTyped(stackfile.Options{Dir: root, Stack: "prod"}, config.LoadOptions{CredentialsOptional: true})
	require.NoError(t, err)
	cheapest := plans[0]
	assert.Equal(t, cheapest.Percent, prod.HPA.ScaleUp.Percent)
	assert.Equal(t, cheapest.Pods, prod.HPA.ScaleUp.Pods)
	assert.Equal(t, cheapest.Headroom, prod.Capacity.HeadroomPods)
	assert.Equal(t, cheapest.MinReplicas, prod.HPA.MinReplicas)
}

// The capacity model judges a surge by the window the queue-wait alert reads.
func TestModelWindowIsTheAlertsWindow(t *testing.T) {
	assert.True(t, strings.HasSuffix(mixin.SeriesQueueWaitP95, fmt.Sprintf("_%dm", capacity.WindowMinutes)), "%s against %d minutes", mixin.SeriesQueueWaitP95, capacity.WindowMinutes)
}
