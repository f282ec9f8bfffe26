// Command cost prints what a stack costs a month before it is deployed: every billable line
// with its unit price, quantities, monthly figures idle, at the settled load and for the
// expected month, the date and source of each price, and the LLM spend per run and per
// concurrent user.
//
//	go run ./cmd/cost -stack prod
//	go run ./cmd/cost -stack prod -json
//
// Exit codes: 0 printed; 2 unknown stack, invalid configuration (a budget below the idle estimate
// without a reason among it: the table is printed first), a region or type without a price, or
// bad usage.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/stackfile"
	"github.com/langgraph-platform/infra/program/sizing"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("cost", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stack := flags.String("stack", "", "stack: a Pulumi.<stack>.yaml must exist")
	dir := flags.String("dir", "", "project directory holding Pulumi.yaml (default: found upwards from here)")
	asJSON := flags.Bool("json", false, "print the estimate as JSON")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "cost: %v\n", err)
		return 2
	}
	if *stack == "" {
		return fail(fmt.Errorf("-stack is required (for example -stack prod)"))
	}
	cfg, err := stackfile.LoadTyped(stackfile.Options{Dir: *dir, Stack: *stack}, config.LoadOptions{CredentialsOptional: true})
	if err != nil {
		return fail(err)
	}
	estimate, err := sizing.Cost(cfg, sizing.Report(cfg))
	if err != nil {
		return fail(err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(estimate); err != nil {
			return fail(err)
		}
	} else {
		fmt.Fprintf(stdout, "Monthly cost of stack %s (%s, on-demand list prices)\n\n%s", *stack, estimate.Region, estimate.Table())
	}
	if err := sizing.CostGate(cfg, estimate); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	return 0
}
