package config

import "github.com/langgraph-platform/infra/catalog"

// validateChartResources checks every chart container's requests and limits, in catalog order.
func validateChartResources(c *checker, r ChartResources) {
	fields := r.byName()
	for _, cc := range catalog.ChartContainers {
		validateResourcesFor(c, "chartResources."+cc.Name, *fields[cc.Name], cc.CPUMemoryOnly)
	}
}
