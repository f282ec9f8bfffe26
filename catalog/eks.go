package catalog

import (
	"net/netip"
	"strconv"
	"strings"
)

// EKS facts: the Kubernetes versions EKS offers and the managed add-on versions pinned for each.

// EKSVersion is one Kubernetes minor version EKS offers, with the managed add-on versions the
// program pins for it (`aws eks describe-addon-versions --kubernetes-version <v> --addon-name <a>`)
// and the day its standard support ends (after it EKS bills extended support: $0.60 a cluster
// hour instead of $0.10).
type EKSVersion struct {
	StandardSupportEnds string
	Addons              map[string]string
}

// EKS managed add-on names, as `aws eks create-addon --addon-name` takes them.
const (
	AddonVPCCNI           = "vpc-cni"
	AddonCoreDNS          = "coredns"
	AddonKubeProxy        = "kube-proxy"
	AddonPodIdentityAgent = "eks-pod-identity-agent"
	// AddonEBSCSIDriver provisions the monitoring stack's gp3 volumes.
	AddonEBSCSIDriver = "aws-ebs-csi-driver"
)

// EKSVersions are the versions `cluster.create.version` accepts: EKS's release calendar
// (docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html, read 2026-11): 1.34 released
// 2025-10-06, 1.35 2026-01-28. Versions past their standard support are not offered to new
// clusters here (a new cluster should not start on extended-support pricing). Add-on versions are
// the eksbuilds published for each version; a bump is a code change checked against
// describe-addon-versions.
var EKSVersions = map[string]EKSVersion{
	"1.34": {StandardSupportEnds: "2026-12-02", Addons: map[string]string{
		AddonVPCCNI: "v1.20.4-eksbuild.2", AddonCoreDNS: "v1.12.3-eksbuild.1",
		AddonKubeProxy: "v1.34.1-eksbuild.2", AddonPodIdentityAgent: "v1.3.9-eksbuild.3", AddonEBSCSIDriver: "v1.51.1-eksbuild.1",
	}},
	"1.35": {StandardSupportEnds: "2027-03-27", Addons: map[string]string{
		AddonVPCCNI: "v1.20.4-eksbuild.2", AddonCoreDNS: "v1.12.4-eksbuild.1",
		AddonKubeProxy: "v1.35.0-eksbuild.2", AddonPodIdentityAgent: "v1.3.10-eksbuild.1", AddonEBSCSIDriver: "v1.53.0-eksbuild.1",
	}},
}

// EKSNodeRolePolicies are the AWS managed policies a node's role needs: join the cluster, pull
// images, run the VPC CNI, and be reachable by Session Manager instead of SSH. The system node
// group's role and Karpenter's own node role (on an existing cluster) both carry them.
var EKSNodeRolePolicies = []string{"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy", "AmazonSSMManagedInstanceCore"}

// EKSControlPlaneLogTypes are every control-plane log type EKS can send to CloudWatch Logs.
var EKSControlPlaneLogTypes = []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}

// EKSAuthenticationModes are the cluster access modes; access entries need API or
// API_AND_CONFIG_MAP.
var EKSAuthenticationModes = []string{"API", "API_AND_CONFIG_MAP", "CONFIG_MAP"}

// KarpenterAMIAlias pins the EKS-optimized Amazon Linux 2023 AMI release Karpenter's nodes boot
// (an EC2NodeClass amiSelectorTerms alias; "@latest" would change nodes under a running stack).
const KarpenterAMIAlias = "al2023@v20251108"

// KarpenterArch is the architecture Karpenter's NodePool launches (the dataplane image is built
// for it).
const KarpenterArch = "amd64"

// NodeProvisioningSeconds is the time from a pod that fits no node to a new node being Ready,
// by what adds the node: Karpenter launches an instance for the pending pods directly (about
// 45-60 s to Ready with AL2023 in AWS's and users' measurements; 60 taken); EKS Auto Mode runs
// Karpenter inside EKS (the same 60); the Cluster Autoscaler waits for its scan, then an Auto
// Scaling group (2-4 minutes; 180 taken).
var NodeProvisioningSeconds = map[string]float64{
	NodeAutoscalerKarpenter:         60,
	NodeAutoscalerAutoMode:          60,
	NodeAutoscalerClusterAutoscaler: 180,
}

// Node autoscalers a cluster can have.
const (
	NodeAutoscalerKarpenter         = "karpenter"
	NodeAutoscalerAutoMode          = "autoMode"
	NodeAutoscalerClusterAutoscaler = "clusterAutoscaler"
	NodeAutoscalerNone              = "none"
)

// Headroom (over-provisioning) facts. Placeholder pods hold nodes' room at a negative priority;
// the scheduler evicts them for any pod of higher priority, and the evicted placeholders, now
// pending, make the node autoscaler add nodes ahead of the next pods.
const (
	// HeadroomPriority is the placeholders' PriorityClass value. Negative, so every pod of the
	// default priority (0) preempts them; not below -10, the Cluster Autoscaler's default
	// --expendable-pods-priority-cutoff, under which pending pods never trigger a scale-up
	// (Karpenter provisions for pending pods of any priority).
	HeadroomPriority = -1
	// ExpendablePodsPriorityCutoff is that Cluster Autoscaler default.
	ExpendablePodsPriorityCutoff = -10
	// HeadroomImage is what a placeholder runs: Kubernetes's pause image (it sleeps, serves
	// nothing, runs as uid 65535), by the digest of its 3.10 multi-architecture index.
	HeadroomImage = "registry.k8s.io/pause:3.10@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a"
	// HeadroomImageUID is the user the pause image runs as.
	HeadroomImageUID = 65535
	// PreemptionSeconds is the time from a pod that needs a placeholder's room to its start on
	// that node: the scheduler's preemption and the placeholder's exit (grace period 0).
	PreemptionSeconds = 5
)

// NextEKSVersion is the minor after version ("1.35" after "1.34"): EKS upgrades a control plane
// one minor at a time and never downgrades.
func NextEKSVersion(version string) string {
	major, minor, ok := strings.Cut(version, ".")
	n, err := strconv.Atoi(minor)
	if !ok || err != nil {
		return ""
	}
	return major + "." + strconv.Itoa(n+1)
}

// InstanceMetadataCIDR is EC2's instance metadata service: pods' egress excepts it, so no pod
// reads the node's IAM credentials.
const InstanceMetadataCIDR = "169.254.169.254/32"

// CIDRContains reports whether CIDR outer contains CIDR inner (false when either is not a CIDR):
// an egress block that covers InstanceMetadataCIDR excepts it.
func CIDRContains(outer, inner string) bool {
	o, err1 := netip.ParsePrefix(outer)
	i, err2 := netip.ParsePrefix(inner)
	return err1 == nil && err2 == nil && o.Bits() <= i.Bits() && o.Contains(i.Addr())
}
