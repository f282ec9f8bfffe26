package catalog_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
)

// A chart pin that moves fails here until someone reads the new version's values keys and
// records it in ChartContainersReadAt.
func TestChartContainersWereReadAtThePinnedVersions(t *testing.T) {
	for chart, versions := range catalog.ChartVersions {
		read, ok := catalog.ChartContainersReadAt[chart]
		require.True(t, ok, "%s: no record of which version its values keys were read at", chart)
		assert.Equal(t, []string{read}, versions, "%s: pinned %v, its values keys were read at %s", chart, versions, read)
	}
}

func TestEveryChartContainerIsSizedAndPlaced(t *testing.T) {
	seen := map[string]bool{}
	charts := map[string]bool{}
	for _, c := range catalog.ChartContainers {
		assert.False(t, seen[c.Name], "%s listed twice", c.Name)
		seen[c.Name] = true
		charts[c.Chart] = true
		_, pinned := catalog.ChartVersions[c.Chart]
		assert.True(t, pinned, "%s: chart %q is not pinned", c.Name, c.Chart)
		assert.NotEmpty(t, c.ValuesPath, c.Name)
		assert.NotEmpty(t, c.Sizing, c.Name)
		assert.NotEmpty(t, c.MemoryRequest, c.Name)
		assert.NotEmpty(t, c.MemoryLimit, c.Name)
		assert.NotEmpty(t, c.CPURequest, c.Name)
		assert.Equal(t, c.CPUMemoryOnly, c.EphemeralRequest == "", "%s: ephemeral storage is set exactly where the chart passes it on", c.Name)
		assert.Equal(t, c.CPUMemoryOnly, c.EphemeralLimit == "", c.Name)
		got, ok := catalog.ChartContainerNamed(c.Name)
		assert.True(t, ok)
		assert.Equal(t, c, got)
	}
	for chart := range catalog.ChartVersions {
		assert.True(t, charts[chart], "chart %s runs containers nobody sized", chart)
	}
	_, ok := catalog.ChartContainerNamed("nope")
	assert.False(t, ok)
}
