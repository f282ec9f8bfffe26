package config

import "github.com/langgraph-platform/infra/catalog"

// The cluster settings (cluster.*): which cluster the stack deploys into, or builds.

// Cluster modes.
const (
	ModeExisting  = "existing"
	ModeReference = "reference"
	ModeCreate    = "create"
)

// ClusterModes are the values cluster.mode accepts.
var ClusterModes = []string{ModeExisting, ModeReference, ModeCreate}

// NodeAutoscalers are the values cluster.nodeAutoscaler accepts (empty: derived).
var NodeAutoscalers = []string{catalog.NodeAutoscalerKarpenter, catalog.NodeAutoscalerAutoMode, catalog.NodeAutoscalerClusterAutoscaler, catalog.NodeAutoscalerNone}

// ClusterReference names the stack whose outputs describe the cluster (reference mode).
type ClusterReference struct {
	Stack string `json:"stack" doc:"The stack that exports the cluster, as <org>/<project>/<stack> (a stack of this project with cluster.mode create exports exactly the outputs needed; docs/cluster.md lists them)."`
}

// ClusterCreate is the network and EKS cluster this stack builds (create mode).
type ClusterCreate struct {
	Version           string      `json:"version" doc:"EKS Kubernetes version, pinned (a version EKS offers under standard support; add-on versions follow from it)."`
	VPCCIDR           string      `json:"vpcCidr" doc:"IPv4 CIDR of the new VPC (/16 to /24)."`
	AvailabilityZones int         `json:"availabilityZones" doc:"AZs the VPC spans (2-6): each gets a public, a private and an isolated subnet."`
	Subnets           SubnetSizes `json:"subnets"`
	NATGatewayPerAZ   bool        `json:"natGatewayPerAz" doc:"One NAT gateway per AZ (an AZ's loss leaves the others' egress up); false: one NAT gateway for the VPC (cheaper, one AZ's egress)."`
	PublicAccessCIDRs []string    `json:"publicAccessCidrs" doc:"IPv4 CIDRs allowed to the cluster's public API endpoint (at most 40); empty: no public endpoint (private only: run pulumi from inside the VPC). Never 0.0.0.0/0 in prod."`
	AdminRoleARNs     []string    `json:"adminRoleArns" doc:"IAM roles given cluster-admin through EKS access entries (the identity running pulumi up gets it as the cluster's creator)."`
	SystemNodes       SystemNodes `json:"systemNodes"`
	LogRetentionDays  int         `json:"logRetentionDays" doc:"Days the control-plane and VPC flow log groups keep logs (a CloudWatch Logs retention)."`
}

// SubnetSizes are the prefix lengths of each AZ's subnets, carved from the VPC CIDR in order
// (private, public, isolated), or explicit CIDR lists (one per AZ, in AZ order) that win over them.
type SubnetSizes struct {
	PrivatePrefixLength  int      `json:"privatePrefixLength" doc:"Prefix length of each private subnet (nodes and pods: the VPC CNI gives every pod a VPC address)."`
	PublicPrefixLength   int      `json:"publicPrefixLength" doc:"Prefix length of each public subnet (load balancers, NAT gateways)."`
	IsolatedPrefixLength int      `json:"isolatedPrefixLength" doc:"Prefix length of each isolated subnet (database and cache: no route out of the VPC)."`
	PrivateCIDRs         []string `json:"privateCidrs" doc:"Explicit private subnet CIDRs, one per AZ; empty: carved."`
	PublicCIDRs          []string `json:"publicCidrs" doc:"Explicit public subnet CIDRs, one per AZ; empty: carved."`
	IsolatedCIDRs        []string `json:"isolatedCidrs" doc:"Explicit isolated subnet CIDRs, one per AZ; empty: carved."`
}

// SystemNodes is the managed node group that runs what must run before Karpenter can add nodes
// (Karpenter itself, CoreDNS, the add-ons' controllers).
type SystemNodes struct {
	InstanceType string `json:"instanceType" doc:"EC2 instance type of the system node group."`
	Count        int    `json:"count" doc:"Nodes in the system node group (2-10, spread over the AZs)."`
}

// Karpenter is the node autoscaler add-on.
type Karpenter struct {
	Enabled       bool     `json:"enabled" doc:"Install Karpenter (chart, IAM, interruption queue, a NodePool and EC2NodeClass sized from the dataplane's requests). Required in create mode; optional for existing and reference clusters without node autoscaling. Its IAM role uses addons.loadBalancerController.identity."`
	ChartVersion  string   `json:"chartVersion" doc:"karpenter chart version (oci://public.ecr.aws/karpenter), exact."`
	Replicas      int      `json:"replicas" doc:"Controller replicas (leader-elected; 2 for availability)."`
	CapacityTypes []string `json:"capacityTypes" doc:"EC2 capacity types the NodePool may launch: on-demand and/or spot."`
}

// KarpenterCapacityTypes are the values addons.karpenter.capacityTypes accepts.
var KarpenterCapacityTypes = []string{"on-demand", "spot"}

// Subnets is the VPC's layout in create mode: one CIDR per AZ for each tier.
type Subnets struct {
	Public, Private, Isolated []string
}
