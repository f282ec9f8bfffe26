package langgraph

import rego.v1

# IAM policy documents of this stack: managed policies, inline role policies and a role's
# inline policies, each as {resource, sid, statement}.
iam_documents contains {"doc": json.unmarshal(input.policy), "where": "policy"} if {
	input.__type in {"aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy"}
	is_string(input.policy)
}

iam_documents contains {"doc": json.unmarshal(p.policy), "where": sprintf("inline policy %q", [object.get(p, "name", "")])} if {
	input.__type == "aws:iam/role:Role"
	some p in object.get(input, "inlinePolicies", [])
	is_string(p.policy)
}

iam_statements contains {"where": d.where, "sid": object.get(s, "Sid", ""), "s": s} if {
	some d in iam_documents
	some s in as_array(d.doc.Statement)
	s.Effect == "Allow"
}

as_array(x) := x if is_array(x)

as_array(x) := [x] if not is_array(x)

# An action is a write unless its verb only reads (Describe, Get, List, ...).
read_verb := `^[a-zA-Z0-9-]+:(Describe|Get|List|Read|Search|Check|Query|Lookup|View|Batch[Gg]et)[A-Za-z0-9*]*$`

write_action(a) if not regex.match(read_verb, a)

# METADATA
# title: "No wildcard IAM actions"
# description: "An Allow of \"*\" or \"service:*\" grants every present and future action of the service; least privilege names the actions."
# custom:
#   message: "List the actions the principal needs instead of \"*\" or \"<service>:*\"."
deny_iam_wildcardaction contains msg if {
	some st in iam_statements
	some a in as_array(object.get(st.s, "Action", []))
	regex.match(`^([a-zA-Z0-9-]+:)?\*$`, a)
	msg := sprintf("%s: %s statement %q allows action %q; allowed: named actions", [res, st.where, st.sid, a])
}

# METADATA
# title: "No unconditioned write on every resource"
# description: "A write action on Resource \"*\" without a Condition reaches every resource of the account; scope it by ARN or by a condition (a tag, a request parameter). Exceptions, such as statements of a vendor's published controller policy whose resources cannot be named in advance, are listed per stack in the policy config."
# custom:
#   message: "Name the resources' ARNs or add a Condition; or list the statement in policy-config under exempt with the reason."
deny_iam_wildcardresource contains msg if {
	some st in iam_statements
	"*" in as_array(object.get(st.s, "Resource", []))
	not st.s.Condition
	some a in as_array(object.get(st.s, "Action", []))
	write_action(a)
	not st.sid in object.get(config("deny_iam_wildcardresource", "exempt", {}), input.__name, [])
	msg := sprintf("%s: %s statement %q allows write action %q on every resource without a condition; allowed: named resources or a Condition", [res, st.where, st.sid, a])
}

admin_policy_arns := {"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/IAMFullAccess", "arn:aws:iam::aws:policy/PowerUserAccess"}

# METADATA
# title: "No administrator policies"
# description: "Attaching AWS's administrator policies hands the whole account to whoever assumes the role (an Allow of * on * is caught by the wildcard action and resource rules)."
# custom:
#   message: "Grant the role the actions it needs; never AdministratorAccess, PowerUserAccess or IAMFullAccess."
deny_iam_admin contains msg if {
	input.__type in {"aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/userPolicyAttachment:UserPolicyAttachment", "aws:iam/groupPolicyAttachment:GroupPolicyAttachment"}
	arn := object.get(input, "policyArn", "")
	admin_policy(arn)
	msg := sprintf("%s: attaches %s; allowed: no administrator policy", [res, arn])
}

deny_iam_admin contains msg if {
	input.__type == "aws:iam/role:Role"
	some arn in object.get(input, "managedPolicyArns", [])
	admin_policy(arn)
	msg := sprintf("%s: managed policy %s; allowed: no administrator policy", [res, arn])
}

admin_policy(arn) if {
	some a in admin_policy_arns
	endswith(arn, substring(a, count("arn:aws"), -1))
}
