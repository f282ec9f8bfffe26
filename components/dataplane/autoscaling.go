package dataplane

// A tier's autoscaling and disruption budget.

import (
	"fmt"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// autoscale creates a tier's HPA (the seed's CPU and memory targets, and the queue metric when
// on) and its PDB.
func autoscale(ctx *pulumi.Context, args Args, t tierSpec, refs podRefs, deployment *appsv1.Deployment) error {
	name, objName, component, scaling := t.name, t.objName, t.component, t.scaling
	meta, opts := refs.meta, refs.opts
	selector := SelectorLabels(args.Instance, component)
	minReplicas, maxReplicas := scaling.MinReplicas, scaling.MaxReplicas
	rule := func(r ScalingRule) *autoscalingv2.HPAScalingRulesArgs {
		rules := &autoscalingv2.HPAScalingRulesArgs{
			StabilizationWindowSeconds: pulumi.Int(r.StabilizationWindowSeconds),
			Policies: autoscalingv2.HPAScalingPolicyArray{autoscalingv2.HPAScalingPolicyArgs{
				Type: pulumi.String("Pods"), Value: pulumi.Int(r.Pods), PeriodSeconds: pulumi.Int(r.PeriodSeconds),
			}},
		}
		if r.Percent > 0 {
			rules.Policies = append(rules.Policies.(autoscalingv2.HPAScalingPolicyArray), autoscalingv2.HPAScalingPolicyArgs{
				Type: pulumi.String("Percent"), Value: pulumi.Int(r.Percent), PeriodSeconds: pulumi.Int(r.PeriodSeconds),
			})
			rules.SelectPolicy = pulumi.String("Max")
		}
		return rules
	}
	utilization := func(resource string, target int) autoscalingv2.MetricSpecArgs {
		return autoscalingv2.MetricSpecArgs{
			Type: pulumi.String("Resource"),
			Resource: &autoscalingv2.ResourceMetricSourceArgs{
				Name:   pulumi.String(resource),
				Target: autoscalingv2.MetricTargetArgs{Type: pulumi.String("Utilization"), AverageUtilization: pulumi.Int(target)},
			},
		}
	}
	metrics := autoscalingv2.MetricSpecArray{
		utilization("cpu", scaling.CPUUtilization),
		utilization("memory", scaling.MemoryUtilization),
	}
	if q := scaling.QueueMetric; q != nil {
		metrics = append(metrics, autoscalingv2.MetricSpecArgs{
			Type: pulumi.String("External"),
			External: &autoscalingv2.ExternalMetricSourceArgs{
				Metric: autoscalingv2.MetricIdentifierArgs{Name: pulumi.String(q.Name)},
				Target: autoscalingv2.MetricTargetArgs{Type: pulumi.String("AverageValue"), AverageValue: pulumi.String(fmt.Sprint(q.PendingRunsPerPod))},
			},
		})
	}
	hpaOpts := opts
	if t.scheduledMinimum {
		hpaOpts = append(append([]pulumi.ResourceOption(nil), opts...), pulumi.IgnoreChanges([]string{"spec.minReplicas"}))
	}
	if _, err := autoscalingv2.NewHorizontalPodAutoscaler(ctx, name+"-hpa", &autoscalingv2.HorizontalPodAutoscalerArgs{
		Metadata: meta(objName, component),
		Spec: &autoscalingv2.HorizontalPodAutoscalerSpecArgs{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReferenceArgs{
				ApiVersion: pulumi.String("apps/v1"), Kind: pulumi.String("Deployment"), Name: deployment.Metadata.Name().Elem(),
			},
			MinReplicas: pulumi.Int(minReplicas),
			MaxReplicas: pulumi.Int(maxReplicas),
			Metrics:     metrics,
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehaviorArgs{
				ScaleUp:   rule(scaling.ScaleUp),
				ScaleDown: rule(scaling.ScaleDown),
			},
		},
	}, hpaOpts...); err != nil {
		return err
	}
	if _, err := policyv1.NewPodDisruptionBudget(ctx, name+"-pdb", &policyv1.PodDisruptionBudgetArgs{
		Metadata: meta(objName, component),
		Spec: &policyv1.PodDisruptionBudgetSpecArgs{
			MaxUnavailable: pulumi.Int(args.PDBMaxUnavailable),
			Selector:       &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selector)},
			// Pods that never became ready may always be evicted, so a bad rollout cannot block drains.
			UnhealthyPodEvictionPolicy: pulumi.String("AlwaysAllow"),
		},
	}, opts...); err != nil {
		return err
	}
	return nil
}
