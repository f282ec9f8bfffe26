package langgraph

import rego.v1

# METADATA
# title: "No unauthenticated LangGraph API on the internet"
# description: "A self-hosted LangGraph server accepts every request unless authentication is on (LANGGRAPH_AUTH_TYPE); behind an internet-facing load balancer anyone who finds the host can start runs and spend the LLM budget."
# custom:
#   message: "Set auth.mode to langsmith or custom (the server's LANGGRAPH_AUTH_TYPE), or set ingress.scheme to internal."
stack_deny_auth_openingress contains msg if {
	some ing in input.resources
	ing.__type == "kubernetes:networking.k8s.io/v1:Ingress"
	object.get(ing, ["metadata", "annotations", "alb.ingress.kubernetes.io/scheme"], "") == "internet-facing"
	some d in input.resources
	d.__type == "kubernetes:apps/v1:Deployment"
	d.metadata.namespace == ing.metadata.namespace
	some c in d.spec.template.spec.containers
	is_langgraph_server(c)
	auth := auth_type(c)
	not auth in {"langsmith", "custom"}
	not unauthenticated_accepted(ing)
	msg := sprintf("Ingress %q is internet-facing in front of Deployment %q, container %q, whose LANGGRAPH_AUTH_TYPE is %v; allowed: langsmith or custom", [ing.__name, d.__name, c.name, auth])
}

# A LangGraph server: LangGraph's own job setting, or its image.
is_langgraph_server(c) if {
	some e in object.get(c, "env", [])
	e.name == "N_JOBS_PER_WORKER"
}

is_langgraph_server(c) if contains(c.image, "langgraph")

auth_type(c) := value if {
	some e in object.get(c, "env", [])
	e.name == "LANGGRAPH_AUTH_TYPE"
	value := object.get(e, "value", "from a reference")
} else := "unset (noop)"

# A stack outside production may accept an open API with a stated reason (auth.acceptUnauthenticated,
# written on the Ingress); the per-stack config decides whether the pack honours it.
unauthenticated_accepted(ing) if {
	config("stack_deny_auth_openingress", "allowAcceptedReason", true) == true
	object.get(ing, ["metadata", "annotations", "langgraph-platform/unauthenticated-reason"], "") != ""
}

# METADATA
# title: "WAF logs every request"
# description: "The seed asks to track all API requests; ALB access logs hold only what WAF let through, so the web ACL must log what it blocks too."
# custom:
#   message: "Add a WebAclLoggingConfiguration for the web ACL to a log group named aws-waf-logs-..., with the credential header redacted."
stack_deny_waf_logging contains msg if {
	some acl in input.resources
	acl.__type == "aws:wafv2/webAcl:WebAcl"
	not waf_logged(acl)
	msg := sprintf("aws:wafv2/webAcl:WebAcl %q has no logging configuration; allowed: a WebAclLoggingConfiguration for it", [acl.__name])
}

# Joined through the property dependency (works while the ARN is unknown in a preview), or by ARN.
waf_logged(acl) if {
	some l in input.resources
	l.__type == "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
	acl.__urn in object.get(l, ["propertyDependencies", "resourceArn"], [])
}

waf_logged(acl) if {
	some l in input.resources
	l.__type == "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
	l.resourceArn == acl.arn
}

# METADATA
# title: "Current TLS on the load balancer"
# description: "TLS 1.0 and 1.1 are deprecated (RFC 8996) and the ALB's default API policy still accepts them; the listener's policy must accept TLS 1.2 or newer only (the list is generated from package catalog)."
# custom:
#   message: "Set ingress.sslPolicy to an ELBSecurityPolicy-TLS13-1-2-* (or newer) policy."
deny_ingress_tlspolicy contains msg if {
	is_kind("Ingress")
	policy := object.get(input, ["metadata", "annotations", "alb.ingress.kubernetes.io/ssl-policy"], "unset (the ALB default, TLS 1.0)")
	not policy in current_tls_policies
	msg := sprintf("%s: ssl-policy is %q; allowed: a policy with TLS 1.2 or newer only, such as ELBSecurityPolicy-TLS13-1-2-2021-06", [res, policy])
}

# METADATA
# title: "Internet-facing load balancers keep deletion protection"
# description: "Deleting the internet-facing ALB changes its DNS name and drops every client; deletion protection makes that a deliberate two-step act (production)."
# custom:
#   message: "Keep deletion_protection.enabled=true in the Ingress's load-balancer-attributes (the program sets it in prod)."
deny_ingress_deletionprotection contains msg if {
	is_kind("Ingress")
	object.get(input, ["metadata", "annotations", "alb.ingress.kubernetes.io/scheme"], "internal") == "internet-facing"
	attrs := object.get(input, ["metadata", "annotations", "alb.ingress.kubernetes.io/load-balancer-attributes"], "")
	not contains(attrs, "deletion_protection.enabled=true")
	msg := sprintf("%s: internet-facing with load-balancer-attributes %q; allowed: deletion_protection.enabled=true", [res, attrs])
}
