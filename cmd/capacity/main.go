// Command capacity prints a stack's capacity model: each figure, its limit and a verdict; with
// -ramp or -profile, how that arrival of users plays out minute by minute; with -recommend, the
// cheapest combinations of levers that keep it inside the queue-wait target, priced a month;
// with -svg, the scenario drawn (users, pods, nodes, p95 queue wait against the KPI).
//
//	go run ./cmd/capacity -stack prod
//	go run ./cmd/capacity -stack prod -ramp 5m -recommend
//	go run ./cmd/capacity -stack prod -profile morning.csv
//	go run ./cmd/capacity -stack prod -ramp 5m -svg ramp.svg
//
// Exit codes: 0 every check passes (and the scenario meets the target); 1 a check or the scenario
// fails (capacity.acceptRisk, when set, is printed); 2 unknown stack, invalid configuration or bad
// usage.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/langgraph-platform/infra/capacity"
	"github.com/langgraph-platform/infra/capacity/chart"
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
	ramp := flags.Duration("ramp", -1, "simulate users arriving linearly from 0 to kpi.concurrentUsers over this time (0: a step)")
	profile := flags.String("profile", "", "simulate users per minute from this CSV (minute,users, or a load test's -csv series)")
	recommend := flags.Bool("recommend", false, "with -ramp or -profile: the cheapest combinations of levers (scale-up percent and pods, headroom, minimum) that meet kpi.queueWaitSeconds, priced a month")
	svgFile := flags.String("svg", "", "draw the scenario (a step without -ramp or -profile) as an SVG chart into this file: users, pods, nodes and p95 queue wait against kpi.queueWaitSeconds")
	knownRush := flags.Bool("known-rush", false, "with -recommend: the crowd comes at a known time, so a minimum raised only around it (hpa.schedules) is priced too")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "capacity: "+format+"\n", a...)
		return 2
	}
	switch {
	case *stack == "":
		return usage("-stack is required (for example -stack prod)")
	case *ramp >= 0 && *profile != "":
		return usage("-ramp and -profile are two scenarios: give one")
	case *ramp < -1:
		return usage("-ramp=%s: must be 0 (a step) or a positive duration such as 10m", *ramp)
	case *recommend && *ramp < 0 && *profile == "":
		return usage("-recommend needs a scenario: -ramp <duration> or -profile <file.csv>")
	case *knownRush && !*recommend:
		return usage("-known-rush prices the plans of -recommend: give -recommend too")
	}
	cfg, err := stackfile.LoadTyped(stackfile.Options{Dir: *dir, Stack: *stack}, config.LoadOptions{CredentialsOptional: true})
	if err != nil {
		return usage("%v", err)
	}
	in := sizing.Inputs(cfg)
	report := capacity.Evaluate(in)
	fmt.Fprintf(stdout, "Capacity of stack %s: %d users, %.0f s runs, %.0f s think time\n\n%s", *stack,
		cfg.KPI.ConcurrentUsers, cfg.KPI.AvgResponseSeconds, cfg.Capacity.ThinkTimeSeconds, report.Table())
	code := 0
	if failed := report.Failed(); len(failed) > 0 {
		fmt.Fprintf(stdout, "\n%d check(s) fail.", len(failed))
		if cfg.Capacity.AcceptRisk != "" {
			fmt.Fprintf(stdout, " Risk accepted: %s", cfg.Capacity.AcceptRisk)
		}
		fmt.Fprintln(stdout)
		code = 1
	}
	if *ramp < 0 && *profile == "" {
		if *svgFile != "" {
			if err := drawChart(*svgFile, fmt.Sprintf("Stack %s: a step to %d users (capacity model)", *stack, in.Users), in.QueueWaitTarget, report.Ramp); err != nil {
				return usage("-svg: %v", err)
			}
		}
		return code
	}
	arrival, name := capacity.LinearRamp(ramp.Seconds()), fmt.Sprintf("users from 0 to %d over %s", in.Users, *ramp)
	if *profile != "" {
		f, err := os.Open(*profile)
		if err != nil {
			return usage("-profile: %v", err)
		}
		defer f.Close()
		if arrival, err = capacity.ParseProfile(f); err != nil {
			return usage("-profile %s: %v", *profile, err)
		}
		name = fmt.Sprintf("the profile %s (%d minutes)", *profile, len(arrival.UsersPerMinute))
	}
	r := capacity.SimulateArrival(in, arrival)
	if *svgFile != "" {
		if err := drawChart(*svgFile, fmt.Sprintf("Stack %s: %s (capacity model)", *stack, name), in.QueueWaitTarget, r); err != nil {
			return usage("-svg: %v", err)
		}
	}
	verdict := "meets"
	if r.WindowP95 >= in.QueueWaitTarget {
		verdict, code = "BREAKS", 1
	}
	fmt.Fprintf(stdout, "\nScenario: %s. Queue wait p95 %.0f s in the worst %d minutes (the alert's window; over the hour p50 %.0f s, p95 %.0f s, max %.0f s): %s the %.0f s target; capacity after %s.\n\n%s",
		name, r.WindowP95, capacity.WindowMinutes, r.WaitP50, r.WaitP95, r.WaitMax, verdict, in.QueueWaitTarget, capacity.FormatSeconds(r.SecondsToCapacity), capacity.MinutesTable(r))
	if *recommend {
		podHour, err := sizing.PodHourUSD(cfg)
		if err != nil {
			return usage("-recommend: %v", err)
		}
		plans := capacity.RecommendPlans(in, arrival, capacity.PlanOptions{PodHourUSD: podHour, KnownRush: *knownRush})
		if len(plans) == 0 {
			fmt.Fprintln(stdout, "\nNo combination of levers up to hpa.maxReplicas meets the target: raise hpa.maxReplicas or dataplane.jobsPerWorker (docs/capacity.md).")
			return code
		}
		head := "Cheapest combination of levers that meets the target"
		if verdict == "meets" {
			head = "No change needed. Combinations that also hold a step (every user at once) better"
		}
		fmt.Fprintf(stdout, "\n%s, priced at $%.3f per pod-hour (cost.nodeInstanceType %s):\n\n%s",
			head, podHour, cfg.Cost.NodeInstanceType, capacity.PlansTable(plans))
	}
	return code
}

// drawChart writes the scenario's chart.
func drawChart(file, title string, target float64, r capacity.Ramp) error {
	svg, err := chart.Model(title, target, r).SVG()
	if err != nil {
		return err
	}
	return os.WriteFile(file, svg, 0o644)
}
