package tests

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/internal/stacktest"
)

// untaggable are the AWS types that take no tags argument, as the policy pack lists them.
func untaggable(t *testing.T) map[string]bool {
	v, err := loadPack(t).Query(context.Background(), "untaggable_types")
	require.NoError(t, err)
	out := map[string]bool{}
	for _, s := range v.([]any) {
		out[s.(string)] = true
	}
	require.NotEmpty(t, out)
	return out
}

func TestEveryTaggableAWSResourceIsTagged(t *testing.T) {
	skip := untaggable(t)
	for _, stack := range stacktest.Stacks {
		res := stacktest.Run(t, stack, nil)
		n := 0
		for _, r := range res.Resources {
			if !strings.HasPrefix(r.Type, "aws:") || skip[r.Type] {
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
