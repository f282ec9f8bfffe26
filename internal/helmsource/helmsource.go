// Package helmsource turns a chart's source (package catalog, chosen by config's charts key)
// into the chart and repository fields of a Helm release, the one place both forms are spelled.
package helmsource

import (
	"fmt"

	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
)

// Fields are a release's Chart and RepositoryOpts for src: a repository chart names the chart
// and its repository; an OCI chart is the full oci:// reference and has no repository.
func Fields(src catalog.ChartSource) (pulumi.StringInput, helmv3.RepositoryOptsPtrInput) {
	if src.Repo == "" {
		return pulumi.String(src.Chart), nil
	}
	return pulumi.String(src.Chart), helmv3.RepositoryOptsArgs{Repo: pulumi.String(src.Repo)}
}

// Lookup is chart's source in sources, or an error naming the chart when the caller was not
// given one (a component built without its chart sources).
func Lookup(sources map[string]catalog.ChartSource, chart string) (catalog.ChartSource, error) {
	src, ok := sources[chart]
	if !ok || src.Chart == "" {
		return src, fmt.Errorf("no source for chart %q: set Args.Charts (config.Charts.Sources)", chart)
	}
	return src, nil
}
