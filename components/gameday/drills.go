package gameday

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/fis"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/awsbase"
)

// drill is what one experiment template breaks and what its role may do to break it.
type drill struct {
	description string
	// needs names the Args fields the drill targets.
	needs []string
	// build returns the template's action and target and the role's statements for them.
	build func(a Args) (fis.ExperimentTemplateActionArgs, fis.ExperimentTemplateTargetArgs, []statement)
}

// statement is an IAM statement whose resources may wait for the targets' ARNs.
type statement struct {
	sid       string
	actions   []string
	resources pulumi.StringArrayInput
	condition awsbase.Conditions
	// vpc, when set, adds an ArnEquals condition on ec2:Vpc: the resources must be in it.
	vpc pulumi.StringInput
}

// targetName is every template's one target: a template holds one drill.
const targetName = "Targets"

func duration(a Args) string { return fmt.Sprintf("PT%dM", a.DurationMinutes) }

func params(kv ...string) fis.ExperimentTemplateActionParameterArray {
	var out fis.ExperimentTemplateActionParameterArray
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, fis.ExperimentTemplateActionParameterArgs{Key: pulumi.String(kv[i]), Value: pulumi.String(kv[i+1])})
	}
	return out
}

func action(id, description string, target string, p fis.ExperimentTemplateActionParameterArray) fis.ExperimentTemplateActionArgs {
	return fis.ExperimentTemplateActionArgs{
		Name: pulumi.String("fault"), ActionId: pulumi.String(id), Description: pulumi.String(description), Parameters: p,
		Target: fis.ExperimentTemplateActionTargetArgs{Key: pulumi.String(target), Value: pulumi.String(targetName)},
	}
}

// podTarget selects the dataplane's API pods (aws:eks:pod targets take parameters, not ARNs).
func podTarget(a Args) fis.ExperimentTemplateTargetArgs {
	return fis.ExperimentTemplateTargetArgs{
		Name: pulumi.String(targetName), ResourceType: pulumi.String(catalog.FISTargetPod),
		SelectionMode: pulumi.Sprintf("PERCENT(%d)", a.PodPercent),
		Parameters: pulumi.StringMap{
			"clusterIdentifier": a.ClusterNameInput, "namespace": pulumi.String(a.Namespace),
			"selectorType": pulumi.String("labelSelector"), "selectorValue": pulumi.String(a.PodSelector),
		},
	}
}

// podStatements let FIS find the cluster; what it may do inside is the Role of PodAccess.
func podStatements(a Args) []statement {
	return []statement{{sid: "DescribeTheCluster", actions: []string{"eks:DescribeCluster"},
		resources: pulumi.StringArray{pulumi.String(a.Account.ARN("eks", a.Account.Region, a.Account.ID, "cluster/"+a.ClusterName))}}}
}

// drills are the seed's drills, by config name.
var drills = map[string]drill{
	catalog.DrillDatabaseFailover: {
		description: "RDS primary failover: reboot the primary with forceFailover; the Multi-AZ standby takes over",
		needs:       []string{"DatabaseARN"},
		build: func(a Args) (fis.ExperimentTemplateActionArgs, fis.ExperimentTemplateTargetArgs, []statement) {
			return action(catalog.FISActionRebootDBInstances, "reboot the primary with failover", "DBInstances", params("forceFailover", "true")),
				fis.ExperimentTemplateTargetArgs{Name: pulumi.String(targetName), ResourceType: pulumi.String(catalog.FISTargetDBInstance),
					SelectionMode: pulumi.String("ALL"), ResourceArns: pulumi.StringArray{a.DatabaseARN}},
				[]statement{
					{sid: "RebootThePrimary", actions: []string{"rds:RebootDBInstance"}, resources: pulumi.StringArray{a.DatabaseARN}},
					{sid: "ReadTheInstance", actions: []string{"rds:DescribeDBInstances"}, resources: pulumi.StringArray{a.DatabaseARN}},
				}
		},
	},
	catalog.DrillCacheAZPower: {
		description: "ElastiCache primary AZ power interruption: the nodes in one zone lose power; a replica is promoted",
		needs:       []string{"ReplicationGroupARN"},
		build: func(a Args) (fis.ExperimentTemplateActionArgs, fis.ExperimentTemplateTargetArgs, []statement) {
			return action(catalog.FISActionInterruptCacheAZ, "interrupt power to the replication group's nodes in one zone", "ReplicationGroups", params("duration", duration(a))),
				fis.ExperimentTemplateTargetArgs{Name: pulumi.String(targetName), ResourceType: pulumi.String(catalog.FISTargetReplicationGroup),
					SelectionMode: pulumi.String("ALL"), ResourceArns: pulumi.StringArray{a.ReplicationGroupARN},
					Parameters: pulumi.StringMap{"availabilityZoneIdentifier": pulumi.String(a.Zone)}},
				[]statement{
					{sid: "InterruptTheCache", actions: []string{"elasticache:InterruptClusterAzPower", "elasticache:DescribeReplicationGroups"}, resources: pulumi.StringArray{a.ReplicationGroupARN}},
					// FIS resolves ARN targets through the tagging API, which has no resource-level permissions.
					{sid: "ResolveTargets", actions: []string{"tag:GetResources"}, resources: pulumi.StringArray{pulumi.String("*")}},
				}
		},
	},
	catalog.DrillPodDelete: {
		description: "Dataplane pod kill: delete a share of the API pods; the Deployment replaces them",
		needs:       []string{"ClusterName", "Namespace"},
		build: func(a Args) (fis.ExperimentTemplateActionArgs, fis.ExperimentTemplateTargetArgs, []statement) {
			return action(catalog.FISActionPodDelete, "delete the selected pods", "Pods", params("kubernetesServiceAccount", ServiceAccount)), podTarget(a), podStatements(a)
		},
	},
	catalog.DrillPodCPUStress: {
		description: "Dataplane CPU stress: load every CPU of a share of the API pods; the HPA scales out",
		needs:       []string{"ClusterName", "Namespace"},
		build: func(a Args) (fis.ExperimentTemplateActionArgs, fis.ExperimentTemplateTargetArgs, []statement) {
			return action(catalog.FISActionPodCPUStress, "stress the selected pods' CPUs", "Pods",
				params("kubernetesServiceAccount", ServiceAccount, "duration", duration(a), "percent", "100")), podTarget(a), podStatements(a)
		},
	},
	catalog.DrillAZNetworkLoss: {
		description: "Loss of one AZ's network: deny all traffic in and out of the data subnets of one zone",
		needs:       []string{"DataSubnetIDs"},
		build: func(a Args) (fis.ExperimentTemplateActionArgs, fis.ExperimentTemplateTargetArgs, []statement) {
			subnets := a.DataSubnetIDs.ToStringArrayOutput().ApplyT(func(ids []string) []string {
				out := make([]string, len(ids))
				for i, id := range ids {
					out[i] = a.Account.ARN("ec2", a.Account.Region, a.Account.ID, "subnet/"+id)
				}
				return out
			}).(pulumi.StringArrayOutput)
			anyACL := a.Account.ARN("ec2", a.Account.Region, a.Account.ID, "network-acl/*")
			vpc := pulumi.Sprintf("%s%s", a.Account.ARN("ec2", a.Account.Region, a.Account.ID, "vpc/"), a.VPCID)
			fisACL := awsbase.Conditions{"StringEquals": {"aws:ResourceTag/" + catalog.FISNetworkACLTag: "true"}}
			return action(catalog.FISActionDisruptConnectivity, "deny all traffic of the zone's data subnets", "Subnets", params("duration", duration(a), "scope", "all")),
				fis.ExperimentTemplateTargetArgs{Name: pulumi.String(targetName), ResourceType: pulumi.String(catalog.FISTargetSubnet),
					SelectionMode: pulumi.String("ALL"), ResourceArns: subnets,
					Filters: fis.ExperimentTemplateTargetFilterArray{fis.ExperimentTemplateTargetFilterArgs{
						Path: pulumi.String("AvailabilityZone"), Values: pulumi.StringArray{pulumi.String(a.Zone)}}}},
				[]statement{
					// A deny-all network ACL, made by FIS, tagged, swapped in and removed again.
					{sid: "CreateTaggedACL", actions: []string{"ec2:CreateNetworkAcl"}, resources: pulumi.StringArray{pulumi.String(anyACL)},
						condition: awsbase.Conditions{"StringEquals": {"aws:RequestTag/" + catalog.FISNetworkACLTag: "true"}}},
					{sid: "TagTheACLAtCreation", actions: []string{"ec2:CreateTags"}, resources: pulumi.StringArray{pulumi.String(anyACL)},
						condition: awsbase.Conditions{"StringEquals": {"ec2:CreateAction": "CreateNetworkAcl"}}},
					{sid: "CreateInTheStacksVPC", actions: []string{"ec2:CreateNetworkAcl"}, resources: pulumi.StringArray{vpc}},
					{sid: "ChangeOnlyFISACLs", actions: []string{"ec2:CreateNetworkAclEntry", "ec2:DeleteNetworkAcl"}, resources: pulumi.StringArray{pulumi.String(anyACL)}, condition: fisACL},
					// The swap and the swap back touch the subnets' own ACLs too, which carry no FIS
					// tag: the stack's data subnets and the ACLs of its VPC only.
					{sid: "SwapOnlyTheDataSubnets", actions: []string{"ec2:ReplaceNetworkAclAssociation"}, resources: subnets.ApplyT(func(s []string) []string {
						return append(append([]string(nil), s...), anyACL)
					}).(pulumi.StringArrayOutput), vpc: vpc},
					{sid: "ReadTheNetwork", actions: []string{"ec2:DescribeNetworkAcls", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries"},
						resources: pulumi.StringArray{pulumi.String("*")}},
				}
		},
	},
	catalog.DrillNodeTermination: {
		description: "Node termination: terminate one of the cluster's nodes; its pods reschedule and the node is replaced",
		needs:       []string{"ClusterName"},
		build: func(a Args) (fis.ExperimentTemplateActionArgs, fis.ExperimentTemplateTargetArgs, []statement) {
			clusterTag := "kubernetes.io/cluster/" + a.ClusterName
			return action(catalog.FISActionTerminateInstances, "terminate one node", "Instances", nil),
				fis.ExperimentTemplateTargetArgs{Name: pulumi.String(targetName), ResourceType: pulumi.String(catalog.FISTargetInstance),
					SelectionMode: pulumi.String("COUNT(1)"),
					ResourceTags:  fis.ExperimentTemplateTargetResourceTagArray{fis.ExperimentTemplateTargetResourceTagArgs{Key: pulumi.String(clusterTag), Value: pulumi.String("owned")}},
					Filters: fis.ExperimentTemplateTargetFilterArray{fis.ExperimentTemplateTargetFilterArgs{
						Path: pulumi.String("State.Name"), Values: pulumi.StringArray{pulumi.String("running")}}}},
				[]statement{
					{sid: "TerminateOnlyThisClustersNodes", actions: []string{"ec2:TerminateInstances"},
						resources: pulumi.StringArray{pulumi.String(a.Account.ARN("ec2", a.Account.Region, a.Account.ID, "instance/*"))},
						condition: awsbase.Conditions{"StringEquals": {"aws:ResourceTag/" + clusterTag: "owned"}}},
					{sid: "FindTheNodes", actions: []string{"ec2:DescribeInstances"}, resources: pulumi.StringArray{pulumi.String("*")}},
				}
		},
	},
}
