// Command e2etools builds the end-to-end tests' tools (the Pulumi CLI, the Kubernetes provider,
// kube-apiserver and etcd) into their cache, the one the tests read, and prints where: a warm-up
// before test runs with a short -timeout. Tests started meanwhile wait for a build under way. It
// links neither the program nor a cloud SDK. (Started beside go vet in CI it made a cold run
// slower, not faster: the two-core machine ran ten compiles at once; so CI does not.)
package main

import (
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/langgraph-platform/infra/internal/tooltest"
)

func main() {
	start := time.Now()
	specs, err := tooltest.E2ETools()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2etools:", err)
		os.Exit(1)
	}
	bins, err := tooltest.BuildAll(specs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2etools:", err)
		os.Exit(1)
	}
	names := make([]string, 0, len(bins))
	for n := range bins {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Printf("%s\t%s\n", n, bins[n])
	}
	fmt.Fprintf(os.Stderr, "e2etools: ready in %s\n", time.Since(start).Round(time.Second))
}
