// Package config is the single source of every setting the program reads.
//
// Settings are grouped by concern into top-level Pulumi config keys (environment, tags, cluster
// (mode existing, reference or create),
// dataplane, hpa, ingress, auth, database, cache, monitoring, alerts, kpi, capacity, addons, charts,
// chartResources,
// cost, dr, rotation, gameday, gateway); each group is a structured (object) value, so `pulumi config set --path hpa.minReplicas 10`
// sets one field and every other field keeps the default declared here. Secrets are separate top-level keys
// that must be set with `pulumi config set --secret` (kubeconfig, langsmithApiKey,
// langgraphLicenseKey, slackWebhookUrl, pagerdutyRoutingKey, heartbeatUrl). aws:region is read as the stack's
// region; the facts values are checked against (regions, versions, sizes, TLS policies, chart
// versions) live in package catalog.
//
// Defaults are the seed document's production numbers (see Defaults); a smaller environment opts
// down explicitly in its stack file. Loading never panics: Load returns errors that name the key,
// the value and what is allowed.
//
// Files: types*.go declare the settings (with the doc tags Pulumi.yaml and
// docs/configuration.md are generated from), defaults.go their defaults, validate*.go the checks
// (validate.go the entry point and the sections without a file of their own, validate_<concern>.go
// one concern each), derived.go the values computed from settings (catalog lookups, percentages
// as fractions, the subnet layout), load.go and decode.go the reading, keys.go and doc.go the key
// registry and the generated reference, secret.go the secret type.
package config

import (
	"strings"

	"github.com/langgraph-platform/infra/catalog"
)

// Config is the typed, defaulted and validated configuration of one stack.
type Config struct {
	// Project and Stack are the Pulumi project and stack names (not config keys).
	Project string `json:"-"`
	Stack   string `json:"-"`
	// Region is the AWS provider's aws:region: the stack's region.
	Region string `json:"-"`

	Environment string     `json:"environment" doc:"Environment name used in tags and resource names; 'prod' turns on production guard-rails (protect on data resources)."`
	Tags        Tags       `json:"tags"`
	Cluster     Cluster    `json:"cluster"`
	Dataplane   Dataplane  `json:"dataplane"`
	HPA         HPA        `json:"hpa"`
	Ingress     Ingress    `json:"ingress"`
	Auth        Auth       `json:"auth"`
	Database    Database   `json:"database"`
	Cache       Cache      `json:"cache"`
	Monitoring  Monitoring `json:"monitoring"`
	Alerts      Alerts     `json:"alerts"`
	KPI         KPI        `json:"kpi"`
	Capacity    Capacity   `json:"capacity"`
	Addons      Addons     `json:"addons"`
	Charts      Charts     `json:"charts"`
	// ChartResources size every container the charts run (types_charts.go).
	ChartResources ChartResources `json:"chartResources"`
	Cost           Cost           `json:"cost"`
	DR             DR             `json:"dr"`
	Rotation       Rotation       `json:"rotation"`
	GameDay        GameDay        `json:"gameday"`
	Gateway        Gateway        `json:"gateway"`

	Secrets Secrets `json:"-"`
}

// Production reports whether this stack gets production guard-rails.
func (c *Config) Production() bool { return IsProduction(c.Environment) }

// IsProduction reports whether an environment gets production guard-rails: prod, and a
// prod-<suffix> environment such as prod's warm standby (prod-standby).
func IsProduction(environment string) bool {
	return environment == ProductionEnvironment || strings.HasPrefix(environment, ProductionEnvironment+"-")
}

// ProductionEnvironment is the environment name that turns on production guard-rails.
const ProductionEnvironment = "prod"

// Tags are applied to every taggable AWS resource.
type Tags struct {
	Project    string `json:"project" doc:"Project tag."`
	Owner      string `json:"owner" doc:"Owner tag: the team that answers for the stack (required)."`
	CostCenter string `json:"costCenter" doc:"CostCenter tag (required)."`
}

// Cluster says where the Kubernetes side runs: an existing cluster named here (mode existing),
// one another stack created and exports (reference), or one this stack creates (create).
type Cluster struct {
	Mode                    string           `json:"mode" doc:"existing: the cluster and network below; reference: read them from another stack's outputs (cluster.reference); create: build the VPC, the EKS cluster and its node capacity (cluster.create)."`
	Name                    string           `json:"name" doc:"EKS cluster name: the existing cluster (existing) or the one to create (create); read from the referenced stack in reference mode."`
	NodeAutoscaler          string           `json:"nodeAutoscaler" doc:"What adds nodes when the HPA adds pods (existing and reference): karpenter, autoMode, clusterAutoscaler or none; empty: karpenter when addons.karpenter.enabled (and always in create mode), else none. The capacity model's pod start-up adds its node provisioning time; a preflight read checks autoMode against the cluster."`
	KubeContext             string           `json:"kubeContext" doc:"kubeconfig context to use when the kubeconfig secret is not set; empty: the current context (existing mode only)."`
	VPCID                   string           `json:"vpcId" doc:"VPC of the cluster, vpc-... (existing mode, required there)."`
	PrivateSubnetIDs        []string         `json:"privateSubnetIds" doc:"Private subnets (subnet-...) in at least 2 AZs for the database and cache (existing mode, required there)."`
	PrivateSubnetCIDRs      []string         `json:"privateSubnetCidrs" doc:"CIDRs of those private subnets: NetworkPolicy egress to the database and cache (existing mode, required there)."`
	LoadBalancerSubnetCIDRs []string         `json:"loadBalancerSubnetCidrs" doc:"CIDRs of the subnets the ALB runs in: NetworkPolicy ingress to the API port (existing mode, required there)."`
	SecurityGroupIDs        []string         `json:"securityGroupIds" doc:"Cluster/node security groups (sg-...) allowed into the database and cache (existing mode, required there)."`
	Reference               ClusterReference `json:"reference"`
	Create                  ClusterCreate    `json:"create"`
}

// Image is a container image pinned by tag or digest.
type Image struct {
	Repository string `json:"repository" doc:"Image repository (no tag)."`
	Tag        string `json:"tag" doc:"Image tag, required unless digest is set; never 'latest'."`
	Digest     string `json:"digest" doc:"Image digest sha256:...; wins over the tag when set."`
}

// Reference is the image reference the pod runs: repository@digest or repository:tag.
func (i Image) Reference() string {
	if i.Digest != "" {
		return i.Repository + "@" + i.Digest
	}
	return i.Repository + ":" + i.Tag
}

// Version is the app.kubernetes.io/version label value: the tag, or the digest's first 12 hex
// digits (a label value cannot hold "sha256:" and is at most 63 characters).
func (i Image) Version() string {
	if i.Digest != "" {
		return strings.TrimPrefix(i.Digest, "sha256:")[:12]
	}
	if len(i.Tag) > 63 {
		return i.Tag[:63]
	}
	return i.Tag
}

// Resources are a container's requests and limits, as Kubernetes quantities.
type Resources struct {
	CPURequest    string `json:"cpuRequest" doc:"CPU request."`
	MemoryRequest string `json:"memoryRequest" doc:"Memory request."`
	CPULimit      string `json:"cpuLimit" doc:"CPU limit; empty: none (CPU is throttled, not killed)."`
	MemoryLimit   string `json:"memoryLimit" doc:"Memory limit."`
	// Ephemeral storage counts the container's logs, writable layer and disk-backed emptyDirs:
	// without a limit one pod can fill its node's disk and have the kubelet evict every pod on it.
	EphemeralStorageRequest string `json:"ephemeralStorageRequest" doc:"ephemeral-storage request (logs, writable layer, disk-backed emptyDirs)."`
	EphemeralStorageLimit   string `json:"ephemeralStorageLimit" doc:"ephemeral-storage limit: the kubelet evicts the pod, not its neighbours, when it writes more."`
}

// Dataplane configures the langgraph-dataplane workload.
type Dataplane struct {
	Namespace                     string    `json:"namespace" doc:"Namespace of the dataplane."`
	Image                         Image     `json:"image"`
	Resources                     Resources `json:"resources"`
	JobsPerWorker                 int       `json:"jobsPerWorker" doc:"N_JOBS_PER_WORKER: concurrent runs per pod."`
	DBPoolMaxSize                 int       `json:"dbPoolMaxSize" doc:"LANGGRAPH_POSTGRES_POOL_MAX_SIZE: database connections per pod (the seed's 200 x 50 pods exceeds RDS's 5,000 cap)."`
	TerminationGracePeriodSeconds int       `json:"terminationGracePeriodSeconds" doc:"Time a stopping pod gets to finish in-flight runs."`
	PreStopSeconds                int       `json:"preStopSeconds" doc:"preStop pause so the load balancer deregisters the pod before it stops."`
	PDBMaxUnavailable             int       `json:"pdbMaxUnavailable" doc:"PodDisruptionBudget maxUnavailable (>= 1 so drains can proceed)."`
	MaintenanceMode               bool      `json:"maintenanceMode" doc:"When true the load balancer answers every request with 503 and a JSON body; pods stay up."`
	EmergencyReplicas             int       `json:"emergencyReplicas" doc:"When > 0 pins the replica count (HPA min = max = N); 0: off."`
	ServiceAccountRoleARN         string    `json:"serviceAccountRoleArn" doc:"IAM role for the pods' ServiceAccount (IRSA); empty: none."`
	LLMEgressCIDRs                []string  `json:"llmEgressCidrs" doc:"CIDRs the pods may reach on TCP 443 (LLM APIs, LangSmith)."`
	Queue                         Queue     `json:"queue"`
}

// Queue configures LangGraph's optional separate queue-worker tier.
type Queue struct {
	Enabled     bool      `json:"enabled" doc:"Run a separate queue-worker Deployment with its own HPA."`
	MinReplicas int       `json:"minReplicas" doc:"Queue workers HPA minimum."`
	MaxReplicas int       `json:"maxReplicas" doc:"Queue workers HPA maximum."`
	Resources   Resources `json:"resources"`
}

// ScalingRule is one direction of HPA behavior: a Pods policy and a stabilization window.
type ScalingRule struct {
	Pods                       int `json:"pods" doc:"Pods added or removed per period."`
	PeriodSeconds              int `json:"periodSeconds" doc:"Policy period."`
	StabilizationWindowSeconds int `json:"stabilizationWindowSeconds" doc:"Stabilization window."`
}

// ScaleUpRule is the scale-up behavior: the seed's Pods policy and, optionally, a Percent policy
// beside it (the HPA takes whichever allows more: selectPolicy Max).
type ScaleUpRule struct {
	Pods                       int `json:"pods" doc:"Pods added per period."`
	Percent                    int `json:"percent" doc:"Also allow this % of the current replicas per period (the HPA takes the larger); 0: off, the seed's pod policy alone."`
	PeriodSeconds              int `json:"periodSeconds" doc:"Policy period."`
	StabilizationWindowSeconds int `json:"stabilizationWindowSeconds" doc:"Stabilization window."`
}

// Schedule sets the HPA's minimum at a time: raise it before a known rush, lower it after.
type Schedule struct {
	Cron        string `json:"cron" doc:"Standard 5-field cron expression (minute hour day-of-month month day-of-week), as a Kubernetes CronJob takes it."`
	TimeZone    string `json:"timeZone" doc:"IANA time zone of the cron expression, such as Europe/Berlin."`
	MinReplicas int    `json:"minReplicas" doc:"The HPA minimum from that time on (1 to hpa.maxReplicas)."`
}

// HPA is the dataplane's HorizontalPodAutoscaler (seed section 3).
type HPA struct {
	MinReplicas       int         `json:"minReplicas" doc:"Minimum replicas."`
	MaxReplicas       int         `json:"maxReplicas" doc:"Maximum replicas."`
	CPUUtilization    int         `json:"cpuUtilization" doc:"Target average CPU utilization, % of requests."`
	MemoryUtilization int         `json:"memoryUtilization" doc:"Target average memory utilization, % of requests."`
	ScaleUp           ScaleUpRule `json:"scaleUp"`
	ScaleDown         ScalingRule `json:"scaleDown"`
	Schedules         []Schedule  `json:"schedules" doc:"Scheduled minimums for known rush hours, each {cron, timeZone, minReplicas}: at each cron time (in its time zone) an in-cluster job sets the HPA minimum; the program then leaves the live minimum alone. Refused with dataplane.emergencyReplicas."`
	ScheduleImage     string      `json:"scheduleImage" doc:"kubectl image the scheduled jobs run, pinned by tag or digest."`
	QueueScaling      bool        `json:"queueScaling" doc:"Also scale on LangGraph's pending runs (External metric served by prometheus-adapter); needs addons.prometheusAdapter.enabled."`
	PendingRunsPerPod int         `json:"pendingRunsPerPod" doc:"Target pending runs per pod of the queue metric: the HPA adds pods when the queue exceeds this x replicas."`
}

// Ingress is the ALB in front of the dataplane.
type Ingress struct {
	Host                   string `json:"host" doc:"Public host name (required)."`
	CertificateARN         string `json:"certificateArn" doc:"ACM certificate ARN for HTTPS (required)."`
	Scheme                 string `json:"scheme" doc:"internet-facing or internal."`
	IdleTimeoutSeconds     int    `json:"idleTimeoutSeconds" doc:"ALB idle timeout; above the longest run, since streaming runs hold the connection."`
	SSLPolicy              string `json:"sslPolicy" doc:"ALB TLS policy."`
	WAFRateLimit           int    `json:"wafRateLimit" doc:"Requests per IP per 5 minutes before WAF blocks."`
	WAFClientRateLimit     int    `json:"wafClientRateLimit" doc:"Requests per client credential (the auth.header value) per 5 minutes before WAF blocks that credential; one leaked key cannot take the whole budget."`
	WAFLogRetentionDays    int    `json:"wafLogRetentionDays" doc:"Days the WAF log group (every request WAF saw, the auth header redacted) is kept in CloudWatch Logs."`
	AccessLogRetentionDays int    `json:"accessLogRetentionDays" doc:"Days ALB access logs are kept in S3."`
	DNS                    DNS    `json:"dns"`
}

// Authentication modes of the LangGraph API.
const (
	AuthLangSmith = "langsmith" // LangSmith API keys, checked by the server against LangSmith
	AuthCustom    = "custom"    // the image's own auth handler (langgraph.json auth.path)
	AuthNone      = "none"      // no inbound authentication: only behind an internal load balancer
)

// AuthModes lists them for validation.
var AuthModes = []string{AuthLangSmith, AuthCustom, AuthNone}

// Auth says who may call the LangGraph API. A self-hosted server accepts every request unless
// authentication is turned on.
type Auth struct {
	Mode                  string `json:"mode" doc:"langsmith (LANGGRAPH_AUTH_TYPE=langsmith: clients send a LangSmith API key), custom (the image ships its own auth handler) or none (only with ingress.scheme internal)."`
	LangSmithAuthEndpoint string `json:"langsmithAuthEndpoint" doc:"LANGSMITH_AUTH_ENDPOINT: the LangSmith API that checks keys (https); required with mode langsmith."`
	LangSmithTenantID     string `json:"langsmithTenantId" doc:"LANGSMITH_TENANT_ID: the LangSmith workspace (tenant) UUID whose keys may call; required with mode langsmith."`
	Header                string `json:"header" doc:"HTTP header that carries the client's credential; WAF rate-limits per value, blocks API calls without it, and redacts it from its logs."`
	AcceptUnauthenticated string `json:"acceptUnauthenticated" doc:"With mode none and an internet-facing ingress, the reason the API may be open to anyone (printed on every preview); refused in the production environment."`
}

// Enabled reports whether the server checks callers.
func (a Auth) Enabled() bool { return a.Mode != AuthNone }

// Restore creates the primary from a point in time of another instance, or of its automated
// backups replicated to this region (the region-loss path).
type Restore struct {
	SourceInstanceIdentifier  string `json:"sourceInstanceIdentifier" doc:"DB instance identifier to restore from (same region)."`
	SourceAutomatedBackupsARN string `json:"sourceAutomatedBackupsArn" doc:"Instead of sourceInstanceIdentifier: the ARN of the automated backups replicated to this stack's region (output drReplicatedBackupsArn of the lost region's stack), to restore there after a region loss."`
	RestoreTime               string `json:"restoreTime" doc:"RFC 3339 time to restore to."`
	UseLatestRestorableTime   bool   `json:"useLatestRestorableTime" doc:"Restore to the latest restorable time instead."`
}

// Database configures RDS PostgreSQL.
type Database struct {
	EngineVersion                    string          `json:"engineVersion" doc:"PostgreSQL version major.minor."`
	InstanceClass                    string          `json:"instanceClass" doc:"RDS instance class."`
	AllocatedStorageGB               int             `json:"allocatedStorageGb" doc:"Initial gp3 storage."`
	MaxAllocatedStorageGB            int             `json:"maxAllocatedStorageGb" doc:"Storage autoscaling ceiling."`
	MultiAZ                          bool            `json:"multiAz" doc:"Multi-AZ standby for the primary."`
	ReadReplicas                     int             `json:"readReplicas" doc:"Read replicas for analytics and reporting."`
	DatabaseName                     string          `json:"databaseName" doc:"Initial database name."`
	MasterUsername                   string          `json:"masterUsername" doc:"Master user name."`
	BackupRetentionDays              int             `json:"backupRetentionDays" doc:"Automated backup retention (1-35; PITR and replicas need >= 1)."`
	BackupWindow                     string          `json:"backupWindow" doc:"Daily backup window, hh24:mi-hh24:mi UTC."`
	MaintenanceWindow                string          `json:"maintenanceWindow" doc:"Weekly maintenance window, ddd:hh24:mi-ddd:hh24:mi UTC."`
	DeletionProtection               bool            `json:"deletionProtection" doc:"Deletion protection and a final snapshot."`
	PerformanceInsightsRetentionDays int             `json:"performanceInsightsRetentionDays" doc:"7, 731 or a multiple of 31."`
	MonitoringIntervalSeconds        int             `json:"monitoringIntervalSeconds" doc:"Enhanced monitoring interval: 1, 5, 10, 15, 30 or 60."`
	LogMinDurationStatementMs        int             `json:"logMinDurationStatementMs" doc:"Slow query log threshold in ms; -1 disables."`
	MaxConnectionsOverride           int             `json:"maxConnections" doc:"max_connections; 0 derives AWS's formula from the instance class memory."`
	EventEmails                      []string        `json:"eventEmails" doc:"E-mail addresses subscribed to the stack's notification topic: RDS events (backup, failover, failure, low storage, maintenance, recovery), the CloudWatch alarms, the budget's alerts and AWS Backup's drill results (each address confirms once)."`
	Restore                          *Restore        `json:"restore" doc:"Point-in-time restore of the primary; unset for a new database."`
	Upgrade                          DatabaseUpgrade `json:"upgrade"`
}

// Cache configures ElastiCache (Redis OSS or Valkey).
type Cache struct {
	Engine                string `json:"engine" doc:"valkey or redis."`
	EngineVersion         string `json:"engineVersion" doc:"Engine version major.minor."`
	NodeType              string `json:"nodeType" doc:"ElastiCache node type."`
	Nodes                 int    `json:"nodes" doc:"Nodes: 1 primary + replicas (2-6)."`
	MaxmemoryPolicy       string `json:"maxmemoryPolicy" doc:"maxmemory-policy."`
	AppendOnly            bool   `json:"appendOnly" doc:"AOF; ElastiCache rejects it (see docs/decisions/cache-durability.md): must stay false."`
	SnapshotRetentionDays int    `json:"snapshotRetentionDays" doc:"Daily snapshot retention (1-35)."`
	SnapshotWindow        string `json:"snapshotWindow" doc:"Daily snapshot window, hh24:mi-hh24:mi UTC."`
	MaintenanceWindow     string `json:"maintenanceWindow" doc:"Weekly maintenance window, ddd:hh24:mi-ddd:hh24:mi UTC."`
	LogRetentionDays      int    `json:"logRetentionDays" doc:"CloudWatch retention of slow and engine logs."`
}

// Monitoring configures kube-prometheus-stack.
type Monitoring struct {
	Namespace                    string `json:"namespace" doc:"Namespace of the monitoring stack."`
	ChartVersion                 string `json:"chartVersion" doc:"kube-prometheus-stack chart version, exact."`
	StorageClass                 string `json:"storageClass" doc:"StorageClass for Prometheus volumes (gp3)."`
	PrometheusReplicas           int    `json:"prometheusReplicas" doc:"Prometheus replicas."`
	PrometheusRetention          string `json:"prometheusRetention" doc:"Prometheus retention time."`
	PrometheusStorageGB          int    `json:"prometheusStorageGb" doc:"Prometheus volume size."`
	AlertmanagerReplicas         int    `json:"alertmanagerReplicas" doc:"Alertmanager replicas."`
	GrafanaReplicas              int    `json:"grafanaReplicas" doc:"Grafana replicas."`
	CreateStorageClass           bool   `json:"createStorageClass" doc:"Create the gp3 StorageClass (EBS CSI, encrypted); false when the cluster has it."`
	PostgresExporterChartVersion string `json:"postgresExporterChartVersion" doc:"prometheus-postgres-exporter chart version, exact."`
	RedisExporterChartVersion    string `json:"redisExporterChartVersion" doc:"prometheus-redis-exporter chart version, exact."`
	RunbookBaseURL               string `json:"runbookBaseUrl" doc:"Where docs/runbooks is browsable; every alert's runbook_url is <this>/<AlertName>.md."`
	NodeExporterNamespace        string `json:"nodeExporterNamespace" doc:"Namespace of node-exporter alone (it needs the host's network and PID: Pod Security privileged), so monitoring.namespace can enforce restricted."`
}

// Alerts are the seed's alert thresholds (section 2, "Alert Thresholds").
type Alerts struct {
	ErrorRatePercent   float64 `json:"errorRatePercent" doc:"Alert when the 5xx share of requests exceeds this."`
	AvgResponseSeconds float64 `json:"avgResponseSeconds" doc:"Alert when the average run response time exceeds this."`
	PodResourcePercent float64 `json:"podResourcePercent" doc:"Alert when pod CPU or memory use exceeds this % of limits."`
	DBPoolPercent      float64 `json:"dbPoolPercent" doc:"Alert when database connection pool use exceeds this."`
	QueueDepth         float64 `json:"queueDepth" doc:"Alert when pending runs exceed this."`
	// The data tier and the edge: CloudWatch alarms (and the Redis memory rule), outside the cluster.
	CacheMemoryPercent         float64 `json:"cacheMemoryPercent" doc:"Alert (Prometheus rule and ElastiCache alarm) when Redis memory exceeds this % of maxmemory."`
	DataTierCPUPercent         float64 `json:"dataTierCpuPercent" doc:"CloudWatch alarm when RDS CPU, ElastiCache host CPU or ElastiCache engine CPU exceeds this % for 15 minutes."`
	DatabaseFreeStoragePercent float64 `json:"databaseFreeStoragePercent" doc:"CloudWatch alarm when RDS free storage falls below this % of database.allocatedStorageGb (storage autoscaling acts at 10 % of the current size, so this fires when it cannot keep up or has reached its ceiling)."`
	DatabaseFreeMemoryPercent  float64 `json:"databaseFreeMemoryPercent" doc:"CloudWatch alarm when RDS freeable memory falls below this % of the instance class's memory."`
	ReplicaLagSeconds          float64 `json:"replicaLagSeconds" doc:"CloudWatch alarm when an RDS read replica or an ElastiCache replica lags more than this."`
	WAFBlockedRequests         float64 `json:"wafBlockedRequests" doc:"CloudWatch alarm when WAF blocks more than this many requests in 5 minutes (an attack or a broken client)."`
	ReplicationSlotLagMB       float64 `json:"replicationSlotLagMb" doc:"With a warm standby (dr.standbyStack): CloudWatch alarm on the primary when the most lagging replication slot holds more WAL than this (MB): the standby's RPO seen from the primary's region."`
}

// KPI are the seed's targets for 5,000 users (section 2, "Target Metrics").
type KPI struct {
	ConcurrentUsers    int     `json:"concurrentUsers" doc:"Concurrent users the stack is sized for."`
	SuccessRatePercent float64 `json:"successRatePercent" doc:"Run success rate target (>)."`
	AvgResponseSeconds float64 `json:"avgResponseSeconds" doc:"Average response time target (<)."`
	P95ResponseSeconds float64 `json:"p95ResponseSeconds" doc:"P95 response time target (<); a bucket boundary of the LangGraph server's latency histogram (docs/monitoring.md), as the latency SLO counts the runs in that bucket."`
	QueueWaitSeconds   float64 `json:"queueWaitSeconds" doc:"Queue wait target (<)."`
	ErrorRatePercent   float64 `json:"errorRatePercent" doc:"Error rate target (<)."`
	CPUPercent         float64 `json:"cpuPercent" doc:"Pod CPU use target (<)."`
	MemoryPercent      float64 `json:"memoryPercent" doc:"Pod memory use target (<)."`
}

// Capacity holds the load assumptions of the capacity model (package capacity) and the escape
// hatch for a stack that fails it.
type Capacity struct {
	ThinkTimeSeconds        float64 `json:"thinkTimeSeconds" doc:"Seconds a user waits between the end of a run and the next."`
	CPUAtFullLoadPercent    float64 `json:"cpuAtFullLoadPercent" doc:"CPU use, % of the request, of a pod whose run slots are all busy (runs mostly wait on LLM calls); measure it with a load test."`
	PodStartupSeconds       float64 `json:"podStartupSeconds" doc:"Seconds from a pod being scheduled on a node to it serving (image pull, start-up probe). A pod that needs a new node waits the node autoscaler's provisioning first (cluster.nodeAutoscaler; docs/cluster.md)."`
	MetricDelaySeconds      float64 `json:"metricDelaySeconds" doc:"Age of the metrics the HPA acts on (scrape interval, recording rules, adapter cache); the ramp simulation uses it."`
	AdminReserveConnections int     `json:"adminReserveConnections" doc:"Database connections kept for RDS and operators."`
	ExporterConnections     int     `json:"exporterConnections" doc:"Database connections of the postgres exporter."`
	RedisConnectionsPerPod  int     `json:"redisConnectionsPerPod" doc:"Redis connections one dataplane pod opens."`
	RedisKiBPerRun          float64 `json:"redisKiBPerRun" doc:"Redis memory one run in progress holds (stream buffer), KiB."`
	AcceptRisk              string  `json:"acceptRisk" doc:"When set, a failing capacity check is reported but does not stop the deployment; say why."`
	// Headroom: placeholder pods that keep nodes warm (docs/capacity.md, "Headroom").
	HeadroomPods  int    `json:"headroomPods" doc:"Placeholder pods, each the size of a run-executing dataplane pod, at a negative PriorityClass: they keep that many pods' worth of nodes running and are evicted the moment a dataplane pod needs the room, so the first pods of a surge start without waiting for a node. 0: none. Needs a node autoscaler (cluster.nodeAutoscaler); at most the run-executing tier's maxReplicas. Size it with go run ./cmd/capacity -recommend."`
	HeadroomImage string `json:"headroomImage" doc:"Image the placeholder pods run (it does nothing: the pause image), pinned by tag or digest; change it for a registry mirror."`
}

// Charts say where Helm fetches the charts the program installs. Names and exact versions stay
// pinned (package catalog); only the location changes, so a mirror serves the same bytes.
type Charts struct {
	Mirror    string          `json:"mirror" doc:"Where every chart is fetched instead of its upstream repository: an https:// Helm repository, or an oci:// registry path such as oci://<account>.dkr.ecr.<region>.amazonaws.com/helm-charts (the chart is <path>/<chart>); http:// only on a loopback address. Empty: each chart's upstream repository."`
	Overrides []ChartOverride `json:"overrides" doc:"Per-chart locations that take precedence over mirror: a list of {chart, source}."`
}

// ChartOverride fetches one chart from its own location.
type ChartOverride struct {
	Chart  string `json:"chart" doc:"The chart's name, as package catalog pins it (kube-prometheus-stack, aws-for-fluent-bit, ...)."`
	Source string `json:"source" doc:"Its location, in the forms mirror accepts."`
}

// Source is where the chart is fetched: its override, else the mirror, else upstream.
func (c Charts) Source(chart string) catalog.ChartSource {
	location := c.Mirror
	for _, o := range c.Overrides {
		if o.Chart == chart {
			location = o.Source
		}
	}
	return catalog.SourceAt(chart, location)
}

// Sources are the sources of every chart the program can install, by chart name.
func (c Charts) Sources() map[string]catalog.ChartSource {
	out := make(map[string]catalog.ChartSource, len(catalog.ChartRepositories))
	for chart := range catalog.ChartRepositories {
		out[chart] = c.Source(chart)
	}
	return out
}

// Addons are the cluster add-ons the dataplane depends on. EKS installs none of them; switch one
// off only when the cluster already runs it (the program then checks for what it provides).
type Addons struct {
	MetricsServer          MetricsServer          `json:"metricsServer"`
	LoadBalancerController LoadBalancerController `json:"loadBalancerController"`
	PrometheusAdapter      PrometheusAdapter      `json:"prometheusAdapter"`
	FluentBit              FluentBit              `json:"fluentBit"`
	Karpenter              Karpenter              `json:"karpenter"`
}

// FluentBit ships container logs to CloudWatch Logs.
type FluentBit struct {
	Enabled          bool   `json:"enabled" doc:"Ship the containers' logs of the stack's namespaces to CloudWatch Logs with AWS for Fluent Bit (one KMS-encrypted log group per namespace); its IAM role uses addons.loadBalancerController.identity."`
	ChartVersion     string `json:"chartVersion" doc:"aws-for-fluent-bit chart version (eks-charts), exact."`
	LogRetentionDays int    `json:"logRetentionDays" doc:"Days the container log groups keep logs (a CloudWatch Logs retention)."`
}

// MetricsServer serves the resource metrics API (metrics.k8s.io) the CPU and memory HPA reads.
type MetricsServer struct {
	Enabled      bool   `json:"enabled" doc:"Install metrics-server; false when the cluster already serves metrics.k8s.io."`
	ChartVersion string `json:"chartVersion" doc:"metrics-server chart version (kubernetes-sigs), exact."`
	Replicas     int    `json:"replicas" doc:"metrics-server replicas; a PodDisruptionBudget is added when > 1."`
}

// Identity methods for the AWS Load Balancer Controller's IAM role.
const (
	IdentityPodIdentity = catalog.IdentityPodIdentity
	IdentityIRSA        = catalog.IdentityIRSA
)

// LoadBalancerController is the AWS Load Balancer Controller, which turns the Ingress into an ALB.
type LoadBalancerController struct {
	Enabled       bool   `json:"enabled" doc:"Install the AWS Load Balancer Controller; false when the cluster already runs it (IngressClass alb)."`
	ChartVersion  string `json:"chartVersion" doc:"aws-load-balancer-controller chart version (eks-charts), exact."`
	Replicas      int    `json:"replicas" doc:"Controller replicas (leader-elected; 2 for availability)."`
	Identity      string `json:"identity" doc:"How the controller and Fluent Bit get their IAM roles: podIdentity (EKS Pod Identity; the eks-pod-identity-agent add-on must run) or irsa (IAM roles for service accounts)."`
	OIDCIssuerURL string `json:"oidcIssuerUrl" doc:"The cluster's OIDC issuer URL (https://oidc.eks.<region>.amazonaws.com/id/<id>); required for irsa, whose IAM OIDC provider must exist."`
}

// PrometheusAdapter serves the external metrics API from the monitoring stack's Prometheus.
type PrometheusAdapter struct {
	Enabled      bool   `json:"enabled" doc:"Install prometheus-adapter serving LangGraph's queue depth as an External metric."`
	ChartVersion string `json:"chartVersion" doc:"prometheus-adapter chart version (prometheus-community), exact."`
	Replicas     int    `json:"replicas" doc:"prometheus-adapter replicas; a PodDisruptionBudget is added when > 1."`
}

// QueueMetricActive reports whether the dataplane HPA gets the External queue metric: it is
// asked for and the adapter that serves it is installed.
func (c *Config) QueueMetricActive() bool {
	return c.HPA.QueueScaling && c.Addons.PrometheusAdapter.Enabled
}

// LLMModel is one model the graphs call, with its tokens per run.
type LLMModel struct {
	Model            string  `json:"model" doc:"Model name, as priced (gpt-4o, gpt-4o-mini have the seed's prices)."`
	TokensPerRun     float64 `json:"tokensPerRun" doc:"Tokens (prompt and completion) one run spends on this model."`
	PricePer1KTokens float64 `json:"pricePer1kTokens" doc:"US dollars per 1,000 tokens; 0: the seed's price for the model name (an error for a model it does not list)."`
}

// Budget is the stack's AWS budget and cost anomaly alerts.
type Budget struct {
	MonthlyUSD          float64  `json:"monthlyUsd" doc:"Monthly AWS budget of the stack (its Environment tag), US dollars; alerts at 80 % actual and 100 % forecast (required)."`
	Emails              []string `json:"emails" doc:"Addresses the budget and the cost anomaly alerts go to, besides the stack's SNS topic (at least one)."`
	BelowEstimateReason string   `json:"belowEstimateReason" doc:"A budget below the cost model's idle estimate alarms every month and is refused; set this to deploy it anyway, saying why."`
	AnomalyThresholdUSD float64  `json:"anomalyThresholdUsd" doc:"Cost Anomaly Detection alerts when an anomaly's total impact reaches this many US dollars."`
	ActivateTags        bool     `json:"activateTags" doc:"Activate the Environment and Project cost allocation tags (AWS accepts only tag keys it has seen in billing data: up to a day after the first tagged resource)."`
}

// Cost are the cost model's assumptions (package cost) and the stack's budget.
type Cost struct {
	NodeInstanceType     string     `json:"nodeInstanceType" doc:"EC2 instance type the dataplane's pods are priced on (the cluster's nodes are not this program's)."`
	LoadHoursPerDay      float64    `json:"loadHoursPerDay" doc:"Hours a day at the settled load (kpi.concurrentUsers); idle at minimum replicas the rest. The expected month and the LLM spend use it."`
	RequestsPerRun       float64    `json:"requestsPerRun" doc:"HTTP requests one run makes through the ALB (thread, run, stream, state reads)."`
	ContainerLogGBPerDay float64    `json:"containerLogGbPerDay" doc:"Container logs Fluent Bit ships a day at the settled load, GB."`
	NATGBPerMonth        float64    `json:"natGbPerMonth" doc:"Data through the cluster's NAT gateways a month (LLM calls), GB, if known; 0: not priced."`
	LLM                  []LLMModel `json:"llm" doc:"Models the graphs call, each {model, tokensPerRun, pricePer1kTokens}."`
	Budget               Budget     `json:"budget"`
}

// DR is disaster recovery to a second region (seed section 7: recovery targets, backups,
// quarterly DR tests).
type DR struct {
	Enabled             bool      `json:"enabled" doc:"Replicate the database's automated backups, the secrets and the access-log bucket to dr.region, copy AWS Backup recovery points there, and restore-test the backups on dr.drillSchedule."`
	Region              string    `json:"region" doc:"The recovery region: another region of the same partition (required when enabled)."`
	BackupRetentionDays int       `json:"backupRetentionDays" doc:"Days the replicated automated backups (point-in-time recovery in dr.region) and the copied recovery points are kept (1-35)."`
	BackupSchedule      string    `json:"backupSchedule" doc:"AWS Backup plan schedule (an AWS schedule expression, cron(...) in UTC): the daily recovery point restore tests use, copied to dr.region."`
	DrillSchedule       string    `json:"drillSchedule" doc:"AWS Backup restore testing schedule (an AWS schedule expression): quarterly by default, the seed's DR test cadence."`
	DrillTimeZone       string    `json:"drillTimeZone" doc:"IANA time zone of dr.drillSchedule."`
	Replica             DRReplica `json:"replica"`
	Role                string    `json:"role" doc:"primary (serves the traffic) or standby (a warm standby of dr.primaryStack in this stack's region: docs/disaster-recovery.md)."`
	// PrimaryStack and StandbyStack name the pair: each stack names the other.
	PrimaryStack     string    `json:"primaryStack" doc:"On a standby: the primary's stack, organization/project/stack (read through a StackReference)."`
	StandbyStack     string    `json:"standbyStack" doc:"On a primary: the stack that stands by for it; required in prod when dr.targetRtoMinutes is below what backups alone give (45)."`
	TargetRTOMinutes int       `json:"targetRtoMinutes" doc:"The full-system recovery target after a region loss, minutes (the seed's 30)."`
	Standby          DRStandby `json:"standby"`
}

// DRReplica is a read replica of the database in the recovery region: promoted after a region
// loss in minutes, where restoring the replicated backups takes tens of minutes.
type DRReplica struct {
	Enabled          bool     `json:"enabled" doc:"Run a read replica of the database (same class) in dr.region; see docs/disaster-recovery.md for the RTO it buys and its cost."`
	SubnetIDs        []string `json:"subnetIds" doc:"Private subnets (subnet-...) in at least 2 AZs of a VPC in dr.region."`
	SecurityGroupIDs []string `json:"securityGroupIds" doc:"Security groups (sg-...) of that VPC for the replica."`
}
