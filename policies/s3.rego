package langgraph

import rego.v1

s3_buckets := [b | some b in input.resources; b.__type in {"aws:s3/bucketV2:BucketV2", "aws:s3/bucket:Bucket"}]

# bucket_part finds the resource of type that configures bucket b: through the bucket property's
# dependency (works while the name is unknown in a preview), or by the bucket name.
bucket_part(b, type) := p if {
	some p in input.resources
	p.__type == type
	b.__urn in object.get(p, ["propertyDependencies", "bucket"], [])
} else := p if {
	some p in input.resources
	p.__type == type
	p.bucket == b.bucket
}

bucket_part_or_none(b, type) := p if p := bucket_part(b, type)

else := {}

# METADATA
# title: "S3 public access blocked"
# description: "All four public-access-block settings keep a bucket private whatever a later ACL or policy says."
# custom:
#   message: "Add a BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true."
stack_deny_s3_publicaccess contains msg if {
	some b in s3_buckets
	pab := bucket_part_or_none(b, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
	some field in ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]
	not object.get(pab, field, false) == true
	msg := sprintf("S3 bucket %q: public access block %s is %v; allowed: true", [b.__name, field, object.get(pab, field, "unset")])
}

public_acls := {"public-read", "public-read-write", "authenticated-read"}

# METADATA
# title: "No public S3 ACL or policy"
# description: "A canned public ACL, or a bucket policy that allows Principal \"*\" without a condition, publishes the bucket's objects (access logs hold every caller's IP and path)."
# custom:
#   message: "Use private ACLs (or BucketOwnerEnforced) and scope Allow statements to named principals or a condition."
deny_s3_public contains msg if {
	input.__type in {"aws:s3/bucketV2:BucketV2", "aws:s3/bucket:Bucket", "aws:s3/bucketAclV2:BucketAclV2"}
	acl := object.get(input, "acl", "private")
	acl in public_acls
	msg := sprintf("%s: acl is %q; allowed: private", [res, acl])
}

deny_s3_public contains msg if {
	input.__type == "aws:s3/bucketPolicy:BucketPolicy"
	is_string(input.policy)
	some st in as_array(json.unmarshal(input.policy).Statement)
	st.Effect == "Allow"
	anyone(st.Principal)
	not st.Condition
	msg := sprintf("%s: statement %q allows Principal * without a condition; allowed: named principals or a Condition", [res, object.get(st, "Sid", "")])
}

anyone(p) if p == "*"

anyone(p) if "*" in as_array(object.get(p, "AWS", []))

# METADATA
# title: "S3 buckets are encrypted"
# description: "Default encryption makes every object encrypted at rest, whoever writes it (ALB access logs need SSE-S3)."
# custom:
#   message: "Add a BucketServerSideEncryptionConfigurationV2 for the bucket (AES256, or aws:kms where the writer supports it)."
stack_deny_s3_encryption contains msg if {
	some b in s3_buckets
	not bucket_part(b, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
	msg := sprintf("S3 bucket %q has no server-side encryption configuration; allowed: one", [b.__name])
}

# METADATA
# title: "Audit buckets are versioned"
# description: "A bucket tagged DataClass=audit (ALB access logs: the seed's audit trail) keeps overwritten and deleted objects, so a log cannot be quietly replaced."
# custom:
#   message: "Add a BucketVersioningV2 with status Enabled for every bucket tagged DataClass=audit."
stack_deny_s3_auditversioning contains msg if {
	some b in s3_buckets
	object.get(b, ["tags", "DataClass"], "") == "audit"
	v := bucket_part_or_none(b, "aws:s3/bucketVersioningV2:BucketVersioningV2")
	status := object.get(v, ["versioningConfiguration", "status"], "unset")
	status != "Enabled"
	msg := sprintf("S3 bucket %q holds audit data and its versioning is %v; allowed: Enabled", [b.__name, status])
}
