package gateway

import (
	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/internal/helmvalues"
)

// The litellm-helm chart's values the program sets, with the chart's own names (read at
// catalog.ChartContainersReadFrom[catalog.ChartLiteLLM]; docs/gateway.md lists them and why).

type chartValues struct {
	Image struct {
		Repository string `json:"repository"`
		Tag        string `json:"tag"`
		PullPolicy string `json:"pullPolicy"`
	} `json:"image"`
	ReplicaCount int `json:"replicaCount"`
	// The chart's PROXY_MASTER_KEY comes from this Secret's "masterkey" entry (its default key).
	MasterkeySecret    string                              `json:"masterkeySecretName"`
	EnvironmentSecrets []string                            `json:"environmentSecrets"`
	ProxyConfig        map[string]any                      `json:"proxy_config"`
	Resources          helmvalues.Resources                `json:"resources"`
	PodSecurityContext helmvalues.PodSecurityContext       `json:"podSecurityContext"`
	SecurityContext    helmvalues.ContainerSecurityContext `json:"securityContext"`
	Autoscaling        struct {
		Enabled                        bool `json:"enabled"`
		MinReplicas                    int  `json:"minReplicas"`
		MaxReplicas                    int  `json:"maxReplicas"`
		TargetCPUUtilizationPercentage int  `json:"targetCPUUtilizationPercentage"`
	} `json:"autoscaling"`
	PDB struct {
		Enabled        bool `json:"enabled"`
		MaxUnavailable int  `json:"maxUnavailable"`
	} `json:"pdb"`
	// The gateway keeps no database: no Postgres subchart, no Prisma migration job.
	DB struct {
		UseExisting      bool `json:"useExisting"`
		DeployStandalone bool `json:"deployStandalone"`
	} `json:"db"`
	MigrationJob struct {
		Enabled bool `json:"enabled"`
	} `json:"migrationJob"`
	Redis struct {
		Enabled bool `json:"enabled"`
	} `json:"redis"`
	ServiceAccount struct {
		Create    bool `json:"create"`
		Automount bool `json:"automount"`
	} `json:"serviceAccount"`
	TopologySpreadConstraints []spread `json:"topologySpreadConstraints"`
	// Streams in flight finish before a pod stops (the chart's default is 90 s).
	TerminationGracePeriodSeconds int `json:"terminationGracePeriodSeconds"`
}

type spread struct {
	MaxSkew           int            `json:"maxSkew"`
	TopologyKey       string         `json:"topologyKey"`
	WhenUnsatisfiable string         `json:"whenUnsatisfiable"`
	LabelSelector     map[string]any `json:"labelSelector"`
}

// RunAsUser is the uid the proxy runs as (the non-root image's user).
const RunAsUser = 1000

// TerminationGracePeriodSeconds lets a streamed completion finish on a stopping pod.
const TerminationGracePeriodSeconds = 120

// ChartValues are the chart's values for args, with config as the proxy's config.yaml.
func ChartValues(a Args, config map[string]any) any {
	var v chartValues
	v.Image.Repository, v.Image.Tag, v.Image.PullPolicy = a.Image, a.ImageTag, "IfNotPresent"
	v.ReplicaCount = a.MinReplicas
	v.MasterkeySecret = SecretName
	v.EnvironmentSecrets = []string{SecretName}
	v.ProxyConfig = config
	v.Resources = a.Resources[catalog.ContainerLLMGateway]
	v.PodSecurityContext = helmvalues.RestrictedPod(RunAsUser, RunAsUser)
	// A read-only root: the chart then mounts emptyDirs on /tmp, /.cache and /.npm.
	v.SecurityContext = helmvalues.RestrictedContainer(true)
	v.SecurityContext.RunAsNonRoot = true
	v.Autoscaling.Enabled = true
	v.Autoscaling.MinReplicas, v.Autoscaling.MaxReplicas = a.MinReplicas, a.MaxReplicas
	v.Autoscaling.TargetCPUUtilizationPercentage = a.CPUUtilization
	v.PDB.Enabled, v.PDB.MaxUnavailable = true, 1
	v.ServiceAccount.Create, v.ServiceAccount.Automount = true, false
	v.TopologySpreadConstraints = []spread{{MaxSkew: 1, TopologyKey: "topology.kubernetes.io/zone", WhenUnsatisfiable: "ScheduleAnyway",
		LabelSelector: map[string]any{"matchLabels": PodLabels}}}
	v.TerminationGracePeriodSeconds = TerminationGracePeriodSeconds
	return v
}
