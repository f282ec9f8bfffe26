package program

// The cluster the Kubernetes side runs on, whatever cluster.mode says: the existing mode's
// config, another stack's outputs (reference), or the network and cluster this stack creates.

import (
	"fmt"
	"slices"

	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/components/eks"
	"github.com/langgraph-platform/infra/components/network"
	"github.com/langgraph-platform/infra/config"
)

// Cluster is what the components need to know about the cluster and its network.
type Cluster struct {
	// Name is the cluster's name; NameInput the same as an input that waits for a created cluster.
	Name      string
	NameInput pulumi.StringInput
	VPCID     pulumi.StringInput
	// DataSubnetIDs and DataSubnetCIDRs hold the database and cache; NodeSubnetIDs and NodeCIDRs
	// the nodes and pods (the same private subnets for an existing cluster).
	DataSubnetIDs     pulumi.StringArrayInput
	DataSubnetCIDRs   []string
	NodeSubnetIDs     pulumi.StringArrayInput
	NodeCIDRs         []string
	LoadBalancerCIDRs []string
	// AZs are the availability zones the data tier spreads over.
	AZs []string
	// SecurityGroupIDs are the node (and so pod) security groups the data tier admits.
	SecurityGroupIDs pulumi.StringArrayInput
	OIDCIssuerURL    string
	// Kubeconfig is the Kubernetes provider's kubeconfig; nil: the ambient one with KubeContext.
	Kubeconfig  pulumi.StringInput
	KubeContext string
	// NodeRoleName is the created cluster's node role (Karpenter's nodes share it); nil otherwise.
	NodeRoleName pulumi.StringInput
	// Outputs are the stack outputs another stack's reference mode reads (ReferenceOutputs).
	Outputs map[string]pulumi.Output
}

// The outputs reference mode reads, and a create-mode stack exports: one contract.
const (
	OutputClusterName             = "clusterName"
	OutputVPCID                   = "vpcId"
	OutputPrivateSubnetIDs        = "privateSubnetIds"
	OutputPrivateSubnetCIDRs      = "privateSubnetCidrs"
	OutputNodeSubnetCIDRs         = "nodeSubnetCidrs"
	OutputLoadBalancerSubnetCIDRs = "loadBalancerSubnetCidrs"
	OutputSecurityGroupIDs        = "securityGroupIds"
	OutputOIDCIssuerURL           = "oidcIssuerUrl"
	OutputKubeconfig              = "kubeconfig"
)

// ReferenceOutputs are the outputs reference mode needs, each with its type.
var ReferenceOutputs = []struct {
	Name string
	List bool
}{
	{OutputClusterName, false}, {OutputVPCID, false}, {OutputPrivateSubnetIDs, true}, {OutputPrivateSubnetCIDRs, true},
	{OutputNodeSubnetCIDRs, true}, {OutputLoadBalancerSubnetCIDRs, true}, {OutputSecurityGroupIDs, true},
	{OutputOIDCIssuerURL, false}, {OutputKubeconfig, false},
}

// ResolveCluster returns the stack's cluster: read from config, from the referenced stack, or
// created here.
func ResolveCluster(ctx *pulumi.Context, cfg *config.Config, account awsbase.Account, zones []string) (*Cluster, error) {
	switch cfg.Cluster.Mode {
	case config.ModeReference:
		return referencedCluster(ctx, cfg, zones)
	case config.ModeCreate:
		return createdCluster(ctx, cfg, account, zones)
	}
	cl := cfg.Cluster
	c := &Cluster{
		Name: cl.Name, NameInput: pulumi.String(cl.Name), VPCID: pulumi.String(cl.VPCID),
		DataSubnetIDs: pulumi.ToStringArray(cl.PrivateSubnetIDs), DataSubnetCIDRs: cl.PrivateSubnetCIDRs,
		NodeSubnetIDs: pulumi.ToStringArray(cl.PrivateSubnetIDs), NodeCIDRs: cl.PrivateSubnetCIDRs,
		LoadBalancerCIDRs: cl.LoadBalancerSubnetCIDRs, SecurityGroupIDs: pulumi.ToStringArray(cl.SecurityGroupIDs),
		OIDCIssuerURL: cfg.Addons.LoadBalancerController.OIDCIssuerURL, KubeContext: cl.KubeContext, AZs: zones,
	}
	if cfg.Secrets.Kubeconfig.IsSet() {
		c.Kubeconfig = cfg.Secrets.Kubeconfig.Output()
	}
	return c, nil
}

// referencedCluster reads the cluster from another stack's outputs. The values are awaited here
// (the engine resolves a stack reference during preview too), so names and CIDRs are plain
// strings like the existing mode's; a missing output or one of the wrong type is an error naming it.
func referencedCluster(ctx *pulumi.Context, cfg *config.Config, zones []string) (*Cluster, error) {
	stack := cfg.Cluster.Reference.Stack
	ref, err := pulumi.NewStackReference(ctx, "cluster-reference", &pulumi.StackReferenceArgs{Name: pulumi.String(stack)})
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ReferenceOutputs))
	for i, o := range ReferenceOutputs {
		names[i] = o.Name
	}
	values, problems, err := referenceOutputs(ref, stack, names, func(name string) error {
		return fmt.Errorf("cluster.reference.stack=%q has no output %q: that stack must export %s (a stack of this project with cluster.mode create does)", stack, name, referenceContract())
	})
	if err != nil {
		return nil, err
	}
	strs, lists := map[string]string{}, map[string][]string{}
	for _, o := range ReferenceOutputs {
		v, ok := values[o.Name]
		if !ok {
			continue
		}
		if o.List {
			l, ok := stringList(v)
			if !ok {
				problems = append(problems, fmt.Errorf("cluster.reference.stack=%q: output %q is %T, want a list of strings", stack, o.Name, v))
				continue
			}
			lists[o.Name] = l
			continue
		}
		s, ok := v.(string)
		if !ok || s == "" {
			problems = append(problems, fmt.Errorf("cluster.reference.stack=%q: output %q is %T %v, want a non-empty string", stack, o.Name, v, v))
			continue
		}
		strs[o.Name] = s
	}
	if len(problems) > 0 {
		return nil, &config.Error{Stack: cfg.Stack, Problems: problems}
	}
	kubeconfig := pulumi.ToSecret(pulumi.String(strs[OutputKubeconfig])).(pulumi.StringOutput)
	return &Cluster{
		Name: strs[OutputClusterName], NameInput: pulumi.String(strs[OutputClusterName]), VPCID: pulumi.String(strs[OutputVPCID]),
		DataSubnetIDs: pulumi.ToStringArray(lists[OutputPrivateSubnetIDs]), DataSubnetCIDRs: lists[OutputPrivateSubnetCIDRs],
		NodeSubnetIDs: pulumi.ToStringArray(lists[OutputPrivateSubnetIDs]), NodeCIDRs: lists[OutputNodeSubnetCIDRs],
		LoadBalancerCIDRs: lists[OutputLoadBalancerSubnetCIDRs], SecurityGroupIDs: pulumi.ToStringArray(lists[OutputSecurityGroupIDs]),
		OIDCIssuerURL: strs[OutputOIDCIssuerURL], Kubeconfig: kubeconfig, AZs: zones,
	}, nil
}

// referenceOutputs reads names from another stack's outputs (the engine resolves a stack
// reference during preview too): plain or secret values by name, and a problem from missing for
// each output the stack lacks.
func referenceOutputs(ref *pulumi.StackReference, stack string, names []string, missing func(name string) error) (map[string]any, []error, error) {
	values := map[string]any{}
	var problems []error
	for _, name := range names {
		d, err := ref.GetOutputDetails(name)
		if err != nil {
			return nil, nil, fmt.Errorf("reading output %s of stack %s: %w", name, stack, err)
		}
		v := d.Value
		if v == nil {
			v = d.SecretValue
		}
		if v == nil {
			problems = append(problems, missing(name))
			continue
		}
		values[name] = v
	}
	return values, problems, nil
}

func referenceContract() string {
	names := make([]string, len(ReferenceOutputs))
	for i, o := range ReferenceOutputs {
		names[i] = o.Name
	}
	return fmt.Sprint(names)
}

func stringList(v any) ([]string, bool) {
	items, ok := v.([]any)
	if !ok {
		if s, ok := v.([]string); ok {
			return s, true
		}
		return nil, false
	}
	out := make([]string, len(items))
	for i, item := range items {
		s, ok := item.(string)
		if !ok {
			return nil, false
		}
		out[i] = s
	}
	return out, true
}

// createdCluster builds the network and the EKS cluster (create mode).
func createdCluster(ctx *pulumi.Context, cfg *config.Config, account awsbase.Account, zones []string) (*Cluster, error) {
	k := cfg.Cluster.Create
	if len(zones) < k.AvailabilityZones {
		return nil, &config.Error{Stack: cfg.Stack, Problems: []error{fmt.Errorf("cluster.create.availabilityZones=%d: region %s has only %d available AZs (%v)", k.AvailabilityZones, account.Region, len(zones), zones)}}
	}
	layout, err := k.Layout()
	if err != nil {
		return nil, &config.Error{Stack: cfg.Stack, Problems: []error{err}}
	}
	prefix := Prefix(cfg)
	tags := Tags(cfg)
	net, err := network.New(ctx, prefix+"-network", network.Args{
		Account: account, ClusterName: cfg.Cluster.Name, CIDR: k.VPCCIDR, AZs: zones[:k.AvailabilityZones],
		Public: layout.Public, Private: layout.Private, Isolated: layout.Isolated,
		NATGatewayPerAZ: k.NATGatewayPerAZ, LogRetentionDays: k.LogRetentionDays, Tags: tags,
	})
	if err != nil {
		return nil, err
	}
	cluster, err := eks.New(ctx, prefix+"-eks", eks.Args{
		Account: account, Name: cfg.Cluster.Name, Version: k.Version, Addons: catalog.EKSVersions[k.Version].Addons,
		SubnetIDs: net.PrivateSubnetIDs, PublicAccessCIDRs: k.PublicAccessCIDRs, AdminRoleARNs: k.AdminRoleARNs,
		LogTypes: catalog.EKSControlPlaneLogTypes, LogRetentionDays: k.LogRetentionDays,
		SystemNodeType: k.SystemNodes.InstanceType, SystemNodes: k.SystemNodes.Count,
		Protect: cfg.Production(), Tags: tags,
	})
	if err != nil {
		return nil, err
	}
	groups := pulumi.StringArray{cluster.SecurityGroupID}.ToStringArrayOutput()
	c := &Cluster{
		Name: cfg.Cluster.Name, NameInput: cluster.Name, VPCID: net.VPCID,
		DataSubnetIDs: net.IsolatedSubnetIDs, DataSubnetCIDRs: layout.Isolated,
		NodeSubnetIDs: net.PrivateSubnetIDs, NodeCIDRs: layout.Private,
		LoadBalancerCIDRs: layout.Public, SecurityGroupIDs: groups, AZs: zones[:k.AvailabilityZones],
		Kubeconfig: pulumi.ToSecret(cluster.Kubeconfig).(pulumi.StringOutput), NodeRoleName: cluster.NodeRoleName,
	}
	c.Outputs = map[string]pulumi.Output{
		OutputClusterName: cluster.Name, OutputVPCID: net.VPCID, OutputPrivateSubnetIDs: net.IsolatedSubnetIDs,
		OutputPrivateSubnetCIDRs: pulumi.ToStringArray(layout.Isolated).ToStringArrayOutput(), OutputNodeSubnetCIDRs: pulumi.ToStringArray(layout.Private).ToStringArrayOutput(),
		OutputLoadBalancerSubnetCIDRs: pulumi.ToStringArray(layout.Public).ToStringArrayOutput(), OutputSecurityGroupIDs: groups,
		OutputOIDCIssuerURL: cluster.OIDCIssuerURL, OutputKubeconfig: c.Kubeconfig.ToStringOutput(),
		"nodeSubnetIds": net.PrivateSubnetIDs, "vpcFlowLogGroup": net.FlowLogGroup,
	}
	return c, nil
}

// Preflight reads an existing or referenced cluster and checks what config claims about it:
// EKS Auto Mode brings its own load balancing and node autoscaling, so the program must not
// install a second controller for IngressClass alb or a second node autoscaler; Karpenter's
// node access entry needs the API authentication mode. It returns the warnings to print.
func Preflight(ctx *pulumi.Context, cfg *config.Config, c *Cluster) ([]string, error) {
	if err := upgradePreflight(ctx, cfg); err != nil {
		return nil, err
	}
	if cfg.Cluster.Mode == config.ModeCreate {
		return nil, nil
	}
	found, err := awseks.LookupCluster(ctx, &awseks.LookupClusterArgs{Name: c.Name})
	if err != nil {
		return nil, fmt.Errorf("preflight: reading EKS cluster %q: %w", c.Name, err)
	}
	autoMode := slices.ContainsFunc(found.ComputeConfigs, func(cc awseks.GetClusterComputeConfig) bool { return cc.Enabled })
	var problems []error
	switch {
	case autoMode && cfg.Addons.LoadBalancerController.Enabled:
		problems = append(problems, fmt.Errorf("addons.loadBalancerController.enabled=true but EKS cluster %q runs Auto Mode, whose own load balancing would be a second controller for IngressClass %q: set it false and give the IngressClass to Auto Mode (docs/cluster.md)", c.Name, "alb"))
	case autoMode && cfg.Addons.Karpenter.Enabled:
		problems = append(problems, fmt.Errorf("addons.karpenter.enabled=true but EKS cluster %q runs Auto Mode, which already adds nodes: set it false", c.Name))
	case autoMode && cfg.NodeAutoscaler() != catalog.NodeAutoscalerAutoMode:
		problems = append(problems, fmt.Errorf("cluster.nodeAutoscaler=%q but EKS cluster %q runs Auto Mode: set it to autoMode so the capacity model counts its node provisioning", cfg.Cluster.NodeAutoscaler, c.Name))
	case !autoMode && cfg.NodeAutoscaler() == catalog.NodeAutoscalerAutoMode:
		problems = append(problems, fmt.Errorf("cluster.nodeAutoscaler=autoMode but EKS cluster %q does not run Auto Mode", c.Name))
	}
	for _, ac := range found.AccessConfigs {
		if ac.AuthenticationMode != "CONFIG_MAP" {
			continue
		}
		if cfg.Addons.Karpenter.Enabled {
			problems = append(problems, fmt.Errorf("addons.karpenter.enabled=true but EKS cluster %q authenticates with CONFIG_MAP only: Karpenter's nodes join through an access entry; switch the cluster to API_AND_CONFIG_MAP first", c.Name))
		}
		if cfg.GameDay.HasPodDrill() {
			problems = append(problems, fmt.Errorf("gameday.drills has podDelete/podCpuStress but EKS cluster %q authenticates with CONFIG_MAP only: FIS reaches the pods through an access entry; switch the cluster to API_AND_CONFIG_MAP first, or leave the pod drills out", c.Name))
		}
	}
	if len(problems) > 0 {
		return nil, &config.Error{Stack: cfg.Stack, Problems: problems}
	}
	if cfg.NodeAutoscaler() == catalog.NodeAutoscalerNone {
		return []string{fmt.Sprintf("EKS cluster %q has neither Auto Mode nor Karpenter from this program, and cluster.nodeAutoscaler declares no other: nothing adds nodes when the HPA adds pods, so the cluster must already have room for hpa.maxReplicas=%d pods. Set addons.karpenter.enabled, or cluster.nodeAutoscaler to what the cluster runs", c.Name, cfg.HPA.MaxReplicas)}, nil
	}
	return nil, nil
}
