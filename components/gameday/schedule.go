package gameday

import (
	"encoding/json"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/fis"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/scheduler"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/components/awsbase"
)

// StartExperimentTarget is EventBridge Scheduler's universal target for FIS's StartExperiment.
const StartExperimentTarget = "arn:aws:scheduler:::aws-sdk:fis:startExperiment"

// ScheduleName is the scheduled drill's schedule (and its role's) name.
func ScheduleName(prefix string) string { return prefix + "-gameday-scheduled" }

// schedule starts template on the expression, with a role that may start this template only.
// No retry: a drill that did not start is reported, not started again at a worse time.
func schedule(ctx *pulumi.Context, name string, args Args, template *fis.ExperimentTemplate, here pulumi.ResourceOption) error {
	s := args.Schedule
	scheduleARN := args.Account.ARN("scheduler", args.Account.Region, args.Account.ID, "schedule/default/"+ScheduleName(args.Prefix))
	trust, err := awsbase.ServiceTrust("scheduler.amazonaws.com", args.Account, scheduleARN).JSON()
	if err != nil {
		return err
	}
	role, err := iam.NewRole(ctx, name+"-scheduler-role", &iam.RoleArgs{
		Name: pulumi.String(ScheduleName(args.Prefix)), Description: pulumi.String("EventBridge Scheduler starts the scheduled game-day drill of " + args.Prefix),
		AssumeRolePolicy: pulumi.String(trust), Tags: pulumi.ToStringMap(args.Tags),
	}, here)
	if err != nil {
		return err
	}
	templateARN := pulumi.Sprintf("%s%s", args.Account.ARN("fis", args.Account.Region, args.Account.ID, "experiment-template/"), template.ID())
	policy := policyJSON([]statement{{sid: "StartThisDrill", actions: []string{"fis:StartExperiment"}, resources: pulumi.StringArray{
		templateARN, pulumi.String(args.Account.ARN("fis", args.Account.Region, args.Account.ID, "experiment/*")),
	}}})
	attached, err := iam.NewRolePolicy(ctx, name+"-scheduler-policy", &iam.RolePolicyArgs{Role: role.Name, Policy: policy}, here)
	if err != nil {
		return err
	}
	input := template.ID().ToStringOutput().ApplyT(func(id string) (string, error) {
		// The execution ID makes a retried delivery start no second experiment.
		b, err := json.Marshal(map[string]string{"ExperimentTemplateId": id, "ClientToken": "<aws.scheduler.execution-id>"})
		return string(b), err
	}).(pulumi.StringOutput)
	_, err = scheduler.NewSchedule(ctx, name+"-scheduled", &scheduler.ScheduleArgs{
		Name:                       pulumi.String(ScheduleName(args.Prefix)),
		Description:                pulumi.Sprintf("%s: the %s drill, on schedule (docs/gameday.md)", args.Prefix, s.Drill),
		ScheduleExpression:         pulumi.String(s.Expression),
		ScheduleExpressionTimezone: pulumi.String(s.TimeZone),
		FlexibleTimeWindow:         scheduler.ScheduleFlexibleTimeWindowArgs{Mode: pulumi.String("OFF")},
		Target: scheduler.ScheduleTargetArgs{
			Arn: pulumi.String(StartExperimentTarget), RoleArn: role.Arn, Input: input,
			RetryPolicy: scheduler.ScheduleTargetRetryPolicyArgs{MaximumRetryAttempts: pulumi.Int(0)},
		},
	}, here, pulumi.DependsOn([]pulumi.Resource{attached}))
	return err
}
