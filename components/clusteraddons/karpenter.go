package clusteraddons

// Karpenter: the node autoscaler that launches EC2 instances for pods no node has room for.

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sqs"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	yamlv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/yaml/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/internal/crds"
	"github.com/langgraph-platform/infra/internal/helmvalues"
)

// Karpenter's names: defined once.
const (
	KarpenterChart          = catalog.ChartKarpenter
	KarpenterRelease        = "karpenter"
	KarpenterServiceAccount = "karpenter"
	// KarpenterNodePool and KarpenterNodeClass are the NodePool and EC2NodeClass the dataplane's
	// nodes come from.
	KarpenterNodePool  = "dataplane"
	KarpenterNodeClass = "dataplane"
	KarpenterAPIGroup  = "karpenter.sh/v1"
	KarpenterAWSGroup  = "karpenter.k8s.aws/v1"
)

// InterruptionEvents are the EventBridge events Karpenter drains nodes ahead of: spot
// interruptions, rebalance recommendations, instance state changes and AWS Health's scheduled
// changes.
var InterruptionEvents = map[string]map[string]any{
	"spot-interruption": {"source": []string{"aws.ec2"}, "detail-type": []string{"EC2 Spot Instance Interruption Warning"}},
	"rebalance":         {"source": []string{"aws.ec2"}, "detail-type": []string{"EC2 Instance Rebalance Recommendation"}},
	"state-change":      {"source": []string{"aws.ec2"}, "detail-type": []string{"EC2 Instance State-change Notification"}},
	"scheduled-change":  {"source": []string{"aws.health"}, "detail-type": []string{"AWS Health Event"}},
}

// Karpenter configures the add-on.
type Karpenter struct {
	ChartVersion  string
	Replicas      int
	Identity      string // IdentityPodIdentity or IdentityIRSA
	OIDCIssuerURL string // IRSA only
	CapacityTypes []string
	// NodeRoleName is the nodes' IAM role when the cluster already has one with an access entry
	// (create mode: the system node group's); nil: the add-on creates a role and its access entry.
	NodeRoleName pulumi.StringInput
	// SubnetIDs and SecurityGroupIDs are where nodes launch and which groups they get (the data
	// tier admits these groups).
	SubnetIDs        pulumi.StringArrayInput
	SecurityGroupIDs pulumi.StringArrayInput
	// InstanceCPUs are the instance sizes (vCPUs) the NodePool may launch; LimitCPU and
	// LimitMemoryGiB cap the NodePool's total (sized from the dataplane's requests at its maximum).
	InstanceCPUs   []string
	LimitCPU       int
	LimitMemoryGiB int
	AMIAlias       string
}

func (k Karpenter) check() []string {
	var bad []string
	if k.SubnetIDs == nil || k.SecurityGroupIDs == nil {
		bad = append(bad, "SubnetIDs and SecurityGroupIDs are required (where nodes launch)")
	}
	if len(k.InstanceCPUs) == 0 || k.LimitCPU < 1 || k.LimitMemoryGiB < 1 || len(k.CapacityTypes) == 0 || k.AMIAlias == "" {
		bad = append(bad, "InstanceCPUs, LimitCPU, LimitMemoryGiB, CapacityTypes and AMIAlias are required")
	}
	return bad
}

// KarpenterControllerPolicy is what the controller needs (Karpenter's published controller
// policy, grouped): launch and terminate instances it tags as the cluster's, manage the
// instance profiles it creates for the node role, pass only that role, read prices, AMIs and
// the interruption queue.
func KarpenterControllerPolicy(partition, region, account, cluster, queueARN, nodeRoleARN string) awsbase.PolicyDocument {
	owned := map[string]map[string]any{"StringEquals": {"aws:ResourceTag/kubernetes.io/cluster/" + cluster: "owned"}}
	tagging := map[string]map[string]any{"StringEquals": {"aws:RequestTag/kubernetes.io/cluster/" + cluster: "owned"}}
	ec2 := func(r string) string { return fmt.Sprintf("arn:%s:ec2:%s:*:%s", partition, region, r) }
	return awsbase.PolicyDocument{Version: awsbase.PolicyVersion, Statement: []awsbase.Statement{
		{Sid: "LaunchIntoAnyNetwork", Effect: "Allow", Action: []string{"ec2:RunInstances", "ec2:CreateFleet"},
			Resource: []string{ec2("image/*"), ec2("snapshot/*"), ec2("security-group/*"), ec2("subnet/*"), ec2("capacity-reservation/*")}},
		{Sid: "LaunchOwnedInstances", Effect: "Allow", Action: []string{"ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"},
			Resource: []string{ec2("fleet/*"), ec2("instance/*"), ec2("volume/*"), ec2("network-interface/*"), ec2("launch-template/*"), ec2("spot-instances-request/*")}, Condition: tagging},
		{Sid: "TagOnLaunch", Effect: "Allow", Action: []string{"ec2:CreateTags"},
			Resource:  []string{ec2("fleet/*"), ec2("instance/*"), ec2("volume/*"), ec2("network-interface/*"), ec2("launch-template/*"), ec2("spot-instances-request/*")},
			Condition: map[string]map[string]any{"StringEquals": {"aws:RequestTag/kubernetes.io/cluster/" + cluster: "owned", "ec2:CreateAction": []string{"RunInstances", "CreateFleet", "CreateLaunchTemplate"}}}},
		{Sid: "ManageOwned", Effect: "Allow", Action: []string{"ec2:TerminateInstances", "ec2:DeleteLaunchTemplate", "ec2:CreateTags"},
			Resource: []string{ec2("instance/*"), ec2("launch-template/*")}, Condition: owned},
		{Sid: "Read", Effect: "Allow", Action: []string{"ec2:DescribeAvailabilityZones", "ec2:DescribeImages", "ec2:DescribeInstances", "ec2:DescribeInstanceTypeOfferings",
			"ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplates", "ec2:DescribeSecurityGroups", "ec2:DescribeSpotPriceHistory", "ec2:DescribeSubnets",
			"ec2:DescribeCapacityReservations", "pricing:GetProducts", "ssm:GetParameter"}, Resource: []string{"*"}},
		{Sid: "InterruptionQueue", Effect: "Allow", Action: []string{"sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"}, Resource: []string{queueARN}},
		{Sid: "PassNodeRole", Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: []string{nodeRoleARN},
			Condition: map[string]map[string]any{"StringEquals": {"iam:PassedToService": []string{"ec2.amazonaws.com"}}}},
		{Sid: "InstanceProfiles", Effect: "Allow", Action: []string{"iam:CreateInstanceProfile", "iam:TagInstanceProfile", "iam:AddRoleToInstanceProfile",
			"iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile", "iam:GetInstanceProfile", "iam:ListInstanceProfiles"},
			Resource: []string{fmt.Sprintf("arn:%s:iam::%s:instance-profile/*", partition, account)}},
		{Sid: "Cluster", Effect: "Allow", Action: []string{"eks:DescribeCluster"}, Resource: []string{fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", partition, region, account, cluster)}},
	}}
}

// karpenterValues are the karpenter chart's values.
type karpenterValues struct {
	Replicas       int                  `json:"replicas"`
	Settings       karpenterSettings    `json:"settings"`
	ServiceAccount serviceAccountValues `json:"serviceAccount"`
	Controller     karpenterController  `json:"controller"`
}

type karpenterSettings struct {
	ClusterName       string `json:"clusterName"`
	InterruptionQueue string `json:"interruptionQueue"`
}

type karpenterController struct {
	Resources helmvalues.Resources `json:"resources"`
}

// KarpenterQueueName is the interruption queue's name (SQS names: 80 characters).
func KarpenterQueueName(cluster string) string {
	n := cluster + "-karpenter"
	if len(n) > 80 {
		n = n[:80]
	}
	return n
}

// KarpenterValues name the cluster and interruption queue, and the ServiceAccount the role is
// bound to (New adds the IRSA annotation).
func KarpenterValues(k Karpenter, cluster string, res helmvalues.Resources) any {
	return karpenterValues{
		Replicas:       k.Replicas,
		Settings:       karpenterSettings{ClusterName: cluster, InterruptionQueue: KarpenterQueueName(cluster)},
		ServiceAccount: serviceAccountValues{Create: true, Name: KarpenterServiceAccount, Annotations: map[string]string{}},
		Controller:     karpenterController{Resources: res},
	}
}

func karpenter(ctx *pulumi.Context, name string, args Args, k Karpenter, child pulumi.ResourceOption) error {
	acct := args.Account
	tags := pulumi.ToStringMap(args.Tags)
	queue, err := sqs.NewQueue(ctx, name+"-karpenter", &sqs.QueueArgs{
		Name: pulumi.String(KarpenterQueueName(args.ClusterName)), MessageRetentionSeconds: pulumi.Int(300), SqsManagedSseEnabled: pulumi.Bool(true), Tags: tags,
	}, child)
	if err != nil {
		return err
	}
	queuePolicy := queue.Arn.ApplyT(func(arn string) (string, error) {
		return awsbase.PolicyDocument{Version: awsbase.PolicyVersion, Statement: []awsbase.Statement{
			// Only this stack's interruption rules may send (the confused-deputy conditions).
			{Sid: "EventBridge", Effect: awsbase.Allow, Principal: awsbase.Service("events.amazonaws.com"), Action: []string{"sqs:SendMessage"}, Resource: []string{arn},
				Condition: awsbase.OnBehalfOf(acct, acct.ARN("events", acct.Region, acct.ID, "rule/"+name+"-karpenter-*"))},
			{Sid: "DenyHTTP", Effect: awsbase.Deny, Principal: map[string]string{"AWS": awsbase.AnyPrincipal}, Action: []string{"sqs:*"}, Resource: []string{arn},
				Condition: map[string]map[string]any{"Bool": {"aws:SecureTransport": "false"}}},
		}}.JSON()
	}).(pulumi.StringOutput)
	if _, err := sqs.NewQueuePolicy(ctx, name+"-karpenter", &sqs.QueuePolicyArgs{QueueUrl: queue.Url, Policy: queuePolicy}, child); err != nil {
		return err
	}
	for _, event := range slices.Sorted(maps.Keys(InterruptionEvents)) {
		pattern, err := json.Marshal(InterruptionEvents[event])
		if err != nil {
			return err
		}
		rule, err := cloudwatch.NewEventRule(ctx, name+"-karpenter-"+event, &cloudwatch.EventRuleArgs{
			Description: pulumi.Sprintf("%s events for Karpenter of EKS cluster %s", event, args.ClusterName), EventPattern: pulumi.String(string(pattern)), Tags: tags,
		}, child)
		if err != nil {
			return err
		}
		if _, err := cloudwatch.NewEventTarget(ctx, name+"-karpenter-"+event, &cloudwatch.EventTargetArgs{Rule: rule.Name, Arn: queue.Arn}, child); err != nil {
			return err
		}
	}

	nodeRoleName, nodeRoleARN := k.NodeRoleName, pulumi.StringOutput{}
	var nodeAccess []pulumi.Resource
	if nodeRoleName == nil {
		nodeTrust, err := awsbase.ServiceTrust("ec2.amazonaws.com", acct, "").JSON()
		if err != nil {
			return err
		}
		role, err := iam.NewRole(ctx, name+"-karpenter-node", &iam.RoleArgs{
			Description:      pulumi.String("Nodes Karpenter launches in EKS cluster " + args.ClusterName),
			AssumeRolePolicy: pulumi.String(nodeTrust), Tags: tags,
		}, child)
		if err != nil {
			return err
		}
		for _, p := range catalog.EKSNodeRolePolicies {
			a, err := iam.NewRolePolicyAttachment(ctx, name+"-karpenter-node-"+p, &iam.RolePolicyAttachmentArgs{Role: role.Name, PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/%s", acct.Partition, p)}, child)
			if err != nil {
				return err
			}
			nodeAccess = append(nodeAccess, a)
		}
		// An access entry lets the nodes join (the cluster's authentication mode must include API).
		entry, err := eks.NewAccessEntry(ctx, name+"-karpenter-node", &eks.AccessEntryArgs{
			ClusterName: args.cluster(), PrincipalArn: role.Arn, Type: pulumi.String("EC2_LINUX"), Tags: tags,
		}, child)
		if err != nil {
			return err
		}
		nodeAccess = append(nodeAccess, entry)
		nodeRoleName, nodeRoleARN = role.Name, role.Arn
	} else {
		nodeRoleARN = pulumi.Sprintf("arn:%s:iam::%s:role/%s", acct.Partition, acct.ID, nodeRoleName)
	}

	policyJSON := pulumi.All(queue.Arn, nodeRoleARN).ApplyT(func(v []any) (string, error) {
		return KarpenterControllerPolicy(acct.Partition, acct.Region, acct.ID, args.ClusterName, v[0].(string), v[1].(string)).JSON()
	}).(pulumi.StringOutput)
	policy, err := iam.NewPolicy(ctx, name+"-karpenter", &iam.PolicyArgs{
		Description: pulumi.Sprintf("Karpenter of EKS cluster %s", args.ClusterName), Policy: policyJSON, Tags: tags,
	}, child)
	if err != nil {
		return err
	}
	role, binding, err := podRole(ctx, name+"-karpenter", args, k.Identity, k.OIDCIssuerURL, KarpenterServiceAccount, "Karpenter of EKS cluster "+args.ClusterName, child)
	if err != nil {
		return err
	}
	attachment, err := iam.NewRolePolicyAttachment(ctx, name+"-karpenter", &iam.RolePolicyAttachmentArgs{Role: role.Name, PolicyArn: policy.Arn}, child)
	if err != nil {
		return err
	}
	values, err := helmvalues.Map(KarpenterValues(k, args.ClusterName, args.Resources[catalog.ContainerKarpenter]))
	if err != nil {
		return err
	}
	if k.Identity == IdentityIRSA {
		values["serviceAccount"] = pulumi.Map{"create": pulumi.Bool(true), "name": pulumi.String(KarpenterServiceAccount), "annotations": pulumi.StringMap{IRSAAnnotation: role.Arn}}
	}
	// The CRDs are the program's, from the chart's version (components/clusteraddons/crds):
	// Helm would install them on the first install only and never upgrade them.
	manifests, _, err := KarpenterCRDs(k.ChartVersion)
	if err != nil {
		return err
	}
	crdSet, err := yamlv2.NewConfigGroup(ctx, name+"-karpenter-crds", &yamlv2.ConfigGroupArgs{Yaml: pulumi.String(manifests)}, child)
	if err != nil {
		return err
	}
	controller, err := releaseWithoutCRDs(ctx, name+"-karpenter", KarpenterRelease, args.Charts[KarpenterChart], k.ChartVersion, values, child,
		pulumi.DependsOn(append(append(append(binding, attachment), nodeAccess...), crdSet)))
	if err != nil {
		return err
	}

	// The NodePool and EC2NodeClass are of the CRDs' kinds and are reconciled by the controller.
	after := pulumi.DependsOn([]pulumi.Resource{crdSet, controller})
	selectors := func(ids pulumi.StringArrayInput) pulumi.ArrayOutput {
		return ids.ToStringArrayOutput().ApplyT(func(ids []string) []any {
			out := make([]any, len(ids))
			for i, id := range ids {
				out[i] = map[string]any{"id": id}
			}
			return out
		}).(pulumi.ArrayOutput)
	}
	nodeTags := pulumi.StringMap{}
	for key, v := range args.Tags {
		nodeTags[key] = pulumi.String(v)
	}
	if _, err := apiextensions.NewCustomResource(ctx, name+"-karpenter-nodeclass", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(KarpenterAWSGroup), Kind: pulumi.String("EC2NodeClass"),
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(KarpenterNodeClass)},
		OtherFields: kubernetes.UntypedArgs{"spec": pulumi.Map{
			"role":                       nodeRoleName,
			"amiSelectorTerms":           pulumi.Array{pulumi.Map{"alias": pulumi.String(k.AMIAlias)}},
			"subnetSelectorTerms":        selectors(k.SubnetIDs),
			"securityGroupSelectorTerms": selectors(k.SecurityGroupIDs),
			// IMDSv2 only, and not reachable from pods (hop limit 1): pods get AWS credentials from
			// their own ServiceAccount's role, never the node's.
			"metadataOptions": pulumi.Map{"httpEndpoint": pulumi.String("enabled"), "httpTokens": pulumi.String("required"), "httpPutResponseHopLimit": pulumi.Int(1)},
			"blockDeviceMappings": pulumi.Array{pulumi.Map{"deviceName": pulumi.String("/dev/xvda"), "ebs": pulumi.Map{
				"volumeSize": pulumi.String("50Gi"), "volumeType": pulumi.String("gp3"), "encrypted": pulumi.Bool(true), "deleteOnTermination": pulumi.Bool(true),
			}}},
			"tags": nodeTags,
		}},
	}, child, after); err != nil {
		return err
	}
	requirement := func(key, op string, values ...string) pulumi.Map {
		return pulumi.Map{"key": pulumi.String(key), "operator": pulumi.String(op), "values": pulumi.ToStringArray(values)}
	}
	_, err = apiextensions.NewCustomResource(ctx, name+"-karpenter-nodepool", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(KarpenterAPIGroup), Kind: pulumi.String("NodePool"),
		Metadata: metav1.ObjectMetaArgs{Name: pulumi.String(KarpenterNodePool)},
		OtherFields: kubernetes.UntypedArgs{"spec": pulumi.Map{
			"template": pulumi.Map{"spec": pulumi.Map{
				"nodeClassRef": pulumi.Map{"group": pulumi.String("karpenter.k8s.aws"), "kind": pulumi.String("EC2NodeClass"), "name": pulumi.String(KarpenterNodeClass)},
				"requirements": pulumi.Array{
					requirement("kubernetes.io/arch", "In", catalog.KarpenterArch),
					requirement("kubernetes.io/os", "In", "linux"),
					requirement("karpenter.sh/capacity-type", "In", k.CapacityTypes...),
					requirement("karpenter.k8s.aws/instance-category", "In", "c", "m", "r"),
					requirement("karpenter.k8s.aws/instance-generation", "Gt", "5"),
					requirement("karpenter.k8s.aws/instance-cpu", "In", k.InstanceCPUs...),
				},
				// Nodes are replaced monthly: patched AMIs without a maintenance window.
				"expireAfter": pulumi.String("720h"),
			}},
			"limits": pulumi.Map{"cpu": pulumi.String(fmt.Sprint(k.LimitCPU)), "memory": pulumi.String(fmt.Sprintf("%dGi", k.LimitMemoryGiB))},
			"disruption": pulumi.Map{
				"consolidationPolicy": pulumi.String("WhenEmptyOrUnderutilized"), "consolidateAfter": pulumi.String("5m"),
				// At most one node in ten replaced at a time (the dataplane's PDB guards the pods).
				"budgets": pulumi.Array{pulumi.Map{"nodes": pulumi.String("10%")}},
			},
		}},
	}, child, after)
	return err
}

// karpenterCRDFiles are Karpenter's CRDs, one directory per chart version, copied from the
// karpenter-provider-aws Go module by `go run ./cmd/crds -write` (internal/crdsync checks them).
//
//go:embed crds
var karpenterCRDFiles embed.FS

// KarpenterCRDs returns the CRD manifests of a Karpenter chart version as one YAML stream and
// the CRD names.
func KarpenterCRDs(version string) (string, []string, error) {
	return crds.Manifests(karpenterCRDFiles, path.Join("crds", version), "components/clusteraddons/crds")
}
