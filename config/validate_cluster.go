package config

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/langgraph-platform/infra/catalog"
)

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
