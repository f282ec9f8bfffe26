package gateway

import (
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
)

// NetworkPolicyNames are the policies the gateway's namespace gets: default deny, then the
// dataplane's pods and Prometheus in, DNS, the cache and the providers out.
var NetworkPolicyNames = []string{"default-deny", "allow-clients", "allow-metrics-from-prometheus", "allow-dns", "allow-cache", "allow-provider-https"}

func networkPolicies(ctx *pulumi.Context, name string, args Args, meta func(string) *metav1.ObjectMetaArgs, opts []pulumi.ResourceOption) error {
	pods := &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(PodLabels)}
	tcp := func(port int) networkingv1.NetworkPolicyPortArray {
		return networkingv1.NetworkPolicyPortArray{networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("TCP"), Port: pulumi.Int(port)}}
	}
	inNamespace := func(ns string, podLabels map[string]string) networkingv1.NetworkPolicyPeerArray {
		return networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{
			NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"kubernetes.io/metadata.name": pulumi.String(ns)}},
			PodSelector:       &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(podLabels)},
		}}
	}
	blocks := func(cidrs []string) networkingv1.NetworkPolicyPeerArray {
		peers := networkingv1.NetworkPolicyPeerArray{}
		for _, c := range cidrs {
			block := networkingv1.IPBlockArgs{Cidr: pulumi.String(c)}
			if catalog.CIDRContains(c, catalog.InstanceMetadataCIDR) {
				block.Except = pulumi.ToStringArray([]string{catalog.InstanceMetadataCIDR})
			}
			peers = append(peers, networkingv1.NetworkPolicyPeerArgs{IpBlock: block})
		}
		return peers
	}
	ingress := func(from networkingv1.NetworkPolicyPeerArray) *networkingv1.NetworkPolicySpecArgs {
		return &networkingv1.NetworkPolicySpecArgs{PodSelector: pods, PolicyTypes: pulumi.ToStringArray([]string{"Ingress"}),
			Ingress: networkingv1.NetworkPolicyIngressRuleArray{networkingv1.NetworkPolicyIngressRuleArgs{From: from, Ports: tcp(catalog.LiteLLMPort)}}}
	}
	egress := func(to networkingv1.NetworkPolicyPeerArray, ports networkingv1.NetworkPolicyPortArray) *networkingv1.NetworkPolicySpecArgs {
		return &networkingv1.NetworkPolicySpecArgs{PodSelector: pods, PolicyTypes: pulumi.ToStringArray([]string{"Egress"}),
			Egress: networkingv1.NetworkPolicyEgressRuleArray{networkingv1.NetworkPolicyEgressRuleArgs{To: to, Ports: ports}}}
	}
	n := args.Network
	dnsPorts := append(tcp(53), networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("UDP"), Port: pulumi.Int(53)})
	specs := map[string]*networkingv1.NetworkPolicySpecArgs{
		"default-deny": {PodSelector: &metav1.LabelSelectorArgs{}, PolicyTypes: pulumi.ToStringArray([]string{"Ingress", "Egress"})},
		// Only the dataplane's pods call the gateway: its key is theirs alone.
		"allow-clients":                 ingress(inNamespace(n.ClientNamespace, n.ClientPods)),
		"allow-metrics-from-prometheus": ingress(inNamespace(n.MonitoringNamespace, map[string]string{"app.kubernetes.io/name": "prometheus"})),
		"allow-dns":                     egress(inNamespace("kube-system", map[string]string{"k8s-app": "kube-dns"}), dnsPorts),
		"allow-cache":                   egress(blocks(n.CacheCIDRs), tcp(n.CachePort)),
		// The gateway alone reaches the providers.
		"allow-provider-https": egress(blocks(n.ProviderCIDRs), tcp(443)),
	}
	for _, policy := range NetworkPolicyNames {
		if _, err := networkingv1.NewNetworkPolicy(ctx, name+"-"+policy, &networkingv1.NetworkPolicyArgs{
			Metadata: meta(policy), Spec: specs[policy],
		}, opts...); err != nil {
			return err
		}
	}
	return nil
}
