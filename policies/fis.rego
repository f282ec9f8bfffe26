package langgraph

import rego.v1

# Game-day drills (components/gameday): FIS experiment templates and their roles.

fis_template_type := "aws:fis/experimentTemplate:ExperimentTemplate"

alarm_stop_conditions(t) := [s |
	some s in object.get(t, "stopConditions", [])
	s.source == "aws:cloudwatch:alarm"
	object.get(s, "value", "") != ""
]

# METADATA
# title: "Every drill stops itself"
# description: "A fault-injection experiment without a CloudWatch alarm as a stop condition runs to its end however much it hurts users; with one, FIS stops it when the alarm fires."
# custom:
#   message: "Add a stop condition with source aws:cloudwatch:alarm and the ARN of an alarm on what users see (the stack's alb-5xx, alb-response-time or gameday-stop-5xx)."
deny_fis_stopcondition contains msg if {
	input.__type == fis_template_type
	count(alarm_stop_conditions(input)) == 0
	msg := sprintf("%s: no CloudWatch alarm stop condition (stopConditions: %v); allowed: at least one with source aws:cloudwatch:alarm and an alarm ARN", [res, object.get(input, "stopConditions", [])])
}

# Roles FIS assumes: those whose trust policy names fis.amazonaws.com.
fis_role_names contains name if {
	some r in input.resources
	r.__type == "aws:iam/role:Role"
	trust := json.unmarshal(r.assumeRolePolicy)
	some st in as_array(trust.Statement)
	"fis.amazonaws.com" in as_array(object.get(object.get(st, "Principal", {}), "Service", []))
	name := r.__properties.name
}

# A statement is scoped when its condition narrows the wildcard to the stack's resources: by tag,
# by the VPC, or to a resource being created.
scoping_condition_key := `^(aws:ResourceTag/|aws:RequestTag/|ec2:ResourceTag/|ec2:Vpc$|ec2:CreateAction$)`

fis_scoped(st) if {
	some op, keys in object.get(st, "Condition", {})
	some key, _ in keys
	regex.match(scoping_condition_key, key)
}

# Experiment logging's actions, which have no resource-level permissions (Service Authorization
# Reference): a condition on the region is all IAM offers.
fis_unscopable_actions := {"logs:CreateLogDelivery", "logs:PutResourcePolicy"}

fis_unscoped(doc) := [sprintf("statement %q allows %q on %q", [object.get(st, "Sid", ""), a, r]) |
	some st in as_array(doc.Statement)
	st.Effect == "Allow"
	not fis_scoped(st)
	some r in as_array(object.get(st, "Resource", []))
	contains(r, "*")
	some a in as_array(object.get(st, "Action", []))
	write_action(a)
	not a in fis_unscopable_actions
]

# METADATA
# title: "A drill's role acts on this stack's resources only"
# description: "The experiment role can break whatever it may write: every write on a wildcard resource is narrowed by tag or VPC, otherwise resources are named (the stack's database, cache, subnets, cluster)."
# custom:
#   message: "Name the target's ARN, or add a Condition on aws:ResourceTag/..., aws:RequestTag/... or ec2:Vpc to the statement."
stack_deny_fis_rolescope contains msg if {
	some p in input.resources
	p.__type == "aws:iam/rolePolicy:RolePolicy"
	p.role in fis_role_names
	some finding in fis_unscoped(json.unmarshal(p.policy))
	msg := sprintf("FIS role %q, policy %q: %s; allowed: named resources or a tag or VPC condition", [p.role, p.__name, finding])
}

stack_deny_fis_rolescope contains msg if {
	some r in input.resources
	r.__type == "aws:iam/role:Role"
	r.__properties.name in fis_role_names
	some inline in object.get(r, "inlinePolicies", [])
	some finding in fis_unscoped(json.unmarshal(inline.policy))
	msg := sprintf("FIS role %q, inline policy %q: %s; allowed: named resources or a tag or VPC condition", [r.__properties.name, object.get(inline, "name", ""), finding])
}
