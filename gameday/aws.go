package gameday

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/gameday"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/awsclient"
)

// Clients are the AWS APIs a drill calls: FIS to find and start it, CloudWatch for its stop
// conditions, RDS and ElastiCache to check that its target can fail over.
type Clients struct {
	FIS         *fis.Client
	CloudWatch  *cloudwatch.Client
	RDS         *rds.Client
	ElastiCache *elasticache.Client
}

// NewClients makes the clients from one AWS configuration (the SDK's default chain: a profile,
// the environment, AWS_ENDPOINT_URL for an emulator).
func NewClients(cfg aws.Config) Clients {
	return Clients{FIS: fis.NewFromConfig(cfg), CloudWatch: awsclient.NewCloudWatch(cfg), RDS: rds.NewFromConfig(cfg), ElastiCache: elasticache.NewFromConfig(cfg)}
}

// Template is a drill's deployed experiment template.
type Template struct {
	ID, Environment string
	StopAlarms      []string // alarm names
	Targets         map[string]fistypes.ExperimentTemplateTarget
}

// FindTemplate finds the stack's template for drill by the tags components/gameday sets.
func (c Clients) FindTemplate(ctx context.Context, stack, drill string) (*Template, error) {
	var deployed []string
	var id string
	p := fis.NewListExperimentTemplatesPaginator(c.FIS, &fis.ListExperimentTemplatesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing FIS experiment templates: %w", err)
		}
		for _, s := range page.ExperimentTemplates {
			if s.Tags[gameday.StackTag] != stack {
				continue
			}
			deployed = append(deployed, s.Tags[gameday.DrillTag])
			if s.Tags[gameday.DrillTag] == drill {
				id = aws.ToString(s.Id)
			}
		}
	}
	if id == "" {
		slices.Sort(deployed)
		return nil, fmt.Errorf("-drill=%s: stack %q has no %s experiment template (deployed: [%s]); add it to gameday.drills, with gameday.enabled, and run pulumi up",
			drill, stack, drill, strings.Join(deployed, ", "))
	}
	out, err := c.FIS.GetExperimentTemplate(ctx, &fis.GetExperimentTemplateInput{Id: &id})
	if err != nil {
		return nil, fmt.Errorf("reading experiment template %s: %w", id, err)
	}
	t := &Template{ID: id, Environment: out.ExperimentTemplate.Tags[config.EnvironmentTag], Targets: out.ExperimentTemplate.Targets}
	for _, s := range out.ExperimentTemplate.StopConditions {
		if aws.ToString(s.Source) == catalog.FISStopConditionAlarm && aws.ToString(s.Value) != "" {
			arn := aws.ToString(s.Value)
			t.StopAlarms = append(t.StopAlarms, arn[strings.LastIndex(arn, ":")+1:])
		}
	}
	if len(t.StopAlarms) == 0 {
		return nil, fmt.Errorf("experiment template %s (%s) has no CloudWatch alarm stop condition: refusing to start a drill that cannot stop itself; redeploy the stack (pulumi up)", id, drill)
	}
	return t, nil
}

// CheckStopAlarms refuses to start while a stop alarm is missing or already firing: the drill
// would stop at once, or start on top of an incident.
func (c Clients) CheckStopAlarms(ctx context.Context, t *Template) error {
	out, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: t.StopAlarms})
	if err != nil {
		return fmt.Errorf("reading the stop alarms: %w", err)
	}
	found := map[string]cwtypes.StateValue{}
	for _, a := range out.MetricAlarms {
		found[aws.ToString(a.AlarmName)] = a.StateValue
	}
	var errs []error
	for _, name := range t.StopAlarms {
		switch state, ok := found[name]; {
		case !ok:
			errs = append(errs, fmt.Errorf("stop alarm %s does not exist: the drill could not stop itself", name))
		case state == cwtypes.StateValueAlarm:
			errs = append(errs, fmt.Errorf("stop alarm %s is in ALARM: users are already hurt; resolve that first (docs/runbooks/aws-alarms.md)", name))
		}
	}
	return errors.Join(errs...)
}

// CheckTarget refuses a drill whose target cannot fail over: a single-AZ database, a cache
// without a replica or automatic failover.
func (c Clients) CheckTarget(ctx context.Context, drill string, t *Template) error {
	for _, target := range t.Targets {
		for _, arn := range target.ResourceArns {
			id := arn[strings.LastIndex(arn, ":")+1:]
			switch aws.ToString(target.ResourceType) {
			case catalog.FISTargetDBInstance:
				out, err := c.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: &id})
				if err != nil {
					return fmt.Errorf("reading the database %s: %w", id, err)
				}
				if len(out.DBInstances) == 0 || !aws.ToBool(out.DBInstances[0].MultiAZ) {
					return fmt.Errorf("-drill=%s: database %s is not Multi-AZ: there is no standby to fail over to (set database.multiAz true)", drill, id)
				}
			case catalog.FISTargetReplicationGroup:
				out, err := c.ElastiCache.DescribeReplicationGroups(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: &id})
				if err != nil {
					return fmt.Errorf("reading the cache %s: %w", id, err)
				}
				if len(out.ReplicationGroups) == 0 {
					return fmt.Errorf("-drill=%s: cache %s does not exist", drill, id)
				}
				g := out.ReplicationGroups[0]
				members := 0
				for _, ng := range g.NodeGroups {
					members += len(ng.NodeGroupMembers)
				}
				if members < 2 && len(g.MemberClusters) < 2 {
					return fmt.Errorf("-drill=%s: cache %s has no replica to promote (cache.nodes >= 2)", drill, id)
				}
			}
		}
	}
	return nil
}

// Experiment is a started drill as FIS reports it.
type Experiment struct {
	ID, Status, Reason string
	Started            time.Time // the fault's start: the action's start time, else the experiment's
	FaultSource        string
	Ended              time.Time
}

// terminal are the states an experiment does not leave.
var terminal = []string{"completed", "stopped", "failed", "cancelled"}

// Start starts the template's experiment, tagged with the run.
func (c Clients) Start(ctx context.Context, t *Template, run string) (string, error) {
	out, err := c.FIS.StartExperiment(ctx, &fis.StartExperimentInput{
		ExperimentTemplateId: &t.ID, ClientToken: aws.String(run), Tags: map[string]string{"langgraph:gameday-run": run},
	})
	if err != nil {
		return "", fmt.Errorf("starting experiment template %s: %w", t.ID, err)
	}
	return aws.ToString(out.Experiment.Id), nil
}

// Poll reads the experiment's state.
func (c Clients) Poll(ctx context.Context, id string) (Experiment, error) {
	out, err := c.FIS.GetExperiment(ctx, &fis.GetExperimentInput{Id: &id})
	if err != nil {
		return Experiment{}, fmt.Errorf("reading experiment %s: %w", id, err)
	}
	x := out.Experiment
	e := Experiment{ID: id}
	if x.State != nil {
		e.Status, e.Reason = string(x.State.Status), aws.ToString(x.State.Reason)
	}
	if x.StartTime != nil {
		e.Started, e.FaultSource = *x.StartTime, "experiment start"
	}
	for _, a := range x.Actions {
		if a.StartTime != nil && (e.FaultSource != "action start" || a.StartTime.Before(e.Started)) {
			e.Started, e.FaultSource = *a.StartTime, "action start"
		}
	}
	if x.EndTime != nil {
		e.Ended = *x.EndTime
	}
	return e, nil
}

// Done reports whether the experiment ended.
func (e Experiment) Done() bool { return slices.Contains(terminal, e.Status) }
