package langgraph

import rego.v1

# METADATA
# title: "No binding to cluster-admin"
# description: "cluster-admin is every verb on every resource of the cluster; no workload or person of this stack needs it through a binding the stack owns."
# custom:
#   message: "Bind a Role or ClusterRole with the verbs and resources needed."
deny_rbac_clusteradmin contains msg if {
	input.kind in {"ClusterRoleBinding", "RoleBinding"}
	startswith(input.__type, "kubernetes:rbac.authorization.k8s.io/")
	input.roleRef.name == "cluster-admin"
	msg := sprintf("%s: binds %s %q; allowed: a role with named verbs and resources", [res, input.roleRef.kind, input.roleRef.name])
}

# METADATA
# title: "No wildcard RBAC rules"
# description: "A \"*\" verb or resource grants everything present and future, including Secrets and the verbs that escalate."
# custom:
#   message: "List the verbs and resources the subject needs."
deny_rbac_wildcard contains msg if {
	input.kind in {"ClusterRole", "Role"}
	startswith(input.__type, "kubernetes:rbac.authorization.k8s.io/")
	some r in object.get(input, "rules", [])
	some field in ["verbs", "resources"]
	"*" in object.get(r, field, [])
	msg := sprintf("%s: a rule's %s include \"*\"; allowed: named %s", [res, field, field])
}

escalation_verbs := {"escalate", "bind", "impersonate"}

# METADATA
# title: "No RBAC escalation verbs"
# description: "escalate and bind let a subject grant itself permissions it does not have; impersonate lets it act as any user, group or ServiceAccount."
# custom:
#   message: "Remove escalate, bind and impersonate from the role."
deny_rbac_escalation contains msg if {
	input.kind in {"ClusterRole", "Role"}
	startswith(input.__type, "kubernetes:rbac.authorization.k8s.io/")
	some r in object.get(input, "rules", [])
	some v in object.get(r, "verbs", [])
	v in escalation_verbs
	msg := sprintf("%s: a rule grants %q; allowed: none of escalate, bind, impersonate", [res, v])
}
