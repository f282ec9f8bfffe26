// Command synth renders a stack's desired state without any cloud account: it runs the program
// on Pulumi's mock engine and writes a deterministic rendering.
//
//	go run ./cmd/synth -stack prod -out out/prod
//
// Exit codes: 0 rendered; 2 unknown stack, invalid configuration or bad usage (nothing is written).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/render"
	"github.com/langgraph-platform/infra/program"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("synth", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stack := flags.String("stack", "", "stack to render: a Pulumi.<stack>.yaml must exist")
	out := flags.String("out", "", "output directory (default out/<stack>); replaced as a whole")
	dir := flags.String("dir", "", "project directory holding Pulumi.yaml (default: found upwards from here)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if *stack == "" {
		fmt.Fprintln(stderr, "synth: -stack is required (for example -stack prod)")
		return 2
	}
	if *out == "" {
		*out = filepath.Join("out", *stack)
	}
	res, err := harness.Run(program.Build, harness.Options{Dir: *dir, Stack: *stack, Secrets: harness.DefaultSecrets()})
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 2
	}
	cfg, err := config.Load(res.Project, res.Stack, config.Raw{Values: res.Config, SecretKeys: res.SecretKeys})
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 2
	}
	artifacts, err := program.Artifacts(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	files, err := render.Files(res, artifacts)
	if err != nil {
		fmt.Fprintf(stderr, "synth: rendering: %v\n", err)
		return 1
	}
	if err := render.Write(*out, files); err != nil {
		fmt.Fprintf(stderr, "synth: writing %s: %v\n", *out, err)
		return 1
	}
	fmt.Fprintf(stdout, "synth: stack %s: %d resources rendered to %s\n", *stack, len(res.Resources), *out)
	return 0
}
