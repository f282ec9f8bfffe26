package langgraph

import rego.v1

# METADATA
# title: "No credentials in container env literals"
# description: "A literal env value is stored in the Deployment, shown by kubectl describe and kept in Pulumi state in plain text."
# custom:
#   message: "Put the value in a Secret and reference it with valueFrom.secretKeyRef."
deny_secrets_literalenv contains msg if {
	some c in containers
	some e in object.get(c, "env", [])
	value := e.value
	looks_like_credential(e.name, value)
	msg := sprintf("%s: container %q env %s holds a literal credential; allowed: valueFrom.secretKeyRef", [res, c.name, e.name])
}

looks_like_credential(name, value) if {
	looks_like_credential_name(name)
	value != ""
	not regex.match(`^[0-9]+$|^(true|false)$`, value)
}

looks_like_credential(_, value) if looks_like_credential_value(value)

# METADATA
# title: "No credentials in ConfigMaps"
# description: "ConfigMaps are not secret: any reader of the namespace sees them."
# custom:
#   message: "Move the entry to a Secret."
deny_secrets_configmap contains msg if {
	is_kind("ConfigMap")
	some key, value in object.get(input, "data", {})
	looks_like_credential(key, value)
	msg := sprintf("%s: entry %q holds a credential; allowed: credentials in Secrets only", [res, key])
}
