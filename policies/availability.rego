package langgraph

import rego.v1

k8s(kind) := {r |
	some r in input.resources
	startswith(r.__type, "kubernetes:")
	r.kind == kind
}

# METADATA
# title: "Autoscaled Deployments have a disruption budget"
# description: "Without a PodDisruptionBudget a node drain or cluster upgrade may evict every replica at once."
# custom:
#   message: "Add a PodDisruptionBudget in the Deployment's namespace whose selector matches its pod labels."
stack_deny_availability_pdb contains msg if {
	some hpa in k8s("HorizontalPodAutoscaler")
	hpa.spec.scaleTargetRef.kind == "Deployment"
	some d in k8s("Deployment")
	d.metadata.name == hpa.spec.scaleTargetRef.name
	d.metadata.namespace == hpa.metadata.namespace
	not has_pdb(d)
	msg := sprintf("Deployment %s/%s (scaled by HPA %q) has no PodDisruptionBudget selecting it; allowed: one that matches its pod labels", [d.metadata.namespace, d.metadata.name, hpa.metadata.name])
}

has_pdb(d) if {
	some pdb in k8s("PodDisruptionBudget")
	pdb.metadata.namespace == d.metadata.namespace
	selects(pdb.spec.selector, d.spec.template.metadata.labels)
}

# METADATA
# title: "Application namespaces deny by default"
# description: "Without a default-deny NetworkPolicy any pod in the cluster can reach the workload and it can reach anything."
# custom:
#   message: "Add a NetworkPolicy with podSelector {} and policyTypes [Ingress, Egress] to the namespace."
stack_deny_availability_defaultdeny contains msg if {
	some d in k8s("Deployment")
	ns := d.metadata.namespace
	not ns in config("stack_deny_availability_defaultdeny", "exempt", [])
	not has_default_deny(ns)
	msg := sprintf("namespace %q (Deployment %q) has no default-deny NetworkPolicy; allowed: podSelector {} with policyTypes Ingress and Egress", [ns, d.metadata.name])
}

has_default_deny(ns) if {
	some np in k8s("NetworkPolicy")
	np.metadata.namespace == ns
	count(object.get(np.spec.podSelector, "matchLabels", {})) == 0
	count(object.get(np.spec.podSelector, "matchExpressions", [])) == 0
	"Ingress" in np.spec.policyTypes
	"Egress" in np.spec.policyTypes
	count(object.get(np.spec, "ingress", [])) == 0
	count(object.get(np.spec, "egress", [])) == 0
}

alb := "alb.ingress.kubernetes.io/"

is_alb_ingress if {
	is_kind("Ingress")
	input.spec.ingressClassName == "alb"
}

# METADATA
# title: "Ingress is HTTPS only"
# description: "Credentials and run data cross the internet; plain HTTP must only redirect."
# custom:
#   message: "Annotate the Ingress with an ACM certificate-arn, HTTPS in listen-ports and ssl-redirect 443."
deny_ingress_httpsonly contains msg if {
	is_alb_ingress
	some problem in https_problems
	msg := sprintf("%s: %s", [res, problem])
}

https_problems contains "certificate-arn is missing; allowed: an ACM certificate ARN" if {
	not startswith(object.get(input.metadata.annotations, concat("", [alb, "certificate-arn"]), ""), "arn:")
}

https_problems contains sprintf("ssl-redirect is %q; allowed: \"443\"", [v]) if {
	v := object.get(input.metadata.annotations, concat("", [alb, "ssl-redirect"]), "unset")
	v != "443"
}

https_problems contains sprintf("listen-ports is %q; allowed: HTTPS on 443", [v]) if {
	v := object.get(input.metadata.annotations, concat("", [alb, "listen-ports"]), "unset")
	not contains(v, `"HTTPS":443`)
}

# METADATA
# title: "Ingress is behind a WAF web ACL"
# description: "The WAF enforces the per-IP rate limit and AWS's common rules before requests reach the pods."
# custom:
#   message: "Annotate the Ingress with alb.ingress.kubernetes.io/wafv2-acl-arn."
deny_ingress_waf contains msg if {
	is_alb_ingress
	object.get(input.metadata.annotations, concat("", [alb, "wafv2-acl-arn"]), "") == ""
	msg := sprintf("%s: wafv2-acl-arn is missing; allowed: a WAFv2 web ACL ARN", [res])
}
