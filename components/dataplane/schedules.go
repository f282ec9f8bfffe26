package dataplane

import (
	"fmt"

	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Schedule sets the API HPA's minimum at a cron time.
type Schedule struct {
	Cron, TimeZone string
	MinReplicas    int
}

// Names of the scheduled-minimum objects. Only the scaler may change the HPA, and only its
// minimum: a Role limited to this HPA by name, verbs get and patch.
const (
	ScalerName      = Name + "-scaler"
	ComponentScaler = "scaler"
	// ScheduleJobPrefix names the CronJobs: <prefix><index>. The policy config exempts them from
	// the no-token rule: they call the Kubernetes API.
	ScheduleJobPrefix = Name + "-scale-"
	// ScalerUID is the kubectl image's non-root user.
	ScalerUID = 65532
)

// MinReplicasPatch is the merge patch a scheduled job applies to the HPA.
func MinReplicasPatch(n int) string { return fmt.Sprintf(`{"spec":{"minReplicas":%d}}`, n) }

// schedules creates the scaler's identity, its least-privilege Role, the egress it needs to reach
// the API server and one CronJob per schedule.
func schedules(ctx *pulumi.Context, name string, args Args, meta func(string, string) *metav1.ObjectMetaArgs, opts []pulumi.ResourceOption) error {
	sa, err := corev1.NewServiceAccount(ctx, name+"-scaler", &corev1.ServiceAccountArgs{
		Metadata: meta(ScalerName, ComponentScaler),
	}, opts...)
	if err != nil {
		return err
	}
	role, err := rbacv1.NewRole(ctx, name+"-scaler", &rbacv1.RoleArgs{
		Metadata: meta(ScalerName, ComponentScaler),
		Rules: rbacv1.PolicyRuleArray{rbacv1.PolicyRuleArgs{
			ApiGroups:     pulumi.ToStringArray([]string{"autoscaling"}),
			Resources:     pulumi.ToStringArray([]string{"horizontalpodautoscalers"}),
			ResourceNames: pulumi.ToStringArray([]string{Name}),
			Verbs:         pulumi.ToStringArray([]string{"get", "patch"}),
		}},
	}, opts...)
	if err != nil {
		return err
	}
	if _, err := rbacv1.NewRoleBinding(ctx, name+"-scaler", &rbacv1.RoleBindingArgs{
		Metadata: meta(ScalerName, ComponentScaler),
		RoleRef:  rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("Role"), Name: role.Metadata.Name().Elem()},
		Subjects: rbacv1.SubjectArray{rbacv1.SubjectArgs{Kind: pulumi.String("ServiceAccount"), Name: sa.Metadata.Name().Elem(), Namespace: pulumi.String(args.Namespace)}},
	}, opts...); err != nil {
		return err
	}
	scalerPods := &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(SelectorLabels(args.Instance, ComponentScaler))}
	// The API server's addresses are EKS's to choose; the jobs may reach HTTPS, nothing else.
	if _, err := networkingv1.NewNetworkPolicy(ctx, name+"-allow-scaler-to-api-server", &networkingv1.NetworkPolicyArgs{
		Metadata: meta("allow-scaler-to-api-server", "network-policy"),
		Spec: &networkingv1.NetworkPolicySpecArgs{
			PodSelector: scalerPods,
			PolicyTypes: pulumi.ToStringArray([]string{"Egress"}),
			Egress: networkingv1.NetworkPolicyEgressRuleArray{networkingv1.NetworkPolicyEgressRuleArgs{
				To:    networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{IpBlock: networkingv1.IPBlockArgs{Cidr: pulumi.String("0.0.0.0/0"), Except: pulumi.ToStringArray([]string{MetadataCIDR})}}},
				Ports: networkingv1.NetworkPolicyPortArray{networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("TCP"), Port: pulumi.Int(443)}},
			}},
		},
	}, opts...); err != nil {
		return err
	}
	runtimeDefault := &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")}
	for i, s := range args.Schedules {
		jobName := fmt.Sprintf("%s%d", ScheduleJobPrefix, i)
		labels := pulumi.ToStringMap(Labels(args.Instance, args.Version, ComponentScaler))
		if _, err := batchv1.NewCronJob(ctx, fmt.Sprintf("%s-scale-%d", name, i), &batchv1.CronJobArgs{
			Metadata: meta(jobName, ComponentScaler),
			Spec: batchv1.CronJobSpecArgs{
				Schedule:                   pulumi.String(s.Cron),
				TimeZone:                   pulumi.String(s.TimeZone),
				ConcurrencyPolicy:          pulumi.String("Replace"),
				StartingDeadlineSeconds:    pulumi.Int(300),
				SuccessfulJobsHistoryLimit: pulumi.Int(1),
				FailedJobsHistoryLimit:     pulumi.Int(3),
				JobTemplate: batchv1.JobTemplateSpecArgs{Spec: batchv1.JobSpecArgs{
					BackoffLimit:            pulumi.Int(3),
					ActiveDeadlineSeconds:   pulumi.Int(120),
					TtlSecondsAfterFinished: pulumi.Int(86400),
					Template: corev1.PodTemplateSpecArgs{
						Metadata: &metav1.ObjectMetaArgs{Labels: labels},
						Spec: &corev1.PodSpecArgs{
							RestartPolicy:      pulumi.String("Never"),
							ServiceAccountName: sa.Metadata.Name().Elem(),
							// The one workload here that calls the API: patching the HPA is its job.
							AutomountServiceAccountToken: pulumi.Bool(true),
							SecurityContext: &corev1.PodSecurityContextArgs{
								RunAsNonRoot: pulumi.Bool(true), RunAsUser: pulumi.Int(ScalerUID), RunAsGroup: pulumi.Int(ScalerUID), SeccompProfile: runtimeDefault,
							},
							Containers: corev1.ContainerArray{corev1.ContainerArgs{
								Name:  pulumi.String("set-min-replicas"),
								Image: pulumi.String(args.ScheduleImage),
								Command: pulumi.ToStringArray([]string{"kubectl", "patch", "horizontalpodautoscaler", Name,
									"--namespace", args.Namespace, "--type", "merge", "--patch", MinReplicasPatch(s.MinReplicas)}),
								Env: corev1.EnvVarArray{envVar("HOME", "/tmp")}, // kubectl's cache
								// One kubectl call: bounded in every resource, CPU included (a job
								// that spins holds no run and should not take a node's CPU).
								Resources: &corev1.ResourceRequirementsArgs{
									Requests: pulumi.StringMap{"cpu": pulumi.String("50m"), "memory": pulumi.String("64Mi"), "ephemeral-storage": pulumi.String("16Mi")},
									Limits:   pulumi.StringMap{"cpu": pulumi.String("200m"), "memory": pulumi.String("128Mi"), "ephemeral-storage": pulumi.String("128Mi")},
								},
								SecurityContext: restrictedContainer(ScalerUID),
								VolumeMounts:    corev1.VolumeMountArray{corev1.VolumeMountArgs{Name: pulumi.String("tmp"), MountPath: pulumi.String("/tmp")}},
							}},
							Volumes: corev1.VolumeArray{corev1.VolumeArgs{Name: pulumi.String("tmp"), EmptyDir: &corev1.EmptyDirVolumeSourceArgs{SizeLimit: pulumi.String("64Mi")}}},
						},
					},
				}},
			},
		}, opts...); err != nil {
			return err
		}
	}
	return nil
}
