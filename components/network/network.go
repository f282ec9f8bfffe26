// Package network builds the VPC a created cluster runs in: public subnets for load balancers
// and NAT gateways, private subnets for nodes and pods (egress through NAT), isolated subnets for
// the data tier (no route out of the VPC), flow logs to a KMS-encrypted log group, a gateway
// endpoint for S3 and interface endpoints for ECR, STS and CloudWatch Logs, and the subnet tags
// the AWS Load Balancer Controller and Karpenter discover.
package network

import (
	"fmt"
	"maps"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/components/awsbase"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "langgraph:aws:Network"

// InterfaceEndpointServices are the services nodes reach through interface endpoints instead of
// the NAT gateways: image pulls (ECR API and registry), IAM role credentials (STS: Pod Identity
// and IRSA) and container logs (CloudWatch Logs). S3 (ECR's image layers) goes through a free
// gateway endpoint.
var InterfaceEndpointServices = []string{"ecr.api", "ecr.dkr", "sts", "logs"}

// Subnet tags the AWS Load Balancer Controller reads to place load balancers.
const (
	PublicELBTag   = "kubernetes.io/role/elb"
	InternalELBTag = "kubernetes.io/role/internal-elb"
)

// ClusterTag marks subnets as the cluster's: kubernetes.io/cluster/<name> = shared.
func ClusterTag(cluster string) string { return "kubernetes.io/cluster/" + cluster }

// Args configure the network. Every list of subnet CIDRs has one entry per AZ, in AZ order.
type Args struct {
	Account awsbase.Account
	// ClusterName is the EKS cluster whose load balancers and nodes use the subnets (tags).
	ClusterName string
	CIDR        string
	AZs         []string
	Public      []string
	Private     []string
	Isolated    []string
	// NATGatewayPerAZ gives each AZ its own NAT gateway; false: one, in the first AZ.
	NATGatewayPerAZ  bool
	LogRetentionDays int
	Tags             map[string]string
}

// Network is the created VPC.
type Network struct {
	pulumi.ResourceState

	VPCID             pulumi.StringOutput
	PublicSubnetIDs   pulumi.StringArrayOutput
	PrivateSubnetIDs  pulumi.StringArrayOutput
	IsolatedSubnetIDs pulumi.StringArrayOutput
	FlowLogGroup      pulumi.StringOutput
}

func (a Args) check() error {
	n := len(a.AZs)
	if n < 2 || len(a.Public) != n || len(a.Private) != n || len(a.Isolated) != n {
		return fmt.Errorf("network: want one public, private and isolated subnet per AZ in at least 2 AZs; got %d AZs, %d/%d/%d subnets", n, len(a.Public), len(a.Private), len(a.Isolated))
	}
	if a.ClusterName == "" || a.CIDR == "" || a.Account.ID == "" {
		return fmt.Errorf("network: the cluster name, the VPC CIDR and the account are required")
	}
	return nil
}

// merge is the stack's tags with more on top, as a resource's tags.
func merge(tags, more map[string]string) pulumi.StringMap {
	return pulumi.ToStringMap(merged(tags, more))
}

// New creates the network.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Network, error) {
	if err := args.check(); err != nil {
		return nil, err
	}
	n := &Network{}
	if err := ctx.RegisterComponentResource(TypeToken, name, n, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(n)
	vpc, err := ec2.NewVpc(ctx, name+"-vpc", &ec2.VpcArgs{
		CidrBlock: pulumi.String(args.CIDR), EnableDnsHostnames: pulumi.Bool(true), EnableDnsSupport: pulumi.Bool(true),
		Tags: merge(args.Tags, map[string]string{"Name": name}),
	}, child)
	if err != nil {
		return nil, err
	}
	// The default security group admits nothing: nothing of this program uses it.
	if _, err := ec2.NewDefaultSecurityGroup(ctx, name+"-default-sg", &ec2.DefaultSecurityGroupArgs{
		VpcId: vpc.ID(), Ingress: ec2.DefaultSecurityGroupIngressArray{}, Egress: ec2.DefaultSecurityGroupEgressArray{},
		Tags: merge(args.Tags, map[string]string{"Name": name + "-default-closed"}),
	}, child); err != nil {
		return nil, err
	}
	igw, err := ec2.NewInternetGateway(ctx, name+"-igw", &ec2.InternetGatewayArgs{VpcId: vpc.ID(), Tags: merge(args.Tags, map[string]string{"Name": name})}, child)
	if err != nil {
		return nil, err
	}
	subnets := func(tier string, cidrs []string, extra map[string]string) ([]*ec2.Subnet, pulumi.StringArray, error) {
		var out []*ec2.Subnet
		ids := pulumi.StringArray{}
		for i, cidr := range cidrs {
			s, err := ec2.NewSubnet(ctx, fmt.Sprintf("%s-%s-%d", name, tier, i), &ec2.SubnetArgs{
				VpcId: vpc.ID(), CidrBlock: pulumi.String(cidr), AvailabilityZone: pulumi.String(args.AZs[i]),
				MapPublicIpOnLaunch: pulumi.Bool(false),
				Tags:                merge(args.Tags, merged(extra, map[string]string{"Name": fmt.Sprintf("%s-%s-%s", name, tier, args.AZs[i]), "Tier": tier})),
			}, child)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, s)
			ids = append(ids, s.ID().ToStringOutput())
		}
		return out, ids, nil
	}
	cluster := ClusterTag(args.ClusterName)
	public, publicIDs, err := subnets("public", args.Public, map[string]string{PublicELBTag: "1", cluster: "shared"})
	if err != nil {
		return nil, err
	}
	private, privateIDs, err := subnets("private", args.Private, map[string]string{InternalELBTag: "1", cluster: "shared"})
	if err != nil {
		return nil, err
	}
	isolated, isolatedIDs, err := subnets("isolated", args.Isolated, nil)
	if err != nil {
		return nil, err
	}

	publicRT, err := ec2.NewRouteTable(ctx, name+"-public-rt", &ec2.RouteTableArgs{
		VpcId:  vpc.ID(),
		Routes: ec2.RouteTableRouteArray{ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), GatewayId: igw.ID()}},
		Tags:   merge(args.Tags, map[string]string{"Name": name + "-public"}),
	}, child)
	if err != nil {
		return nil, err
	}
	for i, s := range public {
		if _, err := ec2.NewRouteTableAssociation(ctx, fmt.Sprintf("%s-public-rta-%d", name, i), &ec2.RouteTableAssociationArgs{SubnetId: s.ID(), RouteTableId: publicRT.ID()}, child); err != nil {
			return nil, err
		}
	}
	nats := 1
	if args.NATGatewayPerAZ {
		nats = len(args.AZs)
	}
	var natIDs []pulumi.IDOutput
	for i := range nats {
		eip, err := ec2.NewEip(ctx, fmt.Sprintf("%s-nat-eip-%d", name, i), &ec2.EipArgs{Domain: pulumi.String("vpc"), Tags: merge(args.Tags, map[string]string{"Name": fmt.Sprintf("%s-nat-%s", name, args.AZs[i])})}, child)
		if err != nil {
			return nil, err
		}
		nat, err := ec2.NewNatGateway(ctx, fmt.Sprintf("%s-nat-%d", name, i), &ec2.NatGatewayArgs{
			AllocationId: eip.ID(), SubnetId: public[i].ID(), Tags: merge(args.Tags, map[string]string{"Name": fmt.Sprintf("%s-nat-%s", name, args.AZs[i])}),
		}, child, pulumi.DependsOn([]pulumi.Resource{igw}))
		if err != nil {
			return nil, err
		}
		natIDs = append(natIDs, nat.ID())
	}
	endpointRTs := pulumi.StringArray{}
	for i, s := range private {
		rt, err := ec2.NewRouteTable(ctx, fmt.Sprintf("%s-private-rt-%d", name, i), &ec2.RouteTableArgs{
			VpcId:  vpc.ID(),
			Routes: ec2.RouteTableRouteArray{ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), NatGatewayId: natIDs[i%nats]}},
			Tags:   merge(args.Tags, map[string]string{"Name": fmt.Sprintf("%s-private-%s", name, args.AZs[i])}),
		}, child)
		if err != nil {
			return nil, err
		}
		if _, err := ec2.NewRouteTableAssociation(ctx, fmt.Sprintf("%s-private-rta-%d", name, i), &ec2.RouteTableAssociationArgs{SubnetId: s.ID(), RouteTableId: rt.ID()}, child); err != nil {
			return nil, err
		}
		endpointRTs = append(endpointRTs, rt.ID().ToStringOutput())
	}
	// Isolated subnets: local routes only (and S3 through the gateway endpoint).
	isolatedRT, err := ec2.NewRouteTable(ctx, name+"-isolated-rt", &ec2.RouteTableArgs{
		VpcId: vpc.ID(), Routes: ec2.RouteTableRouteArray{}, Tags: merge(args.Tags, map[string]string{"Name": name + "-isolated"}),
	}, child)
	if err != nil {
		return nil, err
	}
	for i, s := range isolated {
		if _, err := ec2.NewRouteTableAssociation(ctx, fmt.Sprintf("%s-isolated-rta-%d", name, i), &ec2.RouteTableAssociationArgs{SubnetId: s.ID(), RouteTableId: isolatedRT.ID()}, child); err != nil {
			return nil, err
		}
	}
	endpointRTs = append(endpointRTs, isolatedRT.ID().ToStringOutput())

	prefix := "com.amazonaws." + args.Account.Region + "."
	if _, err := ec2.NewVpcEndpoint(ctx, name+"-s3", &ec2.VpcEndpointArgs{
		VpcId: vpc.ID(), ServiceName: pulumi.String(prefix + "s3"), VpcEndpointType: pulumi.String("Gateway"),
		RouteTableIds: endpointRTs, Tags: merge(args.Tags, map[string]string{"Name": name + "-s3"}),
	}, child); err != nil {
		return nil, err
	}
	endpointSG, err := ec2.NewSecurityGroup(ctx, name+"-endpoints-sg", &ec2.SecurityGroupArgs{
		Description: pulumi.String("HTTPS from the VPC to its interface endpoints"), VpcId: vpc.ID(),
		Ingress: ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
			Description: pulumi.String("TCP 443 from the VPC"), Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
			CidrBlocks: pulumi.StringArray{pulumi.String(args.CIDR)},
		}},
		Egress: ec2.SecurityGroupEgressArray{}, RevokeRulesOnDelete: pulumi.Bool(true), Tags: merge(args.Tags, nil),
	}, child)
	if err != nil {
		return nil, err
	}
	for _, svc := range InterfaceEndpointServices {
		if _, err := ec2.NewVpcEndpoint(ctx, name+"-"+svc, &ec2.VpcEndpointArgs{
			VpcId: vpc.ID(), ServiceName: pulumi.String(prefix + svc), VpcEndpointType: pulumi.String("Interface"),
			PrivateDnsEnabled: pulumi.Bool(true), SubnetIds: privateIDs, SecurityGroupIds: pulumi.StringArray{endpointSG.ID()},
			Tags: merge(args.Tags, map[string]string{"Name": name + "-" + svc}),
		}, child); err != nil {
			return nil, err
		}
	}

	flowLogs, err := newFlowLogs(ctx, name, args, vpc, child)
	if err != nil {
		return nil, err
	}
	n.VPCID = vpc.ID().ToStringOutput()
	n.PublicSubnetIDs = publicIDs.ToStringArrayOutput()
	n.PrivateSubnetIDs = privateIDs.ToStringArrayOutput()
	n.IsolatedSubnetIDs = isolatedIDs.ToStringArrayOutput()
	n.FlowLogGroup = flowLogs
	return n, ctx.RegisterResourceOutputs(n, pulumi.Map{
		"vpcId": n.VPCID, "publicSubnetIds": n.PublicSubnetIDs, "privateSubnetIds": n.PrivateSubnetIDs, "isolatedSubnetIds": n.IsolatedSubnetIDs,
	})
}

func merged(a, b map[string]string) map[string]string {
	out := maps.Clone(a)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, b)
	return out
}

// newFlowLogs records every accepted and rejected flow of the VPC into a log group under its own
// KMS key, delivered by a role only the flow logs service of this account can assume.
func newFlowLogs(ctx *pulumi.Context, name string, args Args, vpc *ec2.Vpc, child pulumi.ResourceOption) (pulumi.StringOutput, error) {
	key, err := awsbase.NewKey(ctx, name+"-flow-logs-key", awsbase.KeyArgs{
		Description: "VPC flow logs of " + name, Alias: name + "-flow-logs", Account: args.Account,
		ServicePrincipals: []string{awsbase.LogsPrincipal(args.Account)}, Tags: args.Tags,
	}, child)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	group, err := cloudwatch.NewLogGroup(ctx, name+"-flow-logs", &cloudwatch.LogGroupArgs{
		Name: pulumi.String("/langgraph/" + name + "/vpc-flow-logs"), RetentionInDays: pulumi.Int(args.LogRetentionDays),
		KmsKeyId: key.Arn, Tags: merge(args.Tags, nil),
	}, child)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	// Flow logs deliver for this account's VPC flow logs only (the confused-deputy conditions).
	trust, err := awsbase.ServiceTrust("vpc-flow-logs.amazonaws.com", args.Account,
		args.Account.ARN("ec2", args.Account.Region, args.Account.ID, "vpc-flow-log/*")).JSON()
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	role, err := iam.NewRole(ctx, name+"-flow-logs-role", &iam.RoleArgs{
		Description: pulumi.String("Delivers the VPC flow logs of " + name), AssumeRolePolicy: pulumi.String(trust), Tags: merge(args.Tags, nil),
	}, child)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	policy := group.Arn.ApplyT(func(arn string) (string, error) {
		return awsbase.Policy(awsbase.Statement{
			Effect: awsbase.Allow, Action: []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"},
			Resource: []string{arn, arn + ":*"},
		}).JSON()
	}).(pulumi.StringOutput)
	if _, err := iam.NewRolePolicy(ctx, name+"-flow-logs-policy", &iam.RolePolicyArgs{Role: role.ID(), Policy: policy}, child); err != nil {
		return pulumi.StringOutput{}, err
	}
	if _, err := ec2.NewFlowLog(ctx, name+"-flow-log", &ec2.FlowLogArgs{
		VpcId: vpc.ID(), TrafficType: pulumi.String("ALL"), LogDestinationType: pulumi.String("cloud-watch-logs"),
		LogDestination: group.Arn, IamRoleArn: role.Arn, MaxAggregationInterval: pulumi.Int(60), Tags: merge(args.Tags, nil),
	}, child); err != nil {
		return pulumi.StringOutput{}, err
	}
	return group.Name, nil
}
