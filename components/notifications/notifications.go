// Package notifications is the stack's notification topic: one SNS topic, encrypted with a key of
// its own, that every AWS-side signal of the stack publishes to (RDS events, the CloudWatch
// alarms, the budget, AWS Backup's drill and failure events), and the email subscriptions that
// read it. The database, the alarms, the budget and the recovery set receive its ARN.
package notifications

import (
	"errors"
	"fmt"
	"net/mail"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/components/awsbase"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "langgraph:aws:Notifications"

// Publisher is an AWS service allowed to publish to the topic (and to use its key).
type Publisher struct{ Sid, Principal string }

// Publishers are the AWS services that publish to the topic: RDS events (package database), the
// CloudWatch alarms (package alarms), the budget's alerts (package budget) and EventBridge, which
// forwards AWS Backup's drill and failure events (package recovery).
var Publishers = []Publisher{
	{"RDSEventsPublish", "events.rds.amazonaws.com"},
	{"CloudWatchAlarmsPublish", "cloudwatch.amazonaws.com"},
	{"BudgetsPublish", "budgets.amazonaws.com"},
	{"EventBridgePublish", "events.amazonaws.com"},
}

// Moved names where the topic's resources lived before this component owned them: aliases
// let a running stack keep its topic (and its confirmed subscriptions) instead of replacing it.
type Moved struct {
	ParentURN pulumi.URNInput // the component that owned them
	Prefix    string          // their names' prefix under it: <Prefix>-events, <Prefix>-events-email-<n>
}

// Args configure the topic.
type Args struct {
	Account awsbase.Account
	// Emails subscribe to the topic (each confirms once, from the message AWS sends).
	Emails []string
	Tags   map[string]string
	Moved  *Moved
}

// Validate reports every Args problem.
func (a *Args) Validate() error {
	var errs []error
	if a.Account.ID == "" || a.Account.Partition == "" || a.Account.Region == "" {
		errs = append(errs, fmt.Errorf("notifications.Args.Account=%+v: the account ID, partition and region are required", a.Account))
	}
	for _, e := range a.Emails {
		if addr, err := mail.ParseAddress(e); err != nil || addr.Address != e {
			errs = append(errs, fmt.Errorf("notifications.Args.Emails: %q is not a plain email address (name@example.com)", e))
		}
	}
	return errors.Join(errs...)
}

// Notifications is the deployed topic.
type Notifications struct {
	pulumi.ResourceState

	TopicARN pulumi.StringOutput `pulumi:"topicArn"`
	KeyARN   pulumi.StringOutput `pulumi:"keyArn"`
}

// New creates the topic, its key, its policy and the email subscriptions.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Notifications, error) {
	if err := args.Validate(); err != nil {
		return nil, err
	}
	n := &Notifications{}
	if err := ctx.RegisterComponentResource(TypeToken, name, n, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(n)
	moved := func(old string) []pulumi.ResourceOption {
		if args.Moved == nil {
			return []pulumi.ResourceOption{child}
		}
		return []pulumi.ResourceOption{child, pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String(old), ParentURN: args.Moved.ParentURN}})}
	}
	prefix := ""
	if args.Moved != nil {
		prefix = args.Moved.Prefix
	}

	var principals []string
	for _, p := range Publishers {
		principals = append(principals, p.Principal)
	}
	key, err := awsbase.NewKey(ctx, name+"-key", awsbase.KeyArgs{
		Description:       "The stack's notification topic",
		Alias:             name,
		Account:           args.Account,
		ServicePrincipals: principals, // they publish to the topic this key encrypts
		Tags:              args.Tags,
	}, child)
	if err != nil {
		return nil, err
	}
	topic, err := sns.NewTopic(ctx, name+"-topic", &sns.TopicArgs{
		KmsMasterKeyId: key.Arn,
		Tags:           pulumi.ToStringMap(args.Tags),
	}, moved(prefix+"-events")...)
	if err != nil {
		return nil, err
	}
	_, err = sns.NewTopicPolicy(ctx, name+"-topic", &sns.TopicPolicyArgs{
		Arn: topic.Arn,
		Policy: topic.Arn.ApplyT(func(arn string) (string, error) {
			return TopicPolicy(args.Account, arn).JSON()
		}).(pulumi.StringOutput),
	}, moved(prefix+"-events")...)
	if err != nil {
		return nil, err
	}
	for i, email := range args.Emails {
		if _, err := sns.NewTopicSubscription(ctx, fmt.Sprintf("%s-email-%d", name, i+1), &sns.TopicSubscriptionArgs{
			Topic: topic.Arn, Protocol: pulumi.String("email"), Endpoint: pulumi.String(email),
		}, moved(fmt.Sprintf("%s-events-email-%d", prefix, i+1))...); err != nil {
			return nil, err
		}
	}
	n.TopicARN = topic.Arn
	n.KeyARN = key.Arn
	return n, ctx.RegisterResourceOutputs(n, pulumi.Map{"topicArn": n.TopicARN, "keyArn": n.KeyARN})
}

// TopicPolicy lets each publisher publish to the topic on this account's behalf only.
func TopicPolicy(account awsbase.Account, topicARN string) awsbase.PolicyDocument {
	var statements []awsbase.Statement
	for _, p := range Publishers {
		statements = append(statements, awsbase.Statement{
			Sid: p.Sid, Effect: awsbase.Allow, Principal: awsbase.Service(p.Principal),
			Action: []string{"sns:Publish"}, Resource: []string{topicARN},
			Condition: awsbase.OnBehalfOf(account),
		})
	}
	return awsbase.Policy(statements...)
}
