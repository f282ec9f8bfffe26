// Command capacity prints a stack's capacity model: each figure, its limit and a verdict.
//
//	go run ./cmd/capacity -stack prod
//
// Exit codes: 0 every check passes; 1 a check fails (capacity.acceptRisk, when set, is printed);
// 2 unknown stack, invalid configuration or bad usage.
package main

import (
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
	flags := flag.NewFlagSet("capacity", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stack := flags.String("stack", "", "stack: a Pulumi.<stack>.yaml must exist")
	dir := flags.String("dir", "", "project directory holding Pulumi.yaml (default: found upwards from here)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if *stack == "" {
		fmt.Fprintln(stderr, "capacity: -stack is required (for example -stack prod)")
		return 2
	}
	sc, err := stackfile.Load(stackfile.Options{Dir: *dir, Stack: *stack})
	if err != nil {
		fmt.Fprintf(stderr, "capacity: %v\n", err)
		return 2
	}
	cfg, err := config.LoadWith(sc.Project, *stack, config.Raw{Values: sc.Values, SecretKeys: sc.SecretKeys}, config.LoadOptions{CredentialsOptional: true})
	if err != nil {
		fmt.Fprintf(stderr, "capacity: %v\n", err)
		return 2
	}
	report := sizing.Report(cfg)
	fmt.Fprintf(stdout, "Capacity of stack %s: %d users, %.0f s runs, %.0f s think time\n\n%s", *stack,
		cfg.KPI.ConcurrentUsers, cfg.KPI.AvgResponseSeconds, cfg.Capacity.ThinkTimeSeconds, report.Table())
	if failed := report.Failed(); len(failed) > 0 {
		fmt.Fprintf(stdout, "\n%d check(s) fail.", len(failed))
		if cfg.Capacity.AcceptRisk != "" {
			fmt.Fprintf(stdout, " Risk accepted: %s", cfg.Capacity.AcceptRisk)
		}
		fmt.Fprintln(stdout)
		return 1
	}
	return 0
}
