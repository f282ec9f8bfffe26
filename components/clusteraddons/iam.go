package clusteraddons

import (
	"fmt"

	"github.com/langgraph-platform/infra/components/awsbase"
)

// The tags the controller puts on what it creates; every mutating permission is limited to
// resources carrying them, so the role cannot touch load balancers or security groups it does not own.
const (
	clusterTag         = "elbv2.k8s.aws/cluster"
	requestClusterTag  = "aws:RequestTag/" + clusterTag
	resourceClusterTag = "aws:ResourceTag/" + clusterTag
)

// LoadBalancerControllerPolicy is the IAM policy the AWS Load Balancer Controller needs for
// Ingresses and Services (the project's published install policy, grouped by purpose): read the
// network, ACM, WAF and Shield; create load balancers, target groups and security groups only
// with the cluster tag; change or delete only what carries it.
func LoadBalancerControllerPolicy(partition string) awsbase.PolicyDocument {
	arn := func(resources ...string) []string {
		out := make([]string, len(resources))
		for i, r := range resources {
			out[i] = fmt.Sprintf("arn:%s:%s", partition, r)
		}
		return out
	}
	securityGroups := arn("ec2:*:*:security-group/*")
	loadBalancers := arn("elasticloadbalancing:*:*:targetgroup/*/*", "elasticloadbalancing:*:*:loadbalancer/net/*/*", "elasticloadbalancing:*:*:loadbalancer/app/*/*")
	listeners := arn("elasticloadbalancing:*:*:listener/net/*/*/*", "elasticloadbalancing:*:*:listener/app/*/*/*",
		"elasticloadbalancing:*:*:listener-rule/net/*/*/*", "elasticloadbalancing:*:*:listener-rule/app/*/*/*")
	tagged := map[string]map[string]any{"Null": {resourceClusterTag: "false"}}
	// Changing tags is allowed on owned resources, but never removing or forging the cluster tag.
	retag := map[string]map[string]any{"Null": {requestClusterTag: "true", resourceClusterTag: "false"}}
	all := []string{"*"}
	return awsbase.PolicyDocument{Version: awsbase.PolicyVersion, Statement: []awsbase.Statement{
		{Sid: "ServiceLinkedRole", Effect: "Allow", Action: []string{"iam:CreateServiceLinkedRole"}, Resource: all,
			Condition: map[string]map[string]any{"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}}},
		{Sid: "Describe", Effect: "Allow", Resource: all, Action: []string{
			"ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
			"ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections",
			"ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances",
			"ec2:DescribeNetworkInterfaces", "ec2:DescribeTags", "ec2:DescribeRouteTables", "ec2:DescribeIpamPools",
			"ec2:GetCoipPoolUsage", "ec2:DescribeCoipPools", "ec2:GetSecurityGroupsForVpc",
			"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
			"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerCertificates",
			"elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:DescribeSSLPolicies",
			"elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups",
			"elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetHealth",
			"elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeTrustStores",
			"elasticloadbalancing:DescribeCapacityReservation",
		}},
		{Sid: "Integrations", Effect: "Allow", Resource: all, Action: []string{
			"cognito-idp:DescribeUserPoolClient", "acm:ListCertificates", "acm:DescribeCertificate",
			"iam:ListServerCertificates", "iam:GetServerCertificate",
			"waf-regional:GetWebACL", "waf-regional:GetWebACLForResource", "waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL",
			"wafv2:GetWebACL", "wafv2:GetWebACLForResource", "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL",
			"shield:GetSubscriptionState", "shield:DescribeProtection", "shield:CreateProtection", "shield:DeleteProtection",
		}},
		{Sid: "SecurityGroupRules", Effect: "Allow", Resource: all,
			Action: []string{"ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"}},
		{Sid: "CreateSecurityGroup", Effect: "Allow", Resource: all, Action: []string{"ec2:CreateSecurityGroup"}},
		{Sid: "TagNewSecurityGroup", Effect: "Allow", Resource: securityGroups, Action: []string{"ec2:CreateTags"},
			Condition: map[string]map[string]any{"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"}, "Null": {requestClusterTag: "false"}}},
		{Sid: "RetagOwnedSecurityGroup", Effect: "Allow", Resource: securityGroups, Action: []string{"ec2:CreateTags", "ec2:DeleteTags"}, Condition: retag},
		{Sid: "ChangeOwnedSecurityGroup", Effect: "Allow", Resource: all, Condition: tagged,
			Action: []string{"ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"}},
		{Sid: "CreateTaggedLoadBalancer", Effect: "Allow", Resource: all,
			Action:    []string{"elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"},
			Condition: map[string]map[string]any{"Null": {requestClusterTag: "false"}}},
		{Sid: "ListenersAndRules", Effect: "Allow", Resource: all, Action: []string{
			"elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
			"elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule",
		}},
		{Sid: "RetagOwnedLoadBalancer", Effect: "Allow", Resource: loadBalancers, Condition: retag,
			Action: []string{"elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"}},
		{Sid: "TagListeners", Effect: "Allow", Resource: listeners,
			Action: []string{"elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"}},
		{Sid: "ChangeOwnedLoadBalancer", Effect: "Allow", Resource: all, Condition: tagged, Action: []string{
			"elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
			"elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
			"elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
			"elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
			"elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyCapacityReservation",
			"elasticloadbalancing:ModifyIpPools",
		}},
		{Sid: "TagOnCreate", Effect: "Allow", Resource: append(append([]string(nil), loadBalancers...), listeners...),
			Action: []string{"elasticloadbalancing:AddTags"},
			Condition: map[string]map[string]any{
				"StringEquals": {"elasticloadbalancing:CreateAction": []string{"CreateTargetGroup", "CreateLoadBalancer", "CreateListener", "CreateRule"}},
				"Null":         {requestClusterTag: "false"},
			}},
		{Sid: "Targets", Effect: "Allow", Resource: arn("elasticloadbalancing:*:*:targetgroup/*/*"),
			Action: []string{"elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"}},
		{Sid: "ListenerSettings", Effect: "Allow", Resource: all, Action: []string{
			"elasticloadbalancing:SetWebAcl", "elasticloadbalancing:ModifyListener",
			"elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
			"elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities",
		}},
	}}
}
