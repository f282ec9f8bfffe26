package langgraph

import rego.v1

# Nothing public by policy, trust always scoped: the resource and trust policies the stacks create.

# resource_policies are the policy documents of this resource: a role's trust, a key's policy and
# the resource policies of topics, queues, secrets, buses and backup vaults (S3 bucket policies
# are deny_s3_public's), each as {what, doc}.
resource_policy_properties := {
	"aws:iam/role:Role": "assumeRolePolicy",
	"aws:kms/key:Key": "policy",
	"aws:sns/topic:Topic": "policy",
	"aws:sns/topicPolicy:TopicPolicy": "policy",
	"aws:sqs/queue:Queue": "policy",
	"aws:sqs/queuePolicy:QueuePolicy": "policy",
	"aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
	"aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
	"aws:backup/vaultPolicy:VaultPolicy": "policy",
}

resource_policies contains {"what": property, "doc": json.unmarshal(text)} if {
	property := resource_policy_properties[input.__type]
	text := object.get(input, property, "")
	is_string(text)
	text != ""
}

# public(p): the principal is everyone: "*", {"AWS": "*"} or every account's root.
public(p) if anyone(p)

public(p) if {
	some a in as_array(object.get(p, "AWS", p))
	is_string(a)
	regex.match(`^arn:aws[a-z-]*:iam::\*:root$`, a)
}

# restricting_condition_keys scope a public principal to this account, organization, source or
# network; a condition on anything else (TLS, a date) still admits everyone.
restricting_condition_keys := {
	"aws:sourceaccount", "aws:sourcearn", "aws:sourceowner", "aws:principalorgid", "aws:principalorgpaths",
	"aws:principalaccount", "aws:principalarn", "aws:sourcevpc", "aws:sourcevpce", "kms:calleraccount",
}

restricted(st) if {
	some _, keys in object.get(st, "Condition", {})
	some key, _ in keys
	lower(key) in restricting_condition_keys
}

# METADATA
# title: "No public principal in a resource or trust policy"
# description: "An Allow for Principal \"*\", {\"AWS\": \"*\"} or arn:aws:iam::*:root admits every AWS account unless a condition scopes it (aws:SourceAccount, aws:SourceArn, aws:PrincipalOrgID, aws:PrincipalAccount, a VPC endpoint, kms:CallerAccount). A TLS or date condition does not."
# custom:
#   message: "Name the principals (an account, a role, a service), or add a condition on the source account, ARN, organization or VPC endpoint."
deny_iam_publicprincipal contains msg if {
	some p in resource_policies
	some st in as_array(p.doc.Statement)
	st.Effect == "Allow"
	public(st.Principal)
	not restricted(st)
	msg := sprintf("%s: %s statement %q allows a public principal (%v) without a condition on the source account, ARN, organization or VPC endpoint; allowed: named principals or such a condition", [res, p.what, object.get(st, "Sid", ""), json.marshal(st.Principal)])
}

# web_identity_trusts are a role's trust statements for an OIDC provider, each with the provider's
# host (the condition keys' prefix) and the sub values it admits.
web_identity_trusts contains {"sid": object.get(st, "Sid", ""), "host": host, "subs": subs} if {
	input.__type == "aws:iam/role:Role"
	some p in resource_policies
	some st in as_array(p.doc.Statement)
	st.Effect == "Allow"
	"sts:AssumeRoleWithWebIdentity" in as_array(st.Action)
	some federated in as_array(object.get(st.Principal, "Federated", []))
	host := regex.replace(federated, `^arn:aws[a-z-]*:iam::[0-9]+:oidc-provider/`, "")
	subs := [v |
		some _, keys in object.get(st, "Condition", {})
		some key, values in keys
		lower(key) == sprintf("%s:sub", [lower(host)])
		some v in as_array(values)
	]
}

github_oidc_host := "token.actions.githubusercontent.com"

# METADATA
# title: "OIDC trust is scoped to one repository or service account"
# description: "A role trusting an OIDC provider (GitHub Actions, an EKS cluster's IRSA) without a condition on the token's sub lets every repository on GitHub, or every service account of the cluster, assume it; a wildcard in the repository or the service account's name admits others too."
# custom:
#   message: "Add a StringEquals (or StringLike) condition on <provider>:sub naming one repository (repo:<owner>/<name>:...) or one service account (system:serviceaccount:<namespace>:<name>)."
deny_iam_oidctrust contains msg if {
	some t in web_identity_trusts
	count(t.subs) == 0
	msg := sprintf("%s: trust statement %q lets tokens of %s assume the role without a condition on %s:sub; allowed: one naming the repository or service account", [res, t.sid, t.host, t.host])
}

deny_iam_oidctrust contains msg if {
	some t in web_identity_trusts
	t.host == github_oidc_host
	some sub in t.subs
	not regex.match(`^repo:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(:.*)?$`, sub)
	msg := sprintf("%s: trust statement %q admits GitHub sub %q, which names no single repository; allowed: repo:<owner>/<name>:<ref, environment or pull_request>", [res, t.sid, sub])
}

deny_iam_oidctrust contains msg if {
	some t in web_identity_trusts
	t.host != github_oidc_host
	some sub in t.subs
	not regex.match(`^system:serviceaccount:[a-z0-9.-]+:[a-z0-9.-]+$`, sub)
	msg := sprintf("%s: trust statement %q admits sub %q of %s; allowed: one service account, system:serviceaccount:<namespace>:<name>, without wildcards", [res, t.sid, sub, t.host])
}

# METADATA
# title: "No iam:PassRole on every role"
# description: "PassRole on \"*\" lets the principal hand any role of the account, an administrator's included, to a service it controls: a privilege escalation whatever the condition on the service. Name the roles it may pass."
# custom:
#   message: "Name the ARNs of the roles the principal passes in the statement's Resource."
deny_iam_passrolewildcard contains msg if {
	some st in iam_statements
	some a in as_array(object.get(st.s, "Action", []))
	lower(a) in {"iam:passrole", "iam:pass*"}
	some r in as_array(object.get(st.s, "Resource", []))
	regex.match(`^(\*|arn:aws[a-z-]*:iam::(\*|[0-9]+):(\*|role/\*))$`, r)
	msg := sprintf("%s: %s statement %q allows %s on %q; allowed: named role ARNs", [res, st.where, st.sid, a, r])
}
