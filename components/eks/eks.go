// Package eks builds the EKS cluster of create mode: a pinned Kubernetes version, API
// authentication with access entries, a private endpoint plus a public one restricted to named
// CIDRs (or none), every control-plane log type in a KMS-encrypted log group, envelope
// encryption of Secrets under a customer-managed key, a small managed node group for the system
// pods, and the VPC CNI, CoreDNS, kube-proxy, Pod Identity agent and EBS CSI driver (the
// monitoring stack's volumes) as managed add-ons at pinned versions. Nodes for the dataplane come from Karpenter (package clusteraddons).
package eks

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/awsbase"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "langgraph:aws:EKSCluster"

// AuthenticationMode is the cluster's access mode: access entries only (no aws-auth ConfigMap).
const AuthenticationMode = "API"

// AdminPolicy is the access policy given to cluster.create.adminRoleArns.
const AdminPolicy = "AmazonEKSClusterAdminPolicy"

// SystemNodeLabel marks the managed node group's nodes.
const SystemNodeLabel = "langgraph.dev/node-pool"

// Args configure the cluster.
type Args struct {
	Account awsbase.Account
	Name    string
	Version string
	// Addons are the managed add-ons to install, name -> version.
	Addons            map[string]string
	SubnetIDs         pulumi.StringArrayInput // private subnets: control-plane ENIs and system nodes
	PublicAccessCIDRs []string                // empty: no public endpoint
	AdminRoleARNs     []string
	LogTypes          []string
	LogRetentionDays  int
	SystemNodeType    string
	SystemNodes       int
	Protect           bool
	Tags              map[string]string
}

// Cluster is the created cluster.
type Cluster struct {
	pulumi.ResourceState

	Name                 pulumi.StringOutput
	Endpoint             pulumi.StringOutput
	CertificateAuthority pulumi.StringOutput
	SecurityGroupID      pulumi.StringOutput // the cluster security group EKS attaches to nodes
	OIDCIssuerURL        pulumi.StringOutput
	NodeRoleName         pulumi.StringOutput
	NodeRoleARN          pulumi.StringOutput
	Kubeconfig           pulumi.StringOutput
	// Ready is what Kubernetes resources wait for: the system nodes and the add-ons.
	Ready []pulumi.Resource
}

func (a Args) check() error {
	switch {
	case a.Name == "" || a.Version == "" || a.Account.ID == "":
		return fmt.Errorf("eks: the name, version and account are required")
	case a.SystemNodes < 1 || a.SystemNodeType == "":
		return fmt.Errorf("eks: the system node group needs an instance type and at least one node")
	case slices.Contains(a.PublicAccessCIDRs, "0.0.0.0/0") && a.Protect:
		return fmt.Errorf("eks: a protected (production) cluster's public endpoint cannot be open to 0.0.0.0/0")
	}
	return nil
}

// trust is the trust policy of a role an AWS service assumes for this account.
func trust(service string, account awsbase.Account) (string, error) {
	return awsbase.ServiceTrust(service, account, "", "sts:AssumeRole", "sts:TagSession").JSON()
}

func managedPolicy(a awsbase.Account, name string) string {
	return fmt.Sprintf("arn:%s:iam::aws:policy/%s", a.Partition, name)
}

// New creates the cluster, its node group and add-ons.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if err := args.check(); err != nil {
		return nil, err
	}
	c := &Cluster{}
	if err := ctx.RegisterComponentResource(TypeToken, name, c, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(c)
	protect := pulumi.Protect(args.Protect)
	tags := pulumi.ToStringMap(args.Tags)

	key, err := awsbase.NewKey(ctx, name+"-key", awsbase.KeyArgs{
		Description: "Envelope encryption of the Secrets and control-plane logs of EKS cluster " + args.Name,
		Alias:       args.Name + "-eks", Account: args.Account, ServicePrincipals: []string{awsbase.LogsPrincipal(args.Account)}, Tags: args.Tags,
	}, child, protect)
	if err != nil {
		return nil, err
	}
	// EKS writes to /aws/eks/<name>/cluster; created first so it has a retention and the key.
	logs, err := cloudwatch.NewLogGroup(ctx, name+"-control-plane-logs", &cloudwatch.LogGroupArgs{
		Name: pulumi.String("/aws/eks/" + args.Name + "/cluster"), RetentionInDays: pulumi.Int(args.LogRetentionDays), KmsKeyId: key.Arn, Tags: tags,
	}, child)
	if err != nil {
		return nil, err
	}
	clusterTrust, err := trust("eks.amazonaws.com", args.Account)
	if err != nil {
		return nil, err
	}
	role, err := iam.NewRole(ctx, name+"-cluster-role", &iam.RoleArgs{
		Description: pulumi.String("EKS control plane of " + args.Name), AssumeRolePolicy: pulumi.String(clusterTrust), Tags: tags,
	}, child)
	if err != nil {
		return nil, err
	}
	attachment, err := iam.NewRolePolicyAttachment(ctx, name+"-cluster-policy", &iam.RolePolicyAttachmentArgs{Role: role.Name, PolicyArn: pulumi.String(managedPolicy(args.Account, "AmazonEKSClusterPolicy"))}, child)
	if err != nil {
		return nil, err
	}
	public := len(args.PublicAccessCIDRs) > 0
	vpcConfig := eks.ClusterVpcConfigArgs{
		SubnetIds: args.SubnetIDs, EndpointPrivateAccess: pulumi.Bool(true), EndpointPublicAccess: pulumi.Bool(public),
	}
	if public {
		vpcConfig.PublicAccessCidrs = pulumi.ToStringArray(args.PublicAccessCIDRs)
	}
	cluster, err := eks.NewCluster(ctx, name, &eks.ClusterArgs{
		Name: pulumi.String(args.Name), Version: pulumi.String(args.Version), RoleArn: role.Arn,
		VpcConfig: vpcConfig,
		AccessConfig: eks.ClusterAccessConfigArgs{
			AuthenticationMode: pulumi.String(AuthenticationMode),
			// The identity running `pulumi up` administers the cluster it created, so the same
			// run can install the Kubernetes side.
			BootstrapClusterCreatorAdminPermissions: pulumi.Bool(true),
		},
		EnabledClusterLogTypes: pulumi.ToStringArray(args.LogTypes),
		EncryptionConfig: eks.ClusterEncryptionConfigArgs{
			Provider: eks.ClusterEncryptionConfigProviderArgs{KeyArn: key.Arn}, Resources: pulumi.StringArray{pulumi.String("secrets")},
		},
		// The network add-ons come as managed add-ons at pinned versions, not EKS's unmanaged copies.
		BootstrapSelfManagedAddons: pulumi.Bool(false),
		UpgradePolicy:              eks.ClusterUpgradePolicyArgs{SupportType: pulumi.String("STANDARD")},
		Tags:                       tags,
	}, child, protect, pulumi.DependsOn([]pulumi.Resource{logs, attachment}))
	if err != nil {
		return nil, err
	}
	for i, arn := range args.AdminRoleARNs {
		entry, err := eks.NewAccessEntry(ctx, fmt.Sprintf("%s-admin-%d", name, i), &eks.AccessEntryArgs{
			ClusterName: cluster.Name, PrincipalArn: pulumi.String(arn), Type: pulumi.String("STANDARD"), Tags: tags,
		}, child)
		if err != nil {
			return nil, err
		}
		if _, err := eks.NewAccessPolicyAssociation(ctx, fmt.Sprintf("%s-admin-%d", name, i), &eks.AccessPolicyAssociationArgs{
			ClusterName: cluster.Name, PrincipalArn: entry.PrincipalArn,
			PolicyArn:   pulumi.String(fmt.Sprintf("arn:%s:eks::aws:cluster-access-policy/%s", args.Account.Partition, AdminPolicy)),
			AccessScope: eks.AccessPolicyAssociationAccessScopeArgs{Type: pulumi.String("cluster")},
		}, child); err != nil {
			return nil, err
		}
	}

	nodeTrust, err := trust("ec2.amazonaws.com", args.Account)
	if err != nil {
		return nil, err
	}
	nodeRole, err := iam.NewRole(ctx, name+"-node-role", &iam.RoleArgs{
		Description:      pulumi.String("Nodes of EKS cluster " + args.Name + " (system node group and Karpenter's)"),
		AssumeRolePolicy: pulumi.String(nodeTrust), Tags: tags,
	}, child)
	if err != nil {
		return nil, err
	}
	var nodePolicies []pulumi.Resource
	for _, p := range catalog.EKSNodeRolePolicies {
		a, err := iam.NewRolePolicyAttachment(ctx, name+"-node-"+p, &iam.RolePolicyAttachmentArgs{Role: nodeRole.Name, PolicyArn: pulumi.String(managedPolicy(args.Account, p))}, child)
		if err != nil {
			return nil, err
		}
		nodePolicies = append(nodePolicies, a)
	}
	// The add-ons a node needs to become Ready come before the nodes.
	var ready []pulumi.Resource
	addon := func(addonName string, after []pulumi.Resource) (*eks.Addon, error) {
		return eks.NewAddon(ctx, name+"-"+addonName, &eks.AddonArgs{
			ClusterName: cluster.Name, AddonName: pulumi.String(addonName), AddonVersion: pulumi.String(args.Addons[addonName]),
			ResolveConflictsOnCreate: pulumi.String("OVERWRITE"), ResolveConflictsOnUpdate: pulumi.String("OVERWRITE"), Tags: tags,
		}, child, pulumi.DependsOn(after))
	}
	var early []pulumi.Resource
	for _, a := range slices.Sorted(maps.Keys(args.Addons)) {
		if a == catalog.AddonCoreDNS || a == EBSCSIDriver {
			continue
		}
		r, err := addon(a, nil)
		if err != nil {
			return nil, err
		}
		early = append(early, r)
	}
	nodes, err := eks.NewNodeGroup(ctx, name+"-system", &eks.NodeGroupArgs{
		ClusterName: cluster.Name, NodeGroupName: pulumi.String(args.Name + "-system"), NodeRoleArn: nodeRole.Arn,
		SubnetIds: args.SubnetIDs, InstanceTypes: pulumi.StringArray{pulumi.String(args.SystemNodeType)},
		AmiType: pulumi.String("AL2023_x86_64_STANDARD"), CapacityType: pulumi.String("ON_DEMAND"),
		// The control plane's version, read after its update: an upgrade moves the control plane
		// first, then the add-ons (catalog's versions for it) and the nodes, one at a time.
		Version:       cluster.Version,
		ScalingConfig: eks.NodeGroupScalingConfigArgs{MinSize: pulumi.Int(args.SystemNodes), MaxSize: pulumi.Int(args.SystemNodes), DesiredSize: pulumi.Int(args.SystemNodes)},
		UpdateConfig:  eks.NodeGroupUpdateConfigArgs{MaxUnavailable: pulumi.Int(1)},
		Labels:        pulumi.StringMap{SystemNodeLabel: pulumi.String("system")},
		Tags:          tags,
	}, child, pulumi.DependsOn(append(append([]pulumi.Resource{}, nodePolicies...), early...)))
	if err != nil {
		return nil, err
	}
	ready = append(ready, nodes)
	ready = append(ready, early...)
	if _, ok := args.Addons[catalog.AddonCoreDNS]; ok {
		// CoreDNS is a Deployment: it needs nodes to become ACTIVE.
		dns, err := addon(catalog.AddonCoreDNS, []pulumi.Resource{nodes})
		if err != nil {
			return nil, err
		}
		ready = append(ready, dns)
	}
	if version, ok := args.Addons[EBSCSIDriver]; ok {
		csi, err := ebsCSIDriver(ctx, name, args, cluster, version, append([]pulumi.Resource{nodes}, early...), child)
		if err != nil {
			return nil, err
		}
		ready = append(ready, csi)
	}

	c.Name = cluster.Name
	c.Endpoint = cluster.Endpoint
	c.CertificateAuthority = cluster.CertificateAuthority.Data().Elem()
	c.SecurityGroupID = cluster.VpcConfig.ClusterSecurityGroupId().Elem()
	c.OIDCIssuerURL = cluster.Identities.Index(pulumi.Int(0)).Oidcs().Index(pulumi.Int(0)).Issuer().Elem()
	c.NodeRoleName = nodeRole.Name
	c.NodeRoleARN = nodeRole.Arn
	// The Kubernetes provider gets the kubeconfig once the nodes and add-ons are up, so nothing
	// of the Kubernetes side starts on a cluster that cannot run pods yet.
	waitFor := []any{Kubeconfig(cluster.Name, cluster.Endpoint, c.CertificateAuthority, args.Account.Region)}
	for _, r := range ready {
		waitFor = append(waitFor, r.(pulumi.CustomResource).ID())
	}
	c.Kubeconfig = pulumi.All(waitFor...).ApplyT(func(v []any) string { return v[0].(string) }).(pulumi.StringOutput)
	c.Ready = ready
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"name": c.Name, "endpoint": c.Endpoint, "securityGroupId": c.SecurityGroupID, "nodeRoleArn": c.NodeRoleARN,
	})
}

// EBSCSIDriver is the EBS CSI driver add-on; its controller's ServiceAccount gets an IAM role
// through a Pod Identity association the add-on itself manages.
const (
	EBSCSIDriver               = catalog.AddonEBSCSIDriver
	EBSCSIDriverServiceAccount = "ebs-csi-controller-sa"
)

func ebsCSIDriver(ctx *pulumi.Context, name string, args Args, cluster *eks.Cluster, version string, after []pulumi.Resource, child pulumi.ResourceOption) (*eks.Addon, error) {
	trust, err := awsbase.PodIdentityTrust(args.Account, args.Name).JSON()
	if err != nil {
		return nil, err
	}
	role, err := iam.NewRole(ctx, name+"-ebs-csi", &iam.RoleArgs{
		Description: pulumi.String("EBS CSI driver of EKS cluster " + args.Name + " (Pod Identity)"), AssumeRolePolicy: pulumi.String(trust), Tags: pulumi.ToStringMap(args.Tags),
	}, child)
	if err != nil {
		return nil, err
	}
	policy, err := iam.NewRolePolicyAttachment(ctx, name+"-ebs-csi", &iam.RolePolicyAttachmentArgs{
		Role: role.Name, PolicyArn: pulumi.String(managedPolicy(args.Account, "service-role/AmazonEBSCSIDriverPolicy")),
	}, child)
	if err != nil {
		return nil, err
	}
	return eks.NewAddon(ctx, name+"-"+EBSCSIDriver, &eks.AddonArgs{
		ClusterName: cluster.Name, AddonName: pulumi.String(EBSCSIDriver), AddonVersion: pulumi.String(version),
		ResolveConflictsOnCreate: pulumi.String("OVERWRITE"), ResolveConflictsOnUpdate: pulumi.String("OVERWRITE"),
		PodIdentityAssociations: eks.AddonPodIdentityAssociationArray{eks.AddonPodIdentityAssociationArgs{
			RoleArn: role.Arn, ServiceAccount: pulumi.String(EBSCSIDriverServiceAccount),
		}},
		Tags: pulumi.ToStringMap(args.Tags),
	}, child, pulumi.DependsOn(append(after, policy)))
}

// Kubeconfig is a kubeconfig for the cluster that authenticates with `aws eks get-token`: it
// holds no credential, only the cluster's address and CA, and works wherever the AWS CLI has
// the identity running pulumi.
func Kubeconfig(name, endpoint, ca pulumi.StringInput, region string) pulumi.StringOutput {
	return pulumi.All(name, endpoint, ca).ApplyT(func(v []any) (string, error) {
		cluster, server, data := v[0].(string), v[1].(string), v[2].(string)
		b, err := json.Marshal(map[string]any{
			"apiVersion": "v1", "kind": "Config", "current-context": cluster,
			"clusters": []any{map[string]any{"name": cluster, "cluster": map[string]any{"server": server, "certificate-authority-data": data}}},
			"contexts": []any{map[string]any{"name": cluster, "context": map[string]any{"cluster": cluster, "user": cluster}}},
			"users": []any{map[string]any{"name": cluster, "user": map[string]any{"exec": map[string]any{
				"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws",
				"args": []string{"eks", "get-token", "--cluster-name", cluster, "--region", region, "--output", "json"},
			}}}},
		})
		return string(b), err
	}).(pulumi.StringOutput)
}
