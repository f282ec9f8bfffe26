package langgraph

import rego.v1

# METADATA
# title: "No host ports"
# description: "A hostPort binds the node's own address: it bypasses Services and NetworkPolicies' pod selection and pins the pod to nodes with the port free."
# custom:
#   message: "Remove hostPort; expose the container through a Service."
deny_k8s_hostport contains msg if {
	some c in containers
	some p in object.get(c, "ports", [])
	object.get(p, "hostPort", 0) != 0
	msg := sprintf("%s: container %q hostPort is %v; allowed: none", [res, c.name, p.hostPort])
}

# METADATA
# title: "Read-only root filesystem"
# description: "A container that cannot write its own image cannot be patched in place by an intruder; writable paths come from emptyDir volumes."
# custom:
#   message: "Set securityContext.readOnlyRootFilesystem to true and mount an emptyDir where the process writes."
deny_k8s_readonlyroot contains msg if {
	some c in containers
	not object.get(c, ["securityContext", "readOnlyRootFilesystem"], false) == true
	msg := sprintf("%s: container %q readOnlyRootFilesystem is %v; allowed: true", [res, c.name, object.get(c, ["securityContext", "readOnlyRootFilesystem"], "unset")])
}

# METADATA
# title: "No ServiceAccount token unless the pod calls the API"
# description: "A mounted token lets anyone who runs code in the pod call the Kubernetes API as its ServiceAccount; pods that never call it should not carry one. Workloads that need it are listed per stack in the policy config."
# custom:
#   message: "Set automountServiceAccountToken: false on the pod spec, or list the workload under exempt in policy-config with the reason."
deny_k8s_automount contains msg if {
	pod_spec
	not pod_spec.automountServiceAccountToken == false
	not automount_exempt(input.metadata.name)
	msg := sprintf("%s: automountServiceAccountToken is %v; allowed: false", [res, object.get(pod_spec, "automountServiceAccountToken", "unset (true)")])
}

# An exempt entry is a workload name, or a prefix ending in "*" (numbered CronJobs).
automount_exempt(name) if name in config("deny_k8s_automount", "exempt", [])

automount_exempt(name) if {
	some e in config("deny_k8s_automount", "exempt", [])
	endswith(e, "*")
	startswith(name, trim_suffix(e, "*"))
}

# METADATA
# title: "No default ServiceAccount"
# description: "The namespace's default ServiceAccount is shared by every pod that names none: whatever it is granted, all of them get. Each workload has its own."
# custom:
#   message: "Create a ServiceAccount for the workload and set serviceAccountName."
deny_k8s_defaultserviceaccount contains msg if {
	pod_spec
	sa := object.get(pod_spec, "serviceAccountName", object.get(pod_spec, "serviceAccount", "default"))
	sa in {"", "default"}
	msg := sprintf("%s: serviceAccountName is %q; allowed: a ServiceAccount of its own", [res, sa])
}

# METADATA
# title: "No load balancer Service open to the world"
# description: "A Service of type LoadBalancer without loadBalancerSourceRanges gets an internet-facing load balancer reachable from every address, beside the WAF-protected Ingress."
# custom:
#   message: "Use the Ingress; or set loadBalancerSourceRanges, or the annotation service.beta.kubernetes.io/aws-load-balancer-scheme: internal."
deny_k8s_loadbalancer contains msg if {
	is_kind("Service")
	input.spec.type == "LoadBalancer"
	count(object.get(input.spec, "loadBalancerSourceRanges", [])) == 0
	object.get(input, ["metadata", "annotations", "service.beta.kubernetes.io/aws-load-balancer-scheme"], "internet-facing") != "internal"
	msg := sprintf("%s: type LoadBalancer with no loadBalancerSourceRanges; allowed: source ranges or an internal scheme", [res])
}

# METADATA
# title: "No admit-all NetworkPolicy beside a default-deny"
# description: "In a namespace whose default-deny makes every flow explicit, a policy that admits every source or destination on every port quietly undoes it."
# custom:
#   message: "Name the peers (pod and namespace selectors, or CIDRs) and the ports the flow needs."
stack_deny_network_allowall contains msg if {
	some deny in k8s("NetworkPolicy")
	count(object.get(deny.spec.podSelector, "matchLabels", {})) == 0
	count(object.get(deny.spec, "ingress", [])) + count(object.get(deny.spec, "egress", [])) == 0
	some np in k8s("NetworkPolicy")
	np.metadata.namespace == deny.metadata.namespace
	some direction in ["ingress", "egress"]
	some r in object.get(np.spec, direction, [])
	admits_all(r, direction)
	count(object.get(r, "ports", [])) == 0
	msg := sprintf("NetworkPolicy %s/%s admits every %s peer on every port beside the default-deny %q; allowed: named peers and ports", [np.metadata.namespace, np.metadata.name, direction, deny.metadata.name])
}

peers(r, "ingress") := object.get(r, "from", [])

peers(r, "egress") := object.get(r, "to", [])

admits_all(r, direction) if count(peers(r, direction)) == 0

admits_all(r, direction) if {
	some p in peers(r, direction)
	object.get(p, ["ipBlock", "cidr"], "") in {"0.0.0.0/0", "::/0"}
	count(object.get(p, ["ipBlock", "except"], [])) == 0
}

admits_all(r, direction) if {
	some p in peers(r, direction)
	p.namespaceSelector == {}
	not p.podSelector
}

