package dataplane

import (
	"fmt"

	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
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
	meta       func(objName, component string) *metav1.ObjectMetaArgs
	opts       []pulumi.ResourceOption
}

// restrictedContainer is the restricted Pod Security Standard for one container running as uid,
// with a read-only root: every container of the dataplane runs so.
func restrictedContainer(uid int) *corev1.SecurityContextArgs {
	return &corev1.SecurityContextArgs{
		RunAsNonRoot:             pulumi.Bool(true),
		RunAsUser:                pulumi.Int(uid),
		AllowPrivilegeEscalation: pulumi.Bool(false),
		ReadOnlyRootFilesystem:   pulumi.Bool(true),
		Privileged:               pulumi.Bool(false),
		Capabilities:             &corev1.CapabilitiesArgs{Drop: pulumi.ToStringArray([]string{"ALL"})},
		SeccompProfile:           &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")},
	}
}

// authEnv is how the server checks callers (LANGGRAPH_AUTH_TYPE and LangSmith's settings).
func authEnv(a Auth) corev1.EnvVarArray {
	env := corev1.EnvVarArray{envVar(AuthTypeEnv, a.Type)}
	if a.Type == AuthTypeLangSmith {
		env = append(env, envVar("LANGSMITH_AUTH_ENDPOINT", a.LangSmithEndpoint), envVar("LANGSMITH_TENANT_ID", a.LangSmithTenantID))
	}
	return env
}

// workload creates one tier's Deployment with its HPA and PDB.
func workload(ctx *pulumi.Context, args Args, t tierSpec, refs podRefs) (*appsv1.Deployment, error) {
	name, objName, component, res, scaling := t.name, t.objName, t.component, t.resources, t.scaling
	meta, opts, secret, sa := refs.meta, refs.opts, refs.secret, refs.sa
	selector := SelectorLabels(args.Instance, component)
	podLabels := Labels(args.Instance, args.Version, component)
	env := corev1.EnvVarArray{
		envVar(catalog.EnvJobsPerWorker, fmt.Sprint(t.jobsPerWorker)),
		envVar("LANGGRAPH_POSTGRES_POOL_MAX_SIZE", fmt.Sprint(args.DBPoolMaxSize)),
		// The run-success SLO reads internal metrics: without these the server never puts them
		// on /metrics and the SLO is silent (catalog, the server contract).
		envVar(catalog.EnvExposeInternalMetrics, "true"),
		envVar(catalog.EnvMaxEmittingTier, fmt.Sprint(catalog.LangGraphEmittingTier)),
		// Runs still going when this expires go back to the queue for another pod.
		envVar("BG_JOB_SHUTDOWN_GRACE_PERIOD_SECS", fmt.Sprint(args.TerminationGracePeriodSeconds-args.PreStopSeconds)),
		envVar("PORT", fmt.Sprint(APIPort)),
	}
	env = append(env, authEnv(args.Auth)...)
	for _, k := range refs.secretKeys {
		env = append(env, corev1.EnvVarArgs{
			Name: pulumi.String(k),
			ValueFrom: corev1.EnvVarSourceArgs{SecretKeyRef: corev1.SecretKeySelectorArgs{
				Name: pulumi.String(SecretName), Key: pulumi.String(k),
			}},
		})
	}
	probe := func(period, failures int) *corev1.ProbeArgs {
		return &corev1.ProbeArgs{
			HttpGet:          corev1.HTTPGetActionArgs{Path: pulumi.String(HealthPath), Port: pulumi.String(APIPortName)},
			PeriodSeconds:    pulumi.Int(period),
			TimeoutSeconds:   pulumi.Int(5),
			FailureThreshold: pulumi.Int(failures),
		}
	}
	limits := pulumi.StringMap{"memory": pulumi.String(res.MemoryLimit)}
	if res.CPULimit != "" {
		limits["cpu"] = pulumi.String(res.CPULimit)
	}
	runtimeDefault := &corev1.SeccompProfileArgs{Type: pulumi.String("RuntimeDefault")}
	spread := func(key, when string) corev1.TopologySpreadConstraintArgs {
		return corev1.TopologySpreadConstraintArgs{
			MaxSkew:           pulumi.Int(1),
			TopologyKey:       pulumi.String(key),
			WhenUnsatisfiable: pulumi.String(when),
			LabelSelector:     &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selector)},
		}
	}
	var command pulumi.StringArrayInput // nil: the image's entrypoint
	if t.command != nil {
		command = pulumi.ToStringArray(t.command)
	}
	deployment, err := appsv1.NewDeployment(ctx, name+"-deployment", &appsv1.DeploymentArgs{
		Metadata: meta(objName, component),
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
			Template: &corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: pulumi.ToStringMap(podLabels)},
				Spec: &corev1.PodSpecArgs{
					ServiceAccountName:            sa.Metadata.Name().Elem(),
					AutomountServiceAccountToken:  pulumi.Bool(false),
					TerminationGracePeriodSeconds: pulumi.Int(args.TerminationGracePeriodSeconds),
					// LangChain's chart sets ndots 4: names of the data stores and LLM APIs have
					// dots, so fewer search-domain lookups go out before the real one.
					DnsConfig: &corev1.PodDNSConfigArgs{Options: corev1.PodDNSConfigOptionArray{
						corev1.PodDNSConfigOptionArgs{Name: pulumi.String("ndots"), Value: pulumi.String(DNSNdots)},
					}},
					SecurityContext: &corev1.PodSecurityContextArgs{
						RunAsNonRoot:   pulumi.Bool(true),
						RunAsUser:      pulumi.Int(RunAsUser),
						RunAsGroup:     pulumi.Int(RunAsUser),
						FsGroup:        pulumi.Int(RunAsUser),
						SeccompProfile: runtimeDefault,
					},
					TopologySpreadConstraints: corev1.TopologySpreadConstraintArray{
						spread("topology.kubernetes.io/zone", "DoNotSchedule"),
						spread("kubernetes.io/hostname", "ScheduleAnyway"),
					},
					Containers: corev1.ContainerArray{corev1.ContainerArgs{
						Name:            pulumi.String(ContainerName),
						Image:           pulumi.String(args.Image),
						Command:         command,
						ImagePullPolicy: pulumi.String("IfNotPresent"),
						Ports: corev1.ContainerPortArray{
							corev1.ContainerPortArgs{Name: pulumi.String(APIPortName), ContainerPort: pulumi.Int(APIPort), Protocol: pulumi.String("TCP")},
						},
						Env: env,
						Resources: &corev1.ResourceRequirementsArgs{
							Requests: pulumi.StringMap{"cpu": pulumi.String(res.CPURequest), "memory": pulumi.String(res.MemoryRequest)},
							Limits:   limits,
						},
						// Startup allows 5 minutes for migrations and graph loading before liveness counts.
						StartupProbe:    probe(5, 60),
						ReadinessProbe:  probe(10, 3),
						LivenessProbe:   probe(20, 3),
						SecurityContext: restrictedContainer(RunAsUser),
						VolumeMounts:    corev1.VolumeMountArray{corev1.VolumeMountArgs{Name: pulumi.String("tmp"), MountPath: pulumi.String("/tmp")}},
						// Keep serving while the load balancer deregisters the pod.
						Lifecycle: &corev1.LifecycleArgs{PreStop: &corev1.LifecycleHandlerArgs{
							Sleep: &corev1.SleepActionArgs{Seconds: pulumi.Int(args.PreStopSeconds)},
						}},
					}},
					Volumes: corev1.VolumeArray{corev1.VolumeArgs{
						Name:     pulumi.String("tmp"),
						EmptyDir: &corev1.EmptyDirVolumeSourceArgs{SizeLimit: pulumi.String("1Gi")},
					}},
				},
			},
		},
	}, append(opts, pulumi.DependsOn([]pulumi.Resource{secret}))...)
	if err != nil {
		return nil, err
	}

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
		return nil, err
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
		return nil, err
	}
	return deployment, nil
}

func envVar(name, value string) corev1.EnvVarArgs {
	return corev1.EnvVarArgs{Name: pulumi.String(name), Value: pulumi.String(value)}
}
