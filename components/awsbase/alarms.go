package awsbase

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// FiveXXShare is the share of an ALB's requests answered 5xx (the targets' and the ALB's own)
// per period: the metric-math the stack's 5xx alarm and the game day's stop alarm read.
func FiveXXShare(loadBalancer pulumi.StringInput, periodSeconds int) cloudwatch.MetricAlarmMetricQueryArray {
	lb := pulumi.StringMap{"LoadBalancer": loadBalancer}
	sum := func(id, name string) cloudwatch.MetricAlarmMetricQueryArgs {
		return cloudwatch.MetricAlarmMetricQueryArgs{Id: pulumi.String(id), ReturnData: pulumi.Bool(false), Metric: cloudwatch.MetricAlarmMetricQueryMetricArgs{
			Namespace: pulumi.String("AWS/ApplicationELB"), MetricName: pulumi.String(name), Stat: pulumi.String("Sum"), Period: pulumi.Int(periodSeconds), Dimensions: lb,
		}}
	}
	return cloudwatch.MetricAlarmMetricQueryArray{
		sum("target5xx", "HTTPCode_Target_5XX_Count"), sum("alb5xx", "HTTPCode_ELB_5XX_Count"), sum("requests", "RequestCount"),
		cloudwatch.MetricAlarmMetricQueryArgs{Id: pulumi.String("ratio"), Label: pulumi.String("5xx share"), ReturnData: pulumi.Bool(true),
			Expression: pulumi.String("IF(requests > 0, (FILL(target5xx, 0) + FILL(alb5xx, 0)) / requests, 0)")},
	}
}
