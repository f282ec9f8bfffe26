// Command crds checks (default) or rewrites (-write) components/monitoring/crds: the
// prometheus-operator CRDs each accepted kube-prometheus-stack version needs, copied from the
// operator's Go module. Run it with -write after changing catalog.PrometheusOperatorCRDs.
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
