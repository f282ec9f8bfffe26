package langgraph

import rego.v1

# METADATA
# title: "Containers run as non-root"
# description: "The restricted Pod Security Standard requires runAsNonRoot; a root process that escapes its container owns the node."
# custom:
#   message: "Set securityContext.runAsNonRoot to true on the pod or on every container."
deny_k8s_runasnonroot contains msg if {
	some c in containers
	not runs_as_non_root(c)
	msg := sprintf("%s: container %q runAsNonRoot is %v; allowed: true", [res, c.name, object.get(c, ["securityContext", "runAsNonRoot"], object.get(pod_spec, ["securityContext", "runAsNonRoot"], "unset"))])
}

runs_as_non_root(c) if c.securityContext.runAsNonRoot == true

runs_as_non_root(c) if {
	not c.securityContext.runAsNonRoot == false
	pod_spec.securityContext.runAsNonRoot == true
}

# METADATA
# title: "No privilege escalation"
# description: "Restricted pods must not gain more privileges than their parent process (setuid binaries, no_new_privs)."
# custom:
#   message: "Set securityContext.allowPrivilegeEscalation to false on every container."
deny_k8s_privilegeescalation contains msg if {
	some c in containers
	not c.securityContext.allowPrivilegeEscalation == false
	msg := sprintf("%s: container %q allowPrivilegeEscalation is %v; allowed: false", [res, c.name, object.get(c, ["securityContext", "allowPrivilegeEscalation"], "unset")])
}

# METADATA
# title: "All capabilities dropped"
# description: "Restricted pods drop every Linux capability; the few a server needs are not worth the attack surface."
# custom:
#   message: "Set securityContext.capabilities.drop to [\"ALL\"] on every container and add none back."
deny_k8s_capabilities contains msg if {
	some c in containers
	not "ALL" in object.get(c, ["securityContext", "capabilities", "drop"], [])
	msg := sprintf("%s: container %q drops capabilities %v; allowed: [\"ALL\"]", [res, c.name, object.get(c, ["securityContext", "capabilities", "drop"], [])])
}

deny_k8s_capabilities contains msg if {
	some c in containers
	added := object.get(c, ["securityContext", "capabilities", "add"], [])
	count(added) > 0
	msg := sprintf("%s: container %q adds capabilities %v; allowed: none", [res, c.name, added])
}

# METADATA
# title: "Seccomp RuntimeDefault"
# description: "Restricted pods run under the container runtime's default seccomp profile, which blocks rarely needed, often abused syscalls."
# custom:
#   message: "Set securityContext.seccompProfile.type to RuntimeDefault (or Localhost) on the pod or every container."
deny_k8s_seccomp contains msg if {
	some c in containers
	not seccomp_ok(c)
	msg := sprintf("%s: container %q seccompProfile is %v; allowed: RuntimeDefault or Localhost", [res, c.name, object.get(c, ["securityContext", "seccompProfile", "type"], object.get(pod_spec, ["securityContext", "seccompProfile", "type"], "unset"))])
}

seccomp_ok(c) if c.securityContext.seccompProfile.type in {"RuntimeDefault", "Localhost"}

seccomp_ok(c) if {
	not c.securityContext.seccompProfile
	pod_spec.securityContext.seccompProfile.type in {"RuntimeDefault", "Localhost"}
}

# METADATA
# title: "No privileged containers"
# description: "A privileged container has every capability and all host devices: it is the host."
# custom:
#   message: "Remove securityContext.privileged or set it to false."
deny_k8s_privileged contains msg if {
	some c in containers
	c.securityContext.privileged == true
	msg := sprintf("%s: container %q privileged is true; allowed: false", [res, c.name])
}

# METADATA
# title: "No host namespaces"
# description: "hostNetwork, hostPID and hostIPC let a pod see and touch the node's processes and network."
# custom:
#   message: "Remove hostNetwork, hostPID and hostIPC from the pod spec."
deny_k8s_hostnamespaces contains msg if {
	some field in ["hostNetwork", "hostPID", "hostIPC"]
	pod_spec[field] == true
	msg := sprintf("%s: %s is true; allowed: false", [res, field])
}

# METADATA
# title: "No hostPath volumes"
# description: "A hostPath volume mounts the node's filesystem into the pod."
# custom:
#   message: "Use emptyDir, a PersistentVolumeClaim, a Secret or a ConfigMap instead of hostPath."
deny_k8s_hostpath contains msg if {
	some v in pod_spec.volumes
	v.hostPath
	msg := sprintf("%s: volume %q is hostPath %q; allowed: no hostPath volumes", [res, v.name, v.hostPath.path])
}

# METADATA
# title: "Requests and limits for memory and ephemeral storage"
# description: "The scheduler needs CPU and memory requests to place pods and the HPA needs them to compute utilization; a container without a memory request is BestEffort, the first evicted under node pressure. Memory and ephemeral-storage limits stop one pod from starving its node of memory or filling its disk, which evicts every pod on it."
# custom:
#   message: "Set resources.requests.cpu, requests.memory, requests.ephemeral-storage, limits.memory and limits.ephemeral-storage on every container."
deny_k8s_resources contains msg if {
	some c in containers
	some path in [["requests", "cpu"], ["requests", "memory"], ["requests", "ephemeral-storage"], ["limits", "memory"], ["limits", "ephemeral-storage"]]
	object.get(c, array.concat(["resources"], path), null) == null
	msg := sprintf("%s: container %q has no resources.%s.%s; allowed: a quantity", [res, c.name, path[0], path[1]])
}

# METADATA
# title: "Chart workloads with memory requests and limits"
# description: "Every container a chart runs is sized through the chart's own values key (chart_resource_paths, from the catalog): a chart left at its default resources {} runs BestEffort pods, so the monitoring is evicted first under node pressure, exactly when it is needed."
# custom:
#   message: "Set requests.memory and limits.memory at every values key chart_resource_paths names for the chart (config chartResources)."
deny_helm_resources contains msg if {
	input.__type == "kubernetes:helm.sh/v3:Release"
	parts := split(object.get(input, "chart", ""), "/")
	chart := parts[count(parts) - 1]
	some path in chart_resource_paths[chart]
	some field in [["requests", "memory"], ["limits", "memory"]]
	object.get(object.get(input, "values", {}), array.concat(path, field), null) == null
	msg := sprintf("%s: chart %q values.%s has no %s.%s; allowed: a quantity", [res, chart, concat(".", path), field[0], field[1]])
}

# METADATA
# title: "Liveness is not readiness"
# description: "A liveness probe that asks what the readiness probe asks restarts a pod that is only busy: under load a slow health endpoint takes the pod out of the Service (right) and then kills it with its runs (wrong), and the restarts spread the load onto fewer pods. Liveness should ask only whether the process is alive."
# custom:
#   message: "Give the livenessProbe a different check than the readinessProbe (for example tcpSocket on the port, or a /livez path) with a larger failure budget."
deny_k8s_probesdistinct contains msg if {
	some c in containers
	c.livenessProbe
	c.readinessProbe
	probe_handler(c.livenessProbe) == probe_handler(c.readinessProbe)
	msg := sprintf("%s: container %q livenessProbe checks %v, the same as its readinessProbe; allowed: a different check", [res, c.name, probe_handler(c.livenessProbe)])
}

probe_handler(p) := {k: p[k] | some k in ["httpGet", "tcpSocket", "exec", "grpc"]; p[k]}

# METADATA
# title: "Images pinned by tag or digest"
# description: "A missing tag means latest, and latest moves: two pods of one Deployment could run different code, and a rollback cannot go back."
# custom:
#   message: "Reference images as repository:tag (not latest) or repository@sha256:digest."
deny_k8s_imagepinned contains msg if {
	some c in containers
	not image_pinned(c.image)
	msg := sprintf("%s: container %q image %q is not pinned; allowed: repository:tag (not latest) or repository@sha256:...", [res, c.name, c.image])
}

image_pinned(image) if contains(image, "@sha256:")

image_pinned(image) if {
	not contains(image, "@")
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	not endswith(last, ":latest")
}

# METADATA
# title: "Images pinned by digest (advised)"
# description: "A tag can be re-pushed; a digest cannot. Digests make every rollout reproducible."
# custom:
#   message: "Pin images by digest (dataplane.image.digest)."
warn_k8s_imagedigest contains msg if {
	some c in containers
	not contains(c.image, "@sha256:")
	msg := sprintf("%s: container %q image %q is pinned by tag; advised: a digest", [res, c.name, c.image])
}

# METADATA
# title: "Readiness and liveness probes"
# description: "Without readiness a pod receives traffic before it can serve; without liveness a hung server is never restarted."
# custom:
#   message: "Give every long-running container a readinessProbe and a livenessProbe (LangGraph serves GET /ok); a workload that serves nothing (the headroom placeholders) is listed under exempt with its reason."
deny_k8s_probes contains msg if {
	not input.kind in {"Job", "CronJob"} # run to completion: nothing to probe
	not input.metadata.name in config("deny_k8s_probes", "exempt", [])
	some c in pod_spec.containers
	some probe in ["readinessProbe", "livenessProbe"]
	not c[probe]
	msg := sprintf("%s: container %q has no %s; allowed: a probe", [res, c.name, probe])
}

# METADATA
# title: "Standard labels"
# description: "The app.kubernetes.io labels let people, dashboards and policies find what belongs together."
# custom:
#   message: "Label the object with app.kubernetes.io/name, instance, version, component, part-of and managed-by."
deny_k8s_labels contains msg if {
	startswith(input.__type, "kubernetes:")
	input.kind in (workload_kinds | {"Service", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget"})
	some label in standard_labels
	not input.metadata.labels[label]
	msg := sprintf("%s: label %s is missing; allowed: the six app.kubernetes.io labels", [res, label])
}

# METADATA
# title: "Namespaces enforce the restricted Pod Security Standard"
# description: "Pod Security admission is the cluster's own backstop: it rejects pods that break the profile even when created outside this program."
# custom:
#   message: "Label the namespace pod-security.kubernetes.io/enforce=restricted, or allow it a named lower level (allow: {namespace: level}) with the reason in the policy config."
deny_k8s_namespacepss contains msg if {
	is_kind("Namespace")
	level := object.get(input, ["metadata", "labels", "pod-security.kubernetes.io/enforce"], "unset")
	level != "restricted"
	level != object.get(config("deny_k8s_namespacepss", "allow", {}), input.metadata.name, "restricted")
	msg := sprintf("%s: pod-security.kubernetes.io/enforce is %q; allowed: restricted", [res, level])
}

# METADATA
# title: "Helm charts pinned to an exact version from a TLS source"
# description: "A release without a version, or with a range, installs whatever the repository serves on the day: a preview no longer says what an update does, and staging and prod drift apart. A chart fetched without TLS can be swapped in transit. A mirror keeps the pin: an https:// Helm repository, an oci:// registry (Helm speaks TLS to it), or http:// on a loopback address (a mirror on the deploying machine)."
# custom:
#   message: "Set the chart version to an exact x.y.z and fetch the chart from an https:// repository or an oci:// registry."
deny_helm_pinned contains msg if {
	input.__type == "kubernetes:helm.sh/v3:Release"
	version := object.get(input, "version", "")
	not regex.match(`^v?[0-9]+\.[0-9]+\.[0-9]+$`, version)
	msg := sprintf("%s: chart %q version %q is not exact; allowed: x.y.z", [res, object.get(input, "chart", ""), version])
}

deny_helm_pinned contains msg if {
	input.__type == "kubernetes:helm.sh/v3:Release"
	not startswith(object.get(input, "chart", ""), "oci://")
	repo := object.get(input, ["repositoryOpts", "repo"], "")
	not helm_repository_tls(repo)
	msg := sprintf("%s: chart %q repository %q is not fetched over TLS; allowed: an https:// repository, an oci:// chart, or http:// on loopback", [res, object.get(input, "chart", ""), repo])
}

helm_repository_tls(repo) if startswith(repo, "https://")

helm_repository_tls(repo) if regex.match(`^http://(localhost|127\.[0-9]+\.[0-9]+\.[0-9]+|\[::1\])(:[0-9]+)?(/.*)?$`, repo)

# A value that names an environment variable instead of holding a credential: LiteLLM's
# config.yaml reads os.environ/<NAME>, set from a Secret.
environment_reference(value) if regex.match(`^os\.environ/[A-Za-z_][A-Za-z0-9_]*$`, value)

# Value keys that hold a credential (matched at the end of the key, case-insensitive).
credential_key := `(?i)(password|passwd|secret|token|apikey|api_key|privatekey|private_key|routingkey|routing_key|webhookurl|webhook_url|accesskey|access_key|secretkey|secret_key|dsn)$`

# METADATA
# title: "No credential literal in Helm values"
# description: "Helm values land in the release's state and in the cluster's release Secret in plaintext history; credentials belong in Secrets the chart references (existingSecret, *_file)."
# custom:
#   message: "Put the credential in a Kubernetes Secret and point the chart at it (existingSecret, a *_file path, or secretKeyRef)."
deny_helm_credentialliteral contains msg if {
	input.__type == "kubernetes:helm.sh/v3:Release"
	walk(object.get(input, "values", {}), [path, value])
	count(path) > 0
	key := sprintf("%v", [path[count(path) - 1]])
	regex.match(credential_key, key)
	not startswith(lower(key), "existing")
	is_string(value)
	value != ""
	not environment_reference(value)
	msg := sprintf("%s: values.%s holds a literal; allowed: a reference to a Secret", [res, concat(".", [sprintf("%v", [p]) | some p in path])])
}
