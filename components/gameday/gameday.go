package gameday

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/fis"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/awsbase"
)

// GameDay is the set of experiment templates.
type GameDay struct {
	pulumi.ResourceState

	// TemplateIDs are the experiment templates' IDs by drill name.
	TemplateIDs pulumi.StringMapOutput `pulumi:"templateIds"`
	// LogGroupName holds every experiment's log.
	LogGroupName pulumi.StringOutput `pulumi:"logGroupName"`
	// StopAlarmName is the fast 5xx alarm every drill stops on.
	StopAlarmName pulumi.StringOutput `pulumi:"stopAlarmName"`
}

// StopAlarmSuffix names the fast stop alarm (<prefix>-gameday-stop-5xx).
const StopAlarmSuffix = "gameday-stop-5xx"

// StopAlarmMinutes is how many consecutive one-minute periods above the threshold stop a drill:
// the stack's own 5xx alarm looks at 5 minutes, too slow to stop a drill that hurts users.
const StopAlarmMinutes = 2

// New creates the drills.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*GameDay, error) {
	if err := args.Validate(); err != nil {
		return nil, err
	}
	g := &GameDay{}
	if err := ctx.RegisterComponentResource(TypeToken, name, g, opts...); err != nil {
		return nil, err
	}
	here := pulumi.Parent(g)
	tags := pulumi.ToStringMap(args.Tags)

	key, err := awsbase.NewKey(ctx, name+"-logs-key", awsbase.KeyArgs{
		Description: "Game-day experiment logs of " + args.Prefix, Alias: args.Prefix + "-gameday-logs",
		Account: args.Account, ServicePrincipals: []string{awsbase.LogsPrincipal(args.Account)}, Tags: args.Tags,
	}, here)
	if err != nil {
		return nil, err
	}
	logs, err := cloudwatch.NewLogGroup(ctx, name+"-logs", &cloudwatch.LogGroupArgs{
		Name: pulumi.String(LogGroupPrefix + args.Prefix), RetentionInDays: pulumi.Int(args.LogRetentionDays),
		KmsKeyId: key.Arn, Tags: tags,
	}, here)
	if err != nil {
		return nil, err
	}
	stop, err := stopAlarm(ctx, name, args, here)
	if err != nil {
		return nil, err
	}
	stopConditions := pulumi.All(stop.Arn, args.StopAlarmARNs).ApplyT(func(v []any) []fis.ExperimentTemplateStopCondition {
		arns := append([]string{v[0].(string)}, v[1].([]string)...)
		out := make([]fis.ExperimentTemplateStopCondition, 0, len(arns))
		for _, arn := range arns {
			out = append(out, fis.ExperimentTemplateStopCondition{Source: catalog.FISStopConditionAlarm, Value: &arn})
		}
		return out
	}).(fis.ExperimentTemplateStopConditionArrayOutput)

	ids := pulumi.StringMap{}
	var templateIDs pulumi.StringArray
	podRoles := map[string]*iam.Role{}
	for _, d := range args.Drills {
		def := drills[d]
		act, target, statements := def.build(args)
		role, err := drillRole(ctx, name, d, args, statements, here)
		if err != nil {
			return nil, err
		}
		if slices.Contains(catalog.PodDrills, d) {
			podRoles[d] = role
		}
		templateTags := pulumi.StringMap{DrillTag: pulumi.String(d), StackTag: pulumi.String(args.Stack), "Name": pulumi.String(args.Prefix + "-" + d)}
		for k, v := range args.Tags {
			templateTags[k] = pulumi.String(v)
		}
		template, err := fis.NewExperimentTemplate(ctx, name+"-"+d, &fis.ExperimentTemplateArgs{
			Description:    pulumi.String(args.Prefix + ": " + def.description),
			RoleArn:        role.Arn,
			Actions:        fis.ExperimentTemplateActionArray{act},
			Targets:        fis.ExperimentTemplateTargetArray{target},
			StopConditions: stopConditions,
			LogConfiguration: fis.ExperimentTemplateLogConfigurationArgs{
				LogSchemaVersion:            pulumi.Int(2),
				CloudwatchLogsConfiguration: fis.ExperimentTemplateLogConfigurationCloudwatchLogsConfigurationArgs{LogGroupArn: pulumi.Sprintf("%s:*", logs.Arn)},
			},
			// A target that resolves to nothing (no running node, no pod) fails the drill: a
			// drill that broke nothing measured nothing.
			ExperimentOptions: fis.ExperimentTemplateExperimentOptionsArgs{AccountTargeting: pulumi.String("single-account"), EmptyTargetResolutionMode: pulumi.String("fail")},
			Tags:              templateTags,
		}, here, pulumi.DependsOn([]pulumi.Resource{role}))
		if err != nil {
			return nil, err
		}
		ids[d] = template.ID().ToStringOutput()
		templateIDs = append(templateIDs, template.ID().ToStringOutput())
		if args.Schedule != nil && args.Schedule.Drill == d {
			if err := schedule(ctx, name, args, template, here); err != nil {
				return nil, err
			}
		}
	}
	if err := resultAlert(ctx, name, args, templateIDs, here); err != nil {
		return nil, err
	}
	if err := clusterAccess(ctx, name, args, podRoles, here); err != nil {
		return nil, err
	}
	g.TemplateIDs = ids.ToStringMapOutput()
	g.LogGroupName = logs.Name
	g.StopAlarmName = stop.Name
	return g, ctx.RegisterResourceOutputs(g, pulumi.Map{"templateIds": g.TemplateIDs, "logGroupName": g.LogGroupName, "stopAlarmName": g.StopAlarmName})
}

// LogGroupPrefix is where experiment logs go (/aws/fis/<prefix>).
const LogGroupPrefix = "/aws/fis/"

// RoleName is a drill's experiment role: langgraph-<env>-gameday-<drill>, inside the deploy
// role's iam:PassRole scope (role/langgraph-<env>-*).
func RoleName(prefix, drill string) string { return prefix + "-gameday-" + drill }

func drillRole(ctx *pulumi.Context, name, d string, args Args, statements []statement, here pulumi.ResourceOption) (*iam.Role, error) {
	trust, err := awsbase.ServiceTrust(catalog.FISServicePrincipal, args.Account,
		args.Account.ARN("fis", args.Account.Region, args.Account.ID, "experiment/*")).JSON()
	if err != nil {
		return nil, err
	}
	role, err := iam.NewRole(ctx, name+"-"+d+"-role", &iam.RoleArgs{
		Name: pulumi.String(RoleName(args.Prefix, d)), Description: pulumi.Sprintf("FIS experiment role of the %s drill of %s: this drill's targets only", d, args.Prefix),
		AssumeRolePolicy: pulumi.String(trust), Tags: pulumi.ToStringMap(args.Tags),
	}, here)
	if err != nil {
		return nil, err
	}
	// Experiment logging: FIS sets up the log delivery as the experiment role. These actions
	// have no resource-level permissions (Service Authorization Reference).
	statements = append(statements, statement{sid: "DeliverExperimentLogs",
		actions:   []string{"logs:CreateLogDelivery", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"},
		resources: pulumi.StringArray{pulumi.String("*")},
		condition: awsbase.Conditions{"StringEquals": {"aws:RequestedRegion": args.Account.Region}}})
	policy := policyJSON(statements)
	_, err = iam.NewRolePolicy(ctx, name+"-"+d+"-policy", &iam.RolePolicyArgs{Role: role.Name, Policy: policy}, here)
	return role, err
}

// policyJSON renders statements whose resources are outputs.
func policyJSON(statements []statement) pulumi.StringOutput {
	var resolved []any
	for _, s := range statements {
		vpc := pulumi.StringInput(pulumi.String(""))
		if s.vpc != nil {
			vpc = s.vpc
		}
		resolved = append(resolved, s.resources.ToStringArrayOutput(), vpc.ToStringOutput())
	}
	return pulumi.All(resolved...).ApplyT(func(v []any) (string, error) {
		doc := awsbase.Policy()
		for i, s := range statements {
			condition := s.condition
			if vpc := v[2*i+1].(string); vpc != "" {
				condition = awsbase.Conditions{"ArnEquals": {"ec2:Vpc": vpc}}
			}
			doc.Statement = append(doc.Statement, awsbase.Statement{Sid: s.sid, Effect: awsbase.Allow, Action: s.actions, Resource: v[2*i].([]string), Condition: condition})
		}
		return doc.JSON()
	}).(pulumi.StringOutput)
}

// stopAlarm is the fast stop condition: the ALB's 5xx share above the threshold for
// StopAlarmMinutes one-minute periods.
func stopAlarm(ctx *pulumi.Context, name string, args Args, here pulumi.ResourceOption) (*cloudwatch.MetricAlarm, error) {
	alarmName := args.Prefix + "-" + StopAlarmSuffix
	return cloudwatch.NewMetricAlarm(ctx, name+"-"+StopAlarmSuffix, &cloudwatch.MetricAlarmArgs{
		Name: pulumi.String(alarmName),
		AlarmDescription: pulumi.String(fmt.Sprintf("Game-day stop condition: more than %g%% of the ALB's requests answered 5xx for %d minutes; a running drill stops. Runbook: docs/runbooks/aws-alarms.md#%s",
			args.StopErrorRatio*100, StopAlarmMinutes, StopAlarmSuffix)),
		MetricQueries:     awsbase.FiveXXShare(args.LoadBalancer, 60),
		EvaluationPeriods: pulumi.Int(StopAlarmMinutes), DatapointsToAlarm: pulumi.Int(StopAlarmMinutes),
		ComparisonOperator: pulumi.String("GreaterThanThreshold"), Threshold: pulumi.Float64(args.StopErrorRatio),
		TreatMissingData: pulumi.String("notBreaching"),
		AlarmActions:     pulumi.Array{args.TopicARN}, OkActions: pulumi.Array{args.TopicARN},
		Tags: pulumi.ToStringMap(args.Tags),
	}, here)
}

// resultAlert sends every drill's end (completed, stopped by its alarms, failed) to the topic.
func resultAlert(ctx *pulumi.Context, name string, args Args, templateIDs pulumi.StringArray, here pulumi.ResourceOption) error {
	pattern := templateIDs.ToStringArrayOutput().ApplyT(func(ids []string) (string, error) {
		b, err := json.Marshal(map[string]any{
			"source": []string{"aws.fis"}, "detail-type": []string{catalog.FISEventDetailType},
			"detail": map[string]any{"experiment-template-id": ids, "new-state": map[string]any{"status": []string{"completed", "stopped", "failed", "cancelled"}}},
		})
		return string(b), err
	}).(pulumi.StringOutput)
	rule, err := cloudwatch.NewEventRule(ctx, name+"-result", &cloudwatch.EventRuleArgs{
		Description:  pulumi.Sprintf("%s: every game-day drill's end, to the stack's topic", args.Prefix),
		EventPattern: pattern, Tags: pulumi.ToStringMap(args.Tags),
	}, here)
	if err != nil {
		return err
	}
	_, err = cloudwatch.NewEventTarget(ctx, name+"-result", &cloudwatch.EventTargetArgs{
		Rule: rule.Name, Arn: args.TopicARN,
		InputTransformer: cloudwatch.EventTargetInputTransformerArgs{
			InputPaths: pulumi.StringMap{
				"experiment": pulumi.String("$.detail.experiment-id"), "template": pulumi.String("$.detail.experiment-template-id"),
				"status": pulumi.String("$.detail.new-state.status"), "reason": pulumi.String("$.detail.new-state.reason"), "time": pulumi.String("$.time"),
			},
			InputTemplate: pulumi.String(`"Game-day experiment <experiment> (template <template>) ended <status> at <time>: <reason>. Its log: ` + LogGroupPrefix + args.Prefix + `; runbook: docs/runbooks/gameday.md"`),
		},
	}, here)
	return err
}

// clusterAccess maps every pod drill's role to the Kubernetes user the PodAccess RoleBinding
// names, through an EKS access entry (the cluster's authentication mode must include API).
func clusterAccess(ctx *pulumi.Context, name string, args Args, roles map[string]*iam.Role, here pulumi.ResourceOption) error {
	for _, d := range args.Drills {
		role, ok := roles[d]
		if !ok {
			continue
		}
		if _, err := eks.NewAccessEntry(ctx, name+"-"+d+"-access", &eks.AccessEntryArgs{
			ClusterName: args.ClusterNameInput, PrincipalArn: role.Arn,
			UserName: pulumi.String(catalog.FISKubernetesUser), Type: pulumi.String("STANDARD"), Tags: pulumi.ToStringMap(args.Tags),
		}, here); err != nil {
			return err
		}
	}
	return nil
}
