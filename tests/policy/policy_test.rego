package langgraph_test

import rego.v1

import data.langgraph

deployment(container, pod) := {
	"__type": "kubernetes:apps/v1:Deployment", "__name": "d", "kind": "Deployment",
	"metadata": {"labels": {
		"app.kubernetes.io/name": "x", "app.kubernetes.io/instance": "x", "app.kubernetes.io/version": "1",
		"app.kubernetes.io/component": "api", "app.kubernetes.io/part-of": "p", "app.kubernetes.io/managed-by": "pulumi",
	}},
	"spec": {"template": {"spec": object.union({"containers": [container]}, pod)}},
}

good_container := {
	"name": "c", "image": "repo/app:1.2.3",
	"securityContext": {
		"runAsNonRoot": true, "allowPrivilegeEscalation": false,
		"capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"},
	},
	"resources": {
		"requests": {"cpu": "1", "memory": "1Gi", "ephemeral-storage": "1Gi"},
		"limits": {"memory": "2Gi", "ephemeral-storage": "2Gi"},
	},
	"readinessProbe": {"httpGet": {"path": "/ok", "port": "api"}}, "livenessProbe": {"tcpSocket": {"port": "api"}},
	"env": [{"name": "N_JOBS_PER_WORKER", "value": "10"}],
}

test_compliant_deployment_is_silent if {
	d := deployment(good_container, {})
	count(langgraph.deny_k8s_runasnonroot) == 0 with input as d
	count(langgraph.deny_k8s_privilegeescalation) == 0 with input as d
	count(langgraph.deny_k8s_capabilities) == 0 with input as d
	count(langgraph.deny_k8s_seccomp) == 0 with input as d
	count(langgraph.deny_k8s_resources) == 0 with input as d
	count(langgraph.deny_k8s_imagepinned) == 0 with input as d
	count(langgraph.deny_k8s_probes) == 0 with input as d
	count(langgraph.deny_k8s_probesdistinct) == 0 with input as d
	count(langgraph.deny_k8s_labels) == 0 with input as d
	count(langgraph.deny_secrets_literalenv) == 0 with input as d
}

# The handler decides, not the timing: the same check with a larger budget is still the same check.
test_liveness_is_not_readiness if {
	no_liveness := object.remove(good_container, ["livenessProbe"])
	same := object.union(no_liveness, {"livenessProbe": {"httpGet": {"path": "/ok", "port": "api"}, "failureThreshold": 6}})
	count(langgraph.deny_k8s_probesdistinct) == 1 with input as deployment(same, {})
	other_path := object.union(no_liveness, {"livenessProbe": {"httpGet": {"path": "/livez", "port": "api"}}})
	count(langgraph.deny_k8s_probesdistinct) == 0 with input as deployment(other_path, {})
	count(langgraph.deny_k8s_probesdistinct) == 0 with input as deployment(no_liveness, {})
}

# Every chart container's values key needs a memory request and limit; a chart from an OCI mirror
# is known by its last path segment, and charts the catalog does not list are not judged.
chart_release(chart, values) := {"__type": "kubernetes:helm.sh/v3:Release", "__name": "r", "chart": chart, "values": values}

test_helm_resources if {
	sized := {"resources": {"requests": {"memory": "1Gi"}, "limits": {"memory": "2Gi"}}}
	count(langgraph.deny_helm_resources) == 0 with input as chart_release("metrics-server", sized)
	count(langgraph.deny_helm_resources) == 2 with input as chart_release("metrics-server", {})
	count(langgraph.deny_helm_resources) == 1 with input as chart_release("oci://123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/metrics-server", {"resources": {"requests": {"memory": "1Gi"}}})
	count(langgraph.deny_helm_resources) == 1 with input as chart_release("karpenter", {"controller": {"resources": {"limits": {"memory": "1Gi"}}}})
	count(langgraph.deny_helm_resources) == 0 with input as chart_release("some-other-chart", {})
}

test_pod_level_security_context_counts if {
	c := object.remove(good_container, ["securityContext"])
	c2 := object.union(c, {"securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}})
	d := deployment(c2, {"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}}})
	count(langgraph.deny_k8s_runasnonroot) == 0 with input as d
	count(langgraph.deny_k8s_seccomp) == 0 with input as d
}

test_container_override_beats_pod_level if {
	c := object.union(good_container, {"securityContext": object.union(good_container.securityContext, {"runAsNonRoot": false})})
	d := deployment(c, {"securityContext": {"runAsNonRoot": true}})
	count(langgraph.deny_k8s_runasnonroot) == 1 with input as d
}

test_image_pinning if {
	latest := deployment(object.union(good_container, {"image": "repo/app:latest"}), {})
	count(langgraph.deny_k8s_imagepinned) == 1 with input as latest
	bare := deployment(object.union(good_container, {"image": "registry:5000/app"}), {})
	count(langgraph.deny_k8s_imagepinned) == 1 with input as bare
	digest := deployment(object.union(good_container, {"image": "repo/app@sha256:0123"}), {})
	count(langgraph.deny_k8s_imagepinned) == 0 with input as digest
	count(langgraph.warn_k8s_imagedigest) == 0 with input as digest
	count(langgraph.warn_k8s_imagedigest) == 1 with input as deployment(good_container, {})
}

test_literal_credentials if {
	c := object.union(good_container, {"env": [{"name": "POSTGRES_URI", "value": "postgresql://u:pw@db:5432/x"}]})
	count(langgraph.deny_secrets_literalenv) == 1 with input as deployment(c, {})
	ref := object.union(good_container, {"env": [{"name": "POSTGRES_URI", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]})
	count(langgraph.deny_secrets_literalenv) == 0 with input as deployment(ref, {})
}

test_hpa_rules if {
	hpa := {"__type": "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "__name": "h", "kind": "HorizontalPodAutoscaler", "spec": {
		"minReplicas": 1, "maxReplicas": 0,
		"metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 0}}}],
		"behavior": {"scaleDown": {"stabilizationWindowSeconds": 30}},
	}}
	count(langgraph.deny_hpa_minreplicas) == 1 with input as hpa
	count(langgraph.deny_hpa_range) == 1 with input as hpa
	count(langgraph.deny_hpa_utilization) == 1 with input as hpa
	count(langgraph.deny_hpa_scaledownwindow) == 1 with input as hpa
	count(langgraph.deny_hpa_scaledownwindow) == 0 with input as hpa with data.config.deny_hpa_scaledownwindow.minSeconds as 30
}

test_rds_rules if {
	db := {"__type": "aws:rds/instance:Instance", "__name": "db", "storageEncrypted": false, "publiclyAccessible": true, "backupRetentionPeriod": 3}
	count(langgraph.deny_rds_encrypted) == 1 with input as db
	count(langgraph.deny_rds_public) == 1 with input as db
	count(langgraph.deny_rds_backupretention) == 0 with input as db
	count(langgraph.deny_rds_backupretention) == 1 with input as db with data.config.deny_rds_backupretention.minDays as 14
	replica := object.union(db, {"replicateSourceDb": "primary", "backupRetentionPeriod": 0})
	count(langgraph.deny_rds_backupretention) == 0 with input as replica with data.config.deny_rds_backupretention.minDays as 14
}

test_force_ssl_joins_through_property_dependencies if {
	pg := {"__type": "aws:rds/parameterGroup:ParameterGroup", "__urn": "urn:pg", "__name": "pg", "parameters": [{"name": "rds.force_ssl", "value": "0"}]}
	db := {"__type": "aws:rds/instance:Instance", "__name": "db", "parameterGroupName": "unknown-at-preview", "propertyDependencies": {"parameterGroupName": ["urn:pg"]}}
	count(langgraph.stack_deny_rds_forcessl) == 1 with input as {"resources": [pg, db]}
	fixed := object.union(pg, {"parameters": [{"name": "rds.force_ssl", "value": "1"}]})
	count(langgraph.stack_deny_rds_forcessl) == 0 with input as {"resources": [fixed, db]}
}

test_open_security_group if {
	sg := {"__type": "aws:ec2/securityGroup:SecurityGroup", "__name": "sg", "ingress": [{"fromPort": 5432, "toPort": 5432, "cidrBlocks": ["0.0.0.0/0"]}]}
	count(langgraph.deny_network_openingress) == 1 with input as sg
	lb := {"__type": "aws:ec2/securityGroup:SecurityGroup", "__name": "lb", "tags": {"Role": "load-balancer"}, "ingress": [{"fromPort": 443, "toPort": 443, "ipv6CidrBlocks": ["::/0"]}]}
	count(langgraph.deny_network_openingress) == 0 with input as lb
}

test_capacity if {
	hpa := {"__type": "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h", "namespace": "n"}, "spec": {"maxReplicas": 50, "scaleTargetRef": {"kind": "Deployment", "name": "d"}}}
	d := {"__type": "kubernetes:apps/v1:Deployment", "kind": "Deployment", "metadata": {"name": "d", "namespace": "n"}, "spec": {"template": {"spec": {"containers": [{"name": "c", "env": [{"name": "LANGGRAPH_POSTGRES_POOL_MAX_SIZE", "value": "200"}]}]}}}}
	pg := {"__type": "aws:rds/parameterGroup:ParameterGroup", "parameters": [{"name": "max_connections", "value": "5000"}]}
	# The seed's numbers: 50 x 200 = 10,000 > 0.8 x 5,000.
	count(langgraph.stack_deny_capacity_dbconnections) == 1 with input as {"resources": [hpa, d, pg]}
	small := object.union(d, {"spec": {"template": {"spec": {"containers": [{"name": "c", "env": [{"name": "LANGGRAPH_POSTGRES_POOL_MAX_SIZE", "value": "60"}]}]}}}})
	count(langgraph.stack_deny_capacity_dbconnections) == 0 with input as {"resources": [hpa, small, pg]}
}

release(version, repo) := {
	"__type": "kubernetes:helm.sh/v3:Release", "__name": "r", "chart": "metrics-server",
	"version": version, "repositoryOpts": {"repo": repo},
}

test_helm_release_pinned if {
	count(langgraph.deny_helm_pinned) == 0 with input as release("3.13.0", "https://kubernetes-sigs.github.io/metrics-server/")
	count(langgraph.deny_helm_pinned) == 1 with input as release("^3.13", "https://kubernetes-sigs.github.io/metrics-server/")
	count(langgraph.deny_helm_pinned) == 1 with input as release("", "https://kubernetes-sigs.github.io/metrics-server/")
	count(langgraph.deny_helm_pinned) == 1 with input as release("3.13.0", "http://charts.example.com")
	count(langgraph.deny_helm_pinned) == 1 with input as release("3.13.0", "http://127.0.0.1.example.com/charts")
	count(langgraph.deny_helm_pinned) == 0 with input as release("3.13.0", "http://127.0.0.1:8879/charts")
	count(langgraph.deny_helm_pinned) == 0 with input as release("3.13.0", "http://localhost:8879")
}

oci_release(chart) := {
	"__type": "kubernetes:helm.sh/v3:Release", "__name": "r", "chart": chart, "version": "3.13.0",
}

test_helm_release_from_oci_mirror if {
	count(langgraph.deny_helm_pinned) == 0 with input as oci_release("oci://123456789012.dkr.ecr.us-east-1.amazonaws.com/helm/metrics-server")
	# a bare chart name with no repository is not an OCI reference
	count(langgraph.deny_helm_pinned) == 1 with input as oci_release("metrics-server")
}

eks_cluster(vpc) := {
	"__type": "aws:eks/cluster:Cluster", "__name": "c", "vpcConfig": vpc,
	"enabledClusterLogTypes": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
	"encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": "arn:aws:kms:us-east-1:123456789012:key/k"}},
}

test_eks_private_endpoint_is_silent if {
	c := eks_cluster({"endpointPublicAccess": false, "endpointPrivateAccess": true})
	count(langgraph.deny_eks_publicendpoint) == 0 with input as c
	count(langgraph.deny_eks_controlplanelogging) == 0 with input as c
	count(langgraph.deny_eks_secretsencryption) == 0 with input as c
}

test_eks_restricted_public_endpoint_is_silent if {
	count(langgraph.deny_eks_publicendpoint) == 0 with input as eks_cluster({"endpointPublicAccess": true, "publicAccessCidrs": ["203.0.113.0/24"]})
}

test_eks_public_endpoint_without_list_is_open if {
	# AWS opens a public endpoint without publicAccessCidrs to 0.0.0.0/0.
	count(langgraph.deny_eks_publicendpoint) == 1 with input as eks_cluster({})
	count(langgraph.deny_eks_publicendpoint) == 1 with input as eks_cluster({"endpointPublicAccess": true, "publicAccessCidrs": ["10.0.0.0/8", "0.0.0.0/1"]})
}

test_eks_secrets_need_a_key if {
	c := object.remove(eks_cluster({"endpointPublicAccess": false}), ["encryptionConfig"])
	count(langgraph.deny_eks_secretsencryption) == 1 with input as object.union(c, {"encryptionConfig": {"resources": ["secrets"], "provider": {}}})
	count(langgraph.deny_eks_secretsencryption) == 1 with input as object.union(c, {"encryptionConfig": {"resources": [], "provider": {"keyArn": "k"}}})
}
