package config

// Key describes one top-level Pulumi config key of this project. Pulumi.yaml declares exactly
// these keys (a test keeps them equal).
type Key struct {
	Name        string
	Type        string // Pulumi.yaml type: "object" or "string"
	Description string
	// Required keys have no default in Pulumi.yaml, so the CLI asks for them.
	Required bool
	// Secret keys must be set with `pulumi config set --secret`.
	Secret bool

	object func(*Config) any     // destination of an object key
	str    func(*Config) *string // destination of a plain string key
	secret func(*Secrets) *Secret
}

// Keys lists every top-level key the program reads.
var Keys = []Key{
	{Name: "environment", Type: "string", Required: true, str: func(c *Config) *string { return &c.Environment },
		Description: "Environment name used in tags and resource names (lowercase, 2-12 characters); 'prod' (and prod-<suffix>, such as prod's standby prod-standby) turns on production guard-rails."},
	{Name: "tags", Type: "object", Required: true, object: func(c *Config) any { return &c.Tags },
		Description: "Tags on every taggable AWS resource: project, owner, costCenter (Environment comes from 'environment')."},
	{Name: "cluster", Type: "object", Required: true, object: func(c *Config) any { return &c.Cluster },
		Description: "The existing EKS cluster and its network: name, kubeContext, vpcId, privateSubnetIds, privateSubnetCidrs, loadBalancerSubnetCidrs, securityGroupIds."},
	{Name: "dataplane", Type: "object", Required: true, object: func(c *Config) any { return &c.Dataplane },
		Description: "The langgraph-dataplane workload: image, resources, jobsPerWorker, dbPoolMaxSize, shutdown timing, PDB, emergency controls, egress, queue tier."},
	{Name: "hpa", Type: "object", object: func(c *Config) any { return &c.HPA },
		Description: "The dataplane HorizontalPodAutoscaler (seed section 3)."},
	{Name: "ingress", Type: "object", Required: true, object: func(c *Config) any { return &c.Ingress },
		Description: "The ALB ingress: host, ACM certificate, scheme, timeouts, TLS policy, WAF rate limits and logs, access logs."},
	{Name: "auth", Type: "object", object: func(c *Config) any { return &c.Auth },
		Description: "Who may call the LangGraph API: mode (langsmith, custom, none), the LangSmith endpoint and tenant, the credential header, acceptUnauthenticated."},
	{Name: "database", Type: "object", object: func(c *Config) any { return &c.Database },
		Description: "RDS PostgreSQL: version, class, storage, Multi-AZ, replicas, backups, windows, monitoring, parameters, events, restore."},
	{Name: "cache", Type: "object", object: func(c *Config) any { return &c.Cache },
		Description: "ElastiCache: engine, version, node type, nodes, maxmemory policy, snapshots, windows, logs."},
	{Name: "monitoring", Type: "object", object: func(c *Config) any { return &c.Monitoring },
		Description: "kube-prometheus-stack: chart version, storage, retention, replicas."},
	{Name: "alerts", Type: "object", object: func(c *Config) any { return &c.Alerts },
		Description: "Alert thresholds (seed section 2)."},
	{Name: "kpi", Type: "object", object: func(c *Config) any { return &c.KPI },
		Description: "KPI targets for the concurrent users the stack is sized for (seed section 2)."},

	{Name: "capacity", Type: "object", object: func(c *Config) any { return &c.Capacity },
		Description: "Load assumptions of the capacity model (think time, CPU per busy pod, start-up, connection reserves), acceptRisk, and the headroom placeholder pods that keep nodes warm."},
	{Name: "dr", Type: "object", object: func(c *Config) any { return &c.DR },
		Description: "Disaster recovery to a second region: replicated backups and secrets, restore drills as code (docs/disaster-recovery.md)."},
	{Name: "cost", Type: "object", object: func(c *Config) any { return &c.Cost },
		Description: "The cost model's assumptions (node type, load hours, requests per run, logs, LLM tokens and prices) and the stack's AWS budget and cost anomaly alerts."},
	{Name: "addons", Type: "object", object: func(c *Config) any { return &c.Addons },
		Description: "Cluster add-ons the dataplane needs: metricsServer, loadBalancerController (IAM via Pod Identity or IRSA), prometheusAdapter; each switchable for clusters that already run it."},
	{Name: "chartResources", Type: "object", object: func(c *Config) any { return &c.ChartResources },
		Description: "Requests and limits (CPU, memory, ephemeral storage) of every container the charts run: prometheus, alertmanager, configReloader, operator, admissionJobs, grafana, grafanaSidecar, kubeStateMetrics, nodeExporter, postgresExporter, redisExporter, metricsServer, loadBalancerController, prometheusAdapter, fluentBit, karpenter, llmGateway (docs/workloads.md)."},
	{Name: "rotation", Type: "object", object: func(c *Config) any { return &c.Rotation },
		Description: "Credential rotation on the next up: the cache AUTH token (ROTATE, then SET), the database master password, Grafana's admin password; each a generation to raise (README \"Rotating credentials\")."},
	{Name: "gameday", Type: "object", object: func(c *Config) any { return &c.GameDay },
		Description: "Game days as code: AWS FIS experiment templates for the failover and recovery drills, their stop-condition alarms, and a scheduled drill (README \"Game days\", docs/gameday.md)."},
	{Name: "gateway", Type: "object", object: func(c *Config) any { return &c.Gateway },
		Description: "The LLM gateway (LiteLLM's proxy) in the dataplane's egress path: models and their keys in Secrets Manager, rate limits under the providers' quotas, retries, breaker, fallbacks, a response cache on the stack's ElastiCache, a daily spend alert (docs/gateway.md)."},
	{Name: "charts", Type: "object", object: func(c *Config) any { return &c.Charts },
		Description: "Where Helm fetches the pinned charts: a mirror (https:// Helm repository or oci:// registry such as ECR) for all, and per-chart overrides; empty: upstream."},

	{Name: "kubeconfig", Type: "string", Secret: true, secret: func(s *Secrets) *Secret { return &s.Kubeconfig },
		Description: "Secret. kubeconfig for the cluster; empty: the ambient kubeconfig and cluster.kubeContext."},
	{Name: "langsmithApiKey", Type: "string", Secret: true, secret: func(s *Secrets) *Secret { return &s.LangSmithAPIKey },
		Description: "Secret. LANGSMITH_API_KEY for the LangGraph server (this or langgraphLicenseKey is required)."},
	{Name: "langgraphLicenseKey", Type: "string", Secret: true, secret: func(s *Secrets) *Secret { return &s.LangGraphLicenseKey },
		Description: "Secret. LANGGRAPH_CLOUD_LICENSE_KEY for the LangGraph server (this or langsmithApiKey is required)."},
	{Name: "slackWebhookUrl", Type: "string", Secret: true, secret: func(s *Secrets) *Secret { return &s.SlackWebhookURL },
		Description: "Secret. Slack incoming webhook for warning alerts; empty: none."},
	{Name: "pagerdutyRoutingKey", Type: "string", Secret: true, secret: func(s *Secrets) *Secret { return &s.PagerDutyRoutingKey },
		Description: "Secret. PagerDuty Events v2 routing key for critical alerts; empty: none."},
	{Name: "heartbeatUrl", Type: "string", Secret: true, secret: func(s *Secrets) *Secret { return &s.HeartbeatURL },
		Description: "Secret. Dead man's switch (required): an https heartbeat URL (PagerDuty, healthchecks-style) Alertmanager calls every minute with the always-firing Watchdog; the service pages when the calls stop."},
}

// lookupKey returns the key named name.
func lookupKey(name string) (Key, bool) {
	for _, k := range Keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// DefaultValue is the value Pulumi.yaml declares as the key's default: the code default of an
// object key, "" for an optional secret, and nothing (ok=false) for a required key.
func (k Key) DefaultValue() (any, bool) {
	if k.Required {
		return nil, false
	}
	if k.Secret {
		return "", true
	}
	d := Defaults()
	return k.object(&d), true
}
