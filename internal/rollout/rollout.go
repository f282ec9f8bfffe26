// Package rollout rolls a workload's pods when what they read from a Secret changes: Kubernetes
// restarts no pod for a changed Secret, so a rotated credential would otherwise reach only pods
// started later. The checksum annotation on the pod template changes with the Secret's data.
package rollout

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Annotation is the pod-template annotation holding the checksum.
const Annotation = "checksum/credentials"

// Checksum is the SHA-256 of a Secret's data, from the same values the Secret is written with.
// The workload that carries it must also depend on the Secret (pulumi.DependsOn), so it is
// updated, and its pods roll, only after the Secret holds the new values. It is computed from
// the inputs, not the Secret's outputs: the Kubernetes provider folds stringData into data in
// its state, which would change the checksum on the next preview with nothing changed.
//
// The checksum is not kept secret: it is a hash of generated credentials (32 and 64 random
// characters) and of API keys, which no one can invert, and as a secret it would mask the
// whole pod template's diff.
func Checksum(data pulumi.StringMapInput) pulumi.StringOutput {
	return pulumi.Unsecret(data.ToStringMapOutput().ApplyT(func(m map[string]string) string {
		h := sha256.New()
		for _, k := range slices.Sorted(maps.Keys(m)) {
			h.Write([]byte(k))
			h.Write([]byte{0})
			h.Write([]byte(m[k]))
			h.Write([]byte{0})
		}
		return hex.EncodeToString(h.Sum(nil))
	})).(pulumi.StringOutput)
}
