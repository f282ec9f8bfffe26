package config

import "github.com/langgraph-platform/infra/catalog"

// ProjectName is the program's Pulumi project (Pulumi.yaml's name): its state lives under it in
// a backend, which the bootstrap program's roles are scoped to.
const ProjectName = "langgraph-platform"

// DefaultProjectTag is the Project tag unless tags.project says otherwise.
const DefaultProjectTag = ProjectName

// EnvironmentTag is the tag naming a resource's environment on every taggable AWS resource; the
// bootstrap program's deploy roles are scoped by it.
const EnvironmentTag = "Environment"

// ResourcePrefix starts the name of every resource of an environment: langgraph-<environment>.
func ResourcePrefix(environment string) string { return "langgraph-" + environment }

// ValidEnvironmentName says whether name is allowed as the environment key's value.
func ValidEnvironmentName(name string) bool { return envPattern.MatchString(name) }

// EnvironmentNameRule is what the environment key allows, for error messages.
const EnvironmentNameRule = "a lowercase name of 2-12 letters, digits or '-' starting with a letter"

// Defaults returns the defaults of every setting. They are the seed document's production
// numbers (HPA 10-50 replicas, CPU 70 %, memory 80 %, scale-up 5 pods/60 s with a 60 s window,
// scale-down 2 pods/60 s with a 300 s window; its KPI targets and alert thresholds) and
// production-grade data settings; smaller environments opt down in their stack file.
// Pulumi.yaml declares the same values, and a test keeps the two equal.
func Defaults() Config {
	// Ephemeral storage: the 1Gi /tmp emptyDir plus the container's rotated logs.
	appResources := Resources{CPURequest: "1", MemoryRequest: "2Gi", CPULimit: "2", MemoryLimit: "4Gi",
		EphemeralStorageRequest: "1Gi", EphemeralStorageLimit: "2Gi"}
	return Config{
		Tags: Tags{Project: DefaultProjectTag},
		Cluster: Cluster{
			Mode: ModeExisting,
			// Create mode's defaults are production's: three AZs, a NAT gateway in each, a
			// private API endpoint until publicAccessCidrs names who may reach it.
			Create: ClusterCreate{
				Version: "1.35", VPCCIDR: "10.0.0.0/16", AvailabilityZones: 3,
				// /19 private subnets: 8,187 pod and node addresses per AZ (the VPC CNI gives every
				// pod a VPC address); /24 public and isolated subnets.
				Subnets:           SubnetSizes{PrivatePrefixLength: 19, PublicPrefixLength: 24, IsolatedPrefixLength: 24, PrivateCIDRs: []string{}, PublicCIDRs: []string{}, IsolatedCIDRs: []string{}},
				NATGatewayPerAZ:   true,
				PublicAccessCIDRs: []string{}, AdminRoleARNs: []string{},
				SystemNodes:      SystemNodes{InstanceType: "m7i.large", Count: 2},
				LogRetentionDays: 365,
			},
		},
		Dataplane: Dataplane{
			Namespace: "langgraph",
			Image:     Image{Repository: "docker.io/langchain/langgraph-api"},
			Resources: appResources,
			// LangGraph's own default; prod raises it (docs/capacity.md).
			JobsPerWorker: 10,
			// 50 pods x 60 = 3,000 connections: inside 80 % of RDS's 5,000 cap (the seed's
			// 200 per pod would need 10,000).
			DBPoolMaxSize:                 60,
			TerminationGracePeriodSeconds: 330,
			PreStopSeconds:                15,
			PDBMaxUnavailable:             2,
			// LLM providers publish no stable address ranges; narrow this where yours do.
			LLMEgressCIDRs: []string{"0.0.0.0/0"},
			Queue:          Queue{Enabled: false, MinReplicas: 2, MaxReplicas: 20, Resources: appResources},
		},
		HPA: HPA{
			MinReplicas:       10,
			MaxReplicas:       50,
			CPUUtilization:    70,
			MemoryUtilization: 80,
			ScaleUp:           ScaleUpRule{Pods: 5, PeriodSeconds: 60, StabilizationWindowSeconds: 60},
			ScaleDown:         ScalingRule{Pods: 2, PeriodSeconds: 60, StabilizationWindowSeconds: 300},
			// Runs mostly wait on LLM calls, so CPU can stay low while the queue grows: the queue
			// metric adds a pod for every 5 runs waiting per pod, well before alerts.queueDepth.
			Schedules: []Schedule{},
			// The Kubernetes project's kubectl image; keep it within one minor of the cluster.
			ScheduleImage:     "registry.k8s.io/kubectl:v1.34.1",
			QueueScaling:      true,
			PendingRunsPerPod: 5,
		},
		Ingress: Ingress{
			Scheme:             "internet-facing",
			IdleTimeoutSeconds: 900,
			SSLPolicy:          "ELBSecurityPolicy-TLS13-1-2-2021-06",
			WAFRateLimit:       2000,
			// A client runs about one run every 4 minutes (180 s runs, 60 s think time), a few
			// requests each: 1,000 per 5 minutes is far above one user and far below the stack.
			WAFClientRateLimit:     1000,
			WAFLogRetentionDays:    90,
			AccessLogRetentionDays: 90,
			DNS:                    DNS{TTLSeconds: 60, HealthCheckIntervalSeconds: 10, FailureThreshold: 3},
		},
		// No default that opens the API: an internet-facing stack must choose langsmith or custom.
		Auth: Auth{Mode: AuthNone, Header: "x-api-key"},
		Database: Database{
			EngineVersion:                    "17.6",
			InstanceClass:                    "db.r7g.2xlarge",
			AllocatedStorageGB:               200,
			MaxAllocatedStorageGB:            1000,
			MultiAZ:                          true,
			ReadReplicas:                     2,
			DatabaseName:                     "langgraph",
			MasterUsername:                   "langgraph_admin",
			BackupRetentionDays:              14,
			BackupWindow:                     "03:00-04:00",
			MaintenanceWindow:                "sun:04:30-sun:05:30",
			DeletionProtection:               true,
			PerformanceInsightsRetentionDays: 7,
			MonitoringIntervalSeconds:        60,
			LogMinDurationStatementMs:        1000,
			MaxConnectionsOverride:           0,
			EventEmails:                      []string{},
			Upgrade:                          DatabaseUpgrade{Method: UpgradeBlueGreen},
		},
		Cache: Cache{
			Engine:                "valkey",
			EngineVersion:         "8.0",
			NodeType:              "cache.r7g.large",
			Nodes:                 3,
			MaxmemoryPolicy:       "allkeys-lru",
			AppendOnly:            false,
			SnapshotRetentionDays: 7,
			SnapshotWindow:        "05:00-06:00",
			MaintenanceWindow:     "sun:06:30-sun:07:30",
			LogRetentionDays:      30,
		},
		Monitoring: Monitoring{
			Namespace:            "monitoring",
			ChartVersion:         "87.15.2",
			StorageClass:         "gp3",
			PrometheusReplicas:   2,
			PrometheusRetention:  "15d",
			PrometheusStorageGB:  100,
			AlertmanagerReplicas: 3,
			GrafanaReplicas:      2,
			CreateStorageClass:   true,
			// Chart versions published by prometheus-community; bump them deliberately.
			PostgresExporterChartVersion: "8.3.0",
			RedisExporterChartVersion:    "6.38.0",
			RunbookBaseURL:               "https://github.com/example-org/langgraph-platform/blob/main/docs/runbooks",
			NodeExporterNamespace:        "monitoring-node-exporter",
		},
		Alerts: Alerts{
			ErrorRatePercent:   5,
			AvgResponseSeconds: 300,
			PodResourcePercent: 90,
			DBPoolPercent:      80,
			QueueDepth:         100,
			// Not in the seed: its 90 % resource ceiling for the data tier's CPU and Redis memory,
			// 10 % headroom for storage and memory, a minute of replica lag, and 1,000 blocked
			// requests in 5 minutes (a few clients at the per-IP limit).
			CacheMemoryPercent:         90,
			DataTierCPUPercent:         90,
			DatabaseFreeStoragePercent: 10,
			DatabaseFreeMemoryPercent:  10,
			ReplicaLagSeconds:          60,
			ReplicationSlotLagMB:       1024,
			WAFBlockedRequests:         1000,
		},
		Capacity: Capacity{
			ThinkTimeSeconds: 60,
			// Above the HPA's 70 % CPU target, or the HPA never scales on load (docs/capacity.md);
			// size dataplane.resources.cpuRequest so a fully busy pod uses about this much of it.
			CPUAtFullLoadPercent: 90,
			PodStartupSeconds:    90,
			// The ServiceMonitor scrapes every 30 s; recording rules and the adapter add little.
			MetricDelaySeconds:      30,
			AdminReserveConnections: 10,
			ExporterConnections:     5,
			RedisConnectionsPerPod:  20,
			RedisKiBPerRun:          1024,
			HeadroomImage:           catalog.HeadroomImage,
		},
		Addons: Addons{
			// Chart versions confirmed from the projects' release records; bump them deliberately.
			MetricsServer:          MetricsServer{Enabled: true, ChartVersion: "3.13.0", Replicas: 2},
			LoadBalancerController: LoadBalancerController{Enabled: true, ChartVersion: "3.4.2", Replicas: 2, Identity: IdentityPodIdentity},
			PrometheusAdapter:      PrometheusAdapter{Enabled: true, ChartVersion: "5.2.1", Replicas: 2},
			FluentBit:              FluentBit{Enabled: true, ChartVersion: "0.2.1", LogRetentionDays: 30},
			// Off: an existing cluster may have its own node autoscaling; create mode requires it on.
			Karpenter: Karpenter{Enabled: false, ChartVersion: "1.12.1", Replicas: 2, CapacityTypes: []string{"on-demand"}},
		},
		// Off: a stack turns its drills on (staging does); prod's are started by a person.
		GameDay: GameDay{
			Drills:           append([]string(nil), catalog.Drills...),
			DurationMinutes:  5,
			PodPercent:       50,
			StopErrorPercent: 10,
			LogRetentionDays: 90,
			Schedule: GameDaySchedule{
				Drill: catalog.DrillDatabaseFailover, Expression: "cron(0 10 ? 1,4,7,10 3#2 *)", TimeZone: "UTC",
			},
		},
		// Off: a stack turns the gateway on and names its models and keys (prod does).
		Gateway: Gateway{
			Namespace:   "llm-gateway",
			MinReplicas: 2, MaxReplicas: 10, CPUUtilization: 70,
			Retries: 2, RetryAfterSeconds: 1, TimeoutSeconds: 600,
			Breaker: GatewayBreaker{AllowedFails: 3, CooldownSeconds: 30},
			Cache:   GatewayCache{TTLSeconds: 0, KeyPrefix: "llm-gateway", MemoryMB: 512},
			// The providers publish no stable address ranges; narrow this where yours do.
			ProviderEgressCIDRs: []string{"0.0.0.0/0"},
		},
		// On, as production needs it; a stack without a recovery region sets enabled false.
		DR: DR{
			Enabled:             true,
			BackupRetentionDays: 14,
			BackupSchedule:      "cron(0 3 * * ? *)",
			DrillSchedule:       "cron(0 6 1 1,4,7,10 ? *)",
			DrillTimeZone:       "UTC",
			Role:                RolePrimary,
			TargetRTOMinutes:    30,
			Standby:             DRStandby{MinReplicas: 2},
		},
		Cost: Cost{
			NodeInstanceType:     "m7g.2xlarge",
			LoadHoursPerDay:      10,
			RequestsPerRun:       4,
			ContainerLogGBPerDay: 5,
			// The seed's two models; tokens per run are an assumption to replace with measured ones.
			LLM: []LLMModel{
				{Model: "gpt-4o", TokensPerRun: 3000},
				{Model: "gpt-4o-mini", TokensPerRun: 10000},
			},
			Budget: Budget{AnomalyThresholdUSD: 100, ActivateTags: true},
		},
		KPI: KPI{
			ConcurrentUsers:    5000,
			SuccessRatePercent: 95,
			AvgResponseSeconds: 180,
			P95ResponseSeconds: 300,
			QueueWaitSeconds:   60,
			ErrorRatePercent:   2,
			CPUPercent:         80,
			MemoryPercent:      85,
		},
		ChartResources: defaultChartResources(),
	}
}
