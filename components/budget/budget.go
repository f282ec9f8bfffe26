// Package budget watches a stack's AWS spend after it is deployed: a monthly AWS Budget on the
// stack's cost allocation tag with alerts at 80 % of actual and 100 % of forecast spend, a Cost
// Anomaly Detection monitor on the same tag with a daily subscription, and the activation of the
// cost allocation tags they filter on.
package budget

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/budgets"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/costexplorer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "langgraph:aws:Budget"

// Thresholds of the budget's alerts, percent of the monthly amount.
const (
	ActualPercent   = 80
	ForecastPercent = 100
)

// Args configure the budget.
type Args struct {
	Name      string  // budget and monitor name, e.g. langgraph-prod
	AmountUSD float64 // monthly
	// TagKey and TagValue select the stack's resources (the program's Stack tag).
	TagKey, TagValue string
	TopicARN         pulumi.StringInput
	Emails           []string
	AnomalyUSD       float64 // total impact that raises an anomaly alert
	// ActivateTags are the cost allocation tags to activate (none: they are managed elsewhere).
	ActivateTags []string
	Tags         map[string]string
}

// Validate reports what config cannot see.
func (a *Args) Validate() error {
	var errs []error
	if a.Name == "" || a.TagKey == "" || a.TagValue == "" || a.TopicARN == nil {
		errs = append(errs, fmt.Errorf("budget.Args: Name, TagKey, TagValue and TopicARN are required"))
	}
	if a.AmountUSD <= 0 || a.AnomalyUSD <= 0 {
		errs = append(errs, fmt.Errorf("budget.Args.AmountUSD=%g/AnomalyUSD=%g: must be > 0", a.AmountUSD, a.AnomalyUSD))
	}
	if len(a.Emails) == 0 {
		errs = append(errs, fmt.Errorf("budget.Args.Emails: the anomaly subscription needs at least one address"))
	}
	return errors.Join(errs...)
}

// Budget is the deployed set.
type Budget struct {
	pulumi.ResourceState

	BudgetName pulumi.StringOutput `pulumi:"budgetName"`
	MonitorARN pulumi.StringOutput `pulumi:"monitorArn"`
}

// New creates the budget, the anomaly monitor and subscription, and activates the tags.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Budget, error) {
	if err := args.Validate(); err != nil {
		return nil, err
	}
	b := &Budget{}
	if err := ctx.RegisterComponentResource(TypeToken, name, b, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(b)
	var activated []pulumi.Resource
	for _, key := range args.ActivateTags {
		// Account-wide: another stack may use the same key, so destroying this one leaves it on.
		tag, err := costexplorer.NewCostAllocationTag(ctx, name+"-tag-"+key, &costexplorer.CostAllocationTagArgs{
			TagKey: pulumi.String(key), Status: pulumi.String("Active"),
		}, child, pulumi.RetainOnDelete(true))
		if err != nil {
			return nil, err
		}
		activated = append(activated, tag)
	}
	after := pulumi.DependsOn(activated)
	notify := func(kind string, percent float64) budgets.BudgetNotificationArgs {
		return budgets.BudgetNotificationArgs{
			NotificationType: pulumi.String(kind), ComparisonOperator: pulumi.String("GREATER_THAN"),
			Threshold: pulumi.Float64(percent), ThresholdType: pulumi.String("PERCENTAGE"),
			SubscriberSnsTopicArns:   pulumi.StringArray{args.TopicARN},
			SubscriberEmailAddresses: pulumi.ToStringArray(args.Emails),
		}
	}
	budget, err := budgets.NewBudget(ctx, name, &budgets.BudgetArgs{
		Name:        pulumi.String(args.Name),
		BudgetType:  pulumi.String("COST"),
		TimeUnit:    pulumi.String("MONTHLY"),
		LimitAmount: pulumi.String(strconv.FormatFloat(args.AmountUSD, 'f', 2, 64)),
		LimitUnit:   pulumi.String("USD"),
		CostFilters: budgets.BudgetCostFilterArray{budgets.BudgetCostFilterArgs{
			Name: pulumi.String("TagKeyValue"), Values: pulumi.StringArray{pulumi.String(TagFilter(args.TagKey, args.TagValue))},
		}},
		Notifications: budgets.BudgetNotificationArray{notify("ACTUAL", ActualPercent), notify("FORECASTED", ForecastPercent)},
		Tags:          pulumi.ToStringMap(args.Tags),
	}, child, after)
	if err != nil {
		return nil, err
	}
	spec, err := json.Marshal(map[string]any{"Tags": map[string]any{"Key": args.TagKey, "Values": []string{args.TagValue}, "MatchOptions": []string{"EQUALS"}}})
	if err != nil {
		return nil, err
	}
	monitor, err := costexplorer.NewAnomalyMonitor(ctx, name, &costexplorer.AnomalyMonitorArgs{
		Name: pulumi.String(args.Name), MonitorType: pulumi.String("CUSTOM"),
		MonitorSpecification: pulumi.String(string(spec)), Tags: pulumi.ToStringMap(args.Tags),
	}, child, after)
	if err != nil {
		return nil, err
	}
	subscribers := costexplorer.AnomalySubscriptionSubscriberArray{}
	for _, e := range args.Emails {
		subscribers = append(subscribers, costexplorer.AnomalySubscriptionSubscriberArgs{Type: pulumi.String("EMAIL"), Address: pulumi.String(e)})
	}
	// Daily e-mails: an immediate subscription takes only an SNS topic, whose key and policy
	// would then have to admit Cost Explorer as well; a cost anomaly is not a page.
	if _, err := costexplorer.NewAnomalySubscription(ctx, name, &costexplorer.AnomalySubscriptionArgs{
		Name: pulumi.String(args.Name), Frequency: pulumi.String("DAILY"),
		MonitorArnLists: pulumi.StringArray{monitor.Arn}, Subscribers: subscribers,
		ThresholdExpression: costexplorer.AnomalySubscriptionThresholdExpressionArgs{
			Dimension: costexplorer.AnomalySubscriptionThresholdExpressionDimensionArgs{
				Key:          pulumi.String("ANOMALY_TOTAL_IMPACT_ABSOLUTE"),
				MatchOptions: pulumi.ToStringArray([]string{"GREATER_THAN_OR_EQUAL"}),
				Values:       pulumi.ToStringArray([]string{strconv.FormatFloat(args.AnomalyUSD, 'f', -1, 64)}),
			},
		},
		Tags: pulumi.ToStringMap(args.Tags),
	}, child); err != nil {
		return nil, err
	}
	b.BudgetName = budget.Name
	b.MonitorARN = monitor.Arn
	return b, ctx.RegisterResourceOutputs(b, pulumi.Map{"budgetName": b.BudgetName, "monitorArn": b.MonitorARN})
}

// TagFilter is a Budgets cost filter value for a user-defined cost allocation tag.
func TagFilter(key, value string) string { return "user:" + key + "$" + value }
