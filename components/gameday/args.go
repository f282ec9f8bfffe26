// Package gameday holds the drills of the seed's failover and recovery checklist as AWS Fault
// Injection Service experiment templates: one per drill, each with stop conditions on the
// stack's CloudWatch alarms, a role that may act on this stack's resources only, its logs in a
// KMS-encrypted log group, and (optionally) a schedule that starts one drill and sends its result
// to the stack's topic. PodAccess is the Kubernetes side the pod drills need. cmd/gameday runs a
// drill under load and measures the recovery (docs/gameday.md).
package gameday

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/awsbase"
)

// TypeToken is the AWS component's Pulumi type; PodAccessTypeToken the Kubernetes one's.
const (
	TypeToken          = "langgraph:aws:GameDay"
	PodAccessTypeToken = "langgraph:kubernetes:GameDayPodAccess"
)

// Tags the templates carry besides the stack's: cmd/gameday finds a stack's drill by them.
const (
	DrillTag = "langgraph:drill"
	StackTag = "langgraph:gameday-stack"
)

// ServiceAccount is the Kubernetes ServiceAccount the pod drills' FIS pod runs as.
const ServiceAccount = "fis-experiments"

// Args configure the drills. Targets are plain inputs from the data tier, the cluster and the
// alarms: the component builds alone in a test.
type Args struct {
	// Prefix names every resource (langgraph-<env>); Stack is the Pulumi stack the templates are
	// tagged with (cmd/gameday -stack).
	Prefix, Stack string
	Account       awsbase.Account
	Drills        []string
	// Zone is the availability zone the zonal drills take down.
	Zone                        string
	DurationMinutes, PodPercent int
	StopErrorRatio              float64
	LogRetentionDays            int
	DatabaseARN                 pulumi.StringInput
	ReplicationGroupARN         pulumi.StringInput
	ClusterName                 string
	ClusterNameInput            pulumi.StringInput
	Namespace, PodSelector      string
	DataSubnetIDs               pulumi.StringArrayInput
	VPCID                       pulumi.StringInput
	LoadBalancer                pulumi.StringInput // the ALB's ARN suffix (CloudWatch's LoadBalancer dimension)
	StopAlarmARNs               pulumi.StringArrayInput
	TopicARN                    pulumi.StringInput
	Schedule                    *Schedule // nil: drills start only by hand
	Tags                        map[string]string
}

// Schedule starts one drill on an EventBridge Scheduler expression.
type Schedule struct {
	Drill, Expression, TimeZone string
}

// Validate refuses arguments the component cannot build drills from.
func (a Args) Validate() error {
	var errs []error
	bad := func(field string, value any, allowed string) {
		errs = append(errs, fmt.Errorf("gameday.Args.%s=%v: %s", field, value, allowed))
	}
	if a.Prefix == "" || a.Stack == "" || a.Account.ID == "" {
		bad("Prefix/Stack/Account", a.Prefix, "are required")
	}
	if len(a.Drills) == 0 {
		bad("Drills", a.Drills, "name at least one drill")
	}
	for _, d := range a.Drills {
		if !slices.Contains(catalog.Drills, d) {
			bad("Drills", d, "one of "+strings.Join(catalog.Drills, ", "))
		}
	}
	if !strings.HasPrefix(a.Zone, a.Account.Region) {
		bad("Zone", a.Zone, "a zone of "+a.Account.Region)
	}
	if a.DurationMinutes < 1 || a.DurationMinutes > catalog.MaxDrillMinutes || a.PodPercent < 1 || a.PodPercent > 100 {
		bad("DurationMinutes/PodPercent", fmt.Sprint(a.DurationMinutes, "/", a.PodPercent), "1-60 minutes and 1-100 percent")
	}
	if a.StopErrorRatio <= 0 || a.StopErrorRatio >= 1 {
		bad("StopErrorRatio", a.StopErrorRatio, "a fraction between 0 and 1")
	}
	if a.LoadBalancer == nil || a.TopicARN == nil || a.StopAlarmARNs == nil {
		bad("LoadBalancer/TopicARN/StopAlarmARNs", "nil", "are required: every drill stops on the stack's alarms")
	}
	need := map[string]bool{
		"DatabaseARN":         a.DatabaseARN != nil,
		"ReplicationGroupARN": a.ReplicationGroupARN != nil,
		"ClusterName":         a.ClusterName != "" && a.ClusterNameInput != nil,
		"Namespace":           a.Namespace != "" && a.PodSelector != "",
		"DataSubnetIDs":       a.DataSubnetIDs != nil && a.VPCID != nil,
	}
	for _, d := range a.Drills {
		for _, field := range drills[d].needs {
			if !need[field] {
				bad(field, "empty", "is required by the "+d+" drill")
			}
		}
	}
	if s := a.Schedule; s != nil && !slices.Contains(a.Drills, s.Drill) {
		bad("Schedule.Drill", s.Drill, "one of the stack's drills")
	}
	return errors.Join(errs...)
}
