package langgraph

import rego.v1

# METADATA
# title: "KMS keys rotate"
# description: "Yearly rotation limits what one leaked key version can decrypt; AWS rotates symmetric keys at no cost."
# custom:
#   message: "Set enableKeyRotation to true on every symmetric KMS key."
deny_kms_rotation contains msg if {
	input.__type == "aws:kms/key:Key"
	object.get(input, "customerMasterKeySpec", object.get(input, "keySpec", "SYMMETRIC_DEFAULT")) == "SYMMETRIC_DEFAULT"
	not input.enableKeyRotation == true
	msg := sprintf("%s: enableKeyRotation is %v; allowed: true", [res, object.get(input, "enableKeyRotation", "unset")])
}

# Where a customer-managed key is set, and the property that holds it.
cmk_property := {
	"aws:secretsmanager/secret:Secret": "kmsKeyId",
	"aws:sns/topic:Topic": "kmsMasterKeyId",
	"aws:cloudwatch/logGroup:LogGroup": "kmsKeyId",
}

# METADATA
# title: "Secrets, topics and logs under a customer-managed key"
# description: "AWS-managed keys cannot be restricted by key policy, audited per use or revoked; credentials, alert traffic and request logs are encrypted with this stack's own keys."
# custom:
#   message: "Set kmsKeyId (secrets, log groups) or kmsMasterKeyId (SNS topics) to a customer-managed key of the stack."
deny_encryption_cmk contains msg if {
	prop := cmk_property[input.__type]
	key := object.get(input, prop, "")
	not customer_key(key)
	msg := sprintf("%s: %s is %q; allowed: a customer-managed KMS key", [res, prop, key])
}

customer_key(key) if {
	is_string(key)
	key != ""
	not startswith(key, "alias/aws/")
}
