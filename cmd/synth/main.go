// Command synth renders a stack's desired state without any cloud account: it runs the program
// on Pulumi's mock engine and writes a deterministic rendering (with the capacity report,
// capacity.md, and its chart of a step to full load, capacity.svg).
//
//	go run ./cmd/synth -stack prod -out out/prod
//
// It then evaluates the policy pack (policies/) on the rendering with the stack's pack config
// (policy-config/<stack>.json) and prints every violation.
//
// Exit codes: 0 rendered and compliant; 1 a mandatory policy is violated (the rendering is still
// written, for review); 2 unknown stack, invalid configuration or bad usage (nothing is written).
package main

import (
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/langgraph-platform/infra/capacity/chart"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/diff"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/policy"
	"github.com/langgraph-platform/infra/internal/render"
	"github.com/langgraph-platform/infra/program"
	"github.com/langgraph-platform/infra/program/sizing"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "diff" {
		return runDiff(args[1:], stdout, stderr)
	}
	flags := flag.NewFlagSet("synth", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stack := flags.String("stack", "", "stack to render: a Pulumi.<stack>.yaml must exist")
	out := flags.String("out", "", "output directory (default out/<stack>); replaced as a whole")
	dir := flags.String("dir", "", "project directory holding Pulumi.yaml (default: found upwards from here)")
	policyDir := flags.String("policies", "", "policy pack directory (default <dir>/policies); \"none\" skips the check")
	policyConfig := flags.String("policy-config", "", "policy pack config (default policy-config/<stack>.json beside the pack)")
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
	// A standby reads its primary's outputs: the primary is rendered first, offline as well.
	opts, err := harness.WithPrimary(program.Build, harness.Options{Dir: *dir, Stack: *stack, Secrets: harness.DefaultSecrets()})
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 2
	}
	res, err := harness.Run(program.Build, opts)
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 2
	}
	cfg, err := config.Load(res.Project, res.Stack, config.Raw{Values: res.Config, SecretKeys: res.SecretKeys})
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 2
	}
	report := sizing.Report(cfg)
	artifacts, err := program.Artifacts(cfg, report)
	if err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	step := chart.Model(fmt.Sprintf("Stack %s: a step to %d users (capacity model)", cfg.Stack, cfg.KPI.ConcurrentUsers),
		cfg.KPI.QueueWaitSeconds, report.Ramp)
	if artifacts[program.CapacityChartFile], err = step.SVG(); err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	var renderer render.Renderer
	if key := os.Getenv(render.FingerprintKeyEnv); key != "" {
		if renderer.FingerprintKey, err = hex.DecodeString(key); err != nil || len(renderer.FingerprintKey) < 16 {
			fmt.Fprintf(stderr, "synth: %s must be at least 16 bytes in hex (for example: openssl rand -hex 32)\n", render.FingerprintKeyEnv)
			return 2
		}
	}
	files, err := renderer.Files(res, artifacts)
	if err != nil {
		fmt.Fprintf(stderr, "synth: rendering: %v\n", err)
		return 1
	}
	if err := render.Write(*out, files); err != nil {
		fmt.Fprintf(stderr, "synth: writing %s: %v\n", *out, err)
		return 1
	}
	fmt.Fprintf(stdout, "synth: stack %s: %d resources rendered to %s\n", *stack, len(res.Resources), *out)
	if *policyDir == "none" {
		return 0
	}
	return checkPolicies(res, *dir, *policyDir, *policyConfig, stdout, stderr)
}

func checkPolicies(res *harness.Result, dir, packDir, configFile string, stdout, stderr io.Writer) int {
	if dir == "" {
		root, err := harness.RepoRoot()
		if err != nil {
			fmt.Fprintf(stderr, "synth: %v\n", err)
			return 2
		}
		dir = root
	}
	if packDir == "" {
		packDir = filepath.Join(dir, "policies")
	}
	if configFile == "" {
		// Beside the pack, not in it: the analyzer loads the pack folder whole.
		configFile = filepath.Join(filepath.Dir(packDir), policy.ConfigDir, res.Stack+".json")
	}
	pack, err := policy.Load(packDir)
	if err != nil {
		fmt.Fprintf(stderr, "synth: policy pack: %v\n", err)
		return 2
	}
	cfg, err := policy.LoadConfig(configFile)
	if err != nil {
		fmt.Fprintf(stderr, "synth: policy config: %v\n", err)
		return 2
	}
	violations, err := pack.Evaluate(context.Background(), render.AnalyzerDocuments(res), cfg)
	if err != nil {
		fmt.Fprintf(stderr, "synth: policy evaluation: %v\n", err)
		return 1
	}
	for _, v := range violations {
		fmt.Fprintln(stdout, v)
	}
	mandatory := policy.MandatoryViolations(violations)
	fmt.Fprintf(stdout, "synth: policy pack %s: %d rules, %d mandatory and %d advisory violations\n",
		pack.Package, len(pack.Rules), len(mandatory), len(violations)-len(mandatory))
	if len(mandatory) > 0 {
		return 1
	}
	return 0
}

// runDiff compares two renderings: go run ./cmd/synth diff -base out/base -head out/head
func runDiff(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("synth diff", flag.ContinueOnError)
	flags.SetOutput(stderr)
	base := flags.String("base", "", "rendering of the base branch (a synth -out directory, or a directory of them)")
	head := flags.String("head", "", "rendering of the head branch")
	maxBytes := flags.Int("max-bytes", 60000, "cut the report at this size (GitHub comments hold 65,536 characters)")
	artifacts := flags.String("artifacts-url", "", "where the head renderings are downloadable (the workflow run's artifacts): the report links each stack's capacity chart there")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if *base == "" || *head == "" {
		fmt.Fprintln(stderr, "synth diff: -base and -head are required")
		return 2
	}
	stacks, err := diff.Compare(*base, *head)
	if err != nil {
		fmt.Fprintf(stderr, "synth diff: %v\n", err)
		return 2
	}
	fmt.Fprint(stdout, diff.Markdown(stacks, *maxBytes))
	if *artifacts != "" {
		var charts []string
		for _, st := range stacks {
			charts = append(charts, "`"+st.Name+"/"+program.CapacityChartFile+"`")
		}
		fmt.Fprintf(stdout, "\nCapacity charts (a step to full load: users, pods, nodes and p95 queue wait against the KPI): %s of the head rendering, in the [run's artifacts](%s).\n",
			strings.Join(charts, ", "), *artifacts)
	}
	return 0
}
