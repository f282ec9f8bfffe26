// Command pulumi-resource-kubernetes is the real Kubernetes provider, built from its pinned
// module for the end-to-end tests. The provider module's own main embeds generated files that its
// module zip does not carry, so the tests' builder copies the module's schema.json next to this
// file in a scratch copy of this module before building (tests/e2e/tools.go).
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema.json
var schema []byte

func main() {
	provider.Serve("kubernetes", version.Version, schema, nil)
}
