package dataplane

import (
	"github.com/langgraph-platform/infra/catalog"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NetworkPolicyNames are the policies the namespace gets.
var NetworkPolicyNames = []string{"default-deny", "allow-api-from-load-balancer", "allow-metrics-from-prometheus", "allow-dns", "allow-data-stores", "allow-https-egress", "allow-llm-gateway"}

func networkPolicies(ctx *pulumi.Context, name string, args Args, meta func(string, string) *metav1.ObjectMetaArgs, opts []pulumi.ResourceOption) error {
	pods := &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{
		"app.kubernetes.io/name": pulumi.String(Name), "app.kubernetes.io/instance": pulumi.String(args.Instance),
	}}
	tcp := func(port int) networkingv1.NetworkPolicyPortArgs {
		return networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("TCP"), Port: pulumi.Int(port)}
	}
	blocks := func(cidrs []string) networkingv1.NetworkPolicyPeerArray {
		peers := networkingv1.NetworkPolicyPeerArray{}
		for _, c := range cidrs {
			block := networkingv1.IPBlockArgs{Cidr: pulumi.String(c)}
			if catalog.CIDRContains(c, MetadataCIDR) {
				block.Except = pulumi.ToStringArray([]string{MetadataCIDR})
			}
			peers = append(peers, networkingv1.NetworkPolicyPeerArgs{IpBlock: block})
		}
		return peers
	}
	specs := map[string]*networkingv1.NetworkPolicySpecArgs{
		"default-deny": {
			PodSelector: &metav1.LabelSelectorArgs{},
			PolicyTypes: pulumi.ToStringArray([]string{"Ingress", "Egress"}),
		},
		"allow-api-from-load-balancer": {
			// Only the API tier serves HTTP; queue workers take no traffic from outside.
			PodSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(SelectorLabels(args.Instance, ComponentAPI))},
			PolicyTypes: pulumi.ToStringArray([]string{"Ingress"}),
			Ingress: networkingv1.NetworkPolicyIngressRuleArray{networkingv1.NetworkPolicyIngressRuleArgs{
				From: blocks(args.Network.LoadBalancerCIDRs), Ports: networkingv1.NetworkPolicyPortArray{tcp(APIPort)},
			}},
		},
		"allow-metrics-from-prometheus": {
			PodSelector: pods,
			PolicyTypes: pulumi.ToStringArray([]string{"Ingress"}),
			Ingress: networkingv1.NetworkPolicyIngressRuleArray{networkingv1.NetworkPolicyIngressRuleArgs{
				From: networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{
					NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"kubernetes.io/metadata.name": pulumi.String(args.Network.MonitoringNamespace)}},
					PodSelector:       &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"app.kubernetes.io/name": pulumi.String("prometheus")}},
				}},
				Ports: networkingv1.NetworkPolicyPortArray{tcp(MetricsPort)},
			}},
		},
		"allow-dns": {
			PodSelector: pods,
			PolicyTypes: pulumi.ToStringArray([]string{"Egress"}),
			Egress: networkingv1.NetworkPolicyEgressRuleArray{networkingv1.NetworkPolicyEgressRuleArgs{
				To: networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{
					NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"kubernetes.io/metadata.name": pulumi.String("kube-system")}},
					PodSelector:       &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"k8s-app": pulumi.String("kube-dns")}},
				}},
				Ports: networkingv1.NetworkPolicyPortArray{
					networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("UDP"), Port: pulumi.Int(53)}, tcp(53),
				},
			}},
		},
		"allow-data-stores": {
			PodSelector: pods,
			PolicyTypes: pulumi.ToStringArray([]string{"Egress"}),
			Egress: networkingv1.NetworkPolicyEgressRuleArray{networkingv1.NetworkPolicyEgressRuleArgs{
				To:    blocks(args.Network.DataStoreCIDRs),
				Ports: networkingv1.NetworkPolicyPortArray{tcp(args.Network.DatabasePort), tcp(args.Network.CachePort)},
			}},
		},
		"allow-https-egress": {
			PodSelector: pods,
			PolicyTypes: pulumi.ToStringArray([]string{"Egress"}),
			Egress: networkingv1.NetworkPolicyEgressRuleArray{networkingv1.NetworkPolicyEgressRuleArgs{
				To: blocks(args.Network.HTTPSEgressCIDRs), Ports: networkingv1.NetworkPolicyPortArray{tcp(443)},
			}},
		},
	}
	if g := args.LLMGateway; g != nil {
		// The pods' only way to a model: the gateway's pods, on its port.
		specs["allow-llm-gateway"] = &networkingv1.NetworkPolicySpecArgs{
			PodSelector: pods,
			PolicyTypes: pulumi.ToStringArray([]string{"Egress"}),
			Egress: networkingv1.NetworkPolicyEgressRuleArray{networkingv1.NetworkPolicyEgressRuleArgs{
				To: networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{
					NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"kubernetes.io/metadata.name": pulumi.String(g.Namespace)}},
					PodSelector:       &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(g.Pods)},
				}},
				Ports: networkingv1.NetworkPolicyPortArray{tcp(g.Port)},
			}},
		}
	}
	for _, policy := range NetworkPolicyNames {
		if specs[policy] == nil || policy == "allow-https-egress" && len(args.Network.HTTPSEgressCIDRs) == 0 {
			continue
		}
		if _, err := networkingv1.NewNetworkPolicy(ctx, name+"-"+policy, &networkingv1.NetworkPolicyArgs{
			Metadata: meta(policy, "network-policy"),
			Spec:     specs[policy],
		}, opts...); err != nil {
			return err
		}
	}
	return nil
}
