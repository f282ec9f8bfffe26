package config

import (
	"fmt"
	"maps"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var (
	envPattern        = regexp.MustCompile(`^[a-z][a-z0-9-]{1,11}$`)
	dnsLabel          = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	dnsName           = regexp.MustCompile(`^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	eksName           = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`)
	vpcID             = regexp.MustCompile(`^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`)
	subnetID          = regexp.MustCompile(`^subnet-([0-9a-f]{8}|[0-9a-f]{17})$`)
	securityGroupID   = regexp.MustCompile(`^sg-([0-9a-f]{8}|[0-9a-f]{17})$`)
	acmCertificateARN = regexp.MustCompile(`^arn:aws(-[a-z]+)*:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	iamRoleARN        = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
	imageRepository   = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$`)
	imageTag          = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	imageDigest       = regexp.MustCompile(`^sha256:[a-f0-9]{64}$`)
	quantity          = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$`)
	pgIdentifier      = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	rdsIdentifier     = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]{0,62}$`)
	pgVersion         = regexp.MustCompile(`^(\d+)\.(\d+)$`)
	dailyWindow       = regexp.MustCompile(`^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$`)
	weeklyWindow      = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$`)
	semver            = regexp.MustCompile(`^\d+\.\d+\.\d+$`)
	promDuration      = regexp.MustCompile(`^\d+(ms|s|m|h|d|w|y)$`)
	eksOIDCIssuer     = regexp.MustCompile(`^https://oidc\.eks\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(\.cn)?/id/[0-9A-F]{32}$`)
	awsTagValue       = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$`)
)

// cloudWatchRetentionDays are the retention periods CloudWatch Logs accepts.
var cloudWatchRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// checker collects problems; each names the key, the value and what is allowed.
type checker struct{ errs []error }

func (c *checker) failf(key string, value any, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%s=%s %s", key, render(value), fmt.Sprintf(format, args...)))
}

func render(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case []string:
		return "[" + strings.Join(x, ", ") + "]"
	default:
		return fmt.Sprint(x)
	}
}

func (c *checker) required(key, value, what string) bool {
	if value == "" {
		c.errs = append(c.errs, fmt.Errorf("%s is required: %s", key, what))
		return false
	}
	return true
}

func (c *checker) match(key, value string, re *regexp.Regexp, allowed string) {
	if !re.MatchString(value) {
		c.failf(key, value, "is not %s", allowed)
	}
}

func (c *checker) between(key string, v, lo, hi int) {
	if v < lo || v > hi {
		c.failf(key, v, "must be between %d and %d", lo, hi)
	}
}

func (c *checker) percent(key string, v float64) {
	if v <= 0 || v > 100 {
		c.failf(key, v, "must be in (0, 100]")
	}
}

func (c *checker) positive(key string, v float64) {
	if v <= 0 {
		c.failf(key, v, "must be > 0")
	}
}

func (c *checker) oneOf(key, v string, allowed []string) {
	if !slices.Contains(allowed, v) {
		c.failf(key, v, "is not allowed; allowed: %s", strings.Join(allowed, ", "))
	}
}

func (c *checker) ids(key string, values []string, re *regexp.Regexp, allowed string, minCount int) {
	if len(values) < minCount {
		c.failf(key, values, "must list at least %d %s", minCount, allowed)
	}
	seen := map[string]bool{}
	for i, v := range values {
		k := fmt.Sprintf("%s[%d]", key, i)
		c.match(k, v, re, allowed)
		if seen[v] {
			c.failf(k, v, "is listed twice")
		}
		seen[v] = true
	}
}

func (c *checker) cidrs(key string, values []string, minCount int) {
	if len(values) < minCount {
		c.failf(key, values, "must list at least %d CIDR block(s)", minCount)
	}
	for i, v := range values {
		p, err := netip.ParsePrefix(v)
		if err != nil || p.Masked() != p {
			c.failf(fmt.Sprintf("%s[%d]", key, i), v, "is not a CIDR block such as 10.0.0.0/16 (host bits must be zero)")
		}
	}
}

// Validate checks a decoded configuration and returns every problem.
func Validate(cfg *Config) []error {
	c := &checker{}
	if c.required("environment", cfg.Environment, "a lowercase name such as prod or staging") {
		c.match("environment", cfg.Environment, envPattern, "a lowercase name of 2-12 letters, digits or '-' starting with a letter")
	}
	validateTags(c, cfg.Tags)
	validateCluster(c, cfg.Cluster)
	validateDataplane(c, cfg)
	validateHPA(c, cfg.HPA)
	validateAddons(c, cfg.Addons)
	validateIngress(c, cfg)
	validateDatabase(c, cfg.Database)
	validateCache(c, cfg.Cache)
	validateMonitoring(c, cfg)
	validateThresholds(c, cfg)
	validateCapacity(c, cfg.Capacity)
	if !cfg.Secrets.LangSmithAPIKey.IsSet() && !cfg.Secrets.LangGraphLicenseKey.IsSet() {
		c.errs = append(c.errs, fmt.Errorf("langsmithApiKey or langgraphLicenseKey is required: set one with `pulumi config set --secret langsmithApiKey <key>`"))
	}
	return c.errs
}

func validateTags(c *checker, t Tags) {
	for _, tag := range []struct{ key, value string }{
		{"tags.project", t.Project}, {"tags.owner", t.Owner}, {"tags.costCenter", t.CostCenter},
	} {
		if c.required(tag.key, tag.value, "every taggable resource carries it") {
			c.match(tag.key, tag.value, awsTagValue, "a valid AWS tag value (1-256 letters, digits, spaces or _.:/=+-@)")
		}
	}
}

func validateCluster(c *checker, cl Cluster) {
	if c.required("cluster.name", cl.Name, "the EKS cluster name") {
		c.match("cluster.name", cl.Name, eksName, "an EKS cluster name")
	}
	if c.required("cluster.vpcId", cl.VPCID, "the cluster's VPC (vpc-...)") {
		c.match("cluster.vpcId", cl.VPCID, vpcID, "a VPC ID (vpc- followed by 8 or 17 hex digits)")
	}
	c.ids("cluster.privateSubnetIds", cl.PrivateSubnetIDs, subnetID, "subnet IDs (subnet- followed by 8 or 17 hex digits) in different AZs", 2)
	c.ids("cluster.securityGroupIds", cl.SecurityGroupIDs, securityGroupID, "security group IDs (sg- followed by 8 or 17 hex digits)", 1)
	c.cidrs("cluster.privateSubnetCidrs", cl.PrivateSubnetCIDRs, 1)
	c.cidrs("cluster.loadBalancerSubnetCidrs", cl.LoadBalancerSubnetCIDRs, 1)
}

func validateDataplane(c *checker, cfg *Config) {
	d := cfg.Dataplane
	if c.required("dataplane.namespace", d.Namespace, "a namespace name") {
		c.match("dataplane.namespace", d.Namespace, dnsLabel, "a DNS label (lowercase letters, digits, '-')")
		c.oneOfNot("dataplane.namespace", d.Namespace, []string{"default", "kube-system", "kube-public", "kube-node-lease", cfg.Monitoring.Namespace})
	}
	if c.required("dataplane.image.repository", d.Image.Repository, "the image repository, without tag") {
		c.match("dataplane.image.repository", d.Image.Repository, imageRepository, "an image repository without tag or digest (registry/path)")
	}
	switch {
	case d.Image.Digest != "":
		c.match("dataplane.image.digest", d.Image.Digest, imageDigest, "a digest sha256:<64 hex digits>")
	case d.Image.Tag == "":
		c.errs = append(c.errs, fmt.Errorf("dataplane.image.tag is required: pin the image by tag or set dataplane.image.digest; a bare repository means 'latest'"))
	case d.Image.Tag == "latest":
		c.failf("dataplane.image.tag", d.Image.Tag, "is not allowed: 'latest' is not a version; pin a release tag or a digest")
	default:
		c.match("dataplane.image.tag", d.Image.Tag, imageTag, "a valid image tag")
	}
	validateResources(c, "dataplane.resources", d.Resources)
	c.between("dataplane.jobsPerWorker", d.JobsPerWorker, 1, 1000)
	c.between("dataplane.dbPoolMaxSize", d.DBPoolMaxSize, 1, 1000)
	c.between("dataplane.preStopSeconds", d.PreStopSeconds, 0, 120)
	if need := d.PreStopSeconds + int(cfg.KPI.P95ResponseSeconds); d.TerminationGracePeriodSeconds < need {
		c.failf("dataplane.terminationGracePeriodSeconds", d.TerminationGracePeriodSeconds,
			"must be >= dataplane.preStopSeconds + kpi.p95ResponseSeconds = %d, or stopping pods cut off in-flight runs", need)
	}
	if d.TerminationGracePeriodSeconds > 3600 {
		c.failf("dataplane.terminationGracePeriodSeconds", d.TerminationGracePeriodSeconds, "must be <= 3600")
	}
	if d.PDBMaxUnavailable < 1 {
		c.failf("dataplane.pdbMaxUnavailable", d.PDBMaxUnavailable, "must be >= 1: 0 blocks every voluntary eviction (node drains, cluster upgrades)")
	} else if cfg.HPA.MinReplicas > 1 && d.PDBMaxUnavailable >= cfg.HPA.MinReplicas {
		c.failf("dataplane.pdbMaxUnavailable", d.PDBMaxUnavailable, "must be < hpa.minReplicas=%d so a drain never takes every pod at once", cfg.HPA.MinReplicas)
	}
	if d.EmergencyReplicas < 0 || d.EmergencyReplicas > 1000 {
		c.failf("dataplane.emergencyReplicas", d.EmergencyReplicas, "must be between 0 (off) and 1000")
	}
	if d.ServiceAccountRoleARN != "" {
		c.match("dataplane.serviceAccountRoleArn", d.ServiceAccountRoleARN, iamRoleARN, "an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
	}
	c.cidrs("dataplane.llmEgressCidrs", d.LLMEgressCIDRs, 0)
	if d.Queue.Enabled {
		if d.Queue.MinReplicas < 1 {
			c.failf("dataplane.queue.minReplicas", d.Queue.MinReplicas, "must be >= 1")
		}
		if d.Queue.MaxReplicas < d.Queue.MinReplicas {
			c.failf("dataplane.queue.maxReplicas", d.Queue.MaxReplicas, "must be >= dataplane.queue.minReplicas=%d", d.Queue.MinReplicas)
		}
		validateResources(c, "dataplane.queue.resources", d.Queue.Resources)
	}
}

func (c *checker) oneOfNot(key, v string, forbidden []string) {
	if slices.Contains(forbidden, v) {
		c.failf(key, v, "is reserved; use a namespace of its own (not %s)", strings.Join(forbidden, ", "))
	}
}

func validateResources(c *checker, key string, r Resources) {
	cpuReq := c.quantity(key+".cpuRequest", r.CPURequest, true)
	memReq := c.quantity(key+".memoryRequest", r.MemoryRequest, true)
	memLim := c.quantity(key+".memoryLimit", r.MemoryLimit, true)
	cpuLim := c.quantity(key+".cpuLimit", r.CPULimit, false)
	if memReq > 0 && memLim > 0 && memLim < memReq {
		c.failf(key+".memoryLimit", r.MemoryLimit, "must be >= %s.memoryRequest=%q", key, r.MemoryRequest)
	}
	if cpuReq > 0 && cpuLim > 0 && cpuLim < cpuReq {
		c.failf(key+".cpuLimit", r.CPULimit, "must be >= %s.cpuRequest=%q", key, r.CPURequest)
	}
}

// quantity parses a Kubernetes quantity (the subset used for CPU and memory) into base units.
func (c *checker) quantity(key, v string, required bool) float64 {
	if v == "" {
		if required {
			c.errs = append(c.errs, fmt.Errorf("%s is required: a Kubernetes quantity such as 500m, 2 or 4Gi", key))
		}
		return 0
	}
	q, err := ParseQuantity(v)
	if err != nil || q <= 0 {
		c.failf(key, v, "is not a positive Kubernetes quantity such as 500m, 2 or 4Gi")
	}
	return q
}

// ParseQuantity converts a Kubernetes CPU or memory quantity (500m, 2, 512Mi, 4Gi, 1G) to base units.
func ParseQuantity(v string) (float64, error) {
	m := quantity.FindStringSubmatch(v)
	if m == nil {
		return 0, fmt.Errorf("invalid quantity %q", v)
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, err
	}
	mult := map[string]float64{"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
		"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40}[m[3]]
	return n * mult, nil
}

func validateHPA(c *checker, h HPA) {
	if h.MinReplicas < 1 {
		c.failf("hpa.minReplicas", h.MinReplicas, "must be >= 1")
	}
	if h.MaxReplicas < h.MinReplicas {
		c.failf("hpa.maxReplicas", h.MaxReplicas, "must be >= hpa.minReplicas=%d", h.MinReplicas)
	}
	if h.MaxReplicas > 1000 {
		c.failf("hpa.maxReplicas", h.MaxReplicas, "must be <= 1000")
	}
	c.between("hpa.cpuUtilization", h.CPUUtilization, 1, 100)
	c.between("hpa.memoryUtilization", h.MemoryUtilization, 1, 100)
	for _, rule := range []struct {
		name string
		r    ScalingRule
	}{{"hpa.scaleUp", h.ScaleUp}, {"hpa.scaleDown", h.ScaleDown}} {
		name, r := rule.name, rule.r
		if r.Pods < 1 {
			c.failf(name+".pods", r.Pods, "must be >= 1")
		}
		// Kubernetes' own limits for HPA behavior.
		c.between(name+".periodSeconds", r.PeriodSeconds, 1, 1800)
		c.between(name+".stabilizationWindowSeconds", r.StabilizationWindowSeconds, 0, 3600)
	}
	if h.QueueScaling {
		c.between("hpa.pendingRunsPerPod", h.PendingRunsPerPod, 1, 10000)
	}
}

func validateAddons(c *checker, a Addons) {
	version := func(key, v string, on bool) {
		if on {
			c.match(key, v, semver, "an exact chart version such as 1.2.3 (no ranges)")
		}
	}
	replicas := func(key string, n int, on bool) {
		if on {
			c.between(key, n, 1, 10)
		}
	}
	m, l, p := a.MetricsServer, a.LoadBalancerController, a.PrometheusAdapter
	version("addons.metricsServer.chartVersion", m.ChartVersion, m.Enabled)
	replicas("addons.metricsServer.replicas", m.Replicas, m.Enabled)
	version("addons.prometheusAdapter.chartVersion", p.ChartVersion, p.Enabled)
	replicas("addons.prometheusAdapter.replicas", p.Replicas, p.Enabled)
	if !l.Enabled {
		return
	}
	version("addons.loadBalancerController.chartVersion", l.ChartVersion, true)
	replicas("addons.loadBalancerController.replicas", l.Replicas, true)
	c.oneOf("addons.loadBalancerController.identity", l.Identity, []string{IdentityPodIdentity, IdentityIRSA})
	switch {
	case l.Identity == IdentityIRSA && l.OIDCIssuerURL == "":
		c.errs = append(c.errs, fmt.Errorf("addons.loadBalancerController.oidcIssuerUrl is required with identity irsa: `aws eks describe-cluster --query cluster.identity.oidc.issuer`"))
	case l.Identity == IdentityIRSA:
		c.match("addons.loadBalancerController.oidcIssuerUrl", l.OIDCIssuerURL, eksOIDCIssuer, "an EKS OIDC issuer URL (https://oidc.eks.<region>.amazonaws.com/id/<32 hex digits>)")
	case l.OIDCIssuerURL != "":
		c.failf("addons.loadBalancerController.oidcIssuerUrl", l.OIDCIssuerURL, "is only used with identity irsa (identity is %q): remove it or set identity irsa", l.Identity)
	}
}

func validateIngress(c *checker, cfg *Config) {
	in := cfg.Ingress
	if c.required("ingress.host", in.Host, "the public host name of the API") {
		c.match("ingress.host", in.Host, dnsName, "a lowercase DNS name such as api.example.com")
	}
	if c.required("ingress.certificateArn", in.CertificateARN, "an ACM certificate ARN covering ingress.host") {
		c.match("ingress.certificateArn", in.CertificateARN, acmCertificateARN, "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)")
	}
	c.oneOf("ingress.scheme", in.Scheme, []string{"internet-facing", "internal"})
	c.between("ingress.idleTimeoutSeconds", in.IdleTimeoutSeconds, 1, 4000)
	if float64(in.IdleTimeoutSeconds) <= cfg.KPI.P95ResponseSeconds {
		c.failf("ingress.idleTimeoutSeconds", in.IdleTimeoutSeconds, "must be > kpi.p95ResponseSeconds=%g: streaming and waiting runs hold the connection for the whole run", cfg.KPI.P95ResponseSeconds)
	}
	if !strings.HasPrefix(in.SSLPolicy, "ELBSecurityPolicy-") {
		c.failf("ingress.sslPolicy", in.SSLPolicy, "is not an ALB security policy (ELBSecurityPolicy-...)")
	}
	c.between("ingress.wafRateLimit", in.WAFRateLimit, 10, 2000000000)
	c.between("ingress.accessLogRetentionDays", in.AccessLogRetentionDays, 1, 3650)
}

func validateDatabase(c *checker, d Database) {
	if m := pgVersion.FindStringSubmatch(d.EngineVersion); m == nil {
		c.failf("database.engineVersion", d.EngineVersion, "is not a PostgreSQL version major.minor such as 17.6")
	} else if !slices.Contains(SupportedPostgresMajors, m[1]) {
		c.failf("database.engineVersion", d.EngineVersion, "has an unsupported major; allowed majors: %s", strings.Join(SupportedPostgresMajors, ", "))
	}
	if _, ok := RDSInstanceMemoryGiB[d.InstanceClass]; !ok {
		c.failf("database.instanceClass", d.InstanceClass, "is not an allowed instance class; allowed: %s", strings.Join(slices.Sorted(maps.Keys(RDSInstanceMemoryGiB)), ", "))
	}
	c.between("database.allocatedStorageGb", d.AllocatedStorageGB, 20, 65536)
	if d.MaxAllocatedStorageGB <= d.AllocatedStorageGB || d.MaxAllocatedStorageGB > 65536 {
		c.failf("database.maxAllocatedStorageGb", d.MaxAllocatedStorageGB, "must be > database.allocatedStorageGb=%d and <= 65536 (storage autoscaling ceiling)", d.AllocatedStorageGB)
	}
	c.between("database.readReplicas", d.ReadReplicas, 0, 15)
	c.match("database.databaseName", d.DatabaseName, pgIdentifier, "a PostgreSQL identifier (lowercase letter, then letters, digits, _; up to 63)")
	c.match("database.masterUsername", d.MasterUsername, pgIdentifier, "a PostgreSQL identifier (lowercase letter, then letters, digits, _; up to 63)")
	if slices.Contains([]string{"postgres", "rdsadmin", "admin", "root"}, d.MasterUsername) {
		c.failf("database.masterUsername", d.MasterUsername, "is reserved by RDS or PostgreSQL; choose another name")
	}
	c.between("database.backupRetentionDays", d.BackupRetentionDays, 1, 35)
	backup := c.daily("database.backupWindow", d.BackupWindow)
	maint := c.weekly("database.maintenanceWindow", d.MaintenanceWindow)
	if backup != nil && maint != nil && overlapsDaily(*backup, *maint) {
		c.failf("database.backupWindow", d.BackupWindow, "overlaps database.maintenanceWindow=%q; RDS requires them apart", d.MaintenanceWindow)
	}
	if p := d.PerformanceInsightsRetentionDays; !(p == 7 || p == 731 || (p >= 31 && p <= 713 && p%31 == 0)) {
		c.failf("database.performanceInsightsRetentionDays", p, "is not a Performance Insights retention; allowed: 7, 731 or a multiple of 31 up to 713")
	}
	if !slices.Contains([]int{1, 5, 10, 15, 30, 60}, d.MonitoringIntervalSeconds) {
		c.failf("database.monitoringIntervalSeconds", d.MonitoringIntervalSeconds, "is not an enhanced monitoring interval; allowed: 1, 5, 10, 15, 30, 60")
	}
	if d.LogMinDurationStatementMs < -1 {
		c.failf("database.logMinDurationStatementMs", d.LogMinDurationStatementMs, "must be -1 (off) or >= 0")
	}
	if d.MaxConnectionsOverride != 0 && (d.MaxConnectionsOverride < 10 || d.MaxConnectionsOverride > 262143) {
		c.failf("database.maxConnections", d.MaxConnectionsOverride, "must be 0 (derive from the instance class) or between 10 and 262143")
	}
	for i, e := range d.EventEmails {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			c.failf(fmt.Sprintf("database.eventEmails[%d]", i), e, "is not an e-mail address")
		}
	}
	if r := d.Restore; r != nil {
		c.match("database.restore.sourceInstanceIdentifier", r.SourceInstanceIdentifier, rdsIdentifier, "an RDS instance identifier")
		switch {
		case r.RestoreTime != "" && r.UseLatestRestorableTime:
			c.failf("database.restore.restoreTime", r.RestoreTime, "cannot be combined with database.restore.useLatestRestorableTime=true; choose one")
		case r.RestoreTime == "" && !r.UseLatestRestorableTime:
			c.errs = append(c.errs, fmt.Errorf("database.restore needs restoreTime (RFC 3339) or useLatestRestorableTime: true"))
		case r.RestoreTime != "":
			if _, err := time.Parse(time.RFC3339, r.RestoreTime); err != nil {
				c.failf("database.restore.restoreTime", r.RestoreTime, "is not an RFC 3339 time such as 2026-11-27T14:05:00Z")
			}
		}
	}
}

func validateCache(c *checker, k Cache) {
	versions, ok := CacheEngineVersions[k.Engine]
	if !ok {
		c.failf("cache.engine", k.Engine, "is not allowed; allowed: valkey, redis")
	} else if _, ok := versions[k.EngineVersion]; !ok {
		c.failf("cache.engineVersion", k.EngineVersion, "is not a %s version ElastiCache offers here; allowed: %s", k.Engine, strings.Join(slices.Sorted(maps.Keys(versions)), ", "))
	}
	if _, ok := ElastiCacheNodeMemoryGiB[k.NodeType]; !ok {
		c.failf("cache.nodeType", k.NodeType, "is not an allowed node type; allowed: %s", strings.Join(slices.Sorted(maps.Keys(ElastiCacheNodeMemoryGiB)), ", "))
	}
	if k.Nodes < 2 || k.Nodes > 6 {
		c.failf("cache.nodes", k.Nodes, "must be between 2 and 6 (1 primary + 1-5 replicas; automatic failover needs a replica)")
	}
	c.oneOf("cache.maxmemoryPolicy", k.MaxmemoryPolicy, MaxmemoryPolicies)
	if k.AppendOnly {
		c.failf("cache.appendOnly", true, "is not supported: ElastiCache ignores AOF on Redis OSS 2.8.22+ and Valkey, and never enables it with Multi-AZ; "+
			"durability here comes from Multi-AZ automatic failover across AZs plus daily snapshots, and LangGraph keeps no durable data in Redis "+
			"(runs live in PostgreSQL). See docs/decisions/cache-durability.md; use MemoryDB if you need a durable log")
	}
	c.between("cache.snapshotRetentionDays", k.SnapshotRetentionDays, 1, 35)
	snap := c.daily("cache.snapshotWindow", k.SnapshotWindow)
	maint := c.weekly("cache.maintenanceWindow", k.MaintenanceWindow)
	if snap != nil && maint != nil && overlapsDaily(*snap, *maint) {
		c.failf("cache.snapshotWindow", k.SnapshotWindow, "overlaps cache.maintenanceWindow=%q; ElastiCache requires them apart", k.MaintenanceWindow)
	}
	if !slices.Contains(cloudWatchRetentionDays, k.LogRetentionDays) {
		c.failf("cache.logRetentionDays", k.LogRetentionDays, "is not a CloudWatch Logs retention; allowed: %s", joinInts(cloudWatchRetentionDays))
	}
}

func validateMonitoring(c *checker, cfg *Config) {
	m := cfg.Monitoring
	c.match("monitoring.namespace", m.Namespace, dnsLabel, "a DNS label (lowercase letters, digits, '-')")
	c.match("monitoring.chartVersion", m.ChartVersion, semver, "an exact chart version such as 87.15.2 (no ranges)")
	c.match("monitoring.postgresExporterChartVersion", m.PostgresExporterChartVersion, semver, "an exact chart version (no ranges)")
	c.match("monitoring.redisExporterChartVersion", m.RedisExporterChartVersion, semver, "an exact chart version (no ranges)")
	if u, err := url.Parse(m.RunbookBaseURL); err != nil || u.Scheme != "https" || u.Host == "" || strings.HasSuffix(m.RunbookBaseURL, "/") {
		c.failf("monitoring.runbookBaseUrl", m.RunbookBaseURL, "is not an https URL without a trailing slash")
	}
	c.match("monitoring.storageClass", m.StorageClass, dnsLabel, "a StorageClass name")
	c.match("monitoring.prometheusRetention", m.PrometheusRetention, promDuration, "a Prometheus duration such as 15d")
	c.between("monitoring.prometheusReplicas", m.PrometheusReplicas, 1, 10)
	c.between("monitoring.alertmanagerReplicas", m.AlertmanagerReplicas, 1, 10)
	c.between("monitoring.grafanaReplicas", m.GrafanaReplicas, 1, 10)
	c.between("monitoring.prometheusStorageGb", m.PrometheusStorageGB, 1, 16384)
}

func validateThresholds(c *checker, cfg *Config) {
	a, k := cfg.Alerts, cfg.KPI
	c.percent("alerts.errorRatePercent", a.ErrorRatePercent)
	c.positive("alerts.avgResponseSeconds", a.AvgResponseSeconds)
	c.percent("alerts.podResourcePercent", a.PodResourcePercent)
	c.percent("alerts.dbPoolPercent", a.DBPoolPercent)
	c.positive("alerts.queueDepth", a.QueueDepth)
	if k.ConcurrentUsers < 1 {
		c.failf("kpi.concurrentUsers", k.ConcurrentUsers, "must be >= 1")
	}
	c.percent("kpi.successRatePercent", k.SuccessRatePercent)
	c.positive("kpi.avgResponseSeconds", k.AvgResponseSeconds)
	c.positive("kpi.p95ResponseSeconds", k.P95ResponseSeconds)
	c.positive("kpi.queueWaitSeconds", k.QueueWaitSeconds)
	c.percent("kpi.errorRatePercent", k.ErrorRatePercent)
	c.percent("kpi.cpuPercent", k.CPUPercent)
	c.percent("kpi.memoryPercent", k.MemoryPercent)
	if k.AvgResponseSeconds > k.P95ResponseSeconds {
		c.failf("kpi.avgResponseSeconds", k.AvgResponseSeconds, "must be <= kpi.p95ResponseSeconds=%g", k.P95ResponseSeconds)
	}
}

// window is a span of minutes in the week [start, end).
type window struct{ start, end int }

var weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

func (c *checker) daily(key, v string) *window {
	m := dailyWindow.FindStringSubmatch(v)
	if m == nil {
		c.failf(key, v, "is not a daily window hh24:mi-hh24:mi (UTC)")
		return nil
	}
	start, end := atoi(m[1])*60+atoi(m[2]), atoi(m[3])*60+atoi(m[4])
	if (end-start+1440)%1440 < 30 {
		c.failf(key, v, "must be at least 30 minutes long")
		return nil
	}
	return &window{start, end}
}

func (c *checker) weekly(key, v string) *window {
	m := weeklyWindow.FindStringSubmatch(v)
	if m == nil {
		c.failf(key, v, "is not a weekly window ddd:hh24:mi-ddd:hh24:mi (UTC) such as sun:04:30-sun:05:30")
		return nil
	}
	start := slices.Index(weekdays, m[1])*1440 + atoi(m[2])*60 + atoi(m[3])
	end := slices.Index(weekdays, m[4])*1440 + atoi(m[5])*60 + atoi(m[6])
	if (end-start+7*1440)%(7*1440) < 30 {
		c.failf(key, v, "must be at least 30 minutes long")
		return nil
	}
	return &window{start, end}
}

// overlapsDaily reports whether a daily window, repeated on each day, meets a weekly window.
func overlapsDaily(daily, weekly window) bool {
	const week = 7 * 1440
	covers := func(w window, minute int) bool {
		if w.end > w.start {
			return minute >= w.start && minute < w.end
		}
		return minute >= w.start || minute < w.end
	}
	for day := 0; day < 7; day++ {
		for m := daily.start; m != daily.end; m = (m + 1) % 1440 {
			if covers(weekly, (day*1440+m)%week) {
				return true
			}
		}
	}
	return false
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

func cut(s, sep string) (string, string, bool) { return strings.Cut(s, sep) }
