package account

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/components/gameday"
	platform "github.com/langgraph-platform/infra/config"
)

// Service is an AWS service the platform's stacks manage, as the deploy role may touch it.
type Service struct {
	// Types are the Pulumi resource types (or type prefixes) the platform registers in it.
	Types []string
	// Prefix is the IAM action prefix ("rds").
	Prefix string
	// Writes are the action verbs (each granted as <prefix>:<verb>*) the program's create,
	// update, replace and delete of those types call.
	Writes []string
	// Resources are the ARNs its writes are limited to, from the environment's name prefix; nil:
	// the service's create calls also act on resources no name of ours can scope (AWS's default
	// option groups, managed prefix lists, key IDs chosen by AWS), so its writes are limited to the
	// platform's regions and the statement EnvironmentFence denies another environment's resources.
	Resources func(n names) []string
	// Global services are called in the partition's global region (us-east-1).
	Global bool
}

// names are what an environment's resources are called, and where.
type names struct {
	account awsbase.Account
	env     string // the environment (stack) name
	prefix  string // langgraph-<env>
	cluster string
	regions []string // where the environment's stacks deploy (its region and recovery region)
	reads   []string // environments whose stacks it reads through a StackReference
}

func (n names) arn(service, resource string) string {
	return n.account.ARN(service, "*", n.account.ID, resource)
}

// roles are the environment's IAM roles: the only ones its deploy role may change or pass.
func (n names) roles() string { return n.account.ARN("iam", "", n.account.ID, "role/"+n.prefix+"-*") }

// common are the verbs every managed service's lifecycle uses.
var common = []string{"Create", "Delete", "Tag", "Untag"}

func verbs(extra ...string) []string { return append(append([]string{}, common...), extra...) }

// Services is every AWS service the platform's stacks create resources in; a test renders every
// stack and fails when one of its resource types is not covered here.
var Services = []Service{
	{Types: []string{"aws:backup/"}, Prefix: "backup", Writes: verbs("Update", "Put", "Start")},
	{Types: []string{"aws:budgets/"}, Prefix: "budgets", Global: true, Writes: []string{"ModifyBudget", "CreateBudgetAction", "DeleteBudgetAction", "UpdateBudgetAction", "TagResource", "UntagResource"}, Resources: func(n names) []string {
		return []string{n.account.ARN("budgets", "", n.account.ID, "budget/"+n.prefix), n.account.ARN("budgets", "", n.account.ID, "budget/"+n.prefix+"-*")}
	}},
	{Types: []string{"aws:costexplorer/"}, Prefix: "ce", Global: true, Writes: verbs("Update")},
	{Types: []string{"aws:cloudwatch/eventRule:", "aws:cloudwatch/eventTarget:"}, Prefix: "events", Writes: verbs("Put", "Remove", "Enable", "Disable"), Resources: func(n names) []string {
		return []string{n.arn("events", "rule/"+n.prefix+"-*")}
	}},
	{Types: []string{"aws:cloudwatch/logGroup:"}, Prefix: "logs", Writes: verbs("Put", "Associate", "Disassociate"), Resources: func(n names) []string {
		var out []string
		// The components' names: autonamed, the containers' and flow logs', WAF's required
		// aws-waf-logs- prefix, and EKS's fixed control-plane group.
		for _, g := range []string{n.prefix + "-*", "/langgraph/" + n.env + "/*", "/langgraph/" + n.prefix + "-*", "aws-waf-logs-" + n.prefix + "-*", "/aws/eks/" + n.cluster + "/*", gameday.LogGroupPrefix + n.prefix} {
			out = append(out, n.arn("logs", "log-group:"+g), n.arn("logs", "log-group:"+g+":*"))
		}
		return out
	}},
	{Types: []string{"aws:cloudwatch/metricAlarm:"}, Prefix: "cloudwatch", Writes: []string{"PutMetricAlarm", "DeleteAlarms", "TagResource", "UntagResource", "EnableAlarmActions", "DisableAlarmActions"}, Resources: func(n names) []string {
		return []string{n.arn("cloudwatch", "alarm:"+n.prefix+"-*")}
	}},
	{Types: []string{"aws:ec2/"}, Prefix: "ec2", Writes: verbs("Modify", "Authorize", "Revoke", "Associate", "Disassociate", "Allocate", "Release", "Attach", "Detach", "Replace", "Update")},
	{Types: []string{"aws:eks/"}, Prefix: "eks", Writes: verbs("Update", "Associate", "Disassociate"), Resources: func(n names) []string {
		out := []string{n.arn("eks", "cluster/"+n.cluster)}
		for _, sub := range []string{"addon", "nodegroup", "access-entry", "podidentityassociation"} {
			out = append(out, n.arn("eks", sub+"/"+n.cluster+"/*"))
		}
		return out
	}},
	// FIS picks the template IDs: fenced by region and environment tag.
	{Types: []string{"aws:fis/"}, Prefix: "fis", Writes: verbs("Update")},
	{Types: []string{"aws:elasticache/"}, Prefix: "elasticache", Writes: []string{"Create", "Delete", "Modify", "AddTagsToResource", "RemoveTagsFromResource", "IncreaseReplicaCount", "DecreaseReplicaCount", "Reboot"}},
	{Types: []string{"aws:iam/"}, Prefix: "iam", Global: true, Writes: verbs("Put", "Attach", "Detach", "Update", "AddRoleToInstanceProfile", "RemoveRoleFromInstanceProfile"), Resources: func(n names) []string {
		return []string{n.roles(), n.account.ARN("iam", "", n.account.ID, "policy/"+n.prefix+"-*"), n.account.ARN("iam", "", n.account.ID, "instance-profile/"+n.prefix+"-*")}
	}},
	{Types: []string{"aws:kms/"}, Prefix: "kms", Writes: verbs("Put", "Update", "Enable", "Disable", "ScheduleKeyDeletion", "CancelKeyDeletion")},
	{Types: []string{"aws:rds/"}, Prefix: "rds", Writes: []string{"Create", "Delete", "Modify", "AddTagsToResource", "RemoveTagsFromResource", "Reboot", "Promote", "Start", "Stop", "Switchover", "AddSourceIdentifierToSubscription", "RemoveSourceIdentifierFromSubscription"}},
	{Types: []string{"aws:s3/"}, Prefix: "s3", Global: true, Writes: []string{"CreateBucket", "DeleteBucket", "Put", "DeleteBucketPolicy", "DeleteBucketOwnershipControls", "DeleteBucketEncryption"}, Resources: func(n names) []string {
		return []string{n.account.ARN("s3", "", "", n.prefix+"-*"), n.account.ARN("s3", "", "", n.prefix+"-*/*")}
	}},
	// Route 53 is global: its record changes name a hosted zone the bootstrap does not know.
	{Types: []string{"aws:route53/"}, Prefix: "route53", Global: true, Writes: []string{"ChangeResourceRecordSets", "CreateHealthCheck", "UpdateHealthCheck", "DeleteHealthCheck", "ChangeTagsForResource"}},
	{Types: []string{"aws:scheduler/"}, Prefix: "scheduler", Writes: verbs("Update"), Resources: func(n names) []string {
		return []string{n.arn("scheduler", "schedule/default/"+n.prefix+"-*")}
	}},
	{Types: []string{"aws:secretsmanager/"}, Prefix: "secretsmanager", Writes: verbs("Put", "Update", "Replicate", "RemoveRegionsFromReplication", "Restore", "Rotate"), Resources: func(n names) []string {
		return []string{n.arn("secretsmanager", "secret:"+n.prefix+"-*")}
	}},
	{Types: []string{"aws:sns/"}, Prefix: "sns", Writes: verbs("Set", "Subscribe", "Unsubscribe", "AddPermission", "RemovePermission"), Resources: func(n names) []string { return []string{n.arn("sns", n.prefix+"-*")} }},
	{Types: []string{"aws:sqs/"}, Prefix: "sqs", Writes: verbs("Set", "AddPermission", "RemovePermission"), Resources: func(n names) []string {
		// Karpenter's interruption queue is named after the cluster.
		return []string{n.arn("sqs", n.prefix+"-*"), n.arn("sqs", n.cluster+"-*"), n.arn("sqs", n.cluster)}
	}},
	{Types: []string{"aws:wafv2/"}, Prefix: "wafv2", Writes: verbs("Update", "Put", "Associate", "Disassociate")},
}

// actions are the service's write actions: each verb as a prefix of its actions.
func (s Service) actions() []string {
	var out []string
	for _, v := range s.Writes {
		out = append(out, s.Prefix+":"+v+"*")
	}
	return out
}

// statement is the service's write statement for an environment.
func (s Service) statement(n names) awsbase.Statement {
	st := awsbase.Statement{Sid: "Write" + strings.ToUpper(s.Prefix[:1]) + s.Prefix[1:], Effect: awsbase.Allow, Action: s.actions()}
	if s.Resources != nil {
		st.Resource = s.Resources(n)
		return st
	}
	regions := n.regions
	if s.Global {
		regions = []string{globalRegion}
	}
	st.Resource = []string{"*"}
	st.Condition = awsbase.Conditions{"StringEquals": {"aws:RequestedRegion": regions}}
	return st
}

// globalRegion is where AWS's global services (IAM, Cost Explorer, Budgets) take requests.
const globalRegion = "us-east-1"

// ServiceFor is the service covering a Pulumi resource type, or false.
func ServiceFor(typ string) (Service, bool) {
	for _, s := range Services {
		for _, t := range s.Types {
			if strings.HasPrefix(typ, t) {
				return s, true
			}
		}
	}
	return Service{}, false
}

// readServices are read by a preview beside the managed ones: the load balancer the alarms find,
// the tagging API.
var readServices = []string{"elasticloadbalancing", "tag"}

// serviceLinkedRoles are the roles AWS services create for themselves on first use, which a
// deploy may trigger.
var serviceLinkedRoles = []string{
	"rds.amazonaws.com", "elasticache.amazonaws.com", "eks.amazonaws.com", "eks-nodegroup.amazonaws.com",
	"backup.amazonaws.com", "elasticloadbalancing.amazonaws.com", "autoscaling.amazonaws.com",
}

// readStatement lets a role read what a preview with refresh reads: every Describe, List and Get
// of the platform's services; readFences take back the reads of secret values and object
// contents other than the environment's own.
func readStatement() awsbase.Statement {
	var actions []string
	for _, s := range Services {
		actions = append(actions, s.Prefix+":Describe*", s.Prefix+":List*", s.Prefix+":Get*")
	}
	for _, p := range readServices {
		actions = append(actions, p+":Describe*", p+":Get*")
	}
	// Budgets' reads are View actions.
	actions = append(actions, "budgets:View*")
	return awsbase.Statement{Sid: "ReadThePlatformsServices", Effect: awsbase.Allow, Action: actions, Resource: []string{"*"}}
}

// stateRefs are the bootstrap's resources a role's policy names.
type stateRefs struct {
	bucketArn, stateKeyArn, secretsKeyArn string
}

// stateObjects are the ARNs of one stack's state objects.
func (r stateRefs) stateObjects(stack string) []string {
	var out []string
	for _, p := range StatePaths(stack) {
		out = append(out, r.bucketArn+"/"+p)
	}
	return out
}

// meta is the backend's metadata file every CLI command reads.
func (r stateRefs) meta() string { return r.bucketArn + "/" + BackendMetadata }

// readFences deny the reads readStatement's wildcards include that would disclose data: a secret's
// value, and an object's content, other than the environment's own (its buckets, its state).
func readFences(n names, r stateRefs) []awsbase.Statement {
	objects := append([]string{n.account.ARN("s3", "", "", n.prefix+"-*/*"), r.meta()}, r.stateObjects(n.env)...)
	for _, other := range n.reads {
		objects = append(objects, r.stateObjects(other)...)
	}
	return []awsbase.Statement{
		{Sid: "NoOtherSecretValues", Effect: awsbase.Deny, Action: []string{"secretsmanager:GetSecretValue"},
			NotResource: []string{n.arn("secretsmanager", "secret:"+n.prefix+"-*")}},
		{Sid: "NoOtherObjects", Effect: awsbase.Deny, Action: []string{"s3:GetObject", "s3:GetObjectVersion"}, NotResource: objects},
	}
}

// readReferences let a role read the stacks its stack references: their state, and their
// secret outputs, decrypted with their secrets keys (named by alias: the keys are another
// environment's). Never a write.
func readReferences(n names, r stateRefs) []awsbase.Statement {
	if len(n.reads) == 0 {
		return nil
	}
	var objects, aliases []string
	for _, other := range n.reads {
		objects = append(objects, r.stateObjects(other)...)
		aliases = append(aliases, "alias/"+SecretsKeyAlias(other))
	}
	return []awsbase.Statement{
		{Sid: "ReadTheReferencedStacksState", Effect: awsbase.Allow, Action: []string{"s3:GetObject"}, Resource: objects},
		{Sid: "DecryptTheReferencedStacksSecrets", Effect: awsbase.Allow, Action: []string{"kms:Decrypt", "kms:DescribeKey"}, Resource: []string{"*"},
			Condition: awsbase.Conditions{"ForAnyValue:StringEquals": {"kms:ResourceAliases": aliases}}},
	}
}

// listState lets a role list the backend (the CLI lists stacks and looks for locks).
func listState(r stateRefs) awsbase.Statement {
	return awsbase.Statement{Sid: "ListTheStateBucket", Effect: awsbase.Allow, Action: []string{"s3:ListBucket"}, Resource: []string{r.bucketArn}}
}

// previewPolicy is the preview role's policy: read the platform's services (refresh), read its own
// stack's state, decrypt the state and the stack's config secrets. A DIY backend's preview takes
// no lock and writes nothing (pkg/backend/diy: Preview does not Lock).
func previewPolicy(n names, r stateRefs) awsbase.PolicyDocument {
	statements := append([]awsbase.Statement{readStatement(), listState(r),
		{Sid: "ReadTheStacksState", Effect: awsbase.Allow, Action: []string{"s3:GetObject"}, Resource: append([]string{r.meta()}, r.stateObjects(n.env)...)},
		{Sid: "DecryptStateAndSecrets", Effect: awsbase.Allow, Action: []string{"kms:Decrypt", "kms:DescribeKey"}, Resource: []string{r.stateKeyArn, r.secretsKeyArn}},
	}, readFences(n, r)...)
	return awsbase.Policy(append(statements, readReferences(n, r)...)...)
}

// adminPolicies are AWS managed policies no platform role ever needs; a deploy role may not
// attach them to the roles it creates (the escalation a role-creating identity otherwise has).
var adminPolicies = []string{"AdministratorAccess", "IAMFullAccess", "PowerUserAccess", "AWSOrganizationsFullAccess"}

// deployPolicy is the deploy role's inline policy: reads, its own stack's state read and written,
// the state key and its secrets key used but never administered, and the fences; its writes of
// the platform's services are WritePolicies, managed policies attached beside it (one inline
// policy cannot hold them: AWS caps a role's inline policies at 10,240 characters).
func deployPolicy(n names, r stateRefs) awsbase.PolicyDocument {
	var admin []string
	for _, p := range adminPolicies {
		admin = append(admin, n.account.ARN("iam", "", "aws", "policy/"+p))
	}
	statements := append(fenceStatements(n, r), readStatement(), listState(r),
		awsbase.Statement{Sid: "ReadAndWriteTheStacksState", Effect: awsbase.Allow,
			Action:   []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
			Resource: r.stateObjects(n.env)},
		awsbase.Statement{Sid: "ReadTheBackendsMetadata", Effect: awsbase.Allow, Action: []string{"s3:GetObject"}, Resource: []string{r.meta()}},
		awsbase.Statement{Sid: "UseStateAndSecretsKeys", Effect: awsbase.Allow,
			Action:   []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"},
			Resource: []string{r.stateKeyArn, r.secretsKeyArn}},
		awsbase.Statement{Sid: "NeverAdministerTheBootstrapKeys", Effect: awsbase.Deny,
			NotAction: []string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"},
			Resource:  []string{r.stateKeyArn, r.secretsKeyArn}},
		awsbase.Statement{Sid: "NeverAttachAdministrativePolicies", Effect: awsbase.Deny,
			Action:    []string{"iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:AttachGroupPolicy"},
			Resource:  []string{"*"},
			Condition: awsbase.Conditions{"ArnEquals": {"iam:PolicyARN": admin}}},
	)
	statements = append(statements, readReferences(n, r)...)
	return awsbase.Policy(append(statements, readFences(n, r)...)...)
}

// EnvironmentFence is the Sid of the deny that keeps a deploy role off other environments'
// resources in the services it may write anywhere in its regions.
const EnvironmentFence = "NotAnotherEnvironmentsResources"

// serviceStatements are the deploy role's writes, one statement per service.
func serviceStatements(n names) []awsbase.Statement {
	var out []awsbase.Statement
	for _, s := range Services {
		out = append(out, s.statement(n))
	}
	return out
}

// fenceStatements keep the deploy role to its environment where names cannot: no resource tagged
// for another environment, no create tagged for one; roles passed only its own; service-linked
// roles only the platform's services'.
func fenceStatements(n names, r stateRefs) []awsbase.Statement {
	var anywhere []string
	for _, s := range Services {
		if s.Resources == nil {
			anywhere = append(anywhere, s.actions()...)
		}
	}
	tag := "aws:ResourceTag/" + platform.EnvironmentTag
	requestTag := "aws:RequestTag/" + platform.EnvironmentTag
	return []awsbase.Statement{
		// The state key is guarded by NeverAdministerTheBootstrapKeys instead.
		{Sid: EnvironmentFence, Effect: awsbase.Deny, Action: anywhere, NotResource: []string{r.stateKeyArn},
			Condition: awsbase.Conditions{"StringNotEquals": {tag: n.env}, "Null": {tag: "false"}}},
		{Sid: "CreateOnlyThisEnvironmentsTags", Effect: awsbase.Deny, Action: anywhere, Resource: []string{"*"},
			Condition: awsbase.Conditions{"StringNotEquals": {requestTag: n.env}, "Null": {requestTag: "false"}}},
		{Sid: "PassOnlyTheEnvironmentsRoles", Effect: awsbase.Allow, Action: []string{"iam:PassRole"}, Resource: []string{n.roles()}},
		{Sid: "ServiceLinkedRoles", Effect: awsbase.Allow, Action: []string{"iam:CreateServiceLinkedRole"},
			Resource:  []string{n.account.ARN("iam", "", n.account.ID, "role/aws-service-role/*")},
			Condition: awsbase.Conditions{"StringEquals": {"iam:AWSServiceName": serviceLinkedRoles}}},
	}
}

// AWS's size limits on policy documents, in characters without whitespace (IAM User Guide, "IAM
// and AWS STS quotas"): a role's inline policies together, one managed policy, and managed
// policies attached to a role (the default quota).
const (
	InlinePolicyLimit   = 10240
	ManagedPolicyLimit  = 6144
	AttachedPolicyLimit = 10
)

// writePolicies are the deploy role's service writes packed into as few managed policies as fit
// AWS's size limit, in Services order.
func writePolicies(n names) ([]awsbase.PolicyDocument, error) {
	var docs []awsbase.PolicyDocument
	current := awsbase.Policy()
	for _, st := range serviceStatements(n) {
		next := awsbase.Policy(append(append([]awsbase.Statement{}, current.Statement...), st)...)
		size, err := Size(next)
		if err != nil {
			return nil, err
		}
		if size > ManagedPolicyLimit && len(current.Statement) > 0 {
			docs = append(docs, current)
			next = awsbase.Policy(st)
		}
		current = next
	}
	docs = append(docs, current)
	if len(docs) > AttachedPolicyLimit {
		return nil, fmt.Errorf("the deploy role's writes need %d managed policies; AWS attaches at most %d to a role", len(docs), AttachedPolicyLimit)
	}
	return docs, nil
}

// Size is a document's length as AWS counts it: its JSON without whitespace.
func Size(d awsbase.PolicyDocument) (int, error) {
	b, err := json.Marshal(d)
	return len(b), err
}
