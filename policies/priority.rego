package langgraph

import rego.v1

# Headroom placeholders (capacity.headroomPods) run at a negative PriorityClass; these rules keep
# the pattern safe: placeholders never evict anything, the node autoscaler still adds nodes for
# them, no pod becomes a placeholder by default, and every autoscaled workload outranks them.

# METADATA
# title: "Negative priority classes are placeholders that evict nothing"
# description: "A class below the default is for placeholders: if it may preempt, a placeholder can evict a real pod; below the Cluster Autoscaler's expendable cut-off (-10) its pods never get a node, so the headroom is never there; as the global default, every pod without a class becomes a placeholder."
# custom:
#   message: "Give a negative PriorityClass preemptionPolicy Never, a value of at least the expendable cut-off (min, -10), and never globalDefault."
deny_k8s_priorityclass contains msg if {
	is_kind("PriorityClass")
	input.value < 0
	object.get(input, "preemptionPolicy", "PreemptLowerPriority") != "Never"
	msg := sprintf("%s: value %v with preemptionPolicy %v; allowed: Never for a negative class", [res, input.value, object.get(input, "preemptionPolicy", "unset (PreemptLowerPriority)")])
}

deny_k8s_priorityclass contains msg if {
	is_kind("PriorityClass")
	minimum := config("deny_k8s_priorityclass", "min", -10)
	input.value < minimum
	msg := sprintf("%s: value %v is below %v, the Cluster Autoscaler's expendable cut-off: no node is added for its pods; allowed: >= %v", [res, input.value, minimum, minimum])
}

deny_k8s_priorityclass contains msg if {
	is_kind("PriorityClass")
	input.value < 0
	input.globalDefault == true
	msg := sprintf("%s: value %v is the global default: every pod without a class would be evicted for any other; allowed: globalDefault false", [res, input.value])
}

# METADATA
# title: "Autoscaled workloads outrank the placeholders"
# description: "Placeholders hold room only if the pods that need it can preempt them: a Deployment scaled by an HPA must name a PriorityClass of the stack above every placeholder class. Without one it gets the cluster's default class, which may be no higher."
# custom:
#   message: "Set priorityClassName on the autoscaled Deployment's pods to a class whose value is above the placeholders'."
stack_deny_k8s_headroompriority contains msg if {
	lowest := placeholder_priority
	some d in autoscaled_deployments
	not d.spec.template.spec.priorityClassName
	msg := sprintf("Deployment %s/%s is scaled by an HPA and names no priorityClassName beside placeholders at %v; allowed: a class of the stack above them", [d.metadata.namespace, d.metadata.name, lowest])
}

stack_deny_k8s_headroompriority contains msg if {
	highest := placeholder_priority
	some d in autoscaled_deployments
	name := d.spec.template.spec.priorityClassName
	value := priority_value(name)
	value <= highest
	msg := sprintf("Deployment %s/%s runs at PriorityClass %q (%v), not above the placeholders' %v; allowed: a higher class", [d.metadata.namespace, d.metadata.name, name, value, highest])
}

stack_deny_k8s_headroompriority contains msg if {
	placeholder_priority
	some d in autoscaled_deployments
	name := d.spec.template.spec.priorityClassName
	not priority_value(name)
	msg := sprintf("Deployment %s/%s names PriorityClass %q, which the stack does not create; allowed: a class of the stack above the placeholders", [d.metadata.namespace, d.metadata.name, name])
}

# placeholder_priority is the highest negative class a Deployment's pods run at: the placeholders'.
placeholder_priority := max({v |
	some d in k8s("Deployment")
	v := priority_value(d.spec.template.spec.priorityClassName)
	v < 0
})

priority_value(name) := pc.value if {
	some pc in k8s("PriorityClass")
	pc.metadata.name == name
}

autoscaled_deployments contains d if {
	some hpa in k8s("HorizontalPodAutoscaler")
	hpa.spec.scaleTargetRef.kind == "Deployment"
	some d in k8s("Deployment")
	d.metadata.name == hpa.spec.scaleTargetRef.name
	d.metadata.namespace == hpa.metadata.namespace
}
