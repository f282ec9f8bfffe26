package clusteraddons

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/internal/helmvalues"
)

// AWS for Fluent Bit: the chart and the names it is found by.
const (
	FluentBitChart          = catalog.ChartAWSForFluentBit
	FluentBitRelease        = "aws-for-fluent-bit"
	FluentBitServiceAccount = "aws-for-fluent-bit"
)

// FluentBit ships the containers' logs of Namespaces to CloudWatch Logs: one KMS-encrypted log
// group per namespace, LogGroupPrefix/<namespace>, kept RetentionDays.
type FluentBit struct {
	ChartVersion   string
	RetentionDays  int
	LogGroupPrefix string // such as /langgraph/prod/containers
	Namespaces     []string
	Identity       string // IdentityPodIdentity or IdentityIRSA, as the controller's
	OIDCIssuerURL  string // IRSA only
}

// LogGroupName is the log group of a namespace's containers.
func LogGroupName(prefix, namespace string) string { return prefix + "/" + namespace }

// fluentBitValues are aws-for-fluent-bit's values, the parts this project sets.
type fluentBitValues struct {
	ServiceAccount struct {
		Create      bool              `json:"create"`
		Name        string            `json:"name"`
		Annotations map[string]string `json:"annotations,omitempty"`
	} `json:"serviceAccount"`
	Input struct {
		Enabled bool   `json:"enabled"`
		Path    string `json:"path"`
	} `json:"input"`
	CloudWatch     enabledOnly `json:"cloudWatch"`
	CloudWatchLogs struct {
		Enabled           bool   `json:"enabled"`
		Match             string `json:"match"`
		Region            string `json:"region"`
		LogGroupName      string `json:"logGroupName"`
		LogGroupTemplate  string `json:"logGroupTemplate"`
		LogStreamTemplate string `json:"logStreamTemplate"`
		AutoCreateGroup   bool   `json:"autoCreateGroup"`
	} `json:"cloudWatchLogs"`
	Firehose                 enabledOnly          `json:"firehose"`
	Kinesis                  enabledOnly          `json:"kinesis"`
	Elasticsearch            enabledOnly          `json:"elasticsearch"`
	ContainerSecurityContext fluentBitSecurity    `json:"containerSecurityContext"`
	PriorityClassName        string               `json:"priorityClassName"`
	Tolerations              []map[string]any     `json:"tolerations"`
	Resources                helmvalues.Resources `json:"resources"`
}

type enabledOnly struct {
	Enabled bool `json:"enabled"`
}

// fluentBitSecurity: Fluent Bit reads the node's root-owned log files, so it runs as root, but
// with no capability, no privilege escalation and a read-only root (its offsets database is on
// the node's /var/log, which the chart mounts).
type fluentBitSecurity struct {
	AllowPrivilegeEscalation bool `json:"allowPrivilegeEscalation"`
	ReadOnlyRootFilesystem   bool `json:"readOnlyRootFilesystem"`
	Capabilities             struct {
		Drop []string `json:"drop"`
	} `json:"capabilities"`
}

// FluentBitValues renders the chart's values: tail only the listed namespaces' container logs
// (so no line lands in a group that does not exist), write each to its namespace's group, create
// no group (the program owns them, with KMS and retention).
func FluentBitValues(f FluentBit, region string, res helmvalues.Resources) fluentBitValues {
	var v fluentBitValues
	v.ServiceAccount.Create, v.ServiceAccount.Name = true, FluentBitServiceAccount
	v.Input.Enabled = true
	paths := make([]string, len(f.Namespaces))
	for i, ns := range f.Namespaces {
		// kubelet names the files <pod>_<namespace>_<container>-<id>.log
		paths[i] = fmt.Sprintf("/var/log/containers/*_%s_*.log", ns)
	}
	v.Input.Path = strings.Join(paths, ",")
	c := &v.CloudWatchLogs
	c.Enabled, c.Match, c.Region = true, "*", region
	c.LogGroupName = LogGroupName(f.LogGroupPrefix, f.Namespaces[0]) // used only when the template cannot resolve
	c.LogGroupTemplate = f.LogGroupPrefix + "/$kubernetes['namespace_name']"
	c.LogStreamTemplate = "$kubernetes['pod_name'].$kubernetes['container_name']"
	c.AutoCreateGroup = false
	v.ContainerSecurityContext.Capabilities.Drop = []string{"ALL"}
	v.PriorityClassName = "system-node-critical"
	// Every node's logs, tainted nodes included.
	v.Tolerations = []map[string]any{{"operator": "Exists"}}
	v.ContainerSecurityContext.ReadOnlyRootFilesystem = true
	v.Resources = res
	return v
}

// fluentBit creates the log groups (with their key), Fluent Bit's IAM role and its release.
func fluentBit(ctx *pulumi.Context, name string, args Args, f FluentBit, child pulumi.ResourceOption) (pulumi.StringArrayOutput, error) {
	acct := args.Account
	key, err := awsbase.NewKey(ctx, name+"-logs-key", awsbase.KeyArgs{
		Description: "Container log groups of " + f.LogGroupPrefix, Alias: name + "-logs", Account: acct,
		ServicePrincipals: []string{awsbase.LogsPrincipal(acct)}, Tags: args.Tags,
	}, child)
	if err != nil {
		return pulumi.StringArrayOutput{}, err
	}
	var arns, names pulumi.StringArray
	for _, ns := range f.Namespaces {
		group, err := cloudwatch.NewLogGroup(ctx, name+"-logs-"+ns, &cloudwatch.LogGroupArgs{
			Name: pulumi.String(LogGroupName(f.LogGroupPrefix, ns)), RetentionInDays: pulumi.Int(f.RetentionDays),
			KmsKeyId: key.Arn, Tags: pulumi.ToStringMap(args.Tags),
		}, child)
		if err != nil {
			return pulumi.StringArrayOutput{}, err
		}
		arns = append(arns, group.Arn)
		names = append(names, group.Name)
	}
	policy := arns.ToStringArrayOutput().ApplyT(func(groups []string) (string, error) {
		streams := make([]string, len(groups))
		for i, g := range groups {
			streams[i] = strings.TrimSuffix(g, ":*") + ":log-stream:*"
		}
		return awsbase.Policy(awsbase.Statement{
			Sid: "WriteContainerLogs", Effect: awsbase.Allow, Action: []string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"},
			Resource: append(append([]string(nil), groups...), streams...),
		}).JSON()
	}).(pulumi.StringOutput)
	role, binding, err := podRole(ctx, name+"-fluent-bit", args, f.Identity, f.OIDCIssuerURL, FluentBitServiceAccount,
		"Fluent Bit of EKS cluster "+args.ClusterName, child)
	if err != nil {
		return pulumi.StringArrayOutput{}, err
	}
	managed, err := iam.NewPolicy(ctx, name+"-fluent-bit", &iam.PolicyArgs{
		Description: pulumi.Sprintf("Fluent Bit of EKS cluster %s: write the container log groups", args.ClusterName),
		Policy:      policy, Tags: pulumi.ToStringMap(args.Tags),
	}, child)
	if err != nil {
		return pulumi.StringArrayOutput{}, err
	}
	rolePolicy, err := iam.NewRolePolicyAttachment(ctx, name+"-fluent-bit", &iam.RolePolicyAttachmentArgs{Role: role.Name, PolicyArn: managed.Arn}, child)
	if err != nil {
		return pulumi.StringArrayOutput{}, err
	}
	values, err := helmvalues.Map(FluentBitValues(f, acct.Region, args.Resources[catalog.ContainerFluentBit]))
	if err != nil {
		return pulumi.StringArrayOutput{}, err
	}
	if f.Identity == IdentityIRSA {
		values["serviceAccount"] = pulumi.Map{
			"create": pulumi.Bool(true), "name": pulumi.String(FluentBitServiceAccount),
			"annotations": pulumi.StringMap{IRSAAnnotation: role.Arn},
		}
	}
	_, err = release(ctx, name+"-fluent-bit", FluentBitRelease, args.Charts[FluentBitChart], f.ChartVersion, values,
		child, pulumi.DependsOn(append(binding, rolePolicy)))
	return names.ToStringArrayOutput(), err
}

// podRole is an IAM role for one ServiceAccount in Namespace, bound the way identity says: an
// EKS Pod Identity association, or an IRSA trust on the cluster's OIDC provider (the caller
// annotates the ServiceAccount). The returned resources are what the pods must wait for.
func podRole(ctx *pulumi.Context, name string, args Args, identity, issuer, serviceAccount, description string, child pulumi.ResourceOption) (*iam.Role, []pulumi.Resource, error) {
	acct := args.Account
	trust := awsbase.PodIdentityTrust(acct, args.ClusterName)
	if identity == IdentityIRSA {
		trust = awsbase.IRSATrust(acct, issuer, Namespace, serviceAccount)
	}
	trustJSON, err := trust.JSON()
	if err != nil {
		return nil, nil, err
	}
	tags := pulumi.ToStringMap(args.Tags)
	role, err := iam.NewRole(ctx, name, &iam.RoleArgs{
		Description: pulumi.Sprintf("%s (%s)", description, identity), AssumeRolePolicy: pulumi.String(trustJSON), Tags: tags,
	}, child)
	if err != nil {
		return nil, nil, err
	}
	binding := []pulumi.Resource{role}
	if identity == IdentityPodIdentity {
		association, err := eks.NewPodIdentityAssociation(ctx, name, &eks.PodIdentityAssociationArgs{
			ClusterName: args.cluster(), Namespace: pulumi.String(Namespace),
			ServiceAccount: pulumi.String(serviceAccount), RoleArn: role.Arn, Tags: tags,
		}, child)
		if err != nil {
			return nil, nil, err
		}
		binding = append(binding, association)
	}
	return role, binding, nil
}

// cluster is the cluster's name as an input (see Args.Cluster).
func (a Args) cluster() pulumi.StringInput {
	if a.Cluster != nil {
		return a.Cluster
	}
	return pulumi.String(a.ClusterName)
}
