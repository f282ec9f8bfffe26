// Command failover moves the traffic to a warm standby stack (dr.role standby) after the loss of
// its primary's region: it promotes the standby's replica of the primary's database, rolls the
// standby's dataplane onto it, scales it to the primary's minimum (hpa.minReplicas) and confirms
// the pods and the Route 53 health check, printing each step's time. A dry run by default;
// -execute acts; -check verifies the standby is ready (replica lag, pods, health check) and is
// what the daily standby-check workflow runs. Exit 0 on success, 1 when a step or check fails,
// 2 on bad input.
//
//	go run ./cmd/failover -stack prod-standby            # dry run: what it would do
//	go run ./cmd/failover -stack prod-standby -execute   # fail over
//	go run ./cmd/failover -stack prod-standby -check     # is the standby ready?
//
// AWS credentials come from the SDK's default chain; the region is the stack's aws:region. The
// cluster is the stack's cluster.kubeContext in the default kubeconfig, or -kubeconfig.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/langgraph-platform/infra/components/dataplane"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/failover"
	"github.com/langgraph-platform/infra/internal/awsclient"
	"github.com/langgraph-platform/infra/internal/stackfile"
)

const (
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil))
}

// run parses the flags and runs; kube, when not nil, is the cluster's client (tests).
func run(ctx context.Context, args []string, stdout, stderr io.Writer, kube kubernetes.Interface) int {
	flags := flag.NewFlagSet("failover", flag.ContinueOnError)
	flags.SetOutput(stderr)
	stack := flags.String("stack", "", "the standby stack (dr.role standby) to fail over to (required)")
	dir := flags.String("dir", "", "project directory holding Pulumi.yaml (default: found upwards from here)")
	execute := flags.Bool("execute", false, "act: promote, roll, scale, confirm (default: a dry run)")
	check := flags.Bool("check", false, "verify the standby is ready and change nothing")
	kubeconfig := flags.String("kubeconfig", "", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
	kubeContext := flags.String("context", "", "kubeconfig context (default: the stack's cluster.kubeContext)")
	timeout := flags.Duration("timeout", 30*time.Minute, "longest the failover may take")
	poll := flags.Duration("poll", 10*time.Second, "how often a step's progress is read")
	jsonFile := flags.String("json", "", "also write the report as JSON to this file")
	if err := flags.Parse(args); err != nil {
		return exitUsage
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "failover: "+format+"\n", a...)
		return exitUsage
	}
	switch {
	case flags.NArg() > 0:
		return fail("unexpected arguments %q: every setting is a flag", flags.Args())
	case *stack == "":
		return fail("-stack is required: the standby stack (dr.role standby)")
	case *execute && *check:
		return fail("-execute and -check exclude each other: -check changes nothing")
	}
	cfg, err := stackfile.LoadTyped(stackfile.Options{Dir: *dir, Stack: *stack}, config.LoadOptions{CredentialsOptional: true})
	if err != nil {
		return fail("%v", err)
	}
	if !cfg.Standby() {
		return fail("-stack=%s is not a standby (its dr.role is %q): fail over to the stack whose dr.role is standby", *stack, cfg.DR.Role)
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(cfg.Region))
	if err != nil {
		return fail("AWS configuration: %v", err)
	}
	if kube == nil {
		rules := clientcmd.NewDefaultClientConfigLoadingRules()
		if *kubeconfig != "" {
			rules.ExplicitPath = *kubeconfig
		}
		context := *kubeContext
		if context == "" {
			context = cfg.Cluster.KubeContext
		}
		rest, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: context}).ClientConfig()
		if err != nil {
			return fail("kubeconfig (context %q): %v", context, err)
		}
		if kube, err = kubernetes.NewForConfig(rest); err != nil {
			return fail("kubeconfig: %v", err)
		}
	}
	o := failover.Options{
		StackTag:  cfg.Tags.Project + "/" + cfg.Stack,
		Namespace: cfg.Dataplane.Namespace, Deployment: dataplane.Name, HPA: dataplane.Name,
		StandingReplicas: int32(cfg.StandingReplicas()), TargetReplicas: int32(cfg.HPA.MinReplicas),
		ReplicaLagSeconds: cfg.Alerts.ReplicaLagSeconds,
		ZoneID:            cfg.Ingress.DNS.ZoneID, RecordName: cfg.Ingress.DNS.RecordName, SetIdentifier: cfg.Stack,
		PollEvery: *poll, Timeout: *timeout,
		AWS:  failover.Clients{RDS: rds.NewFromConfig(awsCfg), Route53: route53.NewFromConfig(awsCfg), CloudWatch: awsclient.NewCloudWatch(awsCfg)},
		Kube: kube, Log: stderr,
	}
	var report *failover.Report
	switch {
	case *check:
		report = failover.Check(ctx, o)
	case *execute:
		report = failover.Execute(ctx, o)
	default:
		report = failover.Dry(ctx, o)
	}
	report.Text(stdout)
	if *jsonFile != "" {
		b, err := json.MarshalIndent(report, "", "  ")
		if err == nil {
			err = os.WriteFile(*jsonFile, append(b, '\n'), 0o644)
		}
		if err != nil {
			return fail("-json: %v", err)
		}
	}
	if !report.OK {
		return exitFailed
	}
	return 0
}
