package config_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/harness"
)

const project = "langgraph-platform"

// load reads a stack file as the CLI would, applies changes, and runs the loader.
func load(t *testing.T, stack string, opts harness.Options) (*config.Config, error) {
	return loadWith(t, stack, opts, nil)
}

// loadWith also replaces raw values after the CLI's own checks, to reach the loader with input
// the CLI would pass through.
func loadWith(t *testing.T, stack string, opts harness.Options, raw map[string]string) (*config.Config, error) {
	t.Helper()
	opts.Stack = stack
	if opts.Secrets == nil {
		opts.Secrets = harness.DefaultSecrets()
	}
	sc, err := harness.LoadStackConfig(opts)
	require.NoError(t, err)
	for k, v := range raw {
		sc.Values[project+":"+k] = v
	}
	return config.Load(sc.Project, stack, config.Raw{Values: sc.Values, SecretKeys: sc.SecretKeys})
}

func TestStackFilesLoadAndValidate(t *testing.T) {
	prod, err := load(t, "prod", harness.Options{})
	require.NoError(t, err)
	assert.True(t, prod.Production())
	// The seed's HPA, exactly, plus the queue metric, and the minimum a five-minute crowd needs
	// (docs/capacity.md, "Prod's levers"); the seed's 10 is the default.
	assert.Equal(t, 10, config.Defaults().HPA.MinReplicas)
	assert.Equal(t, config.HPA{
		MinReplicas: 35, MaxReplicas: 50, CPUUtilization: 70, MemoryUtilization: 80,
		ScaleUp:      config.ScaleUpRule{Pods: 5, PeriodSeconds: 60, StabilizationWindowSeconds: 60},
		ScaleDown:    config.ScalingRule{Pods: 2, PeriodSeconds: 60, StabilizationWindowSeconds: 300},
		QueueScaling: true, PendingRunsPerPod: 5,
		Schedules: []config.Schedule{}, ScheduleImage: "registry.k8s.io/kubectl:v1.34.1",
	}, prod.HPA)
	assert.True(t, prod.QueueMetricActive())
	assert.Equal(t, config.Addons{
		MetricsServer:          config.MetricsServer{Enabled: true, ChartVersion: "3.13.0", Replicas: 2},
		LoadBalancerController: config.LoadBalancerController{Enabled: true, ChartVersion: "3.4.2", Replicas: 2, Identity: "podIdentity"},
		PrometheusAdapter:      config.PrometheusAdapter{Enabled: true, ChartVersion: "5.2.1", Replicas: 2},
		FluentBit:              config.FluentBit{Enabled: true, ChartVersion: "0.2.1", LogRetentionDays: 30},
		Karpenter:              config.Karpenter{Enabled: false, ChartVersion: "1.12.1", Replicas: 2, CapacityTypes: []string{"on-demand"}},
	}, prod.Addons)
	assert.Equal(t, config.ModeExisting, prod.Cluster.Mode)
	assert.Equal(t, 5000, prod.KPI.ConcurrentUsers)
	assert.True(t, prod.Secrets.LangSmithAPIKey.IsSet())

	staging, err := load(t, "staging", harness.Options{})
	require.NoError(t, err)
	assert.False(t, staging.Production())
	assert.Less(t, staging.HPA.MaxReplicas, prod.HPA.MaxReplicas)
	assert.Less(t, staging.KPI.ConcurrentUsers, prod.KPI.ConcurrentUsers)

	// The sandbox builds its cluster: two AZs, one NAT gateway, Karpenter.
	sandbox, err := load(t, "sandbox", harness.Options{})
	require.NoError(t, err)
	assert.Equal(t, config.ModeCreate, sandbox.Cluster.Mode)
	assert.Equal(t, 2, sandbox.Cluster.Create.AvailabilityZones)
	assert.False(t, sandbox.Cluster.Create.NATGatewayPerAZ)
	assert.Equal(t, "karpenter", sandbox.NodeAutoscaler())
}

func TestStagingSetsEverySection(t *testing.T) {
	sc, err := harness.LoadStackConfig(harness.Options{Stack: "staging", Secrets: map[string]string{}})
	require.NoError(t, err)
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "Pulumi.staging.yaml"))
	require.NoError(t, err)
	for _, k := range config.Keys {
		if k.Secret {
			continue
		}
		assert.Contains(t, string(raw), project+":"+k.Name+":", "staging must set %s explicitly", k.Name)
		assert.Contains(t, sc.Values, project+":"+k.Name)
	}
}

func TestSecretsAreNotInStackFiles(t *testing.T) {
	for _, stack := range []string{"prod", "staging"} {
		raw, err := os.ReadFile(filepath.Join(repoRoot(t), "Pulumi."+stack+".yaml"))
		require.NoError(t, err)
		for _, k := range config.Keys {
			if k.Secret {
				assert.NotContains(t, string(raw), project+":"+k.Name+":", "%s: %s must be set with --secret, not in the file", stack, k.Name)
			}
		}
	}
}

func TestPulumiYAMLIsGeneratedFromCode(t *testing.T) {
	want, err := config.ProjectFile()
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(repoRoot(t), "Pulumi.yaml"))
	require.NoError(t, err)
	assert.Equal(t, want, string(got), "Pulumi.yaml is stale: run go run ./cmd/configdoc -write")
}

// Every key is declared with its type, and every declared default equals the code's default,
// read back through the Pulumi SDK's own project loader.
func TestPulumiYAMLDefaultsEqualCodeDefaults(t *testing.T) {
	proj, err := workspace.LoadProject(filepath.Join(repoRoot(t), "Pulumi.yaml"))
	require.NoError(t, err)
	assert.Equal(t, project, string(proj.Name))
	assert.Len(t, proj.Config, len(config.Keys))
	for _, k := range config.Keys {
		decl, ok := proj.Config[k.Name]
		require.True(t, ok, "Pulumi.yaml does not declare %s", k.Name)
		assert.Equal(t, k.Type, decl.TypeName(), k.Name)
		assert.NotEmpty(t, decl.Description, k.Name)
		want, hasDefault := k.DefaultValue()
		if !hasDefault {
			assert.Nil(t, decl.Default, "%s is required and must have no default", k.Name)
			continue
		}
		wantJSON, _ := json.Marshal(want)
		var wantPlain any
		require.NoError(t, json.Unmarshal(wantJSON, &wantPlain))
		gotJSON, err := json.Marshal(decl.Default)
		require.NoError(t, err)
		var gotPlain any
		require.NoError(t, json.Unmarshal(gotJSON, &gotPlain))
		assert.Equal(t, wantPlain, gotPlain, "default of %s", k.Name)
	}
}

func TestConfigurationPageTableMatches(t *testing.T) {
	page, err := os.ReadFile(filepath.Join(repoRoot(t), config.ReferencePage))
	require.NoError(t, err)
	text := string(page)
	start := strings.Index(text, "<!-- config-reference:start -->")
	end := strings.Index(text, "<!-- config-reference:end -->")
	require.True(t, start >= 0 && end > start, "%s lacks the config reference markers", config.ReferencePage)
	table := strings.TrimSpace(text[start+len("<!-- config-reference:start -->") : end])
	assert.Equal(t, strings.TrimSpace(config.ReferenceMarkdown()), table, "the config table of %s is stale: run go run ./cmd/configdoc -write", config.ReferencePage)
	// Every setting the config package holds is in the table.
	for _, f := range config.Reference() {
		assert.Contains(t, table, "`"+f.Path+"`")
	}
}

func TestDefaultsAreTheSeedNumbers(t *testing.T) {
	d := config.Defaults()
	assert.Equal(t, 10, d.HPA.MinReplicas)
	assert.Equal(t, 50, d.HPA.MaxReplicas)
	assert.Equal(t, 70, d.HPA.CPUUtilization)
	assert.Equal(t, 80, d.HPA.MemoryUtilization)
	assert.Equal(t, config.ScaleUpRule{Pods: 5, PeriodSeconds: 60, StabilizationWindowSeconds: 60}, d.HPA.ScaleUp)
	assert.Equal(t, config.ScalingRule{Pods: 2, PeriodSeconds: 60, StabilizationWindowSeconds: 300}, d.HPA.ScaleDown)
	assert.Equal(t, config.KPI{ConcurrentUsers: 5000, SuccessRatePercent: 95, AvgResponseSeconds: 180, P95ResponseSeconds: 300,
		QueueWaitSeconds: 60, ErrorRatePercent: 2, CPUPercent: 80, MemoryPercent: 85}, d.KPI)
	assert.Equal(t, config.Alerts{ErrorRatePercent: 5, AvgResponseSeconds: 300, PodResourcePercent: 90, DBPoolPercent: 80, QueueDepth: 100,
		CacheMemoryPercent: 90, DataTierCPUPercent: 90, DatabaseFreeStoragePercent: 10, DatabaseFreeMemoryPercent: 10, ReplicaLagSeconds: 60, WAFBlockedRequests: 1000, ReplicationSlotLagMB: 1024}, d.Alerts)
	assert.Equal(t, "allkeys-lru", d.Cache.MaxmemoryPolicy)
	assert.Equal(t, 3, d.Cache.Nodes)
}

func TestBadConfigurationsNameTheKey(t *testing.T) {
	cases := []struct {
		name string
		opts harness.Options
		raw  map[string]string // replaced after the CLI-level checks
		want []string          // substrings of the error
	}{
		{"wrong type", harness.Options{Set: map[string]any{"hpa.minReplicas": "ten"}}, nil, []string{`hpa.minReplicas: "ten" is not an integer`}},
		{"wrong type bool", harness.Options{Set: map[string]any{"database.multiAz": "yes"}}, nil, []string{`database.multiAz: "yes" is not a boolean`}},
		{"not an object", harness.Options{}, map[string]string{"hpa": "10"}, []string{"hpa: 10 is not an object", "allowed fields: minReplicas"}},
		{"out of range", harness.Options{Set: map[string]any{"hpa.cpuUtilization": 150}}, nil, []string{"hpa.cpuUtilization=150 must be between 1 and 100"}},
		{"min greater than max", harness.Options{Set: map[string]any{"hpa.maxReplicas": 5}}, nil, []string{"hpa.maxReplicas=5 must be >= hpa.minReplicas=35"}},
		{"unknown nested key", harness.Options{Set: map[string]any{"hpa.minReplica": 3}}, nil, []string{`hpa.minReplica: unknown key; did you mean "minReplicas"?`}},
		{"unknown top-level key", harness.Options{Set: map[string]any{"databse": map[string]any{"readReplicas": 1}}}, nil, []string{`databse: unknown key; did you mean "database"?`}},
		{"missing required field", harness.Options{Set: map[string]any{"cluster.vpcId": nil}}, nil, []string{"cluster.vpcId is required"}},
		{"malformed VPC ID", harness.Options{Set: map[string]any{"cluster.vpcId": "vpc-12345"}}, nil, []string{`cluster.vpcId="vpc-12345" is not a VPC ID`}},
		{"malformed subnet ID", harness.Options{Set: map[string]any{"cluster.privateSubnetIds": []any{"subnet-0a11b22c33d44e551", "subnet_2"}}}, nil, []string{`cluster.privateSubnetIds[1]="subnet_2"`}},
		{"too few subnets", harness.Options{Set: map[string]any{"cluster.privateSubnetIds": []any{"subnet-0a11b22c33d44e551"}}}, nil, []string{"cluster.privateSubnetIds=", "at least 2"}},
		{"malformed security group", harness.Options{Set: map[string]any{"cluster.securityGroupIds": []any{"sg-XYZ"}}}, nil, []string{`cluster.securityGroupIds[0]="sg-XYZ"`}},
		{"malformed ARN", harness.Options{Set: map[string]any{"ingress.certificateArn": "arn:aws:acm:us-east-1:1234:certificate/x"}}, nil, []string{"ingress.certificateArn=", "ACM certificate ARN"}},
		{"malformed CIDR", harness.Options{Set: map[string]any{"cluster.privateSubnetCidrs": []any{"10.40.0.1/19"}}}, nil, []string{`cluster.privateSubnetCidrs[0]="10.40.0.1/19" is not a CIDR block`}},
		{"secret in plaintext", harness.Options{Secrets: map[string]string{}, Raw: map[string]string{"langsmithApiKey": "lsv2_plaintext_value"}}, nil, []string{"langsmithApiKey: a plaintext value is set", "--secret"}},
		{"missing API key", harness.Options{Secrets: map[string]string{}}, nil, []string{"langsmithApiKey or langgraphLicenseKey is required"}},
		{"image latest", harness.Options{Set: map[string]any{"dataplane.image.tag": "latest"}}, nil, []string{`dataplane.image.tag="latest" is not allowed`}},
		{"image bare repository", harness.Options{Set: map[string]any{"dataplane.image.tag": ""}}, nil, []string{"dataplane.image.tag is required"}},
		{"chart container without memory request", harness.Options{Set: map[string]any{"chartResources.nodeExporter.memoryRequest": ""}}, nil, []string{"chartResources.nodeExporter.memoryRequest is required"}},
		{"chart container limit under request", harness.Options{Set: map[string]any{"chartResources.grafana.memoryLimit": "128Mi"}}, nil, []string{`chartResources.grafana.memoryLimit="128Mi" must be >= chartResources.grafana.memoryRequest="256Mi"`}},
		{"chart container CPU in bytes", harness.Options{Set: map[string]any{"chartResources.operator.cpuRequest": "1Gi"}}, nil, []string{`chartResources.operator.cpuRequest="1Gi" is not a CPU quantity`}},
		{"chart container unknown", harness.Options{Set: map[string]any{"chartResources.grafanna": map[string]any{"cpuRequest": "1"}}}, nil, []string{`chartResources.grafanna: unknown key; did you mean "grafana"?`}},
		{"config reloader ephemeral storage", harness.Options{Set: map[string]any{"chartResources.configReloader.ephemeralStorageLimit": "1Gi"}}, nil, []string{`chartResources.configReloader.ephemeralStorageLimit="1Gi" must be empty: the chart passes only CPU and memory on`}},
		{"dataplane without ephemeral storage limit", harness.Options{Set: map[string]any{"dataplane.resources.ephemeralStorageLimit": ""}}, nil, []string{"dataplane.resources.ephemeralStorageLimit is required"}},
		{"dataplane ephemeral limit under request", harness.Options{Set: map[string]any{"dataplane.resources.ephemeralStorageLimit": "512Mi"}}, nil, []string{`dataplane.resources.ephemeralStorageLimit="512Mi" must be >= dataplane.resources.ephemeralStorageRequest="1Gi"`}},
		{"dataplane ephemeral storage in cores", harness.Options{Set: map[string]any{"dataplane.resources.ephemeralStorageRequest": "500m"}}, nil, []string{`dataplane.resources.ephemeralStorageRequest="500m" is not a memory quantity`}},
		{"PDB blocks evictions", harness.Options{Set: map[string]any{"dataplane.pdbMaxUnavailable": 0}}, nil, []string{"dataplane.pdbMaxUnavailable=0 must be >= 1"}},
		{"AOF requested", harness.Options{Set: map[string]any{"cache.appendOnly": true}}, nil, []string{"cache.appendOnly=true is not supported", "Multi-AZ", "cache-durability.md"}},
		{"bad eviction policy", harness.Options{Set: map[string]any{"cache.maxmemoryPolicy": "allkeys-random-ish"}}, nil, []string{`cache.maxmemoryPolicy="allkeys-random-ish" is not allowed`, "allkeys-lru"}},
		{"bad node type", harness.Options{Set: map[string]any{"cache.nodeType": "cache.x9.huge"}}, nil, []string{`cache.nodeType="cache.x9.huge"`}},
		{"bad cache version", harness.Options{Set: map[string]any{"cache.engineVersion": "6.2"}}, nil, []string{`cache.engineVersion="6.2"`, "8.0"}},
		{"bad PI retention", harness.Options{Set: map[string]any{"database.performanceInsightsRetentionDays": 10}}, nil, []string{"database.performanceInsightsRetentionDays=10", "7, 731"}},
		{"retention zero", harness.Options{Set: map[string]any{"database.backupRetentionDays": 0}}, nil, []string{"database.backupRetentionDays=0 must be between 1 and 35"}},
		{"bad postgres version", harness.Options{Set: map[string]any{"database.engineVersion": "9.6"}}, nil, []string{`database.engineVersion="9.6" has an unsupported major`}},
		{"restore both", harness.Options{Set: map[string]any{"database.restore": map[string]any{"sourceInstanceIdentifier": "db-1", "restoreTime": "2026-11-27T10:00:00Z", "useLatestRestorableTime": true}}}, nil, []string{"database.restore.restoreTime=", "choose one"}},
		{"restore bad time", harness.Options{Set: map[string]any{"database.restore": map[string]any{"sourceInstanceIdentifier": "db-1", "restoreTime": "yesterday"}}}, nil, []string{`database.restore.restoreTime="yesterday" is not an RFC 3339 time`}},
		{"windows overlap", harness.Options{Set: map[string]any{"database.backupWindow": "04:00-05:00"}}, nil, []string{"database.backupWindow=", "overlaps database.maintenanceWindow"}},
		{"idle timeout below p95", harness.Options{Set: map[string]any{"ingress.idleTimeoutSeconds": 120}}, nil, []string{"ingress.idleTimeoutSeconds=120 must be > kpi.p95ResponseSeconds=300"}},
		{"p95 target between latency buckets", harness.Options{Set: map[string]any{"kpi.p95ResponseSeconds": 200}}, nil, []string{"kpi.p95ResponseSeconds=200 must be a bucket boundary of the LangGraph server's latency histogram (langgraph-api 0.16.7), one of 0.01, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600 seconds"}},
		{"grace too short", harness.Options{Set: map[string]any{"dataplane.terminationGracePeriodSeconds": 60}}, nil, []string{"dataplane.terminationGracePeriodSeconds=60 must be >= dataplane.preStopSeconds + kpi.p95ResponseSeconds"}},
		{"bad environment", harness.Options{Set: map[string]any{"environment": "Prod!"}}, nil, []string{`environment="Prod!"`}},
		{"percent out of range", harness.Options{Set: map[string]any{"kpi.successRatePercent": 120}}, nil, []string{"kpi.successRatePercent=120 must be in (0, 100]"}},
		{"memory limit below request", harness.Options{Set: map[string]any{"dataplane.resources.memoryLimit": "1Gi"}}, nil, []string{`dataplane.resources.memoryLimit="1Gi" must be >= dataplane.resources.memoryRequest`}},
		{"bad quantity", harness.Options{Set: map[string]any{"dataplane.resources.cpuRequest": "two"}}, nil, []string{`dataplane.resources.cpuRequest="two" is not a positive Kubernetes quantity`}},
		{"queue target", harness.Options{Set: map[string]any{"hpa.pendingRunsPerPod": 0}}, nil, []string{"hpa.pendingRunsPerPod=0 must be between 1 and 10000"}},
		{"addon chart range", harness.Options{Set: map[string]any{"addons.metricsServer.chartVersion": "^3.13"}}, nil, []string{`addons.metricsServer.chartVersion="^3.13" is not an exact chart version`}},
		{"addon replicas", harness.Options{Set: map[string]any{"addons.prometheusAdapter.replicas": 0}}, nil, []string{"addons.prometheusAdapter.replicas=0 must be between 1 and 10"}},
		{"controller identity", harness.Options{Set: map[string]any{"addons.loadBalancerController.identity": "kiam"}}, nil, []string{`addons.loadBalancerController.identity="kiam" is not allowed; allowed: podIdentity, irsa`}},
		{"irsa without issuer", harness.Options{Set: map[string]any{"addons.loadBalancerController.identity": "irsa"}}, nil, []string{"addons.loadBalancerController.oidcIssuerUrl is required with identity irsa"}},
		{"bad issuer", harness.Options{Set: map[string]any{"addons.loadBalancerController.identity": "irsa", "addons.loadBalancerController.oidcIssuerUrl": "https://example.com/id/1"}}, nil, []string{`addons.loadBalancerController.oidcIssuerUrl="https://example.com/id/1" is not an EKS OIDC issuer URL`}},
		{"issuer without irsa", harness.Options{Set: map[string]any{"addons.loadBalancerController.oidcIssuerUrl": "https://oidc.eks.us-east-1.amazonaws.com/id/5C0FFEE5C0FFEE5C0FFEE5C0FFEE5C0F"}}, nil, []string{`is only used with identity irsa (identity is "podIdentity")`}},
		{"bad email", harness.Options{Set: map[string]any{"database.eventEmails": []any{"ops at example"}}}, nil, []string{`database.eventEmails[0]="ops at example" is not an e-mail address`}},
		// Issue 17: accepted before, refused now.
		{"postgres minor RDS does not offer", harness.Options{Set: map[string]any{"database.engineVersion": "17.99"}}, nil, []string{`database.engineVersion="17.99" is not a version RDS offers for new instances`, "17.6"}},
		{"restore identifier trailing hyphen", harness.Options{Set: map[string]any{"database.restore": map[string]any{"sourceInstanceIdentifier": "langgraph-prod-", "useLatestRestorableTime": true}}}, nil, []string{`database.restore.sourceInstanceIdentifier="langgraph-prod-" is not an RDS instance identifier`, "not ending in a hyphen"}},
		{"restore identifier double hyphen", harness.Options{Set: map[string]any{"database.restore": map[string]any{"sourceInstanceIdentifier": "langgraph--prod", "useLatestRestorableTime": true}}}, nil, []string{`database.restore.sourceInstanceIdentifier="langgraph--prod" is not an RDS instance identifier`, "no two hyphens"}},
		{"host longer than 253", harness.Options{Set: map[string]any{"ingress.host": strings.Repeat("a.", 126) + "com"}}, nil, []string{"ingress.host=", "is 255 characters long; a DNS name has at most 253"}},
		{"host label longer than 63", harness.Options{Set: map[string]any{"ingress.host": strings.Repeat("a", 64) + ".example.com"}}, nil, []string{"ingress.host=", "labels of 1-63"}},
		{"region that does not exist", harness.Options{Set: map[string]any{"aws:region": "us-east-99"}}, nil, []string{`aws:region="us-east-99" is not an AWS region; did you mean "us-east-1"?`}},
		{"certificate in another region", harness.Options{Set: map[string]any{"ingress.certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/0f3e1d2c-4b5a-4c6d-8e7f-9a0b1c2d3e4f"}}, nil, []string{"ingress.certificateArn=", `is in region eu-west-1, but aws:region="us-east-1"`}},
		{"certificate in another partition", harness.Options{Set: map[string]any{"ingress.certificateArn": "arn:aws-cn:acm:us-east-1:123456789012:certificate/0f3e1d2c-4b5a-4c6d-8e7f-9a0b1c2d3e4f"}}, nil, []string{"is in partition aws-cn, but aws:region=\"us-east-1\" is in partition aws"}},
		{"TLS policy that does not exist", harness.Options{Set: map[string]any{"ingress.sslPolicy": "ELBSecurityPolicy-Strongest"}}, nil, []string{`ingress.sslPolicy="ELBSecurityPolicy-Strongest" is not an ALB security policy; allowed:`, "ELBSecurityPolicy-TLS13-1-2-2021-06"}},
		{"TLS 1.0 policy", harness.Options{Set: map[string]any{"ingress.sslPolicy": "ELBSecurityPolicy-2016-08"}}, nil, []string{`ingress.sslPolicy="ELBSecurityPolicy-2016-08" accepts TLS 1.0`}},
		{"monitoring in kube-system", harness.Options{Set: map[string]any{"monitoring.namespace": "kube-system"}}, nil, []string{`monitoring.namespace="kube-system" is reserved`}},
		{"monitoring in default", harness.Options{Set: map[string]any{"monitoring.namespace": "default"}}, nil, []string{`monitoring.namespace="default" is reserved`}},
		{"misspelt project namespace", harness.Options{Set: map[string]any{"langgraph-platfrom:database": map[string]any{"deletionProtection": false}}}, nil, []string{`langgraph-platfrom:database: unknown config namespace "langgraph-platfrom"; did you mean "langgraph-platform"?`}},
		{"load balancer CIDR is everything", harness.Options{Set: map[string]any{"cluster.loadBalancerSubnetCidrs": []any{"0.0.0.0/0"}}}, nil, []string{`cluster.loadBalancerSubnetCidrs[0]="0.0.0.0/0" is not a VPC subnet size: allowed /16 to /28`}},
		{"load balancer CIDR is every IPv6 address", harness.Options{Set: map[string]any{"cluster.loadBalancerSubnetCidrs": []any{"::/0"}}}, nil, []string{`cluster.loadBalancerSubnetCidrs[0]="::/0" is not a VPC subnet size: allowed /44 to /64`}},
		{"load balancer CIDR wider than /8", harness.Options{Set: map[string]any{"cluster.loadBalancerSubnetCidrs": []any{"10.0.0.0/7"}}}, nil, []string{`cluster.loadBalancerSubnetCidrs[0]="10.0.0.0/7" is not a VPC subnet size`}},
		{"CPU request in bytes", harness.Options{Set: map[string]any{"dataplane.resources.cpuRequest": "2Gi"}}, nil, []string{`dataplane.resources.cpuRequest="2Gi" is not a CPU quantity (cores or millicores)`}},
		{"memory in millibytes", harness.Options{Set: map[string]any{"dataplane.resources.memoryRequest": "2000m"}}, nil, []string{`dataplane.resources.memoryRequest="2000m" is not a memory quantity (bytes)`}},
		{"chart version never tested", harness.Options{Set: map[string]any{"monitoring.chartVersion": "88.0.0"}}, nil, []string{`monitoring.chartVersion="88.0.0" is not a kube-prometheus-stack version this program's values were tested against and knows the operator CRDs of; allowed: 87.15.2 (prometheus-operator CRDs v0.92.1)`}},
		{"add-on chart version never tested", harness.Options{Set: map[string]any{"addons.loadBalancerController.chartVersion": "3.5.0"}}, nil, []string{`addons.loadBalancerController.chartVersion="3.5.0" is not a aws-load-balancer-controller version`, "allowed: 3.4.2"}},
		// Issue 15: the dead man's switch.
		{"heartbeat missing", harness.Options{Secrets: map[string]string{"langsmithApiKey": "lsv2_only_the_key"}}, nil, []string{"heartbeatUrl is required", "dead man's switch"}},
		{"heartbeat not https", harness.Options{Secrets: map[string]string{"langsmithApiKey": "lsv2_k", "heartbeatUrl": "http://hc.example.test/lsv2_secret-path"}}, nil, []string{"heartbeatUrl: the value set is not an https URL", "not shown"}},
		{"alarm percent above 100", harness.Options{Set: map[string]any{"alerts.dataTierCpuPercent": 150}}, nil, []string{"alerts.dataTierCpuPercent=150 must be in (0, 100]"}},
		{"alarm percent negative", harness.Options{Set: map[string]any{"alerts.databaseFreeStoragePercent": -5}}, nil, []string{"alerts.databaseFreeStoragePercent=-5 must be in (0, 100]"}},
		{"cache memory percent zero", harness.Options{Set: map[string]any{"alerts.cacheMemoryPercent": 0}}, nil, []string{"alerts.cacheMemoryPercent=0 must be in (0, 100]"}},
		{"free memory percent above 100", harness.Options{Set: map[string]any{"alerts.databaseFreeMemoryPercent": 101}}, nil, []string{"alerts.databaseFreeMemoryPercent=101 must be in (0, 100]"}},
		{"replica lag negative", harness.Options{Set: map[string]any{"alerts.replicaLagSeconds": -1}}, nil, []string{"alerts.replicaLagSeconds=-1 must be > 0"}},
		{"WAF blocked threshold zero", harness.Options{Set: map[string]any{"alerts.wafBlockedRequests": 0}}, nil, []string{"alerts.wafBlockedRequests=0 must be > 0"}},
		{"log retention CloudWatch does not offer", harness.Options{Set: map[string]any{"addons.fluentBit.logRetentionDays": 45}}, nil, []string{"addons.fluentBit.logRetentionDays=45 is not a CloudWatch Logs retention; allowed:", "30, 60"}},
		{"fluent bit chart never tested", harness.Options{Set: map[string]any{"addons.fluentBit.chartVersion": "0.1.35"}}, nil, []string{`addons.fluentBit.chartVersion="0.1.35" is not a aws-for-fluent-bit version`, "allowed: 0.2.1"}},
		{"fluent bit irsa without issuer", harness.Options{Set: map[string]any{"addons.loadBalancerController.enabled": false, "addons.loadBalancerController.identity": "irsa"}}, nil, []string{"addons.loadBalancerController.oidcIssuerUrl is required with identity irsa"}},
		{"node-exporter in the stack's namespace", harness.Options{Set: map[string]any{"monitoring.nodeExporterNamespace": "monitoring"}}, nil, []string{`monitoring.nodeExporterNamespace="monitoring" must differ from monitoring.namespace`}},
		{"node-exporter in kube-system", harness.Options{Set: map[string]any{"monitoring.nodeExporterNamespace": "kube-system"}}, nil, []string{`monitoring.nodeExporterNamespace="kube-system" is reserved`}},
		// Issue 21: chart mirrors.
		{"chart mirror over plain http", harness.Options{}, map[string]string{"charts": `{"mirror":"http://charts.example.com"}`}, []string{`charts.mirror="http://charts.example.com" is plain http to a host that is not loopback`}},
		{"chart mirror with a password", harness.Options{}, map[string]string{"charts": `{"mirror":"https://ci:hunter2@charts.example.com"}`}, []string{`charts.mirror="https://ci:xxxxx@charts.example.com" carries credentials`}},
		{"chart mirror scheme", harness.Options{}, map[string]string{"charts": `{"mirror":"s3://bucket/charts"}`}, []string{`charts.mirror="s3://bucket/charts" has scheme s3; allowed: https://, oci://`}},
		{"chart mirror OCI registry without a path", harness.Options{}, map[string]string{"charts": `{"mirror":"oci://123456789012.dkr.ecr.us-east-1.amazonaws.com"}`}, []string{"names an OCI registry without a repository path"}},
		{"chart mirror not a URL", harness.Options{}, map[string]string{"charts": `{"mirror":"charts.example.com"}`}, []string{`charts.mirror="charts.example.com" is not a URL with a host`}},
		{"chart override of an unknown chart", harness.Options{}, map[string]string{"charts": `{"overrides":[{"chart":"grafana","source":"https://grafana.github.io/helm-charts"}]}`}, []string{`charts.overrides[0].chart="grafana" is not a chart this program installs; allowed: aws-for-fluent-bit`}},
		{"chart override twice", harness.Options{}, map[string]string{"charts": `{"overrides":[{"chart":"metrics-server","source":"https://a.example"},{"chart":"metrics-server","source":"https://b.example"}]}`}, []string{`charts.overrides[1].chart="metrics-server" is overridden twice`}},
		{"chart override without a source", harness.Options{}, map[string]string{"charts": `{"overrides":[{"chart":"metrics-server"}]}`}, []string{`charts.overrides[0].source`, "required"}},
		{"chart field unknown", harness.Options{}, map[string]string{"charts": `{"mirrors":"https://a.example"}`}, []string{"charts.mirrors", "unknown"}},
		// Issue 18: cost.
		{"token count zero", harness.Options{Set: map[string]any{"cost.llm": []any{map[string]any{"model": "gpt-4o", "tokensPerRun": 0}}}}, nil, []string{"cost.llm[0].tokensPerRun=0 must be > 0"}},
		{"price negative", harness.Options{Set: map[string]any{"cost.llm": []any{map[string]any{"model": "gpt-4o", "tokensPerRun": 100, "pricePer1kTokens": -0.01}}}}, nil, []string{"cost.llm[0].pricePer1kTokens=-0.01 must be > 0"}},
		{"model without a price", harness.Options{Set: map[string]any{"cost.llm": []any{map[string]any{"model": "claude-opus", "tokensPerRun": 100}}}}, nil, []string{`cost.llm[0].model="claude-opus" has no price: set cost.llm[0].pricePer1kTokens`}},
		{"no models", harness.Options{Set: map[string]any{"cost.llm": []any{}}}, nil, []string{"cost.llm is empty"}},
		{"budget zero", harness.Options{Set: map[string]any{"cost.budget.monthlyUsd": 0}}, nil, []string{"cost.budget.monthlyUsd=0 must be > 0"}},
		{"budget e-mail malformed", harness.Options{Set: map[string]any{"cost.budget.emails": []any{"finance at example"}}}, nil, []string{`cost.budget.emails[0]="finance at example" is not an e-mail address`}},
		{"anomaly threshold negative", harness.Options{Set: map[string]any{"cost.budget.anomalyThresholdUsd": -5}}, nil, []string{"cost.budget.anomalyThresholdUsd=-5 must be > 0"}},
		{"node type unknown", harness.Options{Set: map[string]any{"cost.nodeInstanceType": "x9.huge"}}, nil, []string{`cost.nodeInstanceType="x9.huge" is not an instance type the cost model knows`}},
		{"load hours above a day", harness.Options{Set: map[string]any{"cost.loadHoursPerDay": 25}}, nil, []string{"cost.loadHoursPerDay=25 must be between 0 and 24"}},
		// Issue 19: disaster recovery.
		{"recovery region is the stack's", harness.Options{Set: map[string]any{"dr.region": "us-east-1"}}, nil, []string{`dr.region="us-east-1" is the stack's own region`}},
		{"recovery region unknown", harness.Options{Set: map[string]any{"dr.region": "us-west-9"}}, nil, []string{`dr.region="us-west-9" is not an AWS region`}},
		{"recovery region in another partition", harness.Options{Set: map[string]any{"dr.region": "cn-north-1"}}, nil, []string{`dr.region="cn-north-1" is in partition aws-cn`}},
		{"recovery region missing", harness.Options{Set: map[string]any{"dr.region": ""}}, nil, []string{"dr.region is required with dr.enabled"}},
		{"replicated retention above 35", harness.Options{Set: map[string]any{"dr.backupRetentionDays": 36}}, nil, []string{"dr.backupRetentionDays=36 must be between 1 and 35"}},
		{"replicated retention zero", harness.Options{Set: map[string]any{"dr.backupRetentionDays": 0}}, nil, []string{"dr.backupRetentionDays=0 must be between 1 and 35"}},
		{"drill schedule in Kubernetes cron", harness.Options{Set: map[string]any{"dr.drillSchedule": "0 6 1 */3 *"}}, nil, []string{`dr.drillSchedule="0 6 1 */3 *" is not an AWS schedule expression`}},
		{"drill schedule with five fields", harness.Options{Set: map[string]any{"dr.drillSchedule": "cron(0 6 1 */3 ?)"}}, nil, []string{`dr.drillSchedule="cron(0 6 1 */3 ?)" has 5 cron fields; AWS's cron takes 6`}},
		{"drill schedule without ?", harness.Options{Set: map[string]any{"dr.drillSchedule": "cron(0 6 1 1,4,7,10 * *)"}}, nil, []string{"needs exactly one of day-of-month and day-of-week to be ?"}},
		{"backup schedule rate zero", harness.Options{Set: map[string]any{"dr.backupSchedule": "rate(0 days)"}}, nil, []string{`dr.backupSchedule="rate(0 days)" a rate must be at least 1`}},
		{"backup schedule rate unit plural for 1", harness.Options{Set: map[string]any{"dr.backupSchedule": "rate(1 days)"}}, nil, []string{`dr.backupSchedule="rate(1 days)" takes the singular unit for 1`}},
		{"drill time zone unknown", harness.Options{Set: map[string]any{"dr.drillTimeZone": "Mars/Olympus"}}, nil, []string{`dr.drillTimeZone="Mars/Olympus" is not an IANA time zone`}},
		{"restore ARN not an automated backup", harness.Options{Set: map[string]any{"database.restore": map[string]any{"sourceAutomatedBackupsArn": "arn:aws:rds:us-east-1:123456789012:db:langgraph-prod", "useLatestRestorableTime": true}}}, nil, []string{`database.restore.sourceAutomatedBackupsArn="arn:aws:rds:us-east-1:123456789012:db:langgraph-prod" is not an RDS automated backups ARN`}},
		{"restore ARN in another region", harness.Options{Set: map[string]any{"database.restore": map[string]any{"sourceAutomatedBackupsArn": "arn:aws:rds:us-west-2:123456789012:auto-backup:ab-x", "useLatestRestorableTime": true}}}, nil, []string{"is in region us-west-2, but aws:region=\"us-east-1\""}},
		{"restore names both sources", harness.Options{Set: map[string]any{"database.restore": map[string]any{"sourceInstanceIdentifier": "langgraph-prod", "sourceAutomatedBackupsArn": "arn:aws:rds:us-east-1:123456789012:auto-backup:ab-x", "useLatestRestorableTime": true}}}, nil, []string{"cannot be combined with database.restore.sourceInstanceIdentifier"}},
		{"recovery replica with one subnet", harness.Options{Set: map[string]any{"dr.replica": map[string]any{"enabled": true, "subnetIds": []any{"subnet-0d1e2f3a4b5c6d7e8"}, "securityGroupIds": []any{"sg-0f1e2d3c4b5a69788"}}}}, nil, []string{"dr.replica.subnetIds=", "needs at least 2 subnets"}},
		{"recovery replica without a security group", harness.Options{Set: map[string]any{"dr.replica": map[string]any{"enabled": true, "subnetIds": []any{"subnet-0d1e2f3a4b5c6d7e8", "subnet-0a9b8c7d6e5f4a3b2"}}}}, nil, []string{"dr.replica.securityGroupIds is empty"}},
		{"recovery replica subnet not a subnet", harness.Options{Set: map[string]any{"dr.replica": map[string]any{"enabled": true, "subnetIds": []any{"vpc-1", "subnet-0a9b8c7d6e5f4a3b2"}, "securityGroupIds": []any{"sg-1"}}}}, nil, []string{`dr.replica.subnetIds[0]="vpc-1" is not a subnet ID`}},
		// Issue 22: ramp levers.
		{"scale-up percent too large", harness.Options{Set: map[string]any{"hpa.scaleUp.percent": 1500}}, nil, []string{"hpa.scaleUp.percent=1500 must be between 1 and 1000"}},
		{"scale-up percent negative", harness.Options{Set: map[string]any{"hpa.scaleUp.percent": -10}}, nil, []string{"hpa.scaleUp.percent=-10 must be between 1 and 1000"}},
		{"metric delay negative", harness.Options{Set: map[string]any{"capacity.metricDelaySeconds": -1}}, nil, []string{"capacity.metricDelaySeconds=-1 must be between 0 and 600"}},
		{"schedule cron malformed", harness.Options{Set: map[string]any{"hpa.schedules": []any{map[string]any{"cron": "7:30 weekdays", "timeZone": "UTC", "minReplicas": 20}}}}, nil, []string{`hpa.schedules[0].cron="7:30 weekdays" is not a cron expression a CronJob takes`}},
		{"schedule time zone unknown", harness.Options{Set: map[string]any{"hpa.schedules": []any{map[string]any{"cron": "30 7 * * *", "timeZone": "Mars/Olympus", "minReplicas": 20}}}}, nil, []string{`hpa.schedules[0].timeZone="Mars/Olympus" is not an IANA time zone`}},
		{"schedule time zone in the cron", harness.Options{Set: map[string]any{"hpa.schedules": []any{map[string]any{"cron": "TZ=UTC 30 7 * * *", "timeZone": "UTC", "minReplicas": 20}}}}, nil, []string{`hpa.schedules[0].cron="TZ=UTC 30 7 * * *" carries a time zone`}},
		{"schedule above max", harness.Options{Set: map[string]any{"hpa.schedules": []any{map[string]any{"cron": "30 7 * * *", "timeZone": "UTC", "minReplicas": 80}}}}, nil, []string{"hpa.schedules[0].minReplicas=80 must be between 1 and 50"}},
		{"schedules overlapping", harness.Options{Set: map[string]any{"hpa.schedules": []any{map[string]any{"cron": "30 7 * * 1-5", "timeZone": "Europe/Berlin", "minReplicas": 30}, map[string]any{"cron": "30 6 * * 1", "timeZone": "UTC", "minReplicas": 20}}}}, nil, []string{`hpa.schedules[1].cron="30 6 * * 1" fires at the same minute as hpa.schedules[0]`}},
		{"schedules with the emergency pin", harness.Options{Set: map[string]any{"dataplane.emergencyReplicas": 20, "hpa.schedules": []any{map[string]any{"cron": "30 7 * * 1-5", "timeZone": "Europe/Berlin", "minReplicas": 30}}}}, nil, []string{"hpa.schedules=", "cannot be combined with dataplane.emergencyReplicas=20"}},
		{"schedule image latest", harness.Options{Set: map[string]any{"hpa.scheduleImage": "registry.k8s.io/kubectl:latest", "hpa.schedules": []any{map[string]any{"cron": "30 7 * * 1-5", "timeZone": "Europe/Berlin", "minReplicas": 30}}}}, nil, []string{`hpa.scheduleImage="registry.k8s.io/kubectl:latest" is not allowed`}},
		{"schedule image unpinned", harness.Options{Set: map[string]any{"hpa.scheduleImage": "registry.k8s.io/kubectl", "hpa.schedules": []any{map[string]any{"cron": "30 7 * * 1-5", "timeZone": "Europe/Berlin", "minReplicas": 30}}}}, nil, []string{`hpa.scheduleImage="registry.k8s.io/kubectl" is not an image reference pinned by tag or digest`}},
		// Issue 14: who may call the API.
		{"unknown auth mode", harness.Options{Set: map[string]any{"auth.mode": "oauth"}}, nil, []string{`auth.mode="oauth" is not allowed; allowed: langsmith, custom, none`}},
		{"langsmith without endpoint", harness.Options{Set: map[string]any{"auth.langsmithAuthEndpoint": nil}}, nil, []string{"auth.langsmithAuthEndpoint is required"}},
		{"langsmith without tenant", harness.Options{Set: map[string]any{"auth.langsmithTenantId": nil}}, nil, []string{"auth.langsmithTenantId is required"}},
		{"langsmith endpoint not https", harness.Options{Set: map[string]any{"auth.langsmithAuthEndpoint": "http://api.smith.langchain.com"}}, nil, []string{`auth.langsmithAuthEndpoint="http://api.smith.langchain.com" is not an https URL`}},
		{"tenant not a UUID", harness.Options{Set: map[string]any{"auth.langsmithTenantId": "my-team"}}, nil, []string{`auth.langsmithTenantId="my-team" is not a LangSmith workspace ID`}},
		{"header not a token", harness.Options{Set: map[string]any{"auth.header": "x api key"}}, nil, []string{`auth.header="x api key" is not an HTTP header name`}},
		{"open API on the internet", harness.Options{Set: map[string]any{"auth.mode": "none", "auth.langsmithAuthEndpoint": nil, "auth.langsmithTenantId": nil}}, nil, []string{`auth.mode="none" is refused with ingress.scheme="internet-facing"`, "auth.acceptUnauthenticated"}},
		{"open API accepted in prod", harness.Options{Set: map[string]any{"auth.mode": "none", "auth.langsmithAuthEndpoint": nil, "auth.langsmithTenantId": nil, "auth.acceptUnauthenticated": "demo"}}, nil, []string{`auth.acceptUnauthenticated="demo" is refused in the production environment`}},
		{"client rate limit below WAF's minimum", harness.Options{Set: map[string]any{"ingress.wafClientRateLimit": 5}}, nil, []string{"ingress.wafClientRateLimit=5 must be between 10 and 2000000000"}},
		{"WAF log retention CloudWatch lacks", harness.Options{Set: map[string]any{"ingress.wafLogRetentionDays": 10}}, nil, []string{"ingress.wafLogRetentionDays=10 is not a CloudWatch Logs retention"}},
	}
	require.GreaterOrEqual(t, len(cases), 15)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadWith(t, "prod", tc.opts, tc.raw)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "lsv2_", "an error must never echo a credential")
			var cfgErr *config.Error
			require.ErrorAs(t, err, &cfgErr)
			assert.Equal(t, "prod", cfgErr.Stack)
		})
	}
}

// The harness reports a missing required key the way the CLI does, before the program runs;
// the loader alone names it too.
func TestMissingRequiredKey(t *testing.T) {
	_, err := harness.LoadStackConfig(harness.Options{Stack: "prod", Set: map[string]any{"tags": nil}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `stack "prod" is missing configuration values: tags`)

	sc, err := harness.LoadStackConfig(harness.Options{Stack: "prod", Secrets: harness.DefaultSecrets()})
	require.NoError(t, err)
	delete(sc.Values, project+":tags")
	_, err = config.Load(project, "prod", config.Raw{Values: sc.Values, SecretKeys: sc.SecretKeys})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tags: required key is missing")
}

func TestOtherNamespacesAreLeftToProviders(t *testing.T) {
	cfg, err := load(t, "prod", harness.Options{Set: map[string]any{"aws:skipMetadataApiCheck": "false"}})
	require.NoError(t, err)
	assert.Equal(t, "prod", cfg.Environment)
}

func TestSecretNeverPrints(t *testing.T) {
	s := config.NewSecret("hunter2-credential")
	for _, text := range []string{s.String(), s.GoString(), mustJSON(t, s)} {
		assert.NotContains(t, text, "hunter2")
	}
	cfg, err := load(t, "prod", harness.Options{})
	require.NoError(t, err)
	dump := mustJSON(t, cfg)
	assert.NotContains(t, dump, harness.DefaultSecrets()["langsmithApiKey"])
}

func TestMaxConnectionsFollowsAWSFormula(t *testing.T) {
	d := config.Defaults().Database
	d.InstanceClass = "db.r7g.large" // 16 GiB
	assert.Equal(t, 16*catalog.GiB/9531392, d.MaxConnections())
	d.InstanceClass = "db.r7g.2xlarge" // 64 GiB: the formula exceeds the cap
	assert.Equal(t, catalog.RDSMaxConnectionsCap, d.MaxConnections())
	d.MaxConnectionsOverride = 1200
	assert.Equal(t, 1200, d.MaxConnections())
}

func TestEveryKeyHasADestination(t *testing.T) {
	names := map[string]bool{}
	cfgType := reflect.TypeOf(config.Config{})
	for i := 0; i < cfgType.NumField(); i++ {
		if tag := strings.Split(cfgType.Field(i).Tag.Get("json"), ",")[0]; tag != "" && tag != "-" {
			names[tag] = true
		}
	}
	for _, k := range config.Keys {
		if !k.Secret {
			assert.True(t, names[k.Name], "key %s has no field in Config", k.Name)
			delete(names, k.Name)
		}
	}
	assert.Empty(t, names, "Config fields without a key")
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func repoRoot(t *testing.T) string {
	dir, err := harness.RepoRoot()
	require.NoError(t, err)
	return dir
}

// The package comment names every key, so a reader of `go doc config` sees every group.
func TestPackageCommentNamesEveryKey(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "config", "types.go"))
	require.NoError(t, err)
	doc := string(src)[:strings.Index(string(src), "package config")]
	for _, k := range config.Keys {
		assert.Contains(t, doc, k.Name, "the package comment does not name key %s", k.Name)
	}
}

// prodCreate turns prod into a create-mode stack, then applies more.
func prodCreate(more map[string]any) map[string]any {
	set := map[string]any{
		"cluster.mode": "create", "addons.karpenter.enabled": true, "cluster.nodeAutoscaler": nil,
		"cluster.create.publicAccessCidrs": []any{"198.51.100.0/24"}, "cost.nodeInstanceType": "m7i.2xlarge",
	}
	for _, k := range []string{"kubeContext", "vpcId", "privateSubnetIds", "privateSubnetCidrs", "loadBalancerSubnetCidrs", "securityGroupIds"} {
		set["cluster."+k] = nil
	}
	for k, v := range more {
		set[k] = v
	}
	return set
}

func TestClusterModesLoad(t *testing.T) {
	cfg, err := load(t, "prod", harness.Options{Set: prodCreate(nil)})
	require.NoError(t, err)
	layout, err := cfg.Cluster.Create.Layout()
	require.NoError(t, err)
	// 10.0.0.0/16 carved in order: three /19 private, three /24 public, three /24 isolated.
	assert.Equal(t, config.Subnets{
		Private:  []string{"10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"},
		Public:   []string{"10.0.96.0/24", "10.0.97.0/24", "10.0.98.0/24"},
		Isolated: []string{"10.0.99.0/24", "10.0.100.0/24", "10.0.101.0/24"},
	}, layout)
	explicit, err := load(t, "prod", harness.Options{Set: prodCreate(map[string]any{"cluster.create.subnets.isolatedCidrs": []any{"10.0.200.0/24", "10.0.201.0/24", "10.0.202.0/24"}})})
	require.NoError(t, err)
	layout, err = explicit.Cluster.Create.Layout()
	require.NoError(t, err)
	assert.Equal(t, []string{"10.0.200.0/24", "10.0.201.0/24", "10.0.202.0/24"}, layout.Isolated, "explicit CIDRs win")
	assert.Equal(t, "10.0.96.0/24", layout.Public[0])
}

func TestBadClusterInputNamesTheKey(t *testing.T) {
	cases := []struct {
		name  string
		stack string
		set   map[string]any
		want  []string
	}{
		{"unknown mode", "prod", map[string]any{"cluster.mode": "managed"}, []string{`cluster.mode="managed" is not allowed; allowed: existing, reference, create`}},
		{"overlapping subnet CIDRs", "prod", prodCreate(map[string]any{"cluster.create.subnets.publicCidrs": []any{"10.0.0.0/24", "10.0.97.0/24", "10.0.98.0/24"}}),
			[]string{`cluster.create.subnets.public[0]="10.0.0.0/24" overlaps cluster.create.subnets.private[0] 10.0.0.0/19`}},
		{"VPC too small", "prod", prodCreate(map[string]any{"cluster.create.vpcCidr": "10.0.0.0/18"}),
			[]string{`cluster.create.vpcCidr="10.0.0.0/18" is too small for 3 AZs of /19 private, /24 public and /24 isolated subnets (26112 addresses needed, the VPC has 16384)`}},
		{"subnet larger than the VPC", "prod", prodCreate(map[string]any{"cluster.create.vpcCidr": "10.0.0.0/20"}),
			[]string{`cluster.create.subnets.privatePrefixLength=19 must be between the VPC's /20 and /28`}},
		{"subnet outside the VPC", "prod", prodCreate(map[string]any{"cluster.create.subnets.isolatedCidrs": []any{"10.1.0.0/24", "10.0.201.0/24", "10.0.202.0/24"}}),
			[]string{`cluster.create.subnets.isolatedCidrs[0]="10.1.0.0/24" is not inside cluster.create.vpcCidr 10.0.0.0/16`}},
		{"one CIDR per AZ", "prod", prodCreate(map[string]any{"cluster.create.subnets.isolatedCidrs": []any{"10.0.200.0/24"}}),
			[]string{"cluster.create.subnets.isolatedCidrs=[10.0.200.0/24] must list one CIDR per AZ: 3"}},
		{"too few AZs for Multi-AZ", "prod", prodCreate(map[string]any{"cluster.create.availabilityZones": 1}),
			[]string{"cluster.create.availabilityZones=1 must be at least 2: database.multiAz=true puts the standby in a second AZ"}},
		{"too many AZs", "prod", prodCreate(map[string]any{"cluster.create.availabilityZones": 7}), []string{"cluster.create.availabilityZones=7 must be between 1 and 6"}},
		{"unsupported EKS version", "prod", prodCreate(map[string]any{"cluster.create.version": "1.29"}),
			[]string{`cluster.create.version="1.29" is not a version EKS offers under standard support here; allowed: 1.34, 1.35`}},
		{"public endpoint open in prod", "prod", prodCreate(map[string]any{"cluster.create.publicAccessCidrs": []any{"0.0.0.0/0"}}),
			[]string{`cluster.create.publicAccessCidrs[0]="0.0.0.0/0" opens the production cluster's API endpoint to the whole internet`}},
		{"IPv6 public endpoint CIDR", "prod", prodCreate(map[string]any{"cluster.create.publicAccessCidrs": []any{"2001:db8::/32"}}),
			[]string{`cluster.create.publicAccessCidrs[0]="2001:db8::/32" is not IPv4`}},
		{"VPC CIDR not IPv4", "prod", prodCreate(map[string]any{"cluster.create.vpcCidr": "fd00::/56"}), []string{`cluster.create.vpcCidr="fd00::/56" is not an IPv4 CIDR block`}},
		{"VPC CIDR too wide", "prod", prodCreate(map[string]any{"cluster.create.vpcCidr": "10.0.0.0/8"}), []string{`cluster.create.vpcCidr="10.0.0.0/8" must be /16 to /24`}},
		{"admin role not a role", "prod", prodCreate(map[string]any{"cluster.create.adminRoleArns": []any{"arn:aws:iam::123456789012:user/alice"}}),
			[]string{`cluster.create.adminRoleArns[0]="arn:aws:iam::123456789012:user/alice" is not IAM role ARNs`}},
		{"Karpenter off in create mode", "prod", prodCreate(map[string]any{"addons.karpenter.enabled": false}), []string{"addons.karpenter.enabled=false must be true in create mode"}},
		{"IRSA in create mode", "prod", prodCreate(map[string]any{"addons.loadBalancerController.identity": "irsa", "addons.loadBalancerController.oidcIssuerUrl": "https://oidc.eks.us-east-1.amazonaws.com/id/5C0FFEE5C0FFEE5C0FFEE5C0FFEE5C0F"}),
			[]string{`addons.loadBalancerController.identity="irsa" must be podIdentity in create mode`}},
		{"existing inputs in create mode", "prod", prodCreate(map[string]any{"cluster.vpcId": "vpc-0a1b2c3d4e5f60718"}), []string{"cluster.vpcId is set but cluster.mode is create: create mode builds it; remove it"}},
		{"system nodes of an unknown type", "prod", prodCreate(map[string]any{"cluster.create.systemNodes.instanceType": "t2.nano"}), []string{`cluster.create.systemNodes.instanceType="t2.nano" is not an instance type the program knows`}},
		{"reference without a stack", "prod", map[string]any{"cluster.mode": "reference"}, []string{"cluster.reference.stack is required"}},
		{"reference stack not qualified", "prod", map[string]any{"cluster.mode": "reference", "cluster.reference.stack": "sandbox"}, []string{`cluster.reference.stack="sandbox" is not a fully qualified stack name <org>/<project>/<stack>`}},
		{"reference with existing inputs", "prod", map[string]any{"cluster.mode": "reference", "cluster.reference.stack": "acme/p/s"}, []string{"cluster.vpcId is set but cluster.mode is reference", `cluster.name="langgraph-prod" is set but cluster.mode is reference`}},
		{"unknown node autoscaler", "prod", map[string]any{"cluster.nodeAutoscaler": "keda"}, []string{`cluster.nodeAutoscaler="keda" is not allowed; allowed: karpenter, autoMode, clusterAutoscaler, none`}},
		{"two node autoscalers", "prod", map[string]any{"addons.karpenter.enabled": true, "cluster.nodeAutoscaler": "clusterAutoscaler"}, []string{`cluster.nodeAutoscaler="clusterAutoscaler" contradicts addons.karpenter.enabled=true`}},
		{"Karpenter chart not pinned", "prod", map[string]any{"addons.karpenter.enabled": true, "addons.karpenter.chartVersion": "1.0.0"}, []string{`addons.karpenter.chartVersion="1.0.0" is not a karpenter version this program's values were tested against; allowed: 1.12.1`}},
		{"Karpenter with Graviton pricing", "prod", map[string]any{"addons.karpenter.enabled": true, "cost.nodeInstanceType": "m7g.2xlarge"}, []string{`cost.nodeInstanceType="m7g.2xlarge" is arm64, but Karpenter's NodePool launches amd64 nodes`}},
		// Issue 32: headroom placeholders.
		{"headroom negative", "prod", map[string]any{"capacity.headroomPods": -1}, []string{"capacity.headroomPods=-1 must be between 0 and the run-executing tier's maximum (hpa.maxReplicas=50)"}},
		{"headroom above the maximum", "prod", map[string]any{"capacity.headroomPods": 51}, []string{"capacity.headroomPods=51 must be between 0 and the run-executing tier's maximum (hpa.maxReplicas=50)"}},
		{"headroom above the queue tier's maximum", "prod", map[string]any{"capacity.headroomPods": 21, "dataplane.queue.enabled": true, "dataplane.queue.maxReplicas": 20},
			[]string{"capacity.headroomPods=21 must be between 0 and the run-executing tier's maximum (dataplane.queue.maxReplicas=20)"}},
		{"headroom without a node autoscaler", "prod", map[string]any{"capacity.headroomPods": 4, "cluster.nodeAutoscaler": "none"}, []string{`capacity.headroomPods=4 needs a node autoscaler to add the nodes the placeholders hold`}},
		{"headroom image latest", "prod", map[string]any{"capacity.headroomImage": "registry.k8s.io/pause:latest"}, []string{`capacity.headroomImage="registry.k8s.io/pause:latest" is not allowed`}},
		{"headroom image unpinned", "prod", map[string]any{"capacity.headroomImage": "registry.k8s.io/pause"}, []string{`capacity.headroomImage="registry.k8s.io/pause" is not an image reference pinned by tag or digest`}},
		{"headroom image empty", "prod", map[string]any{"capacity.headroomImage": ""}, []string{`capacity.headroomImage is required`}},
		{"Karpenter capacity type", "prod", map[string]any{"addons.karpenter.enabled": true, "addons.karpenter.capacityTypes": []any{"reserved"}}, []string{`addons.karpenter.capacityTypes[0]="reserved" is not allowed; allowed: on-demand, spot`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.stack, harness.Options{Set: tc.set})
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			var cfgErr *config.Error
			require.ErrorAs(t, err, &cfgErr)
		})
	}
	// Outside prod an open endpoint is the policy pack's call, not a load error.
	_, err := load(t, "sandbox", harness.Options{Set: map[string]any{"cluster.create.publicAccessCidrs": []any{"0.0.0.0/0"}}})
	require.NoError(t, err)
}
