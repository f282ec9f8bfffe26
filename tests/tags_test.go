package tests

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/langgraph-platform/infra/internal/stacktest"
)

// Untaggable are the AWS types the program uses that take no tags argument.
var Untaggable = map[string]bool{
	"aws:kms/alias:Alias":                                                                        true,
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":                                          true,
	"aws:secretsmanager/secretVersion:SecretVersion":                                             true,
	"aws:sns/topicPolicy:TopicPolicy":                                                            true,
	"aws:sns/topicSubscription:TopicSubscription":                                                true,
	"aws:s3/bucketPolicy:BucketPolicy":                                                           true,
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                     true,
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                     true,
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": true,
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       true,
}

func TestEveryTaggableAWSResourceIsTagged(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		res := stacktest.Run(t, stack, nil)
		n := 0
		for _, r := range res.Resources {
			if !strings.HasPrefix(r.Type, "aws:") || Untaggable[r.Type] {
				continue
			}
			n++
			tags, _ := r.In("tags").(map[string]any)
			assert.Equal(t, stack, tags["Environment"], r.URN)
			assert.Equal(t, "langgraph-platform", tags["Project"], r.URN)
			assert.Equal(t, "platform-team", tags["Owner"], r.URN)
			assert.Equal(t, "cc-4471", tags["CostCenter"], r.URN)
		}
		assert.GreaterOrEqual(t, n, 20, "the data tier and edge hold at least 20 taggable resources")
	}
}
