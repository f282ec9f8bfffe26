package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

const releaseType = "kubernetes:helm.sh/v3:Release"

// chartOf is the release's chart name as catalog pins it, whatever the source form.
func chartOf(r *harness.Resource) string {
	chart, _ := r.In("chart").(string)
	return chart[strings.LastIndex(chart, "/")+1:]
}

func TestChartsComeFromUpstreamByDefault(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		res := stacktest.Run(t, stack, nil)
		releases := res.ByType(releaseType)
		require.NotEmpty(t, releases)
		for _, r := range releases {
			name := chartOf(r)
			require.Contains(t, catalog.ChartRepositories, name, r.Name)
			if upstream := catalog.ChartRepositories[name]; strings.HasPrefix(upstream, catalog.OCIScheme) {
				// An OCI chart is its full reference, with no repository.
				assert.Equal(t, upstream+"/"+name, r.In("chart"), r.Name)
				assert.Nil(t, r.In("repositoryOpts.repo"), r.Name)
			} else {
				assert.Equal(t, name, r.In("chart"), r.Name)
				assert.Equal(t, upstream, r.In("repositoryOpts.repo"), r.Name)
			}
			assert.Contains(t, catalog.ChartVersions[name], r.In("version"), r.Name)
		}
	}
}

func TestChartsFromAnOCIMirrorWithAPerChartOverride(t *testing.T) {
	const mirror = "oci://123456789012.dkr.ecr.us-east-1.amazonaws.com/helm-mirror/"
	const override = "https://charts.internal.example/eks"
	for _, stack := range stacktest.Stacks {
		base := stacktest.Run(t, stack, nil)
		res := stacktest.Run(t, stack, map[string]any{
			"charts.mirror":    mirror,
			"charts.overrides": []any{map[string]any{"chart": catalog.ChartAWSForFluentBit, "source": override}},
		})
		releases := res.ByType(releaseType)
		require.Len(t, releases, len(base.ByType(releaseType)), "a mirror changes where charts come from, not which")
		versions := map[string]any{}
		for _, r := range base.ByType(releaseType) {
			versions[r.Name] = r.In("version")
		}
		overridden := 0
		for _, r := range releases {
			name := chartOf(r)
			assert.Equal(t, versions[r.Name], r.In("version"), "%s: the version stays pinned", r.Name)
			if name == catalog.ChartAWSForFluentBit {
				overridden++
				assert.Equal(t, name, r.In("chart"), r.Name)
				assert.Equal(t, override, r.In("repositoryOpts.repo"), "%s: the override wins over the mirror", r.Name)
				continue
			}
			assert.Equal(t, "oci://123456789012.dkr.ecr.us-east-1.amazonaws.com/helm-mirror/"+name, r.In("chart"), r.Name)
			assert.Nil(t, r.In("repositoryOpts"), "%s: an OCI chart has no repository", r.Name)
		}
		if stack == "prod" {
			assert.Equal(t, 1, overridden, "prod ships logs with aws-for-fluent-bit")
		}
	}
}

func TestChartsFromAHelmRepositoryMirror(t *testing.T) {
	res := stacktest.Run(t, "prod", map[string]any{"charts.mirror": "http://127.0.0.1:8879/charts"})
	for _, r := range res.ByType(releaseType) {
		assert.Equal(t, chartOf(r), r.In("chart"), r.Name)
		assert.Equal(t, "http://127.0.0.1:8879/charts", r.In("repositoryOpts.repo"), r.Name)
	}
}
