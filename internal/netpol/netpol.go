// Package netpol evaluates rendered NetworkPolicies the way Kubernetes does, so tests can state
// which connections a namespace admits (a flow evaluator for the mock engine's resources).
package netpol

import (
	"net/netip"
	"slices"

	"github.com/langgraph-platform/infra/internal/harness"
)

// PolicyType is the NetworkPolicy's Pulumi type.
const PolicyType = "kubernetes:networking.k8s.io/v1:NetworkPolicy"

// Endpoint is one side of a connection: a pod (Namespace, NamespaceLabels, Pod labels) or an IP
// outside the cluster (IP, Pod nil).
type Endpoint struct {
	Namespace       string
	NamespaceLabels map[string]any
	Pod             map[string]any
	IP              string
}

// PodIn is a pod with labels in namespace, which carries the kubernetes.io/metadata.name label.
func PodIn(namespace string, labels map[string]any) Endpoint {
	return Endpoint{Namespace: namespace, NamespaceLabels: map[string]any{"kubernetes.io/metadata.name": namespace}, Pod: labels}
}

// Address is an IP outside the cluster's pods.
func Address(ip string) Endpoint { return Endpoint{IP: ip} }

// Selects reports whether a matchLabels selector selects labels.
func Selects(selector, labels map[string]any) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func peerMatches(peer map[string]any, ns string, other Endpoint) bool {
	if block, ok := peer["ipBlock"].(map[string]any); ok {
		if other.Pod != nil {
			return false
		}
		addr := netip.MustParseAddr(other.IP)
		if !netip.MustParsePrefix(block["cidr"].(string)).Contains(addr) {
			return false
		}
		for _, e := range asList(block["except"]) {
			if netip.MustParsePrefix(e.(string)).Contains(addr) {
				return false
			}
		}
		return true
	}
	if other.Pod == nil {
		return false
	}
	if nsSel, ok := peer["namespaceSelector"].(map[string]any); ok {
		if !Selects(asMap(nsSel["matchLabels"]), other.NamespaceLabels) {
			return false
		}
	} else if other.Namespace != ns {
		return false
	}
	if podSel, ok := peer["podSelector"].(map[string]any); ok && !Selects(asMap(podSel["matchLabels"]), other.Pod) {
		return false
	}
	return true
}

func portMatches(ports []any, port float64, proto string) bool {
	if len(ports) == 0 {
		return true
	}
	for _, p := range ports {
		m := p.(map[string]any)
		if m["port"] == port && m["protocol"] == proto {
			return true
		}
	}
	return false
}

// Allowed evaluates namespace ns's NetworkPolicies for a connection to (direction "ingress") or
// from ("egress") a pod with labels pod: a direction is open when no policy of that type selects
// the pod, or when any selecting policy has a rule matching the other side, port and protocol.
func Allowed(res *harness.Result, ns string, pod map[string]any, direction string, other Endpoint, port float64, proto string) bool {
	kind, rulesKey, peersKey := "Ingress", "ingress", "from"
	if direction == "egress" {
		kind, rulesKey, peersKey = "Egress", "egress", "to"
	}
	selected := false
	for _, np := range res.ByType(PolicyType) {
		if np.In("metadata.namespace") != ns || !slices.Contains(asList(np.In("spec.policyTypes")), any(kind)) {
			continue
		}
		if !Selects(asMap(np.In("spec.podSelector.matchLabels")), pod) {
			continue
		}
		selected = true
		for _, r := range asList(np.In("spec." + rulesKey)) {
			rule := r.(map[string]any)
			if !portMatches(asList(rule["ports"]), port, proto) {
				continue
			}
			for _, p := range asList(rule[peersKey]) {
				if peerMatches(p.(map[string]any), ns, other) {
					return true
				}
			}
		}
	}
	return !selected
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
