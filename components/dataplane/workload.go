package dataplane

import (
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// tierSpec is one Deployment of the dataplane (the API, or the queue workers) with its HPA and PDB.
type tierSpec struct {
	name, objName, component string
	resources                Resources
	scaling                  Autoscaling // MinReplicas/MaxReplicas are the HPA's range
	jobsPerWorker            int         // N_JOBS_PER_WORKER: 0 serves HTTP and runs no jobs
	command                  []string    // nil: the image's entrypoint
	// scheduledMinimum: jobs own the HPA's minReplicas, so updates leave the live value alone.
	scheduledMinimum bool
}

// podRefs are the namespace-level objects every tier's pods refer to.
type podRefs struct {
	secretKeys []string
	sa         *corev1.ServiceAccount
	secret     *corev1.Secret
	// checksum of the Secret's data: the pod template's rollout.Annotation.
	checksum pulumi.StringOutput
	meta     func(objName, component string) *metav1.ObjectMetaArgs
	opts     []pulumi.ResourceOption
	// priority is the PriorityClass the pods name, when they name one: it must exist first.
	priority []pulumi.Resource
}

// workload creates one tier's Deployment with its HPA and PDB.
func workload(ctx *pulumi.Context, args Args, t tierSpec, refs podRefs) (*appsv1.Deployment, error) {
	selector := SelectorLabels(args.Instance, t.component)
	deployment, err := appsv1.NewDeployment(ctx, t.name+"-deployment", &appsv1.DeploymentArgs{
		Metadata: refs.meta(t.objName, t.component),
		Spec: &appsv1.DeploymentSpecArgs{
			// No replicas: the HPA owns the count, and Pulumi must not reset it on every update.
			Selector:             &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selector)},
			RevisionHistoryLimit: pulumi.Int(5),
			Strategy: &appsv1.DeploymentStrategyArgs{
				Type: pulumi.String("RollingUpdate"),
				RollingUpdate: &appsv1.RollingUpdateDeploymentArgs{
					MaxUnavailable: pulumi.Int(0),
					MaxSurge:       pulumi.String("25%"),
				},
			},
			Template: podTemplate(args, t, refs),
		},
	}, append(refs.opts, pulumi.DependsOn(append([]pulumi.Resource{refs.secret}, refs.priority...)))...)
	if err != nil {
		return nil, err
	}
	if err := autoscale(ctx, args, t, refs, deployment); err != nil {
		return nil, err
	}
	return deployment, nil
}
