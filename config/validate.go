package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/langgraph-platform/infra/catalog"
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
	// RDS identifiers: a letter, then letters, digits and single hyphens, not ending in one.
	rdsIdentifier = regexp.MustCompile(`^[a-zA-Z](-?[a-zA-Z0-9])*$`)
	dailyWindow   = regexp.MustCompile(`^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$`)
	weeklyWindow  = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$`)
	semver        = regexp.MustCompile(`^\d+\.\d+\.\d+$`)
	promDuration  = regexp.MustCompile(`^\d+(ms|s|m|h|d|w|y)$`)
	eksOIDCIssuer = regexp.MustCompile(`^https://oidc\.eks\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(\.cn)?/id/[0-9A-F]{32}$`)
	httpToken     = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$")
	uuid          = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	awsTagValue   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$`)
)

// pinnedImage is a whole image reference: a repository as imageRepository, then a tag as imageTag,
// a digest as imageDigest, or both (the tag says what it is, the digest pins it).
var pinnedImage = regexp.MustCompile(strings.TrimSuffix(imageRepository.String(), "$") +
	"(:" + strings.Trim(imageTag.String(), "^$") + "(@" + strings.Trim(imageDigest.String(), "^$") + ")?|@" + strings.Trim(imageDigest.String(), "^$") + ")$")

// image requires a reference pinned by tag (not latest) or digest.
func (c *checker) image(key, v, what string) {
	if !c.required(key, v, what) {
		return
	}
	if strings.HasSuffix(v, ":latest") {
		c.failf(key, v, "is not allowed: 'latest' is not a version; pin a release tag or a digest")
		return
	}
	c.match(key, v, pinnedImage, "an image reference pinned by tag or digest (registry/path:tag or registry/path@sha256:...)")
}

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

func (c *checker) match(key, value string, re *regexp.Regexp, allowed string) bool {
	if !re.MatchString(value) {
		c.failf(key, value, "is not %s", allowed)
		return false
	}
	return true
}

// chartVersion accepts only the versions the typed Helm values were written and tested against.
func (c *checker) chartVersion(key, chart, v string) {
	allowed := catalog.ChartVersions[chart]
	switch {
	case !semver.MatchString(v):
		c.failf(key, v, "is not an exact chart version such as %s (no ranges)", allowed[len(allowed)-1])
	case !slices.Contains(allowed, v) && chart == catalog.ChartKubePrometheusStack:
		with := make([]string, len(allowed))
		for i, a := range allowed {
			crds, _ := catalog.OperatorCRDVersion(a)
			with[i] = a + " (prometheus-operator CRDs " + crds + ")"
		}
		c.failf(key, v, "is not a %s version this program's values were tested against and knows the operator CRDs of; allowed: %s (a bump is a code change in package catalog)", chart, strings.Join(with, ", "))
	case !slices.Contains(allowed, v):
		c.failf(key, v, "is not a %s version this program's values were tested against; allowed: %s (a bump is a code change in package catalog)", chart, strings.Join(allowed, ", "))
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

func (c *checker) cidrs(key string, values []string, minCount int) []netip.Prefix {
	if len(values) < minCount {
		c.failf(key, values, "must list at least %d CIDR block(s)", minCount)
	}
	var out []netip.Prefix
	for i, v := range values {
		p, err := netip.ParsePrefix(v)
		if err != nil || p.Masked() != p {
			c.failf(fmt.Sprintf("%s[%d]", key, i), v, "is not a CIDR block such as 10.0.0.0/16 (host bits must be zero)")
			continue
		}
		out = append(out, p)
	}
	return out
}

// subnetCIDRs are the CIDRs of VPC subnets: AWS sizes an IPv4 subnet /16 to /28 and an IPv6
// subnet /44 to /64, so anything wider is not a subnet, and would open the NetworkPolicies that
// admit it to far more than the VPC.
func (c *checker) subnetCIDRs(key string, values []string) {
	for i, p := range c.cidrs(key, values, 1) {
		lo, hi := 16, 28
		if p.Addr().Is6() {
			lo, hi = 44, 64
		}
		if p.Bits() < lo || p.Bits() > hi {
			c.failf(fmt.Sprintf("%s[%d]", key, i), p.String(), "is not a VPC subnet size: allowed /%d to /%d (a wider block would admit addresses outside the VPC)", lo, hi)
		}
	}
}

// Validate checks a decoded configuration and returns every problem.
func Validate(cfg *Config) []error {
	c := &checker{}
	if c.required("environment", cfg.Environment, "a lowercase name such as prod or staging") {
		c.match("environment", cfg.Environment, envPattern, EnvironmentNameRule)
	}
	validateTags(c, cfg.Tags)
	validateCluster(c, cfg)
	validateDataplane(c, cfg)
	validateHPA(c, cfg.HPA)
	validateSchedules(c, cfg)
	validateAddons(c, cfg.Addons)
	validateCharts(c, cfg.Charts)
	validateChartResources(c, cfg.ChartResources)
	validateIngress(c, cfg)
	validateAuth(c, cfg)
	validateDatabase(c, cfg.Database)
	validateUpgrade(c, cfg)
	validateCache(c, cfg.Cache)
	validateMonitoring(c, cfg)
	validateThresholds(c, cfg)
	validateCapacity(c, cfg)
	validateCost(c, cfg)
	validateDR(c, cfg)
	validateRotation(c, cfg.Rotation)
	validateGameDay(c, cfg)
	validateStandby(c, cfg)
	validateGateway(c, cfg)
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

func validateDataplane(c *checker, cfg *Config) {
	d := cfg.Dataplane
	if c.required("dataplane.namespace", d.Namespace, "a namespace name") {
		c.match("dataplane.namespace", d.Namespace, dnsLabel, "a DNS label (lowercase letters, digits, '-')")
		c.oneOfNot("dataplane.namespace", d.Namespace, append(slices.Clone(catalog.ReservedNamespaces), cfg.Monitoring.Namespace))
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
	validateResourcesFor(c, key, r, false)
}

// validateResourcesFor checks one container's resources; cpuMemoryOnly containers take no
// ephemeral storage (their chart would drop it).
func validateResourcesFor(c *checker, key string, r Resources, cpuMemoryOnly bool) {
	cpuReq := c.quantity(key+".cpuRequest", r.CPURequest, true, cpuUnits)
	memReq := c.quantity(key+".memoryRequest", r.MemoryRequest, true, memoryUnits)
	memLim := c.quantity(key+".memoryLimit", r.MemoryLimit, true, memoryUnits)
	cpuLim := c.quantity(key+".cpuLimit", r.CPULimit, false, cpuUnits)
	if memReq > 0 && memLim > 0 && memLim < memReq {
		c.failf(key+".memoryLimit", r.MemoryLimit, "must be >= %s.memoryRequest=%q", key, r.MemoryRequest)
	}
	if cpuReq > 0 && cpuLim > 0 && cpuLim < cpuReq {
		c.failf(key+".cpuLimit", r.CPULimit, "must be >= %s.cpuRequest=%q", key, r.CPURequest)
	}
	if cpuMemoryOnly {
		for _, f := range [][2]string{{"ephemeralStorageRequest", r.EphemeralStorageRequest}, {"ephemeralStorageLimit", r.EphemeralStorageLimit}} {
			if f[1] != "" {
				c.failf(key+"."+f[0], f[1], "must be empty: the chart passes only CPU and memory on for this container")
			}
		}
		return
	}
	ephReq := c.quantity(key+".ephemeralStorageRequest", r.EphemeralStorageRequest, true, memoryUnits)
	ephLim := c.quantity(key+".ephemeralStorageLimit", r.EphemeralStorageLimit, true, memoryUnits)
	if ephReq > 0 && ephLim > 0 && ephLim < ephReq {
		c.failf(key+".ephemeralStorageLimit", r.EphemeralStorageLimit, "must be >= %s.ephemeralStorageRequest=%q", key, r.EphemeralStorageRequest)
	}
}

// quantityUnits says which suffixes a resource takes and how to describe it.
type quantityUnits struct {
	what     string
	suffixes []string
	example  string
}

var (
	// CPU is counted in cores or millicores; "2Gi" parses as a quantity but is not a CPU amount.
	cpuUnits = quantityUnits{"CPU quantity (cores or millicores)", []string{"", "m"}, "500m or 2"}
	// Memory in bytes with decimal or binary suffixes; "m" would be millibytes.
	memoryUnits = quantityUnits{"memory quantity (bytes)", []string{"", "k", "M", "G", "T", "Ki", "Mi", "Gi", "Ti"}, "512Mi or 4Gi"}
)

// quantity parses a Kubernetes CPU or memory quantity into base units.
func (c *checker) quantity(key, v string, required bool, units quantityUnits) float64 {
	if v == "" {
		if required {
			c.errs = append(c.errs, fmt.Errorf("%s is required: a Kubernetes %s such as %s", key, units.what, units.example))
		}
		return 0
	}
	q, err := ParseQuantity(v)
	if err != nil || q <= 0 {
		c.failf(key, v, "is not a positive Kubernetes quantity: a %s such as %s", units.what, units.example)
		return 0
	}
	if m := quantity.FindStringSubmatch(v); !slices.Contains(units.suffixes, m[3]) {
		c.failf(key, v, "is not a %s: suffix %q is not allowed here; use a value such as %s", units.what, m[3], units.example)
		return 0
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
	up := h.ScaleUp
	if up.Percent != 0 {
		c.between("hpa.scaleUp.percent", up.Percent, 1, 1000)
	}
	for _, rule := range []struct {
		name string
		r    ScalingRule
	}{{"hpa.scaleUp", ScalingRule{Pods: up.Pods, PeriodSeconds: up.PeriodSeconds, StabilizationWindowSeconds: up.StabilizationWindowSeconds}}, {"hpa.scaleDown", h.ScaleDown}} {
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

func validateCharts(c *checker, ch Charts) {
	location := func(key, v string) {
		if problem := catalog.ChartLocationProblem(v); problem != "" {
			if u, err := url.Parse(v); err == nil && u.User != nil {
				v = u.Redacted() // never echo a password
			}
			c.failf(key, v, "%s", problem)
		}
	}
	if ch.Mirror != "" {
		location("charts.mirror", ch.Mirror)
	}
	seen := map[string]bool{}
	for i, o := range ch.Overrides {
		key := fmt.Sprintf("charts.overrides[%d]", i)
		if _, known := catalog.ChartRepositories[o.Chart]; !known {
			c.failf(key+".chart", o.Chart, "is not a chart this program installs; allowed: %s", strings.Join(catalog.Sorted(catalog.ChartRepositories), ", "))
		} else if seen[o.Chart] {
			c.failf(key+".chart", o.Chart, "is overridden twice; keep one entry per chart")
		}
		seen[o.Chart] = true
		if c.required(key+".source", o.Source, "an https:// Helm repository or an oci:// registry path") {
			location(key+".source", o.Source)
		}
	}
}

func validateAddons(c *checker, a Addons) {
	version := func(key, chart, v string, on bool) {
		if on {
			c.chartVersion(key, chart, v)
		}
	}
	replicas := func(key string, n int, on bool) {
		if on {
			c.between(key, n, 1, 10)
		}
	}
	m, l, p := a.MetricsServer, a.LoadBalancerController, a.PrometheusAdapter
	version("addons.metricsServer.chartVersion", catalog.ChartMetricsServer, m.ChartVersion, m.Enabled)
	replicas("addons.metricsServer.replicas", m.Replicas, m.Enabled)
	version("addons.prometheusAdapter.chartVersion", catalog.ChartPrometheusAdapter, p.ChartVersion, p.Enabled)
	replicas("addons.prometheusAdapter.replicas", p.Replicas, p.Enabled)
	f := a.FluentBit
	version("addons.fluentBit.chartVersion", catalog.ChartAWSForFluentBit, f.ChartVersion, f.Enabled)
	if f.Enabled {
		c.logRetention("addons.fluentBit.logRetentionDays", f.LogRetentionDays)
	}
	version("addons.loadBalancerController.chartVersion", catalog.ChartAWSLoadBalancerController, l.ChartVersion, l.Enabled)
	replicas("addons.loadBalancerController.replicas", l.Replicas, l.Enabled)
	// The identity settings give the controller and Fluent Bit their IAM roles.
	if !l.Enabled && !f.Enabled {
		return
	}
	c.oneOf("addons.loadBalancerController.identity", l.Identity, catalog.IdentityModes)
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
		if len(in.Host) > 253 {
			c.failf("ingress.host", in.Host, "is %d characters long; a DNS name has at most 253", len(in.Host))
		} else {
			c.match("ingress.host", in.Host, dnsName, "a lowercase DNS name such as api.example.com (labels of 1-63 letters, digits or '-')")
		}
	}
	if c.required("ingress.certificateArn", in.CertificateARN, "an ACM certificate ARN covering ingress.host") &&
		c.match("ingress.certificateArn", in.CertificateARN, acmCertificateARN, "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)") {
		if r := catalog.ARNRegion(in.CertificateARN); cfg.Region != "" && r != cfg.Region {
			c.failf("ingress.certificateArn", in.CertificateARN, "is in region %s, but aws:region=%q: an ALB uses only a certificate from its own region (request or import one there)", r, cfg.Region)
		} else if p, want := catalog.ARNPartition(in.CertificateARN), catalog.Regions[cfg.Region]; want != "" && p != want {
			c.failf("ingress.certificateArn", in.CertificateARN, "is in partition %s, but aws:region=%q is in partition %s", p, cfg.Region, want)
		}
	}
	c.oneOf("ingress.scheme", in.Scheme, []string{InternetFacing, Internal})
	c.between("ingress.idleTimeoutSeconds", in.IdleTimeoutSeconds, 1, 4000)
	if float64(in.IdleTimeoutSeconds) <= cfg.KPI.P95ResponseSeconds {
		c.failf("ingress.idleTimeoutSeconds", in.IdleTimeoutSeconds, "must be > kpi.p95ResponseSeconds=%g: streaming and waiting runs hold the connection for the whole run", cfg.KPI.P95ResponseSeconds)
	}
	if tls, known := catalog.ELBSecurityPolicies[in.SSLPolicy]; !known {
		c.failf("ingress.sslPolicy", in.SSLPolicy, "is not an ALB security policy; allowed: %s", strings.Join(catalog.CurrentTLSPolicies(), ", "))
	} else if tls < catalog.MinimumTLSVersion {
		c.failf("ingress.sslPolicy", in.SSLPolicy, "accepts TLS %s; allowed: a policy whose oldest protocol is TLS %s or newer, such as ELBSecurityPolicy-TLS13-1-2-2021-06", tls, catalog.MinimumTLSVersion)
	}
	c.between("ingress.wafRateLimit", in.WAFRateLimit, catalog.WAFRateLimitMin, catalog.WAFRateLimitMax)
	c.between("ingress.wafClientRateLimit", in.WAFClientRateLimit, catalog.WAFRateLimitMin, catalog.WAFRateLimitMax)
	c.logRetention("ingress.wafLogRetentionDays", in.WAFLogRetentionDays)
	c.between("ingress.accessLogRetentionDays", in.AccessLogRetentionDays, 1, 3650)
}

// Ingress schemes: InternetFacing puts the API on the internet.
const (
	InternetFacing = "internet-facing"
	Internal       = "internal"
)

func validateAuth(c *checker, cfg *Config) {
	a := cfg.Auth
	if !slices.Contains(AuthModes, a.Mode) {
		c.failf("auth.mode", a.Mode, "is not allowed; allowed: %s", strings.Join(AuthModes, ", "))
		return
	}
	c.match("auth.header", a.Header, httpToken, "an HTTP header name (1-64 letters, digits or !#$%&'*+.^_`|~-)")
	if a.Mode == AuthLangSmith {
		if c.required("auth.langsmithAuthEndpoint", a.LangSmithAuthEndpoint, "the LangSmith API that checks keys, such as https://api.smith.langchain.com") {
			if u, err := url.Parse(a.LangSmithAuthEndpoint); err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
				c.failf("auth.langsmithAuthEndpoint", a.LangSmithAuthEndpoint, "is not an https URL such as https://api.smith.langchain.com")
			}
		}
		if c.required("auth.langsmithTenantId", a.LangSmithTenantID, "the LangSmith workspace ID (a UUID) whose API keys may call") {
			c.match("auth.langsmithTenantId", a.LangSmithTenantID, uuid, "a LangSmith workspace ID (a lowercase UUID)")
		}
	} else {
		for _, f := range []struct{ key, v string }{{"auth.langsmithAuthEndpoint", a.LangSmithAuthEndpoint}, {"auth.langsmithTenantId", a.LangSmithTenantID}} {
			if f.v != "" {
				c.failf(f.key, f.v, "is only used with auth.mode langsmith (mode is %q): remove it or set mode langsmith", a.Mode)
			}
		}
	}
	open := a.Mode == AuthNone && cfg.Ingress.Scheme == InternetFacing
	switch {
	case open && a.AcceptUnauthenticated == "":
		c.failf("auth.mode", a.Mode, "is refused with ingress.scheme=%q: anyone who finds the host could start runs and spend the LLM budget; "+
			"set auth.mode langsmith or custom, set ingress.scheme internal, or give auth.acceptUnauthenticated a reason", cfg.Ingress.Scheme)
	case open && cfg.Production():
		c.failf("auth.acceptUnauthenticated", a.AcceptUnauthenticated, "is refused in the production environment: prod serves the internet only with auth.mode langsmith or custom")
	case !open && a.AcceptUnauthenticated != "":
		c.failf("auth.acceptUnauthenticated", a.AcceptUnauthenticated, "is only used with auth.mode none and an internet-facing ingress: remove it")
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// logRetention accepts the retention periods CloudWatch Logs offers.
func (c *checker) logRetention(key string, days int) {
	if !slices.Contains(catalog.CloudWatchRetentionDays, days) {
		c.failf(key, days, "is not a CloudWatch Logs retention; allowed: %s", catalog.JoinInts(catalog.CloudWatchRetentionDays))
	}
}
