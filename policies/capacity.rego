package langgraph

import rego.v1

# METADATA
# title: "Database connections fit the database"
# description: "At maximum replicas every pod opens its full pool; their sum must stay under the seed's 80 % alert threshold of max_connections, or scale-out itself causes 'too many clients'."
# custom:
#   message: "Lower dataplane.dbPoolMaxSize or hpa.maxReplicas, or raise database.instanceClass / database.maxConnections."
stack_deny_capacity_dbconnections contains msg if {
	ratio := config("stack_deny_capacity_dbconnections", "maxRatio", 0.8)
	some hpa in k8s("HorizontalPodAutoscaler")
	some d in k8s("Deployment")
	d.metadata.name == hpa.spec.scaleTargetRef.name
	d.metadata.namespace == hpa.metadata.namespace
	some c in d.spec.template.spec.containers
	some e in c.env
	e.name == "LANGGRAPH_POSTGRES_POOL_MAX_SIZE"
	pool := to_number(e.value)
	some pg in input.resources
	pg.__type == "aws:rds/parameterGroup:ParameterGroup"
	max_connections := to_number(parameter(pg, "max_connections"))
	needed := hpa.spec.maxReplicas * pool
	needed > ratio * max_connections
	msg := sprintf("Deployment %s/%s: %d replicas x %d connections = %d; allowed: <= %v x max_connections %d = %d", [d.metadata.namespace, d.metadata.name, hpa.spec.maxReplicas, pool, needed, ratio, max_connections, floor(ratio * max_connections)])
}
