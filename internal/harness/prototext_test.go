package harness

import (
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
)

// An alias renders the same way in every process: protobuf's own text form inserts random
// whitespace, which made resources.json differ between two synth runs of the same stack.
func TestAliasTextIsStable(t *testing.T) {
	alias := &pulumirpc.Alias{Alias: &pulumirpc.Alias_Spec_{Spec: &pulumirpc.Alias_Spec{
		Name: "old", Type: "aws:s3/bucket:Bucket", Parent: &pulumirpc.Alias_Spec_NoParent{NoParent: true},
	}}}
	assert.Equal(t, `spec:{name:"old" type:"aws:s3/bucket:Bucket" noParent:true}`, protoText(alias.ProtoReflect()))
	urn := &pulumirpc.Alias{Alias: &pulumirpc.Alias_Urn{Urn: "urn:pulumi:prod::p::t::n"}}
	assert.Equal(t, `urn:"urn:pulumi:prod::p::t::n"`, protoText(urn.ProtoReflect()))
}
