package tests

import (
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

// releasesByChart are a rendering's Helm releases by chart name.
func releasesByChart(res *harness.Result) map[string]*harness.Resource {
	out := map[string]*harness.Resource{}
	for _, r := range res.ByType(releaseType) {
		out[chartOf(r)] = r
	}
	return out
}

// Every container the installed charts run gets requests and limits at the values key its chart
// reads (catalog.ChartContainers): memory always, ephemeral storage where the chart passes it on,
// CPU requested but not limited; a stack's chartResources reach exactly that key.
func TestEveryChartContainerGetsItsResources(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		res := stacktest.Run(t, stack, map[string]any{"chartResources.kubeStateMetrics.memoryLimit": "384Mi"})
		releases := releasesByChart(res)
		covered := 0
		for _, c := range catalog.ChartContainers {
			r, ok := releases[c.Chart]
			if !ok {
				continue // the add-on is off in this stack
			}
			covered++
			path := "values." + c.ValuesPath
			require.True(t, r.Has(path), "%s: %s sets no %s", stack, c.Name, c.ValuesPath)
			assert.NotEmpty(t, r.In(path+".requests.memory"), "%s: %s has no memory request", stack, c.Name)
			assert.NotEmpty(t, r.In(path+".limits.memory"), "%s: %s has no memory limit", stack, c.Name)
			assert.NotEmpty(t, r.In(path+".requests.cpu"), "%s: %s has no CPU request", stack, c.Name)
			assert.Nil(t, r.In(path+".limits.cpu"), "%s: %s: CPU is requested, not limited (a throttled exporter misses scrapes)", stack, c.Name)
			if c.CPUMemoryOnly {
				assert.Nil(t, r.In(path+".requests.ephemeral-storage"), "%s: %s: its chart drops ephemeral storage", stack, c.Name)
			} else {
				assert.NotEmpty(t, r.In(path+".requests.ephemeral-storage"), "%s: %s has no ephemeral-storage request", stack, c.Name)
				assert.NotEmpty(t, r.In(path+".limits.ephemeral-storage"), "%s: %s has no ephemeral-storage limit", stack, c.Name)
			}
			if c.Name == catalog.ContainerKubeStateMetrics {
				assert.Equal(t, "384Mi", r.In(path+".limits.memory"), "%s: the stack's chartResources reach the chart", stack)
			} else if stack == "prod" {
				assert.Equal(t, c.MemoryLimit, r.In(path+".limits.memory"), "%s: %s keeps the catalog's size", stack, c.Name)
			}
		}
		assert.Greater(t, covered, 10, "%s: the monitoring charts alone run 11 containers", stack)
	}
}

// The issues a reviewer found in the charts' defaults, fixed through each chart's own keys.
func TestChartWorkloadsMeetTheDataplanesStandard(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	releases := releasesByChart(res)
	stack := releases[catalog.ChartKubePrometheusStack]
	require.NotNil(t, stack)
	// Grafana: read-only root with a writable /tmp, liveness on /healthz (readiness keeps the
	// chart's /api/health, which also checks its database), a budget with two replicas.
	assert.Equal(t, true, stack.In("values.grafana.containerSecurityContext.readOnlyRootFilesystem"))
	assert.Equal(t, true, stack.In("values.grafana.sidecar.securityContext.readOnlyRootFilesystem"))
	assert.Equal(t, []any{map[string]any{"name": "tmp", "mountPath": "/tmp"}}, stack.In("values.grafana.extraEmptyDirMounts"))
	assert.Equal(t, "/healthz", stack.In("values.grafana.livenessProbe.httpGet.path"))
	assert.Nil(t, stack.In("values.grafana.readinessProbe"), "readiness stays the chart's /api/health")
	assert.Equal(t, 1.0, stack.In("values.grafana.podDisruptionBudget.maxUnavailable"))
	one := releasesByChart(stacktest.Run(t, "staging", nil))[catalog.ChartKubePrometheusStack]
	assert.Nil(t, one.In("values.grafana.podDisruptionBudget"), "one Grafana replica: a budget would block every drain")
	// Liveness budgets where the chart fixes the handler: six misses 20 s apart.
	for _, p := range []string{"values.prometheusOperator.livenessProbe", "values.prometheus-node-exporter.livenessProbe"} {
		assert.Equal(t, 6.0, stack.In(p+".failureThreshold"), p)
		assert.Equal(t, 20.0, stack.In(p+".periodSeconds"), p)
	}
	assert.Equal(t, true, stack.In("values.prometheusOperator.livenessProbe.enabled"))
	pg := releases[catalog.ChartPostgresExporter]
	assert.Equal(t, 6.0, pg.In("values.livenessProbe.failureThreshold"))
	// The redis exporter's chart sets no security context: restricted, read-only, as its image's user.
	redis := releases[catalog.ChartRedisExporter]
	assert.Equal(t, true, redis.In("values.podSecurityContext.runAsNonRoot"))
	assert.Equal(t, 59000.0, redis.In("values.podSecurityContext.runAsUser"))
	assert.Equal(t, "RuntimeDefault", redis.In("values.podSecurityContext.seccompProfile.type"))
	assert.Equal(t, true, redis.In("values.securityContext.readOnlyRootFilesystem"))
	assert.Equal(t, false, redis.In("values.securityContext.allowPrivilegeEscalation"))
	assert.Equal(t, []any{"ALL"}, redis.In("values.securityContext.capabilities.drop"))
	// prometheus-adapter: liveness /livez, readiness /readyz (the chart's /healthz for both).
	adapter := releases[catalog.ChartPrometheusAdapter]
	assert.Equal(t, "/livez", adapter.In("values.livenessProbe.httpGet.path"))
	assert.Equal(t, "/readyz", adapter.In("values.readinessProbe.httpGet.path"))
	// Fluent Bit: root (it reads the node's logs) but with a read-only root filesystem.
	fluent := releases[catalog.ChartAWSForFluentBit]
	assert.Equal(t, true, fluent.In("values.containerSecurityContext.readOnlyRootFilesystem"))
}

// docs/workloads.md lists every chart container with its values key and default sizes.
func TestWorkloadsPageListsEveryChartContainer(t *testing.T) {
	b, err := os.ReadFile(repoPath(t, "docs", "workloads.md"))
	require.NoError(t, err)
	page := string(b)
	for _, c := range catalog.ChartContainers {
		eph := "—"
		if !c.CPUMemoryOnly {
			eph = c.EphemeralRequest + " / " + c.EphemeralLimit
		}
		row := fmt.Sprintf("| `%s` | %s %s | `%s` | %s | %s / %s | %s |", c.Name, c.Chart, catalog.ChartVersions[c.Chart][0], c.ValuesPath,
			c.CPURequest, c.MemoryRequest, c.MemoryLimit, eph)
		assert.Contains(t, page, row, "docs/workloads.md: the row of %s", c.Name)
	}
	accepted := loadAcceptedFindings(t)
	for _, a := range accepted {
		assert.Contains(t, page, "`"+a.Check+"`", "docs/workloads.md explains the accepted %s", a.Check)
	}
}
