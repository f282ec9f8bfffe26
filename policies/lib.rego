package langgraph

import rego.v1

# Helpers shared by the rules. Only deny_*, warn_* and stack_* rules are policies; the analyzer
# treats everything else as a library.

workload_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}

is_kind(kind) if {
	startswith(input.__type, "kubernetes:")
	input.kind == kind
}

pod_spec := input.spec.template.spec if {
	startswith(input.__type, "kubernetes:")
	input.kind in workload_kinds
}

pod_spec := input.spec if is_kind("Pod")

pod_spec := input.spec.jobTemplate.spec.template.spec if is_kind("CronJob")

containers contains c if {
	some c in pod_spec.containers
}

containers contains c if {
	some c in pod_spec.initContainers
}

# res names the resource in every message.
res := sprintf("%s %q", [input.__type, input.__name])

# The resource's own configuration, or a default: data.config.<rule>.<key>.
config(rule, key, default_value) := value if {
	value := data.config[rule][key]
} else := default_value

is_rds_instance if input.__type == "aws:rds/instance:Instance"

is_rds_primary if {
	is_rds_instance
	not input.replicateSourceDb
}

is_replication_group if input.__type == "aws:elasticache/replicationGroup:ReplicationGroup"

# AWS types this program uses that take no tags argument.
untaggable_types := {
	"aws:kms/alias:Alias",
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment",
	"aws:secretsmanager/secretVersion:SecretVersion",
	"aws:sns/topicPolicy:TopicPolicy",
	"aws:sns/topicSubscription:TopicSubscription",
	"aws:s3/bucketPolicy:BucketPolicy",
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls",
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
	"aws:s3/bucketVersioningV2:BucketVersioningV2",
	"aws:s3/bucketLoggingV2:BucketLoggingV2",
	"aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
	"aws:costexplorer/costAllocationTag:CostAllocationTag",
	"aws:backup/selection:Selection",
	"aws:backup/restoreTestingSelection:RestoreTestingSelection",
	"aws:cloudwatch/eventTarget:EventTarget",
	"aws:scheduler/schedule:Schedule",
	"aws:route53/record:Record",
	"aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
	"aws:s3/bucketReplicationConfig:BucketReplicationConfig",
	"aws:ec2/securityGroupRule:SecurityGroupRule",
	"aws:s3/bucketAclV2:BucketAclV2",
	"aws:ec2/routeTableAssociation:RouteTableAssociation",
	"aws:iam/rolePolicy:RolePolicy",
	"aws:sqs/queuePolicy:QueuePolicy",
	"aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
}

required_tags := ["Environment", "Project", "Owner", "CostCenter"]

standard_labels := [
	"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
	"app.kubernetes.io/component", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by",
]

# Names that hold credentials when they appear as env vars or ConfigMap keys.

looks_like_credential_name(name) if regex.match(`(?i)(password|passwd|secret|token|api_?key|private_?key|credential|_uri$|_url$|dsn$)`, name)

# A URI with a password in it, or an obvious key/value secret.
looks_like_credential_value(value) if regex.match(`[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`, value)

looks_like_credential_value(value) if regex.match(`(?i)(password|secret|token)\s*[=:]\s*\S+`, value)

# Selector matching: every matchLabels entry equals the labels' value.
selects(selector, labels) if {
	every k, v in object.get(selector, "matchLabels", {}) {
		labels[k] == v
	}
}
