// Command e2etools builds the end-to-end tests' tools (the Pulumi CLI, the Kubernetes provider,
// kube-apiserver and etcd) into their cache, the one the tests read, and prints where. CI starts
// it beside go vet: the tools' module downloads and single-threaded links overlap the vet's
// compiles, and the tests then find the tools built or wait for the build under way. It links
// neither the program nor a cloud SDK.
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
