package langgraph

import rego.v1

# The cluster and network of cluster.mode create (issue 20): the API endpoint is not open to the
# world, the control plane logs everything, Secrets are encrypted with a customer key, and every
# VPC records its flows.

is_eks_cluster if input.__type == "aws:eks/cluster:Cluster"

eks_log_types := {"api", "audit", "authenticator", "controllerManager", "scheduler"}

# METADATA
# title: "EKS API endpoint not open to the internet"
# description: "A public endpoint without an access list (AWS's default is 0.0.0.0/0) lets every scanner try the cluster's credentials and exploits on its API server."
# custom:
#   message: "List your office, VPN or CI CIDRs in cluster.create.publicAccessCidrs, or leave it empty for a private endpoint."
deny_eks_publicendpoint contains msg if {
	is_eks_cluster
	vpc := object.get(input, "vpcConfig", {})
	object.get(vpc, "endpointPublicAccess", true) != false
	some cidr in object.get(vpc, "publicAccessCidrs", ["0.0.0.0/0"])
	too_wide(cidr)
	msg := sprintf("%s: the public API endpoint admits %s; allowed: a private endpoint, or public access from IPv4 /%v or narrower", [res, cidr, min_prefix_v4])
}

# METADATA
# title: "EKS control-plane logging on"
# description: "Without the audit and authenticator logs nobody can say who did what to the cluster; the scheduler and controller manager logs explain stuck pods and nodes."
# custom:
#   message: "Enable every control-plane log type (api, audit, authenticator, controllerManager, scheduler)."
deny_eks_controlplanelogging contains msg if {
	is_eks_cluster
	enabled := {t | some t in object.get(input, "enabledClusterLogTypes", [])}
	missing := eks_log_types - enabled
	count(missing) > 0
	msg := sprintf("%s: control-plane log types %v are off; allowed: all of %v", [res, sort([t | some t in missing]), sort([t | some t in eks_log_types])])
}

# METADATA
# title: "EKS Secrets encrypted with a customer key"
# description: "Envelope encryption puts the Secrets in etcd under a KMS key the account controls and audits, beyond EBS's disk encryption."
# custom:
#   message: "Set encryptionConfig with resources [secrets] and a KMS key ARN."
deny_eks_secretsencryption contains msg if {
	is_eks_cluster
	not secrets_encrypted
	msg := sprintf("%s: Secrets are not envelope-encrypted; allowed: encryptionConfig.resources including secrets with a provider.keyArn", [res])
}

secrets_encrypted if {
	enc := input.encryptionConfig
	"secrets" in enc.resources
	enc.provider.keyArn
}

# METADATA
# title: "VPC flow logs on"
# description: "Flow logs are the only record of what talked to what in the VPC: the evidence an incident needs, and what spots data leaving."
# custom:
#   message: "Attach an aws:ec2/flowLog:FlowLog with trafficType ALL to every VPC the program creates."
stack_deny_vpc_flowlogs contains msg if {
	some vpc in input.resources
	vpc.__type == "aws:ec2/vpc:Vpc"
	not vpc_flow_logged(vpc)
	msg := sprintf("aws:ec2/vpc:Vpc %q has no flow log of all its traffic; allowed: an aws:ec2/flowLog:FlowLog of it with trafficType ALL", [vpc.__name])
}

vpc_flow_logged(vpc) if {
	some log in input.resources
	log.__type == "aws:ec2/flowLog:FlowLog"
	object.get(log, "trafficType", "") == "ALL"
	some urn in object.get(log, ["propertyDependencies", "vpcId"], [])
	urn == vpc.__urn
}
