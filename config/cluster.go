package config

import (
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/langgraph-platform/infra/catalog"
)

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

// NodeAutoscaler is what adds nodes when the HPA adds pods: create mode and the Karpenter add-on
// mean Karpenter; otherwise what cluster.nodeAutoscaler declares, none when it declares nothing.
func (c *Config) NodeAutoscaler() string {
	switch {
	case c.Cluster.Mode == ModeCreate || c.Addons.Karpenter.Enabled:
		return catalog.NodeAutoscalerKarpenter
	case c.Cluster.NodeAutoscaler == "":
		return catalog.NodeAutoscalerNone
	}
	return c.Cluster.NodeAutoscaler
}

// Layout is the VPC's subnets: explicit lists where given, else carved from the VPC CIDR. The
// error says what does not fit; Validate reports it against the keys.
func (k ClusterCreate) Layout() (Subnets, error) {
	vpc, err := netip.ParsePrefix(k.VPCCIDR)
	if err != nil {
		return Subnets{}, fmt.Errorf("cluster.create.vpcCidr=%q is not a CIDR block", k.VPCCIDR)
	}
	vpc = vpc.Masked()
	s := k.Subnets
	tiers := []struct {
		explicit []string
		bits     int
	}{{s.PrivateCIDRs, s.PrivatePrefixLength}, {s.PublicCIDRs, s.PublicPrefixLength}, {s.IsolatedCIDRs, s.IsolatedPrefixLength}}
	out := make([][]string, len(tiers))
	next := vpc.Addr()
	var need uint64
	for i, t := range tiers {
		if len(t.explicit) > 0 {
			out[i] = t.explicit
			continue
		}
		for range k.AvailabilityZones {
			p, after, ok := carve(vpc, next, t.bits)
			need += 1 << (32 - t.bits)
			if !ok {
				return Subnets{}, fmt.Errorf("cluster.create.vpcCidr=%q is too small for %d AZs of /%d private, /%d public and /%d isolated subnets (%d addresses needed, the VPC has %d)",
					k.VPCCIDR, k.AvailabilityZones, s.PrivatePrefixLength, s.PublicPrefixLength, s.IsolatedPrefixLength, totalAddresses(k), uint64(1)<<(32-vpc.Bits()))
			}
			out[i] = append(out[i], p.String())
			next = after
		}
	}
	return Subnets{Private: out[0], Public: out[1], Isolated: out[2]}, nil
}

func totalAddresses(k ClusterCreate) uint64 {
	s := k.Subnets
	var n uint64
	for _, b := range []int{s.PrivatePrefixLength, s.PublicPrefixLength, s.IsolatedPrefixLength} {
		if b > 0 && b <= 32 {
			n += uint64(k.AvailabilityZones) << (32 - b)
		}
	}
	return n
}

// carve is the first /bits block at or after from, aligned to its size, if it lies inside vpc;
// and the address after it.
func carve(vpc netip.Prefix, from netip.Addr, bits int) (netip.Prefix, netip.Addr, bool) {
	if bits < vpc.Bits() || bits > 28 || !from.IsValid() || !vpc.Contains(from) {
		return netip.Prefix{}, netip.Addr{}, false
	}
	size := uint32(1) << (32 - bits)
	a := from.As4()
	n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	n = (n + size - 1) / size * size
	start := netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
	p := netip.PrefixFrom(start, bits)
	last := n + size - 1
	if !vpc.Contains(start) || !vpc.Contains(netip.AddrFrom4([4]byte{byte(last >> 24), byte(last >> 16), byte(last >> 8), byte(last)})) {
		return netip.Prefix{}, netip.Addr{}, false
	}
	return p, netip.AddrFrom4([4]byte{byte((last + 1) >> 24), byte((last + 1) >> 16), byte((last + 1) >> 8), byte(last + 1)}), true
}

var stackReference = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

func validateCluster(c *checker, cfg *Config) {
	cl := cfg.Cluster
	c.oneOf("cluster.mode", cl.Mode, ClusterModes)
	if cl.NodeAutoscaler != "" {
		c.oneOf("cluster.nodeAutoscaler", cl.NodeAutoscaler, NodeAutoscalers)
	}
	k := cfg.Addons.Karpenter
	if k.Enabled && cl.NodeAutoscaler != "" && cl.NodeAutoscaler != catalog.NodeAutoscalerKarpenter {
		c.failf("cluster.nodeAutoscaler", cl.NodeAutoscaler, "contradicts addons.karpenter.enabled=true: a cluster gets one node autoscaler (leave it empty or set karpenter)")
	}
	switch cl.Mode {
	case ModeExisting:
		validateExistingCluster(c, cl)
	case ModeReference:
		if c.required("cluster.reference.stack", cl.Reference.Stack, "the stack exporting the cluster, as <org>/<project>/<stack>") {
			c.match("cluster.reference.stack", cl.Reference.Stack, stackReference, "a fully qualified stack name <org>/<project>/<stack>")
		}
		notWith(c, cfg, "reference mode reads it from the referenced stack's outputs")
	case ModeCreate:
		if c.required("cluster.name", cl.Name, "the name of the EKS cluster to create") {
			c.match("cluster.name", cl.Name, eksName, "an EKS cluster name")
		}
		if cl.NodeAutoscaler != "" && cl.NodeAutoscaler != catalog.NodeAutoscalerKarpenter {
			c.failf("cluster.nodeAutoscaler", cl.NodeAutoscaler, "is not allowed in create mode: the created cluster's nodes come from Karpenter (leave it empty)")
		}
		if !k.Enabled {
			c.failf("addons.karpenter.enabled", false, "must be true in create mode: the created cluster's dataplane nodes come from Karpenter (docs/cluster.md says why not Auto Mode)")
		}
		if cfg.Addons.LoadBalancerController.Identity != IdentityPodIdentity {
			c.failf("addons.loadBalancerController.identity", cfg.Addons.LoadBalancerController.Identity, "must be %s in create mode: the program installs the Pod Identity agent and creates no IAM OIDC provider", IdentityPodIdentity)
		}
		notWith(c, cfg, "create mode builds it")
		validateCreate(c, cfg)
	}
	if k.Enabled && catalog.EC2Arch(cfg.Cost.NodeInstanceType) != catalog.KarpenterArch {
		c.failf("cost.nodeInstanceType", cfg.Cost.NodeInstanceType, "is %s, but Karpenter's NodePool launches %s nodes: price the pods on an %s type such as m7i.2xlarge", catalog.EC2Arch(cfg.Cost.NodeInstanceType), catalog.KarpenterArch, catalog.KarpenterArch)
	}
	if k.Enabled {
		c.chartVersion("addons.karpenter.chartVersion", catalog.ChartKarpenter, k.ChartVersion)
		c.between("addons.karpenter.replicas", k.Replicas, 1, 3)
		if len(k.CapacityTypes) == 0 {
			c.failf("addons.karpenter.capacityTypes", k.CapacityTypes, "must list at least one of %s", strings.Join(KarpenterCapacityTypes, ", "))
		}
		for i, t := range k.CapacityTypes {
			c.oneOf(fmt.Sprintf("addons.karpenter.capacityTypes[%d]", i), t, KarpenterCapacityTypes)
		}
	}
}

func validateExistingCluster(c *checker, cl Cluster) {
	if c.required("cluster.name", cl.Name, "the EKS cluster name") {
		c.match("cluster.name", cl.Name, eksName, "an EKS cluster name")
	}
	if c.required("cluster.vpcId", cl.VPCID, "the cluster's VPC (vpc-...)") {
		c.match("cluster.vpcId", cl.VPCID, vpcID, "a VPC ID (vpc- followed by 8 or 17 hex digits)")
	}
	c.ids("cluster.privateSubnetIds", cl.PrivateSubnetIDs, subnetID, "subnet IDs (subnet- followed by 8 or 17 hex digits) in different AZs", 2)
	c.ids("cluster.securityGroupIds", cl.SecurityGroupIDs, securityGroupID, "security group IDs (sg- followed by 8 or 17 hex digits)", 1)
	c.subnetCIDRs("cluster.privateSubnetCidrs", cl.PrivateSubnetCIDRs)
	c.subnetCIDRs("cluster.loadBalancerSubnetCidrs", cl.LoadBalancerSubnetCIDRs)
}

// notWith refuses the existing mode's inputs in the other modes: set, they would be ignored.
func notWith(c *checker, cfg *Config, why string) {
	cl := cfg.Cluster
	for _, f := range []struct {
		key string
		set bool
	}{
		{"cluster.kubeContext", cl.KubeContext != ""}, {"cluster.vpcId", cl.VPCID != ""},
		{"cluster.privateSubnetIds", len(cl.PrivateSubnetIDs) > 0}, {"cluster.privateSubnetCidrs", len(cl.PrivateSubnetCIDRs) > 0},
		{"cluster.loadBalancerSubnetCidrs", len(cl.LoadBalancerSubnetCIDRs) > 0}, {"cluster.securityGroupIds", len(cl.SecurityGroupIDs) > 0},
		{"kubeconfig", cfg.Secrets.Kubeconfig.IsSet()},
	} {
		if f.set {
			c.errs = append(c.errs, fmt.Errorf("%s is set but cluster.mode is %s: %s; remove it", f.key, cl.Mode, why))
		}
	}
	if cl.Mode == ModeReference && cl.Name != "" {
		c.errs = append(c.errs, fmt.Errorf("cluster.name=%q is set but cluster.mode is reference: the name is read from the referenced stack's clusterName output; remove it", cl.Name))
	}
}

func validateCreate(c *checker, cfg *Config) {
	k := cfg.Cluster.Create
	before := len(c.errs)
	if _, ok := catalog.EKSVersions[k.Version]; !ok {
		c.failf("cluster.create.version", k.Version, "is not a version EKS offers under standard support here; allowed: %s", strings.Join(slices.Sorted(maps.Keys(catalog.EKSVersions)), ", "))
	}
	c.between("cluster.create.availabilityZones", k.AvailabilityZones, 1, 6)
	if k.AvailabilityZones < 2 {
		why := "the DB subnet group and the cache's subnet group need subnets in 2 AZs"
		if cfg.Database.MultiAZ {
			why = "database.multiAz=true puts the standby in a second AZ, and the DB subnet group needs subnets in 2 AZs"
		}
		c.failf("cluster.create.availabilityZones", k.AvailabilityZones, "must be at least 2: %s", why)
	}
	if cfg.Cache.Nodes > 1 && k.AvailabilityZones < 2 {
		c.failf("cluster.create.availabilityZones", k.AvailabilityZones, "must be at least 2 for cache.nodes=%d (its replicas go to other AZs)", cfg.Cache.Nodes)
	}
	vpc, err := netip.ParsePrefix(k.VPCCIDR)
	switch {
	case err != nil || !vpc.Addr().Is4():
		c.failf("cluster.create.vpcCidr", k.VPCCIDR, "is not an IPv4 CIDR block such as 10.0.0.0/16")
		return
	case vpc.Bits() < 16 || vpc.Bits() > 24:
		c.failf("cluster.create.vpcCidr", k.VPCCIDR, "must be /16 to /24 (AWS allows a VPC of /16 to /28; under /24 there is no room for three tiers of subnets)")
		return
	case vpc.Masked() != vpc:
		c.failf("cluster.create.vpcCidr", k.VPCCIDR, "has host bits set; the network is %s", vpc.Masked())
		return
	}
	s := k.Subnets
	for _, t := range []struct {
		key  string
		bits int
	}{{"privatePrefixLength", s.PrivatePrefixLength}, {"publicPrefixLength", s.PublicPrefixLength}, {"isolatedPrefixLength", s.IsolatedPrefixLength}} {
		if t.bits < vpc.Bits() || t.bits > 28 {
			c.failf("cluster.create.subnets."+t.key, t.bits, "must be between the VPC's /%d and /28", vpc.Bits())
		}
	}
	for _, l := range []struct {
		key    string
		values []string
	}{{"privateCidrs", s.PrivateCIDRs}, {"publicCidrs", s.PublicCIDRs}, {"isolatedCidrs", s.IsolatedCIDRs}} {
		if len(l.values) > 0 && len(l.values) != k.AvailabilityZones {
			c.failf("cluster.create.subnets."+l.key, l.values, "must list one CIDR per AZ: %d (cluster.create.availabilityZones)", k.AvailabilityZones)
		}
		for i, p := range c.cidrs("cluster.create.subnets."+l.key, l.values, 0) {
			if !vpc.Contains(p.Addr()) || p.Bits() < vpc.Bits() {
				c.failf(fmt.Sprintf("cluster.create.subnets.%s[%d]", l.key, i), p.String(), "is not inside cluster.create.vpcCidr %s", vpc)
			}
		}
	}
	if len(c.errs) == before { // the layout of sizes and lists already refused says nothing more
		layout, err := k.Layout()
		if err != nil {
			c.errs = append(c.errs, err)
		} else {
			checkOverlaps(c, layout)
		}
	}
	pub := c.cidrs("cluster.create.publicAccessCidrs", k.PublicAccessCIDRs, 0)
	if len(k.PublicAccessCIDRs) > 40 {
		c.failf("cluster.create.publicAccessCidrs", len(k.PublicAccessCIDRs), "CIDRs: EKS allows at most 40")
	}
	for i, p := range pub {
		key := fmt.Sprintf("cluster.create.publicAccessCidrs[%d]", i)
		switch {
		case !p.Addr().Is4():
			c.failf(key, p.String(), "is not IPv4: EKS's public endpoint access list takes IPv4 CIDRs")
		case p.Bits() == 0 && cfg.Production():
			c.failf(key, p.String(), "opens the production cluster's API endpoint to the whole internet; list the CIDRs of your office, VPN or CI runners, or leave the list empty for a private endpoint")
		}
	}
	c.ids("cluster.create.adminRoleArns", k.AdminRoleARNs, iamRoleARN, "IAM role ARNs (arn:aws:iam::<account>:role/<name>)", 0)
	if _, ok := catalog.EC2NodeSizes[k.SystemNodes.InstanceType]; !ok {
		c.failf("cluster.create.systemNodes.instanceType", k.SystemNodes.InstanceType, "is not an instance type the program knows; allowed: %s", strings.Join(slices.Sorted(maps.Keys(catalog.EC2NodeSizes)), ", "))
	}
	c.between("cluster.create.systemNodes.count", k.SystemNodes.Count, 2, 10)
	c.logRetention("cluster.create.logRetentionDays", k.LogRetentionDays)
}

// checkOverlaps refuses two subnets that share addresses: AWS rejects the second.
func checkOverlaps(c *checker, s Subnets) {
	type named struct {
		key string
		p   netip.Prefix
	}
	var all []named
	for _, t := range []struct {
		key  string
		list []string
	}{{"private", s.Private}, {"public", s.Public}, {"isolated", s.Isolated}} {
		for i, v := range t.list {
			if p, err := netip.ParsePrefix(v); err == nil {
				all = append(all, named{fmt.Sprintf("cluster.create.subnets.%s[%d]", t.key, i), p.Masked()})
			}
		}
	}
	for i := range all {
		for j := i + 1; j < len(all); j++ {
			if all[i].p.Overlaps(all[j].p) {
				c.failf(all[j].key, all[j].p.String(), "overlaps %s %s: subnets of a VPC cannot share addresses", all[i].key, all[i].p)
			}
		}
	}
}
