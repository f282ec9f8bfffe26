package monitoring

import (
	"slices"

	"github.com/langgraph-platform/infra/catalog"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Ports the monitoring pods listen on (the charts' defaults).
const (
	GrafanaPort          = 3000
	AlertmanagerPort     = 9093
	AlertmanagerMeshPort = 9094 // cluster gossip, TCP and UDP
	KubeletPort          = 10250
	NodeExporterPort     = 9100
	// OperatorWebhookPort is where the operator serves its admission webhook (the chart's
	// prometheusOperator.tls.internalPort); the API server calls it from the control plane.
	OperatorWebhookPort = 10250
	MetadataCIDR        = catalog.InstanceMetadataCIDR
)

// Network is what the monitoring namespace's NetworkPolicies admit besides its own pods.
type Network struct {
	// NodeCIDRs are the nodes' subnets: Prometheus scrapes the kubelets (cAdvisor) and
	// node-exporter (host network) there.
	NodeCIDRs []string
	// DataStoreCIDRs, DatabasePort and CachePort are where the exporters connect.
	DataStoreCIDRs []string
	DatabasePort   int
	CachePort      int
	// AdapterNamespace is where prometheus-adapter queries Prometheus from ("" when not installed).
	AdapterNamespace string
	// ScrapePorts are the pod ports Prometheus scrapes outside this stack's charts (the
	// dataplane's metrics port); StackScrapePorts are added.
	ScrapePorts []int
}

// StackScrapePorts are the ports of what the charts here run, and the add-ons, as Prometheus
// scrapes them: Prometheus 9090, Alertmanager 9093, its config reloader 8080, Grafana 3000,
// kube-state-metrics 8080/8081, the operator 10250 (https), the PostgreSQL and Redis exporters
// 9187/9121, the Load Balancer Controller 8080, metrics-server 10250, prometheus-adapter 6443, and
// CoreDNS 9153 (the chart's coreDns ServiceMonitor: blocked, its TargetDown would page).
var StackScrapePorts = []int{PrometheusPort, AlertmanagerPort, 8080, GrafanaPort, 8081, OperatorWebhookPort, 9187, 9121, 6443, 9153}

// NetworkPolicyNames are the monitoring namespace's policies.
var NetworkPolicyNames = []string{
	"default-deny", "allow-dns", "allow-https-egress", "allow-prometheus-scrape", "allow-scrapes-from-prometheus",
	"allow-prometheus-queries", "allow-grafana-queries", "allow-alertmanager", "allow-exporters-to-data-stores",
	"allow-operator-webhook",
}

func byName(name string) *metav1.LabelSelectorArgs {
	return &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"app.kubernetes.io/name": pulumi.String(name)}}
}

func inNamespace(ns string) *metav1.LabelSelectorArgs {
	return &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"kubernetes.io/metadata.name": pulumi.String(ns)}}
}

func tcp(port int) networkingv1.NetworkPolicyPortArgs {
	return networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("TCP"), Port: pulumi.Int(port)}
}

func ipBlocks(cidrs []string) networkingv1.NetworkPolicyPeerArray {
	peers := networkingv1.NetworkPolicyPeerArray{}
	for _, c := range cidrs {
		peers = append(peers, networkingv1.NetworkPolicyPeerArgs{IpBlock: networkingv1.IPBlockArgs{Cidr: pulumi.String(c)}})
	}
	return peers
}

// networkSpecs are the policies: deny by default, then each flow the stack needs. Prometheus,
// Alertmanager, Grafana and kube-state-metrics are selected by the app.kubernetes.io/name their
// operator or chart sets; the flows every pod needs (DNS, the API server, the webhook port, the
// data stores for the exporters) are namespace-wide and narrowed by port.
func networkSpecs(n Network) map[string]*networkingv1.NetworkPolicySpecArgs {
	type (
		peers  = networkingv1.NetworkPolicyPeerArray
		peer   = networkingv1.NetworkPolicyPeerArgs
		ports  = networkingv1.NetworkPolicyPortArray
		egress = networkingv1.NetworkPolicyEgressRuleArray
		in     = networkingv1.NetworkPolicyIngressRuleArray
		to     = networkingv1.NetworkPolicyEgressRuleArgs
		from   = networkingv1.NetworkPolicyIngressRuleArgs
	)
	all := &metav1.LabelSelectorArgs{}
	prometheus, grafana, alertmanager := byName("prometheus"), byName("grafana"), byName("alertmanager")
	ingressOnly, egressOnly := pulumi.ToStringArray([]string{"Ingress"}), pulumi.ToStringArray([]string{"Egress"})
	mesh := ports{tcp(AlertmanagerMeshPort), networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("UDP"), Port: pulumi.Int(AlertmanagerMeshPort)}}
	scrapePorts := ports{}
	for _, p := range slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(StackScrapePorts), n.ScrapePorts...)))) {
		scrapePorts = append(scrapePorts, tcp(p))
	}
	queriers := peers{peer{PodSelector: grafana}}
	if n.AdapterNamespace != "" {
		queriers = append(queriers, peer{NamespaceSelector: inNamespace(n.AdapterNamespace), PodSelector: byName("prometheus-adapter")})
	}
	return map[string]*networkingv1.NetworkPolicySpecArgs{
		"default-deny": {PodSelector: all, PolicyTypes: pulumi.ToStringArray([]string{"Ingress", "Egress"})},
		"allow-dns": {PodSelector: all, PolicyTypes: egressOnly, Egress: egress{to{
			To: peers{peer{NamespaceSelector: inNamespace("kube-system"), PodSelector: &metav1.LabelSelectorArgs{
				MatchLabels: pulumi.StringMap{"k8s-app": pulumi.String("kube-dns")}}}},
			Ports: ports{networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("UDP"), Port: pulumi.Int(53)}, tcp(53)},
		}}},
		// The API server (its addresses are EKS's to choose) and the alert receivers (Slack,
		// PagerDuty, the heartbeat) are HTTPS; never the instance metadata service.
		"allow-https-egress": {PodSelector: all, PolicyTypes: egressOnly, Egress: egress{to{
			To: peers{peer{IpBlock: networkingv1.IPBlockArgs{
				Cidr: pulumi.String("0.0.0.0/0"), Except: pulumi.ToStringArray([]string{MetadataCIDR})}}},
			Ports: ports{tcp(443)},
		}}},
		// Prometheus scrapes pods in every namespace on their metrics ports, the kubelets and
		// node-exporter.
		"allow-prometheus-scrape": {PodSelector: prometheus, PolicyTypes: egressOnly, Egress: egress{
			to{To: peers{peer{NamespaceSelector: &metav1.LabelSelectorArgs{}}}, Ports: scrapePorts},
			to{To: ipBlocks(n.NodeCIDRs), Ports: ports{tcp(KubeletPort), tcp(NodeExporterPort)}},
		}},
		// Every pod here admits Prometheus (its scrapes, and its alerts to Alertmanager).
		"allow-scrapes-from-prometheus": {PodSelector: all, PolicyTypes: ingressOnly, Ingress: in{
			from{From: peers{peer{PodSelector: prometheus}}},
		}},
		"allow-prometheus-queries": {PodSelector: prometheus, PolicyTypes: ingressOnly, Ingress: in{
			from{From: queriers, Ports: ports{tcp(PrometheusPort)}},
		}},
		"allow-grafana-queries": {PodSelector: grafana, PolicyTypes: egressOnly, Egress: egress{
			to{To: peers{peer{PodSelector: prometheus}}, Ports: ports{tcp(PrometheusPort)}},
			to{To: peers{peer{PodSelector: alertmanager}}, Ports: ports{tcp(AlertmanagerPort)}},
		}},
		"allow-alertmanager": {PodSelector: alertmanager, PolicyTypes: pulumi.ToStringArray([]string{"Ingress", "Egress"}),
			Ingress: in{
				from{From: peers{peer{PodSelector: grafana}}, Ports: ports{tcp(AlertmanagerPort)}},
				from{From: peers{peer{PodSelector: alertmanager}}, Ports: mesh},
			},
			Egress: egress{to{To: peers{peer{PodSelector: alertmanager}}, Ports: mesh}},
		},
		"allow-exporters-to-data-stores": {PodSelector: all, PolicyTypes: egressOnly, Egress: egress{to{
			To: ipBlocks(n.DataStoreCIDRs), Ports: ports{tcp(n.DatabasePort), tcp(n.CachePort)},
		}}},
		// The API server calls the operator's admission webhook from the control plane.
		"allow-operator-webhook": {PodSelector: all, PolicyTypes: ingressOnly, Ingress: in{from{
			From:  peers{peer{IpBlock: networkingv1.IPBlockArgs{Cidr: pulumi.String("0.0.0.0/0")}}},
			Ports: ports{tcp(OperatorWebhookPort)},
		}}},
	}
}

// networkPolicies creates the namespace's policies.
func networkPolicies(ctx *pulumi.Context, name string, args Args, meta func(string) *metav1.ObjectMetaArgs, opts []pulumi.ResourceOption) error {
	specs := networkSpecs(args.Network)
	for _, policy := range NetworkPolicyNames {
		if _, err := networkingv1.NewNetworkPolicy(ctx, name+"-"+policy, &networkingv1.NetworkPolicyArgs{
			Metadata: meta(policy), Spec: specs[policy],
		}, opts...); err != nil {
			return err
		}
	}
	return nil
}
