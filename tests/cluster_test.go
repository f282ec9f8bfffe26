package tests

// cluster.mode create, reference and existing: the network, the EKS cluster, the node
// autoscaling and their wiring into the data tier and the Kubernetes provider (issue 20).

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/clusteraddons"
	"github.com/langgraph-platform/infra/components/network"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/program"
	"github.com/langgraph-platform/infra/program/sizing"
)

const (
	subnetType  = "aws:ec2/subnet:Subnet"
	natType     = "aws:ec2/natGateway:NatGateway"
	rtType      = "aws:ec2/routeTable:RouteTable"
	eksType     = "aws:eks/cluster:Cluster"
	sandbox     = "sandbox"
	helmRelease = "kubernetes:helm.sh/v3:Release"
)

func computedID(r *harness.Resource) string { return harness.Placeholder(r.Type, r.Name, "id") }

func subnetsOf(res *harness.Result, tier string) []*harness.Resource {
	var out []*harness.Resource
	for _, s := range res.ByType(subnetType) {
		if strings.Contains(s.Name, "-"+tier+"-") {
			out = append(out, s)
		}
	}
	return out
}

func loadSandbox(t *testing.T, set map[string]any) *config.Config {
	t.Helper()
	sc, err := harness.LoadStackConfig(harness.Options{Stack: sandbox, Secrets: harness.DefaultSecrets(), Set: set})
	require.NoError(t, err)
	cfg, err := config.Load(sc.Project, sandbox, config.Raw{Values: sc.Values, SecretKeys: sc.SecretKeys})
	require.NoError(t, err)
	return cfg
}

func TestCreatedNetworkLayout(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  map[string]any
		azs  int
		nats int
	}{
		{"sandbox: 2 AZs, one NAT gateway", nil, 2, 1},
		{"prod-like: 3 AZs, a NAT gateway per AZ", map[string]any{"cluster.create.availabilityZones": 3, "cluster.create.natGatewayPerAz": true}, 3, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := stacktest.Run(t, sandbox, tc.set)
			layout, err := loadSandbox(t, tc.set).Cluster.Create.Layout()
			require.NoError(t, err)
			vpc := stacktest.One(t, res, "aws:ec2/vpc:Vpc", "-network-vpc")
			assert.Equal(t, "10.60.0.0/16", vpc.In("cidrBlock"))
			assert.Equal(t, true, vpc.In("enableDnsHostnames"))
			zones := []string{"us-east-1a", "us-east-1b", "us-east-1c"}[:tc.azs]
			for tier, cidrs := range map[string][]string{"public": layout.Public, "private": layout.Private, "isolated": layout.Isolated} {
				subnets := subnetsOf(res, tier)
				require.Len(t, subnets, tc.azs, tier)
				for i, s := range subnets {
					assert.Equal(t, cidrs[i], s.In("cidrBlock"), "%s subnet %d", tier, i)
					assert.Equal(t, zones[i], s.In("availabilityZone"))
					assert.Equal(t, false, s.In("mapPublicIpOnLaunch"))
					tags := s.In("tags").(map[string]any)
					switch tier {
					case "public":
						assert.Equal(t, "1", tags["kubernetes.io/role/elb"], "the load balancer controller places internet-facing ALBs here")
						assert.Equal(t, "shared", tags["kubernetes.io/cluster/langgraph-sandbox"])
					case "private":
						assert.Equal(t, "1", tags["kubernetes.io/role/internal-elb"])
					case "isolated":
						assert.NotContains(t, tags, "kubernetes.io/role/elb")
						assert.NotContains(t, tags, "kubernetes.io/role/internal-elb")
					}
				}
			}
			nats := res.ByType(natType)
			require.Len(t, nats, tc.nats)
			publics := subnetsOf(res, "public")
			for i, n := range nats {
				assert.Equal(t, computedID(publics[i]), n.In("subnetId"), "NAT gateway %d sits in its AZ's public subnet", i)
			}
			var privateRTs []*harness.Resource
			for _, rt := range res.ByType(rtType) {
				routes, _ := rt.In("routes").([]any)
				switch {
				case strings.Contains(rt.Name, "-private-rt-"):
					privateRTs = append(privateRTs, rt)
					require.Len(t, routes, 1)
					assert.Equal(t, "0.0.0.0/0", routes[0].(map[string]any)["cidrBlock"])
				case strings.HasSuffix(rt.Name, "-isolated-rt"):
					assert.Empty(t, routes, "isolated subnets have no route out of the VPC")
				case strings.HasSuffix(rt.Name, "-public-rt"):
					require.Len(t, routes, 1)
					assert.Equal(t, computedID(stacktest.One(t, res, "aws:ec2/internetGateway:InternetGateway", "-network-igw")), routes[0].(map[string]any)["gatewayId"])
				}
			}
			require.Len(t, privateRTs, tc.azs)
			for i, rt := range privateRTs {
				want := computedID(nats[i%tc.nats])
				assert.Equal(t, want, rt.In("routes").([]any)[0].(map[string]any)["natGatewayId"], "private route table %d", i)
			}

			endpoints := res.ByType("aws:ec2/vpcEndpoint:VpcEndpoint")
			services := map[string]*harness.Resource{}
			for _, e := range endpoints {
				services[strings.TrimPrefix(e.In("serviceName").(string), "com.amazonaws.us-east-1.")] = e
			}
			require.Contains(t, services, "s3")
			assert.Equal(t, "Gateway", services["s3"].In("vpcEndpointType"))
			assert.Len(t, services["s3"].In("routeTableIds"), tc.azs+1, "S3 from the private and isolated subnets")
			assert.Len(t, network.InterfaceEndpointServices, sizing.InterfaceEndpointServices, "the cost model prices each interface endpoint")
			for _, svc := range []string{"ecr.api", "ecr.dkr", "sts", "logs"} {
				e := services[svc]
				require.NotNil(t, e, svc)
				assert.Equal(t, "Interface", e.In("vpcEndpointType"))
				assert.Equal(t, true, e.In("privateDnsEnabled"))
				assert.Len(t, e.In("subnetIds"), tc.azs)
			}

			flow := stacktest.One(t, res, "aws:ec2/flowLog:FlowLog", "-network-flow-log")
			assert.Equal(t, "ALL", flow.In("trafficType"))
			group := stacktest.One(t, res, "aws:cloudwatch/logGroup:LogGroup", "-network-flow-logs")
			key := stacktest.One(t, res, "aws:kms/key:Key", "-network-flow-logs-key")
			assert.Equal(t, group.Out("arn"), flow.In("logDestination"))
			assert.Equal(t, key.Out("arn"), group.In("kmsKeyId"), "flow logs encrypted with their own key")
			assert.Equal(t, 30.0, group.In("retentionInDays"))
		})
	}
}

func TestCreatedClusterSettings(t *testing.T) {
	res := stacktest.Run(t, sandbox, nil)
	c := stacktest.One(t, res, eksType, "-eks")
	assert.Equal(t, "langgraph-sandbox", c.In("name"))
	assert.Equal(t, "1.35", c.In("version"))
	assert.Equal(t, "API", c.In("accessConfig.authenticationMode"))
	assert.Equal(t, true, c.In("accessConfig.bootstrapClusterCreatorAdminPermissions"))
	assert.Equal(t, true, c.In("vpcConfig.endpointPrivateAccess"))
	assert.Equal(t, true, c.In("vpcConfig.endpointPublicAccess"))
	assert.Equal(t, []any{"203.0.113.0/24"}, c.In("vpcConfig.publicAccessCidrs"))
	privates := subnetsOf(res, "private")
	assert.Equal(t, []any{computedID(privates[0]), computedID(privates[1])}, c.In("vpcConfig.subnetIds"))
	assert.ElementsMatch(t, catalog.EKSControlPlaneLogTypes, c.In("enabledClusterLogTypes"))
	key := stacktest.One(t, res, "aws:kms/key:Key", "-eks-key")
	assert.Equal(t, key.Out("arn"), c.In("encryptionConfig.provider.keyArn"))
	assert.Equal(t, []any{"secrets"}, c.In("encryptionConfig.resources"))
	assert.Equal(t, false, c.In("bootstrapSelfManagedAddons"), "the network add-ons are managed add-ons at pinned versions")
	logs := stacktest.One(t, res, "aws:cloudwatch/logGroup:LogGroup", "-eks-control-plane-logs")
	assert.Equal(t, "/aws/eks/langgraph-sandbox/cluster", logs.In("name"))
	assert.Contains(t, c.Dependencies, logs.URN, "the log group exists (with retention and key) before EKS writes to it")

	entry := stacktest.One(t, res, "aws:eks/accessEntry:AccessEntry", "-eks-admin-0")
	assert.Equal(t, "arn:aws:iam::123456789012:role/platform-admin", entry.In("principalArn"))
	assoc := stacktest.One(t, res, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "-eks-admin-0")
	assert.Equal(t, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", assoc.In("policyArn"))
	assert.Equal(t, "cluster", assoc.In("accessScope.type"))

	addons := res.ByType("aws:eks/addon:Addon")
	require.Len(t, addons, 5)
	nodes := stacktest.One(t, res, "aws:eks/nodeGroup:NodeGroup", "-eks-system")
	for _, a := range addons {
		name := a.In("addonName").(string)
		assert.Equal(t, catalog.EKSVersions["1.35"].Addons[name], a.In("addonVersion"), name)
		if name == catalog.AddonCoreDNS || name == catalog.AddonEBSCSIDriver {
			assert.Contains(t, a.Dependencies, nodes.URN, "%s runs a Deployment: it needs nodes", name)
		} else {
			assert.Contains(t, nodes.Dependencies, a.URN, "nodes need %s", name)
		}
	}
	csi := stacktest.One(t, res, "aws:eks/addon:Addon", "-eks-aws-ebs-csi-driver")
	csiRole := stacktest.One(t, res, "aws:iam/role:Role", "-eks-ebs-csi")
	assert.Equal(t, []any{map[string]any{"roleArn": csiRole.Out("arn"), "serviceAccount": "ebs-csi-controller-sa"}}, csi.In("podIdentityAssociations"),
		"the driver provisions the monitoring stack's gp3 volumes with its own role")
	assert.Equal(t, 2.0, nodes.In("scalingConfig.desiredSize"))
	assert.Equal(t, []any{"m7i.large"}, nodes.In("instanceTypes"))

	// No public endpoint at all when no CIDR may reach it.
	private := stacktest.One(t, stacktest.Run(t, sandbox, map[string]any{"cluster.create.publicAccessCidrs": []any{}}), eksType, "-eks")
	assert.Equal(t, false, private.In("vpcConfig.endpointPublicAccess"))
	assert.False(t, private.Has("vpcConfig.publicAccessCidrs"))
}

func TestCreatedClusterNodesFollowTheHPA(t *testing.T) {
	res := stacktest.Run(t, sandbox, nil)
	cfg := loadSandbox(t, nil)
	release := stacktest.One(t, res, helmRelease, "-addons-karpenter")
	assert.Equal(t, "oci://public.ecr.aws/karpenter/karpenter", release.In("chart"))
	assert.Equal(t, "1.12.1", release.In("version"))
	assert.Equal(t, clusteraddons.Namespace, release.In("namespace"))
	assert.Equal(t, "langgraph-sandbox", release.In("values.settings.clusterName"))
	queue := stacktest.One(t, res, "aws:sqs/queue:Queue", "-addons-karpenter")
	assert.Equal(t, queue.In("name"), release.In("values.settings.interruptionQueue"))
	assert.Equal(t, true, queue.In("sqsManagedSseEnabled"))
	assoc := stacktest.One(t, res, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "-addons-karpenter")
	assert.Equal(t, "karpenter", assoc.In("serviceAccount"))
	assert.Equal(t, stacktest.One(t, res, eksType, "-eks").Out("name"), assoc.In("clusterName"), "the association waits for the created cluster")
	rules := 0
	for _, r := range res.ByType("aws:cloudwatch/eventTarget:EventTarget") {
		if strings.Contains(r.Name, "-karpenter-") {
			rules++
			assert.Equal(t, queue.Out("arn"), r.In("arn"))
		}
	}
	assert.Equal(t, len(clusteraddons.InterruptionEvents), rules)

	eksNodeRole := stacktest.One(t, res, "aws:iam/role:Role", "-eks-node-role")
	for _, r := range res.ByType("aws:iam/role:Role") {
		assert.NotContains(t, r.Name, "karpenter-node", "create mode: Karpenter's nodes share the cluster's node role and its access entry")
	}
	nodeClass := stacktest.One(t, res, "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", "-karpenter-nodeclass")
	assert.Equal(t, eksNodeRole.Out("name"), nodeClass.In("spec.role"))
	privates := subnetsOf(res, "private")
	assert.Equal(t, []any{map[string]any{"id": computedID(privates[0])}, map[string]any{"id": computedID(privates[1])}}, nodeClass.In("spec.subnetSelectorTerms"))
	clusterSG := harness.Placeholder(eksType, "langgraph-sandbox-eks", "vpcConfig.clusterSecurityGroupId")
	assert.Equal(t, []any{map[string]any{"id": clusterSG}}, nodeClass.In("spec.securityGroupSelectorTerms"))
	assert.Equal(t, "required", nodeClass.In("spec.metadataOptions.httpTokens"))
	assert.Equal(t, 1.0, nodeClass.In("spec.metadataOptions.httpPutResponseHopLimit"))
	assert.Equal(t, []any{map[string]any{"alias": catalog.KarpenterAMIAlias}}, nodeClass.In("spec.amiSelectorTerms"))
	assert.Contains(t, nodeClass.Dependencies, release.URN, "the chart installs the CRDs first")

	pool := stacktest.One(t, res, "kubernetes:karpenter.sh/v1:NodePool", "-karpenter-nodepool")
	// Sandbox pods request 500m / 1Gi, at most 6: sizes holding 2-16 of them; 6 x 1.25 headroom.
	require.Equal(t, 6, cfg.HPA.MaxReplicas)
	assert.Equal(t, "4", pool.In("spec.limits.cpu"))
	assert.Equal(t, "8Gi", pool.In("spec.limits.memory"))
	reqs := map[string][]any{}
	for _, r := range pool.In("spec.template.spec.requirements").([]any) {
		m := r.(map[string]any)
		reqs[m["key"].(string)] = m["values"].([]any)
	}
	assert.Equal(t, []any{"2", "4", "8"}, reqs["karpenter.k8s.aws/instance-cpu"])
	assert.Equal(t, []any{"spot", "on-demand"}, reqs["karpenter.sh/capacity-type"])

	// The capacity report counts the node's provisioning in the ramp.
	report := res.Outputs["capacityRampSeconds"].Value.(float64)
	warm := stacktest.Run(t, sandbox, map[string]any{"addons.karpenter.enabled": true, "cost.nodeInstanceType": "m7i.4xlarge"}).Outputs["capacityRampSeconds"].Value.(float64)
	assert.GreaterOrEqual(t, report, warm, "smaller nodes: more pods wait for a node")
	assert.Equal(t, float64(catalog.NodeProvisioningSeconds[catalog.NodeAutoscalerKarpenter]), 60.0)
}

// The data tier admits the created cluster's security group and lives in the isolated subnets;
// the Kubernetes provider is built from the cluster's outputs.
func TestCreatedClusterWiring(t *testing.T) {
	res := stacktest.Run(t, sandbox, nil)
	clusterSG := harness.Placeholder(eksType, "langgraph-sandbox-eks", "vpcConfig.clusterSecurityGroupId")
	isolated := subnetsOf(res, "isolated")
	isolatedIDs := []any{computedID(isolated[0]), computedID(isolated[1])}
	for _, suffix := range []string{"-db-sg", "-cache-sg"} {
		sg := stacktest.One(t, res, "aws:ec2/securityGroup:SecurityGroup", suffix)
		assert.Equal(t, []any{clusterSG}, sg.In("ingress").([]any)[0].(map[string]any)["securityGroups"], suffix)
		assert.Equal(t, computedID(stacktest.One(t, res, "aws:ec2/vpc:Vpc", "-network-vpc")), sg.In("vpcId"))
	}
	assert.Equal(t, isolatedIDs, stacktest.One(t, res, "aws:rds/subnetGroup:SubnetGroup", "-db-subnets").In("subnetIds"))
	assert.Equal(t, isolatedIDs, stacktest.One(t, res, "aws:elasticache/subnetGroup:SubnetGroup", "-cache-subnets").In("subnetIds"))

	provider := stacktest.One(t, res, "pulumi:providers:kubernetes", "k8s-langgraph-sandbox")
	require.True(t, provider.SecretIn("kubeconfig"), "the kubeconfig reaches state as a secret")
	var kubeconfig map[string]any
	require.NoError(t, json.Unmarshal([]byte(provider.In("kubeconfig").(string)), &kubeconfig))
	cluster := kubeconfig["clusters"].([]any)[0].(map[string]any)["cluster"].(map[string]any)
	assert.Equal(t, harness.Placeholder(eksType, "langgraph-sandbox-eks", "endpoint"), cluster["server"])
	exec := kubeconfig["users"].([]any)[0].(map[string]any)["user"].(map[string]any)["exec"].(map[string]any)
	assert.Equal(t, "aws", exec["command"])
	assert.Contains(t, exec["args"], "get-token")
	assert.False(t, provider.Has("context"), "no ambient kubeconfig")

	// NetworkPolicies: the database's and cache's CIDRs are the isolated subnets'.
	layout, err := loadSandbox(t, nil).Cluster.Create.Layout()
	require.NoError(t, err)
	policies, _ := json.Marshal(res.ByType("kubernetes:networking.k8s.io/v1:NetworkPolicy"))
	for _, cidr := range append(layout.Isolated, layout.Public...) {
		assert.Contains(t, string(policies), cidr)
	}
	for _, name := range []string{"clusterName", "vpcId", "privateSubnetIds", "privateSubnetCidrs", "nodeSubnetCidrs", "loadBalancerSubnetCidrs", "securityGroupIds", "oidcIssuerUrl", "kubeconfig"} {
		require.Contains(t, res.Outputs, name, "the create-mode stack exports what reference mode reads")
	}
	assert.True(t, res.Outputs["kubeconfig"].Secret)
}

// referenceSet turns staging into a reference-mode stack reading stack.
func referenceSet(stack string) map[string]any {
	set := map[string]any{"cluster.mode": "reference", "cluster.reference.stack": stack}
	for _, k := range []string{"name", "kubeContext", "vpcId", "privateSubnetIds", "privateSubnetCidrs", "loadBalancerSubnetCidrs", "securityGroupIds"} {
		set["cluster."+k] = nil
	}
	return set
}

func sandboxOutputs(t *testing.T) map[string]any {
	t.Helper()
	out := map[string]any{}
	for name, o := range stacktest.Run(t, sandbox, nil).Outputs {
		out[name] = o.Value
	}
	return out
}

func TestReferenceModeReadsAnotherStack(t *testing.T) {
	const ref = "acme/langgraph-platform/sandbox"
	outputs := sandboxOutputs(t)
	res, err := harness.Run(program.Build, harness.Options{Stack: "staging", Secrets: harness.DefaultSecrets(), Set: referenceSet(ref),
		ReferencedStacks: map[string]map[string]any{ref: outputs}})
	require.NoError(t, err)
	assert.Empty(t, res.ByType(eksType), "reference mode creates no cluster")
	assert.Empty(t, res.ByType("aws:ec2/vpc:Vpc"))
	sg := stacktest.One(t, res, "aws:ec2/securityGroup:SecurityGroup", "-db-sg")
	assert.Equal(t, fmt.Sprint(outputs["securityGroupIds"]), fmt.Sprint(sg.In("ingress").([]any)[0].(map[string]any)["securityGroups"]))
	assert.Equal(t, outputs["vpcId"], sg.In("vpcId"))
	assert.Equal(t, fmt.Sprint(outputs["privateSubnetIds"]), fmt.Sprint(stacktest.One(t, res, "aws:rds/subnetGroup:SubnetGroup", "-db-subnets").In("subnetIds")))
	provider := stacktest.One(t, res, "pulumi:providers:kubernetes", "k8s-"+outputs["clusterName"].(string))
	assert.Equal(t, outputs["kubeconfig"], provider.In("kubeconfig"))
	assert.True(t, provider.SecretIn("kubeconfig"))
	lbc := stacktest.One(t, res, "aws:iam/role:Role", "-addons-lbc")
	require.Contains(t, outputs["oidcIssuerUrl"], "identities[0].oidcs[0].issuer")
	assert.Contains(t, lbc.In("assumeRolePolicy"), "langgraph-sandbox-eks.identities[0].oidcs[0].issuer", "staging's IRSA trusts the referenced cluster's OIDC issuer")
}

func TestReferenceModeRefusesAMissingOrMistypedOutput(t *testing.T) {
	const ref = "acme/langgraph-platform/sandbox"
	for _, tc := range []struct {
		name   string
		change func(map[string]any)
		want   string
	}{
		{"missing", func(o map[string]any) { delete(o, "oidcIssuerUrl") }, `has no output "oidcIssuerUrl"`},
		{"a string for a list", func(o map[string]any) { o["privateSubnetIds"] = "subnet-0123456789abcdef0" }, `output "privateSubnetIds" is string, want a list of strings`},
		{"a list for a string", func(o map[string]any) { o["vpcId"] = []any{"vpc-1"} }, `output "vpcId" is []interface {}`},
		{"a number in a list", func(o map[string]any) { o["securityGroupIds"] = []any{"sg-1", 7.0} }, `output "securityGroupIds" is []interface {}, want a list of strings`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outputs := sandboxOutputs(t)
			tc.change(outputs)
			_, err := harness.Run(program.Build, harness.Options{Stack: "staging", Secrets: harness.DefaultSecrets(), Set: referenceSet(ref),
				ReferencedStacks: map[string]map[string]any{ref: outputs}})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "cluster.reference.stack")
			var cfgErr *config.Error
			assert.ErrorAs(t, err, &cfgErr, "a configuration error: exit 2 from synth")
		})
	}
}

// An existing cluster: Karpenter as an add-on brings its own node role and access entry; the
// preflight read of the cluster refuses a second controller or autoscaler beside Auto Mode.
func TestExistingClusterKarpenterAndPreflight(t *testing.T) {
	res := stacktest.Run(t, "staging", map[string]any{"addons.karpenter.enabled": true, "cluster.nodeAutoscaler": nil, "cost.nodeInstanceType": "m7i.2xlarge"})
	role := stacktest.One(t, res, "aws:iam/role:Role", "-addons-karpenter-node")
	entry := stacktest.One(t, res, "aws:eks/accessEntry:AccessEntry", "-addons-karpenter-node")
	assert.Equal(t, "EC2_LINUX", entry.In("type"))
	assert.Equal(t, role.Out("arn"), entry.In("principalArn"))
	release := stacktest.One(t, res, helmRelease, "-addons-karpenter")
	assert.Contains(t, release.Dependencies, entry.URN, "nodes can join before the controller launches any")
	controller := stacktest.One(t, res, "aws:iam/role:Role", "-addons-karpenter")
	assert.Equal(t, controller.Out("arn"), release.In("values.serviceAccount.annotations").(map[string]any)[clusteraddons.IRSAAnnotation], "staging binds with IRSA")
	nodeClass := stacktest.One(t, res, "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", "-karpenter-nodeclass")
	assert.Equal(t, []any{map[string]any{"id": "sg-0d0ffee0d0ffee002"}}, nodeClass.In("spec.securityGroupSelectorTerms"))
	assert.Len(t, nodeClass.In("spec.subnetSelectorTerms"), 2)
	assert.Empty(t, stacktest.Run(t, "staging", nil).ByType("kubernetes:karpenter.sh/v1:NodePool"), "off by default")

	run := func(set map[string]any) error {
		_, err := harness.Run(program.Build, harness.Options{Stack: "staging", Secrets: harness.DefaultSecrets(), Set: set, AutoModeClusters: []string{"langgraph-staging"}})
		return err
	}
	err := run(nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `addons.loadBalancerController.enabled=true but EKS cluster "langgraph-staging" runs Auto Mode`)
	err = run(map[string]any{"addons.loadBalancerController.enabled": false})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `cluster.nodeAutoscaler="clusterAutoscaler" but EKS cluster "langgraph-staging" runs Auto Mode`)
	err = run(map[string]any{"addons.loadBalancerController.enabled": false, "cluster.nodeAutoscaler": nil, "addons.karpenter.enabled": true, "cost.nodeInstanceType": "m7i.2xlarge"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "addons.karpenter.enabled=true but EKS cluster \"langgraph-staging\" runs Auto Mode")
	require.NoError(t, run(map[string]any{"addons.loadBalancerController.enabled": false, "cluster.nodeAutoscaler": "autoMode"}))
	_, err = harness.Run(program.Build, harness.Options{Stack: "staging", Secrets: harness.DefaultSecrets(), Set: map[string]any{"cluster.nodeAutoscaler": "autoMode"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cluster.nodeAutoscaler=autoMode but EKS cluster \"langgraph-staging\" does not run Auto Mode")
}

// The sandbox is a whole account: every resource type prod and staging create, and the network
// and cluster besides.
func TestSandboxRendersAWholeAccount(t *testing.T) {
	res := stacktest.Run(t, sandbox, nil)
	types := map[string]bool{}
	for _, r := range res.Resources {
		types[r.Type] = true
	}
	for _, typ := range []string{"aws:ec2/vpc:Vpc", natType, "aws:ec2/flowLog:FlowLog", eksType, "aws:eks/nodeGroup:NodeGroup", "aws:eks/addon:Addon",
		"aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup", "kubernetes:apps/v1:Deployment", "kubernetes:karpenter.sh/v1:NodePool"} {
		assert.True(t, types[typ], typ)
	}
	staging := stacktest.Run(t, "staging", nil)
	for _, r := range staging.Resources {
		if !types[r.Type] && !slices.Contains([]string{"pulumi:pulumi:StackReference"}, r.Type) {
			t.Errorf("staging creates %s, the sandbox does not (%s)", r.Type, fmt.Sprint(r.Name))
		}
	}
}
