package langgraph

import rego.v1

is_hpa if is_kind("HorizontalPodAutoscaler")

# METADATA
# title: "HPA keeps at least two replicas"
# description: "One replica means every rollout, eviction or crash is an outage."
# custom:
#   message: "Set hpa.minReplicas to at least the configured minimum (default 2)."
deny_hpa_minreplicas contains msg if {
	is_hpa
	minimum := config("deny_hpa_minreplicas", "min", 2)
	object.get(input.spec, "minReplicas", 1) < minimum
	msg := sprintf("%s: minReplicas is %v; allowed: >= %v", [res, object.get(input.spec, "minReplicas", 1), minimum])
}

# METADATA
# title: "HPA range is valid"
# description: "maxReplicas below minReplicas is rejected by the API server or pins the workload unexpectedly."
# custom:
#   message: "Set maxReplicas >= minReplicas."
deny_hpa_range contains msg if {
	is_hpa
	input.spec.maxReplicas < object.get(input.spec, "minReplicas", 1)
	msg := sprintf("%s: maxReplicas is %v; allowed: >= minReplicas (%v)", [res, input.spec.maxReplicas, object.get(input.spec, "minReplicas", 1)])
}

# METADATA
# title: "HPA utilization targets are percentages"
# description: "A Utilization target outside (0, 100] never triggers or always triggers."
# custom:
#   message: "Keep averageUtilization in 1..100."
deny_hpa_utilization contains msg if {
	is_hpa
	some m in input.spec.metrics
	m.type == "Resource"
	m.resource.target.type == "Utilization"
	u := m.resource.target.averageUtilization
	not u > 0
	msg := sprintf("%s: %s averageUtilization is %v; allowed: (0, 100]", [res, m.resource.name, u])
}

deny_hpa_utilization contains msg if {
	is_hpa
	some m in input.spec.metrics
	m.type == "Resource"
	m.resource.target.type == "Utilization"
	u := m.resource.target.averageUtilization
	u > 100
	msg := sprintf("%s: %s averageUtilization is %v; allowed: (0, 100]", [res, m.resource.name, u])
}

# METADATA
# title: "Slow scale-down"
# description: "Scaling down within minutes of a burst drops capacity that returning load needs and evicts pods mid-run; the seed asks for a 300 s window."
# custom:
#   message: "Set hpa.scaleDown.stabilizationWindowSeconds to at least the configured minimum (prod 300)."
deny_hpa_scaledownwindow contains msg if {
	is_hpa
	minimum := config("deny_hpa_scaledownwindow", "minSeconds", 300)
	window := object.get(input.spec, ["behavior", "scaleDown", "stabilizationWindowSeconds"], 300)
	window < minimum
	msg := sprintf("%s: scaleDown.stabilizationWindowSeconds is %v; allowed: >= %v", [res, window, minimum])
}
