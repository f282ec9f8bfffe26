// Command crds checks (default) or rewrites (-write) the CRD copies the program applies
// (internal/crdsync.Sources): the prometheus-operator CRDs each accepted kube-prometheus-stack
// version needs (components/monitoring/crds) and Karpenter's for each accepted chart version
// (components/clusteraddons/crds), copied from the upstream Go modules. Run it with -write after
// changing catalog.PrometheusOperatorCRDs or Karpenter's chart version.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/langgraph-platform/infra/internal/crdsync"
	"github.com/langgraph-platform/infra/internal/harness"
)

func main() {
	write := flag.Bool("write", false, "rewrite the copies instead of checking them")
	flag.Parse()
	root, err := harness.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if *write {
		if err := crdsync.Write(root); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	drift, err := crdsync.Drift(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, d := range drift {
		fmt.Println(d)
	}
	if len(drift) > 0 {
		os.Exit(1)
	}
}
