package dataplane

// A tier's pods: their environment, probes, container and pod spec.

import (
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/internal/rollout"
)

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

// containerEnv is a tier's environment: the server's settings, then the Secret's keys by reference.
func containerEnv(args Args, t tierSpec, refs podRefs) corev1.EnvVarArray {
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
	return env
}

// probe checks the server's health endpoint every period seconds, failing after failures misses.
func probe(period, failures int) *corev1.ProbeArgs {
	return &corev1.ProbeArgs{
		HttpGet:          corev1.HTTPGetActionArgs{Path: pulumi.String(HealthPath), Port: pulumi.String(APIPortName)},
		PeriodSeconds:    pulumi.Int(period),
		TimeoutSeconds:   pulumi.Int(5),
		FailureThreshold: pulumi.Int(failures),
	}
}

// Liveness is deliberately not the readiness probe: a server busy with runs can answer /ok
// slowly, which should take it out of the Service (readiness) but never get it killed with its
// runs. Liveness asks only whether the process still accepts connections on the API port, and
// allows LivenessFailures misses LivenessPeriodSeconds apart (two minutes) before a restart.
const (
	LivenessPeriodSeconds = 20
	LivenessFailures      = 6
)

func livenessProbe() *corev1.ProbeArgs {
	return &corev1.ProbeArgs{
		TcpSocket:        corev1.TCPSocketActionArgs{Port: pulumi.String(APIPortName)},
		PeriodSeconds:    pulumi.Int(LivenessPeriodSeconds),
		TimeoutSeconds:   pulumi.Int(5),
		FailureThreshold: pulumi.Int(LivenessFailures),
	}
}

// podTemplate is a tier's pod: restricted, spread across zones and nodes, one container.
func podTemplate(args Args, t tierSpec, refs podRefs) *corev1.PodTemplateSpecArgs {
	res, sa := t.resources, refs.sa
	selector := SelectorLabels(args.Instance, t.component)
	podLabels := Labels(args.Instance, args.Version, t.component)
	env := containerEnv(args, t, refs)
	limits := pulumi.StringMap{"memory": pulumi.String(res.MemoryLimit), "ephemeral-storage": pulumi.String(res.EphemeralStorageLimit)}
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
	return &corev1.PodTemplateSpecArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Labels: pulumi.ToStringMap(podLabels),
			// A rotated credential rolls the pods, after the Secret holds it.
			Annotations: pulumi.StringMap{rollout.Annotation: refs.checksum},
		},
		Spec: &corev1.PodSpecArgs{
			ServiceAccountName:            sa.Metadata.Name().Elem(),
			AutomountServiceAccountToken:  pulumi.Bool(false),
			PriorityClassName:             args.headroomPriorityClassName(),
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
					Requests: pulumi.StringMap{"cpu": pulumi.String(res.CPURequest), "memory": pulumi.String(res.MemoryRequest),
						"ephemeral-storage": pulumi.String(res.EphemeralStorageRequest)},
					Limits: limits,
				},
				// Startup allows 5 minutes for migrations and graph loading before liveness counts.
				StartupProbe:    probe(5, 60),
				ReadinessProbe:  probe(10, 3),
				LivenessProbe:   livenessProbe(),
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
	}
}

func envVar(name, value string) corev1.EnvVarArgs {
	return corev1.EnvVarArgs{Name: pulumi.String(name), Value: pulumi.String(value)}
}
