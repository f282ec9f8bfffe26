// Package catalog is the one owner of the facts about AWS and Kubernetes that the program checks
// configuration against: instance and node sizes, engine versions, regions, TLS policies, chart
// versions, reserved namespaces and the ranges services accept. It imports nothing of the
// project, so config, the components, the capacity and cost models and the tools all read the
// same table. Each table says when and where it was checked; a new AWS offering or chart release
// is a code change here, with its test, never a config edit that renders unknown values.
package catalog

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// GiB is 2^30 bytes.
const GiB = 1 << 30

// Sorted returns a map's keys in order, for error messages that list what is allowed.
func Sorted[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// JoinInts renders allowed integer values for an error message.
func JoinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// ReservedNamespaces are the namespaces Kubernetes and EKS own; no workload of this program
// goes there.
var ReservedNamespaces = []string{"default", "kube-system", "kube-public", "kube-node-lease"}

// CloudWatchRetentionDays are the retention periods CloudWatch Logs accepts (PutRetentionPolicy).
var CloudWatchRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// WAF rate-based rule limits: requests per evaluation window (WAFv2 RateBasedStatement.Limit).
const (
	WAFRateLimitMin = 10
	WAFRateLimitMax = 2000000000
)

// WAFLogGroupPrefix is the name prefix WAF requires of a CloudWatch Logs logging destination.
const WAFLogGroupPrefix = "aws-waf-logs-"

// Identity modes by which an add-on's pods get an IAM role.
const (
	IdentityPodIdentity = "podIdentity"
	IdentityIRSA        = "irsa"
)

// IdentityModes lists them for validation.
var IdentityModes = []string{IdentityPodIdentity, IdentityIRSA}
