package config_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/harness"
)

// Every chart container of the catalog has one chartResources field, and nothing else does.
func TestChartResourcesHaveOneFieldPerCatalogContainer(t *testing.T) {
	typ := reflect.TypeFor[config.ChartResources]()
	var fields []string
	for i := range typ.NumField() {
		fields = append(fields, strings.Split(typ.Field(i).Tag.Get("json"), ",")[0])
	}
	var names []string
	for _, c := range catalog.ChartContainers {
		names = append(names, c.Name)
	}
	assert.ElementsMatch(t, names, fields)
	assert.Len(t, config.Defaults().ChartResources.ByName(), len(catalog.ChartContainers))
}

// The defaults are the catalog's sizes, and a stack that changes one field keeps the others.
func TestChartResourcesDefaultFromCatalogFieldByField(t *testing.T) {
	cfg, err := load(t, "prod", harness.Options{Set: map[string]any{"chartResources.grafana.memoryLimit": "1Gi"}})
	require.NoError(t, err)
	got := cfg.ChartResources.ByName()
	for _, c := range catalog.ChartContainers {
		want := config.Resources{CPURequest: c.CPURequest, MemoryRequest: c.MemoryRequest, MemoryLimit: c.MemoryLimit,
			EphemeralStorageRequest: c.EphemeralRequest, EphemeralStorageLimit: c.EphemeralLimit}
		if c.Name == catalog.ContainerGrafana {
			want.MemoryLimit = "1Gi"
		}
		assert.Equal(t, want, got[c.Name], c.Name)
	}
	staging, err := load(t, "staging", harness.Options{})
	require.NoError(t, err)
	assert.Equal(t, "2Gi", staging.ChartResources.Prometheus.MemoryLimit, "staging's own Prometheus size")
	assert.Equal(t, "1Gi", staging.ChartResources.Prometheus.EphemeralStorageLimit, "unset fields keep the catalog's")
}
