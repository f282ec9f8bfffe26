package dataplane

// Headroom: placeholder pods at a negative priority that keep nodes' room for the pods that
// execute runs (the over-provisioning pattern of the Kubernetes autoscaling documentation).

import (
	"fmt"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	schedulingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/scheduling/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Headroom configures the placeholders.
type Headroom struct {
	Pods     int    // how many, each the size of a run-executing pod
	Image    string // the pause image
	UID      int    // the user it runs as
	Priority int    // the placeholders' PriorityClass value: negative
}

// Headroom objects' names and the component label.
const (
	HeadroomName      = "langgraph-headroom"
	ComponentHeadroom = "headroom"
	// DataplanePriority is the dataplane pods' PriorityClass value: above the placeholders',
	// equal to the cluster's default (0), so the dataplane evicts placeholders and nothing else
	// (not the monitoring stack or the add-ons on the same nodes), whatever the cluster's own
	// globalDefault class is.
	DataplanePriority = 0
)

// HeadroomPriorityClass and DataplanePriorityClass name the cluster-wide classes of one instance
// (two stacks may share a cluster).
func HeadroomPriorityClass(instance string) string  { return instance + "-headroom" }
func DataplanePriorityClass(instance string) string { return instance + "-dataplane" }

// headroomPriorityClassName is the dataplane pods' PriorityClass: set only with headroom.
func (a *Args) headroomPriorityClassName() pulumi.StringPtrInput {
	if a.Headroom == nil {
		return nil
	}
	return pulumi.String(DataplanePriorityClass(a.Instance))
}

// priorityClasses creates the dataplane's and the placeholders' PriorityClasses. Pods naming a
// class that does not exist are refused at admission, so the workloads depend on these.
func priorityClasses(ctx *pulumi.Context, name string, args Args, opts []pulumi.ResourceOption) (dataplaneClass, headroomClass *schedulingv1.PriorityClass, err error) {
	labels := pulumi.ToStringMap(Labels(args.Instance, args.Version, ComponentHeadroom))
	dataplaneClass, err = schedulingv1.NewPriorityClass(ctx, name+"-dataplane-priority", &schedulingv1.PriorityClassArgs{
		Metadata:         &metav1.ObjectMetaArgs{Name: pulumi.String(DataplanePriorityClass(args.Instance)), Labels: labels},
		Value:            pulumi.Int(DataplanePriority),
		PreemptionPolicy: pulumi.String("PreemptLowerPriority"),
		Description:      pulumi.String(fmt.Sprintf("LangGraph dataplane of %s: preempts its headroom placeholders (%s).", args.Instance, HeadroomPriorityClass(args.Instance))),
	}, opts...)
	if err != nil {
		return nil, nil, err
	}
	headroomClass, err = schedulingv1.NewPriorityClass(ctx, name+"-headroom-priority", &schedulingv1.PriorityClassArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(HeadroomPriorityClass(args.Instance)), Labels: labels},
		Value:    pulumi.Int(args.Headroom.Priority),
		// A placeholder never evicts anything: it only holds room nobody else wants.
		PreemptionPolicy: pulumi.String("Never"),
		Description:      pulumi.String(fmt.Sprintf("Headroom placeholders of %s: evicted by any pod that needs their room.", args.Instance)),
	}, opts...)
	return dataplaneClass, headroomClass, err
}

// headroom creates the placeholders' Deployment. The placeholders are the size of a pod that
// executes runs (the queue tier's with a queue tier), so each one evicted is exactly one such
// pod's room.
func headroom(ctx *pulumi.Context, name string, args Args, refs podRefs, class *schedulingv1.PriorityClass) error {
	h := args.Headroom
	sa, err := corev1.NewServiceAccount(ctx, name+"-headroom-serviceaccount", &corev1.ServiceAccountArgs{
		Metadata:                     refs.meta(HeadroomName, ComponentHeadroom),
		AutomountServiceAccountToken: pulumi.Bool(false),
	}, refs.opts...)
	if err != nil {
		return err
	}
	res := args.Resources
	if args.Queue != nil {
		res = args.Queue.Resources
	}
	// Requests are the room held; limits equal them (the pause process uses almost nothing).
	room := pulumi.StringMap{"cpu": pulumi.String(res.CPURequest), "memory": pulumi.String(res.MemoryRequest),
		"ephemeral-storage": pulumi.String(res.EphemeralStorageRequest)}
	selector := SelectorLabels(args.Instance, ComponentHeadroom)
	_, err = appsv1.NewDeployment(ctx, name+"-headroom", &appsv1.DeploymentArgs{
		Metadata: refs.meta(HeadroomName, ComponentHeadroom),
		Spec: &appsv1.DeploymentSpecArgs{
			// The program owns the count: no HPA.
			Replicas:             pulumi.Int(h.Pods),
			Selector:             &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selector)},
			RevisionHistoryLimit: pulumi.Int(2),
			Template: &corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: pulumi.ToStringMap(Labels(args.Instance, args.Version, ComponentHeadroom))},
				Spec: &corev1.PodSpecArgs{
					PriorityClassName:             class.Metadata.Name(),
					ServiceAccountName:            sa.Metadata.Name().Elem(),
					AutomountServiceAccountToken:  pulumi.Bool(false),
					TerminationGracePeriodSeconds: pulumi.Int(0), // nothing to drain: leave at once
					SecurityContext: &corev1.PodSecurityContextArgs{
						RunAsNonRoot: pulumi.Bool(true), RunAsUser: pulumi.Int(h.UID), RunAsGroup: pulumi.Int(h.UID),
						SeccompProfile: &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
					},
					// Spread like the dataplane, so the room is in every zone its pods may need.
					TopologySpreadConstraints: corev1.TopologySpreadConstraintArray{corev1.TopologySpreadConstraintArgs{
						MaxSkew: pulumi.Int(1), TopologyKey: pulumi.String("topology.kubernetes.io/zone"), WhenUnsatisfiable: pulumi.String("ScheduleAnyway"),
						LabelSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selector)},
					}},
					Containers: corev1.ContainerArray{corev1.ContainerArgs{
						Name:            pulumi.String("pause"),
						Image:           pulumi.String(h.Image),
						ImagePullPolicy: pulumi.String("IfNotPresent"),
						Resources:       &corev1.ResourceRequirementsArgs{Requests: room, Limits: room},
						SecurityContext: restrictedContainer(h.UID),
					}},
				},
			},
		},
	}, append(refs.opts, pulumi.DependsOn([]pulumi.Resource{class}))...)
	return err
}
