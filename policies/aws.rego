package langgraph

import rego.v1

# METADATA
# title: "RDS storage is encrypted"
# description: "Database storage, snapshots and replicas hold every thread and checkpoint."
# custom:
#   message: "Set storageEncrypted to true with a customer-managed KMS key."
deny_rds_encrypted contains msg if {
	is_rds_instance
	not input.storageEncrypted == true
	msg := sprintf("%s: storageEncrypted is %v; allowed: true", [res, object.get(input, "storageEncrypted", "unset")])
}

# METADATA
# title: "RDS is not public"
# description: "The database is reached from the cluster only; a public endpoint invites brute force."
# custom:
#   message: "Set publiclyAccessible to false."
deny_rds_public contains msg if {
	is_rds_instance
	input.publiclyAccessible == true
	msg := sprintf("%s: publiclyAccessible is true; allowed: false", [res])
}

# METADATA
# title: "RDS backups are retained"
# description: "Point-in-time recovery and read replicas need automated backups; the seed's recovery targets need enough history."
# custom:
#   message: "Set database.backupRetentionDays to at least the configured minimum (prod 14)."
deny_rds_backupretention contains msg if {
	is_rds_primary
	minimum := config("deny_rds_backupretention", "minDays", 1)
	days := object.get(input, "backupRetentionPeriod", 0)
	days < minimum
	msg := sprintf("%s: backupRetentionPeriod is %v; allowed: >= %v days", [res, days, minimum])
}

# METADATA
# title: "RDS deletion protection"
# description: "A production database must survive a mistaken destroy or a replacement diff."
# custom:
#   message: "Set database.deletionProtection to true."
deny_rds_deletionprotection contains msg if {
	is_rds_primary
	not input.deletionProtection == true
	msg := sprintf("%s: deletionProtection is %v; allowed: true", [res, object.get(input, "deletionProtection", "unset")])
}

# METADATA
# title: "RDS Multi-AZ"
# description: "A standby in another AZ turns an AZ or instance failure into a one-minute failover."
# custom:
#   message: "Set database.multiAz to true."
deny_rds_multiaz contains msg if {
	is_rds_primary
	not input.multiAz == true
	msg := sprintf("%s: multiAz is %v; allowed: true", [res, object.get(input, "multiAz", "unset")])
}

# METADATA
# title: "RDS Performance Insights"
# description: "Slow queries are the seed's first suspect for high response times; Performance Insights shows them."
# custom:
#   message: "Set performanceInsightsEnabled to true."
deny_rds_performanceinsights contains msg if {
	is_rds_instance
	not input.performanceInsightsEnabled == true
	msg := sprintf("%s: performanceInsightsEnabled is %v; allowed: true", [res, object.get(input, "performanceInsightsEnabled", "unset")])
}

# parameter_group finds the parameter group a resource uses: through the engine's property
# dependency (works while names are still unknown in a preview), or by name.
parameter_group(r, type) := pg if {
	some urn in object.get(r, ["propertyDependencies", "parameterGroupName"], [])
	some pg in input.resources
	pg.__urn == urn
	pg.__type == type
} else := pg if {
	some pg in input.resources
	pg.__type == type
	pg.__properties.name == r.parameterGroupName
}

parameter(pg, name) := p.value if {
	some p in pg.parameters
	p.name == name
}

# METADATA
# title: "RDS forces TLS"
# description: "rds.force_ssl=1 makes the server refuse unencrypted connections, whatever the client asks for."
# custom:
#   message: "Use a parameter group with rds.force_ssl = 1."
stack_deny_rds_forcessl contains msg if {
	some r in input.resources
	r.__type == "aws:rds/instance:Instance"
	pg := parameter_group(r, "aws:rds/parameterGroup:ParameterGroup")
	value := object.get({"v": parameter(pg, "rds.force_ssl")}, "v", "unset")
	value != "1"
	msg := sprintf("aws:rds/instance:Instance %q uses parameter group %q with rds.force_ssl %v; allowed: 1", [r.__name, pg.__name, value])
}

stack_deny_rds_forcessl contains msg if {
	some r in input.resources
	r.__type == "aws:rds/instance:Instance"
	not parameter_group(r, "aws:rds/parameterGroup:ParameterGroup")
	msg := sprintf("aws:rds/instance:Instance %q uses no parameter group of this stack; allowed: one with rds.force_ssl = 1", [r.__name])
}

# METADATA
# title: "Read replicas in production"
# description: "The seed puts analytics and reporting on read replicas so they never load the primary."
# custom:
#   message: "Set database.readReplicas to at least the configured minimum (prod 1 or more)."
stack_deny_rds_replica contains msg if {
	minimum := config("stack_deny_rds_replica", "min", 1)
	replicas := [r | some r in input.resources; r.__type == "aws:rds/instance:Instance"; r.replicateSourceDb]
	count(replicas) < minimum
	msg := sprintf("the stack has %d RDS read replicas; allowed: >= %d", [count(replicas), minimum])
}

# METADATA
# title: "ElastiCache is encrypted"
# description: "Redis carries run output and AUTH; both must be encrypted at rest and in transit."
# custom:
#   message: "Set atRestEncryptionEnabled and transitEncryptionEnabled to true."
deny_cache_encryption contains msg if {
	is_replication_group
	some field in ["atRestEncryptionEnabled", "transitEncryptionEnabled"]
	not input[field] == true
	msg := sprintf("%s: %s is %v; allowed: true", [res, field, object.get(input, field, "unset")])
}

# METADATA
# title: "ElastiCache requires AUTH"
# description: "Without an AUTH token any pod that reaches port 6379 reads every stream."
# custom:
#   message: "Set an authToken (from random.RandomPassword)."
deny_cache_authtoken contains msg if {
	is_replication_group
	object.get(input, "authToken", "") == ""
	msg := sprintf("%s: authToken is unset; allowed: a token", [res])
}

# METADATA
# title: "ElastiCache fails over automatically across AZs"
# description: "The seed's durability for Redis is Multi-AZ automatic failover (AOF is not available on ElastiCache)."
# custom:
#   message: "Set automaticFailoverEnabled and multiAzEnabled to true."
deny_cache_failover contains msg if {
	is_replication_group
	some field in ["automaticFailoverEnabled", "multiAzEnabled"]
	not input[field] == true
	msg := sprintf("%s: %s is %v; allowed: true", [res, field, object.get(input, field, "unset")])
}

# METADATA
# title: "ElastiCache node count"
# description: "The seed asks for 3 nodes for high availability (1 primary, 2 replicas)."
# custom:
#   message: "Set cache.nodes to at least the configured minimum (prod 3)."
deny_cache_nodes contains msg if {
	is_replication_group
	minimum := config("deny_cache_nodes", "min", 2)
	n := object.get(input, "numCacheClusters", 1)
	n < minimum
	msg := sprintf("%s: numCacheClusters is %v; allowed: >= %v", [res, n, minimum])
}

# METADATA
# title: "ElastiCache snapshots"
# description: "Daily snapshots are the way back after a bad write or a lost group."
# custom:
#   message: "Set cache.snapshotRetentionDays to at least 1."
deny_cache_snapshots contains msg if {
	is_replication_group
	object.get(input, "snapshotRetentionLimit", 0) < 1
	msg := sprintf("%s: snapshotRetentionLimit is %v; allowed: >= 1", [res, object.get(input, "snapshotRetentionLimit", 0)])
}

# METADATA
# title: "ElastiCache evicts least recently used keys"
# description: "The seed's memory policy is allkeys-lru: LangGraph's Redis data is ephemeral, so any key may go under pressure rather than writes failing."
# custom:
#   message: "Use a parameter group with maxmemory-policy = allkeys-lru (or the configured policy)."
stack_deny_cache_evictionpolicy contains msg if {
	some r in input.resources
	r.__type == "aws:elasticache/replicationGroup:ReplicationGroup"
	want := config("stack_deny_cache_evictionpolicy", "policy", "allkeys-lru")
	pg := parameter_group(r, "aws:elasticache/parameterGroup:ParameterGroup")
	value := object.get({"v": parameter(pg, "maxmemory-policy")}, "v", "unset (volatile-lru)")
	value != want
	msg := sprintf("aws:elasticache/replicationGroup:ReplicationGroup %q uses parameter group %q with maxmemory-policy %v; allowed: %s", [r.__name, pg.__name, value, want])
}

# METADATA
# title: "No security group open to the internet"
# description: "0.0.0.0/0 or ::/0 ingress exposes the service to every scanner; only a load balancer's HTTPS listener may be public."
# custom:
#   message: "Admit the cluster's security groups instead; a load balancer group (tag Role=load-balancer) may open 443 only."
deny_network_openingress contains msg if {
	input.__type == "aws:ec2/securityGroup:SecurityGroup"
	some rule in object.get(input, "ingress", [])
	some cidr in array.concat(object.get(rule, "cidrBlocks", []), object.get(rule, "ipv6CidrBlocks", []))
	too_wide(cidr)
	not open_allowed(rule)
	msg := sprintf("%s: ingress %v-%v from %s; allowed: IPv4 /%v or narrower, IPv6 /%v or narrower (443 on load balancers excepted)", [res, rule.fromPort, rule.toPort, cidr, min_prefix_v4, min_prefix_v6])
}

deny_network_openingress contains msg if {
	input.__type in {"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:ec2/securityGroupRule:SecurityGroupRule"}
	# input.type is the resource's type token; the rule's own "type" property is in __properties.
	object.get(input.__properties, "type", "ingress") == "ingress"
	some cidr in array.concat(object.get(input, "cidrBlocks", []), [object.get(input, "cidrIpv4", ""), object.get(input, "cidrIpv6", "")])
	too_wide(cidr)
	not open_allowed(input)
	msg := sprintf("%s: ingress %v-%v from %s; allowed: IPv4 /%v or narrower, IPv6 /%v or narrower (443 on load balancers excepted)", [res, input.fromPort, input.toPort, cidr, min_prefix_v4, min_prefix_v6])
}

# A CIDR wider than the configured prefix: 0.0.0.0/0 and ::/0, and also 0.0.0.0/1, 128.0.0.0/1 and
# friends, which together admit the whole internet.
min_prefix_v4 := config("deny_network_openingress", "minPrefixIPv4", 8)

min_prefix_v6 := config("deny_network_openingress", "minPrefixIPv6", 32)

too_wide(cidr) if {
	not contains(cidr, ":")
	to_number(split(cidr, "/")[1]) < min_prefix_v4
}

too_wide(cidr) if {
	contains(cidr, ":")
	to_number(split(cidr, "/")[1]) < min_prefix_v6
}

open_allowed(rule) if {
	rule.fromPort == 443
	rule.toPort == 443
	input.tags.Role == "load-balancer"
}

# METADATA
# title: "Ownership and cost tags"
# description: "Every AWS resource must say which environment, project, owner and cost centre it belongs to, for billing and incident response."
# custom:
#   message: "Pass the tags from config (tags.*) to the resource."
deny_tags_required contains msg if {
	startswith(input.__type, "aws:")
	not input.__type in untaggable_types
	some tag in required_tags
	object.get(object.get(input, "tags", {}), tag, "") == ""
	msg := sprintf("%s: tag %s is missing; allowed: Environment, Project, Owner and CostCenter all set", [res, tag])
}

# METADATA
# title: "ElastiCache requires TLS"
# description: "In-transit encryption mode preferred still accepts plaintext clients (it exists only for migrations); required refuses them."
# custom:
#   message: "Set transitEncryptionMode to required."
deny_cache_transitmode contains msg if {
	is_replication_group
	mode := object.get(input, "transitEncryptionMode", "required")
	mode != "required"
	msg := sprintf("%s: transitEncryptionMode is %q; allowed: required", [res, mode])
}

# METADATA
# title: "RDS keeps its backups when deleted"
# description: "In production a deleted instance leaves a final snapshot and its automated backups, so a mistaken destroy is recoverable to the point in time."
# custom:
#   message: "Set skipFinalSnapshot to false (with a finalSnapshotIdentifier) and deleteAutomatedBackups to false."
deny_rds_finalsnapshot contains msg if {
	is_rds_primary
	some field in ["skipFinalSnapshot", "deleteAutomatedBackups"]
	object.get(input, field, field == "deleteAutomatedBackups") != false
	msg := sprintf("%s: %s is %v; allowed: false", [res, field, object.get(input, field, "unset")])
}
