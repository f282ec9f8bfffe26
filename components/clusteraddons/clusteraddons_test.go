package clusteraddons_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/components/clusteraddons"
	"github.com/langgraph-platform/infra/components/dataplane"
	"github.com/langgraph-platform/infra/components/monitoring"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/helmvalues"
	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/mixin"
)

const (
	releaseType     = "kubernetes:helm.sh/v3:Release"
	roleType        = "aws:iam/role:Role"
	policyType      = "aws:iam/policy:Policy"
	associationType = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
	hpaType         = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	namespaceType   = "kubernetes:core/v1:Namespace"
	logGroupType    = "aws:cloudwatch/logGroup:LogGroup"
)

// Fluent Bit ships the stack's namespaces' container logs to one KMS-encrypted log group each,
// kept as configured, writing only to those groups and creating none.
func TestFluentBitShipsEachNamespaceToItsLogGroup(t *testing.T) {
	for stack, retention := range map[string]float64{"prod": 30, "staging": 30} {
		res := stacktest.Run(t, stack, nil)
		key := stacktest.One(t, res, "aws:kms/key:Key", "-addons-logs-key")
		assert.Contains(t, key.In("policy"), "logs.us-east-1.amazonaws.com")
		var groups []string
		for _, g := range res.ByType(logGroupType) {
			if !strings.Contains(g.Name, "-addons-logs-") {
				continue
			}
			groups = append(groups, g.In("name").(string))
			assert.Equal(t, retention, g.In("retentionInDays"))
			assert.Equal(t, key.Out("arn"), g.In("kmsKeyId"))
		}
		prefix := "/langgraph/" + stack + "/containers/"
		// With the LLM gateway (both stacks), its namespace too.
		assert.ElementsMatch(t, []string{prefix + "langgraph", prefix + "monitoring", prefix + "monitoring-node-exporter", prefix + "kube-system", prefix + "llm-gateway"}, groups)

		r := release(t, res, clusteraddons.FluentBitRelease)
		assert.Equal(t, "aws-for-fluent-bit", r.In("chart"))
		assert.Equal(t, "0.2.1", r.In("version"))
		assert.Equal(t, "https://aws.github.io/eks-charts", r.In("repositoryOpts.repo"))
		assert.Equal(t, "kube-system", r.In("namespace"))
		v := "values.cloudWatchLogs."
		assert.Equal(t, true, r.In(v+"enabled"))
		assert.Equal(t, false, r.In(v+"autoCreateGroup"), "the program owns the groups, with their key and retention")
		assert.Equal(t, prefix[:len(prefix)-1]+"/$kubernetes['namespace_name']", r.In(v+"logGroupTemplate"))
		assert.Equal(t, "us-east-1", r.In(v+"region"))
		assert.Equal(t, false, r.In("values.cloudWatch.enabled"), "the old Go plugin is off")
		paths := strings.Split(r.In("values.input.path").(string), ",")
		assert.ElementsMatch(t, []string{"/var/log/containers/*_langgraph_*.log", "/var/log/containers/*_monitoring_*.log",
			"/var/log/containers/*_monitoring-node-exporter_*.log", "/var/log/containers/*_kube-system_*.log", "/var/log/containers/*_llm-gateway_*.log"}, paths,
			"only namespaces that have a group: no line is sent where it cannot land")
		assert.Equal(t, []any{"ALL"}, r.In("values.containerSecurityContext.capabilities.drop"))

		policy := stacktest.One(t, res, policyType, "-addons-fluent-bit")
		doc := document(t, policy, "policy")
		require.Len(t, doc.Statement, 1)
		assert.ElementsMatch(t, []string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"}, doc.Statement[0].Action)
		assert.Len(t, doc.Statement[0].Resource, 10, "the five groups and their streams, no wildcard group")
		for _, res := range doc.Statement[0].Resource {
			assert.NotEqual(t, "*", res)
		}
	}
	longer := stacktest.Run(t, "prod", map[string]any{"addons.fluentBit.logRetentionDays": 90})
	for _, g := range longer.ByType(logGroupType) {
		if strings.Contains(g.Name, "-addons-logs-") {
			assert.Equal(t, 90.0, g.In("retentionInDays"))
		}
	}
}

// Fluent Bit's role comes through the same mechanism as the controller's: Pod Identity in prod,
// IRSA (an annotated ServiceAccount) in staging.
func TestFluentBitIdentity(t *testing.T) {
	prod := stacktest.Run(t, "prod", nil)
	assoc := stacktest.One(t, prod, associationType, "-addons-fluent-bit")
	assert.Equal(t, clusteraddons.FluentBitServiceAccount, assoc.In("serviceAccount"))
	assert.Equal(t, "kube-system", assoc.In("namespace"))
	assert.Contains(t, release(t, prod, clusteraddons.FluentBitRelease).Dependencies, assoc.URN)

	staging := stacktest.Run(t, "staging", nil)
	role := stacktest.One(t, staging, roleType, "-addons-fluent-bit")
	trust := document(t, role, "assumeRolePolicy")
	assert.Contains(t, trust.Statement[0].Condition["StringEquals"], "oidc.eks.us-east-1.amazonaws.com/id/5C0FFEE5C0FFEE5C0FFEE5C0FFEE5C0F:sub")
	assert.Equal(t, "system:serviceaccount:kube-system:"+clusteraddons.FluentBitServiceAccount,
		trust.Statement[0].Condition["StringEquals"]["oidc.eks.us-east-1.amazonaws.com/id/5C0FFEE5C0FFEE5C0FFEE5C0FFEE5C0F:sub"])
	r := release(t, staging, clusteraddons.FluentBitRelease)
	assert.Equal(t, role.Out("arn"), r.In(`values.serviceAccount.annotations["eks.amazonaws.com/role-arn"]`))
}

func release(t *testing.T, res *harness.Result, name string) *harness.Resource {
	t.Helper()
	for _, r := range res.ByType(releaseType) {
		if r.In("name") == name {
			return r
		}
	}
	t.Fatalf("no Helm release %s", name)
	return nil
}

func document(t *testing.T, r *harness.Resource, path string) awsbase.PolicyDocument {
	t.Helper()
	var doc awsbase.PolicyDocument
	require.NoError(t, json.Unmarshal([]byte(r.In(path).(string)), &doc), "%s %s", r.Name, path)
	return doc
}

// Each release: chart, repository, pinned version from the stack file, kube-system, and the
// values that make it work and keep it hardened.
func TestReleases(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		t.Run(stack, func(t *testing.T) {
			res := stacktest.Run(t, stack, nil)
			replicas := map[string]float64{"prod": 2, "staging": 1}[stack]
			for _, want := range []struct{ release, chart, repo, version string }{
				{"metrics-server", "metrics-server", "https://kubernetes-sigs.github.io/metrics-server/", "3.13.0"},
				{"aws-load-balancer-controller", "aws-load-balancer-controller", "https://aws.github.io/eks-charts", "3.4.2"},
				{"prometheus-adapter", "prometheus-adapter", "https://prometheus-community.github.io/helm-charts", "5.2.1"},
			} {
				r := release(t, res, want.release)
				assert.Equal(t, want.chart, r.In("chart"))
				assert.Equal(t, want.repo, r.In("repositoryOpts.repo"))
				assert.Equal(t, want.version, r.In("version"))
				assert.Equal(t, "kube-system", r.In("namespace"))
				sc := r.In("values.securityContext").(map[string]any)
				assert.Equal(t, true, sc["runAsNonRoot"], want.release)
				assert.Equal(t, false, sc["allowPrivilegeEscalation"], want.release)
				assert.Equal(t, true, sc["readOnlyRootFilesystem"], want.release)
				assert.Equal(t, []any{"ALL"}, r.In("values.securityContext.capabilities.drop"), want.release)
				assert.Equal(t, "RuntimeDefault", r.In("values.securityContext.seccompProfile.type"), want.release)
				assert.NotEmpty(t, r.In("values.resources.requests.cpu"), want.release)
				assert.NotEmpty(t, r.In("values.resources.limits.memory"), want.release)
				assert.Equal(t, "system-cluster-critical", r.In("values.priorityClassName"), want.release)
				assert.Equal(t, "topology.kubernetes.io/zone", r.In("values.topologySpreadConstraints[0].topologyKey"), want.release)
			}

			ms := release(t, res, "metrics-server")
			assert.Equal(t, replicas, ms.In("values.replicas"))
			assert.Equal(t, replicas > 1, ms.In("values.podDisruptionBudget.enabled"), "a PDB exactly when replicas > 1")
			assert.Equal(t, true, ms.In("values.apiService.create"))

			lbc := release(t, res, "aws-load-balancer-controller")
			assert.Equal(t, "langgraph-"+stack, lbc.In("values.clusterName"))
			assert.Equal(t, "us-east-1", lbc.In("values.region"))
			assert.Regexp(t, `^vpc-[0-9a-f]{17}$`, lbc.In("values.vpcId"))
			assert.Equal(t, 2.0, lbc.In("values.replicaCount"))
			assert.Equal(t, 1.0, lbc.In("values.podDisruptionBudget.maxUnavailable"))
			assert.Equal(t, "aws-load-balancer-controller", lbc.In("values.serviceAccount.name"))
			assert.Equal(t, true, lbc.In("values.createIngressClassResource"))
			assert.Equal(t, "alb", lbc.In("values.ingressClass"))
			assert.Equal(t, false, lbc.In("values.enableServiceMutatorWebhook"), "must not capture every LoadBalancer Service")

			ad := release(t, res, "prometheus-adapter")
			assert.Equal(t, "http://kube-prometheus-stack-prometheus.monitoring.svc", ad.In("values.prometheus.url"))
			assert.Equal(t, 9090.0, ad.In("values.prometheus.port"))
			assert.Equal(t, replicas, ad.In("values.replicas"))
			assert.Equal(t, replicas > 1, ad.In("values.podDisruptionBudget.enabled"))
			assert.Equal(t, false, ad.In("values.rules.default"), "no blanket custom metrics")
			assert.False(t, ad.Has("values.rules.resource"), "metrics-server owns metrics.k8s.io")
			assert.Len(t, ad.In("values.rules.external"), 1)

			// The adapter's Prometheus is the monitoring stack's: its fullname is pinned.
			stackRelease := release(t, res, monitoring.ReleaseName)
			assert.Equal(t, monitoring.ReleaseName, stackRelease.In("values.fullnameOverride"))
		})
	}
}

// The adapter's rule reads a series the monitoring rules record, its query is valid PromQL that
// selects exactly that series, and the name it serves is the one the HPA asks for.
func TestAdapterServesTheRecordedQueueDepthToTheHPA(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	rule := release(t, res, "prometheus-adapter").In("values.rules.external[0]").(map[string]any)

	var recorded []string
	rules := stacktest.One(t, res, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "-rules")
	for _, g := range rules.In("spec.groups").([]any) {
		for _, r := range g.(map[string]any)["rules"].([]any) {
			if rec, ok := r.(map[string]any)["record"].(string); ok {
				recorded = append(recorded, rec)
			}
		}
	}
	series := rule["seriesQuery"].(string)
	assert.Equal(t, mixin.SeriesPendingRuns, series)
	assert.Contains(t, recorded, series, "the adapter must read a recorded langgraph: series")
	assert.Equal(t, false, rule["resources"].(map[string]any)["namespaced"])

	// The adapter fills <<.Series>> and <<.LabelMatchers>> (none: the metric is not namespaced).
	query := strings.NewReplacer("<<.Series>>", series, "<<.LabelMatchers>>", "").Replace(rule["metricsQuery"].(string))
	expr, err := parser.NewParser(parser.Options{}).ParseExpr(query)
	require.NoError(t, err, query)
	var selected []string
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			selected = append(selected, vs.Name)
		}
		return nil
	})
	assert.Equal(t, []string{series}, selected)
	assert.Equal(t, parser.ValueTypeVector, expr.Type())

	name := rule["name"].(map[string]any)
	assert.Regexp(t, name["matches"], series)
	hpa := stacktest.One(t, res, hpaType, "-dataplane-hpa")
	assert.Equal(t, name["as"], hpa.In("spec.metrics[2].external.metric.name"))
	assert.Equal(t, clusteraddons.QueueMetric, name["as"])
}

var readOnly = []string{"Describe", "Get", "List"}

func isReadOnly(action string) bool {
	_, verb, _ := strings.Cut(action, ":")
	return slices.ContainsFunc(readOnly, func(p string) bool { return strings.HasPrefix(verb, p) })
}

// The controller's policy covers what this project's Ingress uses and confines destructive
// actions to resources the controller tagged.
func TestLoadBalancerControllerPolicy(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	doc := document(t, stacktest.One(t, res, policyType, "-addons-lbc"), "policy")
	assert.Equal(t, "2012-10-17", doc.Version)
	allowed := map[string][]awsbase.Statement{}
	for _, s := range doc.Statement {
		assert.Equal(t, "Allow", s.Effect)
		assert.Empty(t, s.Principal)
		for _, a := range s.Action {
			assert.NotContains(t, a, "*", "%s: no wildcard actions", s.Sid)
			allowed[a] = append(allowed[a], s)
		}
	}
	for _, a := range []string{
		"elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:CreateListener",
		"elasticloadbalancing:RegisterTargets", "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:ModifyLoadBalancerAttributes",
		"wafv2:AssociateWebACL", "wafv2:GetWebACLForResource", "acm:DescribeCertificate", "ec2:DescribeSubnets", "ec2:CreateSecurityGroup",
		"elasticloadbalancing:AddTags", "shield:GetSubscriptionState",
	} {
		assert.Contains(t, allowed, a, "the controller needs %s for the ALB ingress (WAF, ACM, access logs, target type ip)", a)
	}
	// Destructive or modifying load balancer and security group actions apply only to what the
	// controller created (its cluster tag), never to any load balancer in the account.
	for _, a := range []string{
		"elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DeleteTargetGroup",
		"elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetSecurityGroups",
		"ec2:DeleteSecurityGroup", "elasticloadbalancing:CreateLoadBalancer",
	} {
		for _, s := range allowed[a] {
			assert.NotEmpty(t, s.Condition["Null"], "%s in %s must be conditioned on the cluster tag", a, s.Sid)
		}
	}
	for _, s := range doc.Statement {
		if slices.ContainsFunc(s.Action, func(a string) bool { return strings.HasPrefix(a, "iam:") && !isReadOnly(a) }) {
			assert.Equal(t, "elasticloadbalancing.amazonaws.com", s.Condition["StringEquals"]["iam:AWSServiceName"],
				"%s: the only IAM write is ELB's service-linked role", s.Sid)
		}
	}
}

// prod: EKS Pod Identity binds the role to the controller's ServiceAccount in this cluster.
func TestPodIdentityBinding(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	role := stacktest.One(t, res, roleType, "-addons-lbc")
	trust := document(t, role, "assumeRolePolicy")
	require.Len(t, trust.Statement, 1)
	s := trust.Statement[0]
	assert.Equal(t, map[string]any{"Service": "pods.eks.amazonaws.com"}, s.Principal)
	assert.ElementsMatch(t, []string{"sts:AssumeRole", "sts:TagSession"}, s.Action)
	assert.Equal(t, harness.AccountID, s.Condition["StringEquals"]["aws:SourceAccount"])
	assert.Equal(t, "arn:aws:eks:us-east-1:"+harness.AccountID+":cluster/langgraph-prod", s.Condition["ArnEquals"]["aws:SourceArn"])

	assoc := stacktest.One(t, res, associationType, "-addons-lbc")
	assert.Equal(t, "langgraph-prod", assoc.In("clusterName"))
	assert.Equal(t, "kube-system", assoc.In("namespace"))
	assert.Equal(t, "aws-load-balancer-controller", assoc.In("serviceAccount"))
	assert.Equal(t, []string{role.URN}, assoc.PropertyDependencies["roleArn"], "the association binds this role")

	lbc := release(t, res, "aws-load-balancer-controller")
	assert.Equal(t, map[string]any{}, lbc.In("values.serviceAccount.annotations"), "no IRSA annotation with Pod Identity")
	assert.Contains(t, lbc.Dependencies, assoc.URN, "pods start only after the association exists, so they get credentials")
	assert.Equal(t, "aws-load-balancer-controller", lbc.In("values.serviceAccount.name"))
	assert.Equal(t, assoc.In("serviceAccount"), lbc.In("values.serviceAccount.name"))
}

// staging: IRSA trusts exactly the controller's ServiceAccount through the cluster's OIDC issuer.
func TestIRSABinding(t *testing.T) {
	res := stacktest.Run(t, "staging", nil)
	issuer := "oidc.eks.us-east-1.amazonaws.com/id/5C0FFEE5C0FFEE5C0FFEE5C0FFEE5C0F"
	role := stacktest.One(t, res, roleType, "-addons-lbc")
	trust := document(t, role, "assumeRolePolicy")
	require.Len(t, trust.Statement, 1)
	s := trust.Statement[0]
	assert.Equal(t, map[string]any{"Federated": "arn:aws:iam::" + harness.AccountID + ":oidc-provider/" + issuer}, s.Principal)
	assert.Equal(t, []string{"sts:AssumeRoleWithWebIdentity"}, s.Action)
	assert.Equal(t, map[string]any{
		issuer + ":sub": "system:serviceaccount:kube-system:aws-load-balancer-controller",
		issuer + ":aud": "sts.amazonaws.com",
	}, s.Condition["StringEquals"])
	assert.Empty(t, res.ByType(associationType), "no Pod Identity association with IRSA")

	lbc := release(t, res, "aws-load-balancer-controller")
	annotations := lbc.In("values.serviceAccount.annotations").(map[string]any)
	assert.Equal(t, role.Out("arn"), annotations["eks.amazonaws.com/role-arn"])
	assert.Contains(t, lbc.PropertyDependencies["values"], role.URN)
}

// The dataplane waits for the controller, whose webhooks admit its pods and Ingress, and opts its
// namespace into the controller's pod readiness gates.
func TestDataplaneWaitsForTheController(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	ns := stacktest.One(t, res, namespaceType, "-dataplane-namespace")
	assert.Contains(t, ns.Dependencies, release(t, res, "aws-load-balancer-controller").URN)
	assert.Equal(t, "enabled", ns.In("metadata.labels").(map[string]any)[dataplane.ReadinessGateLabel])
	ingress := stacktest.One(t, res, "kubernetes:networking.k8s.io/v1:Ingress", "-dataplane-ingress")
	assert.Equal(t, clusteraddons.IngressClass, ingress.In("spec.ingressClassName"))
}

func urns(res *harness.Result) map[string]*harness.Resource {
	out := map[string]*harness.Resource{}
	for _, r := range res.Resources {
		out[r.URN] = r
	}
	return out
}

// Switching an add-on off removes exactly its resources; in their place the program reads what
// the cluster must then provide (or nothing, for the adapter, whose metric the HPA then omits).
func TestSwitchingAnAddonOffRemovesExactlyItsResources(t *testing.T) {
	on := urns(stacktest.Run(t, "prod", nil))
	cases := []struct {
		key     string
		removed []string // "type name-suffix"
		read    string   // type of the preflight read, "" for none
		readID  string
	}{
		{"addons.metricsServer.enabled", []string{releaseType + " -addons-metrics-server"},
			"kubernetes:apiregistration.k8s.io/v1:APIService", clusteraddons.MetricsAPIService},
		{"addons.loadBalancerController.enabled", []string{
			releaseType + " -addons-load-balancer-controller", policyType + " -addons-lbc", roleType + " -addons-lbc",
			"aws:iam/rolePolicyAttachment:RolePolicyAttachment -addons-lbc", associationType + " -addons-lbc",
		}, "kubernetes:networking.k8s.io/v1:IngressClass", clusteraddons.IngressClass},
		{"addons.prometheusAdapter.enabled", []string{releaseType + " -addons-prometheus-adapter"}, "", ""},
		{"addons.fluentBit.enabled", []string{
			releaseType + " -addons-fluent-bit", policyType + " -addons-fluent-bit", roleType + " -addons-fluent-bit",
			"aws:iam/rolePolicyAttachment:RolePolicyAttachment -addons-fluent-bit", associationType + " -addons-fluent-bit",
			"aws:kms/key:Key -addons-logs-key", "aws:kms/alias:Alias -addons-logs-key-alias",
			logGroupType + " -addons-logs-langgraph", logGroupType + " -addons-logs-monitoring",
			logGroupType + " -addons-logs-monitoring-node-exporter", logGroupType + " -addons-logs-kube-system",
			logGroupType + " -addons-logs-llm-gateway",
		}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.key, func(t *testing.T) {
			res := stacktest.Run(t, "prod", map[string]any{tc.key: false})
			off := urns(res)
			var removed, added []string
			for urn, r := range on {
				if off[urn] == nil {
					removed = append(removed, r.Type+" "+r.Name)
				}
			}
			for urn, r := range off {
				if on[urn] == nil {
					added = append(added, r.Type+" "+r.Name)
					assert.True(t, r.Read, "%s: only a read may appear", urn)
					assert.Equal(t, tc.read, r.Type)
					assert.Equal(t, tc.readID, r.ID)
				}
			}
			require.Len(t, removed, len(tc.removed), "removed: %v", removed)
			for _, want := range tc.removed {
				typ, suffix, _ := strings.Cut(want, " ")
				assert.True(t, slices.ContainsFunc(removed, func(got string) bool {
					return strings.HasPrefix(got, typ+" ") && strings.HasSuffix(got, suffix)
				}), "%s should be removed; removed: %v", want, removed)
			}
			if tc.read == "" {
				assert.Empty(t, added)
			} else {
				require.Len(t, added, 1)
			}
		})
	}
}

// With the controller off, the dataplane waits for the IngressClass read instead, and policy
// checks still see only registered resources.
func TestPreflightReadsAreNotManaged(t *testing.T) {
	res := stacktest.Run(t, "prod", map[string]any{"addons.loadBalancerController.enabled": false, "addons.metricsServer.enabled": false})
	var reads []*harness.Resource
	for _, r := range res.Resources {
		if r.Read {
			reads = append(reads, r)
		}
	}
	require.Len(t, reads, 2)
	ns := stacktest.One(t, res, namespaceType, "-dataplane-namespace")
	class := stacktest.One(t, res, "kubernetes:networking.k8s.io/v1:IngressClass", "-preflight-ingress-class")
	assert.Contains(t, ns.Dependencies, class.URN)
	assert.NotEmpty(t, class.Provider, "reads go through the explicit Kubernetes provider")
}

func TestArgsValidate(t *testing.T) {
	good := clusteraddons.LoadBalancerController{ChartVersion: "3.4.2", Replicas: 2, Identity: "podIdentity"}
	for name, tc := range map[string]struct {
		args clusteraddons.Args
		want string
	}{
		"no version": {clusteraddons.Args{MetricsServer: &clusteraddons.MetricsServer{Replicas: 1}},
			`MetricsServer.ChartVersion="": is required (an exact chart version)`},
		"no replicas": {clusteraddons.Args{MetricsServer: &clusteraddons.MetricsServer{ChartVersion: "3.13.0"}}, `MetricsServer.Replicas="0": must be >= 1`},
		"no resources": {clusteraddons.Args{MetricsServer: &clusteraddons.MetricsServer{ChartVersion: "3.13.0", Replicas: 1}},
			`clusteraddons.Args.Resources["metricsServer"]: missing`},
		"no memory limit": {clusteraddons.Args{Karpenter: &clusteraddons.Karpenter{ChartVersion: "1.12.1", Replicas: 1},
			Resources: helmvalues.Sized{"karpenter": {Requests: map[string]string{"memory": "1Gi"}}}},
			`clusteraddons.Args.Resources["karpenter"]=`},
		"no cluster": {clusteraddons.Args{LoadBalancerController: &good}, "needs the cluster name, VPC, account"},
		"identity": {clusteraddons.Args{LoadBalancerController: &clusteraddons.LoadBalancerController{ChartVersion: "3.4.2", Replicas: 2, Identity: "kiam"}},
			`LoadBalancerController.Identity="kiam": must be podIdentity or irsa`},
		"irsa issuer": {clusteraddons.Args{LoadBalancerController: &clusteraddons.LoadBalancerController{ChartVersion: "3.4.2", Replicas: 2, Identity: "irsa"}},
			"OIDCIssuerURL=\"\": is required with IRSA"},
		"adapter target": {clusteraddons.Args{PrometheusAdapter: &clusteraddons.PrometheusAdapter{ChartVersion: "5.2.1", Replicas: 1}},
			"needs Prometheus's URL and port and the recorded queue series"},
		"fluent bit groups": {clusteraddons.Args{FluentBit: &clusteraddons.FluentBit{ChartVersion: "0.2.1", RetentionDays: 30, Identity: "podIdentity"}},
			"the retention, log group prefix and namespaces are required"},
		"fluent bit identity": {clusteraddons.Args{FluentBit: &clusteraddons.FluentBit{ChartVersion: "0.2.1", RetentionDays: 30, LogGroupPrefix: "/x", Namespaces: []string{"a"}, Identity: "kiam"}},
			`FluentBit.Identity="kiam": must be podIdentity or irsa`},
	} {
		err := tc.args.Validate()
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), tc.want, name)
	}
	assert.NoError(t, (&clusteraddons.Args{}).Validate(), "every add-on off is valid")
}
