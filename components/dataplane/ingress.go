package dataplane

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MaintenanceResponse is the fixed response the ALB gives while maintenance mode is on.
func MaintenanceResponse() string {
	return fixedResponse("503", `{"error":"maintenance","message":"The service is under maintenance. Please retry later."}`)
}

// MetricsNotPublicResponse is the ALB action that answers the server's /metrics from outside.
func MetricsNotPublicResponse() string {
	return fixedResponse("404", `{"detail":"Not Found"}`)
}

func fixedResponse(status, body string) string {
	b, _ := json.Marshal(map[string]any{
		"type": "fixed-response",
		"fixedResponseConfig": map[string]any{
			"contentType": "application/json",
			"statusCode":  status,
			"messageBody": body,
		},
	})
	return string(b)
}

// ReadinessGateLabel opts a namespace into the AWS Load Balancer Controller's pod readiness gates.
const ReadinessGateLabel = "elbv2.k8s.aws/pod-readiness-gate-inject"

// IngressAnnotation is the AWS Load Balancer Controller annotation prefix.
const IngressAnnotation = "alb.ingress.kubernetes.io/"

func ingress(ctx *pulumi.Context, name string, args Args, meta func(string, string) *metav1.ObjectMetaArgs,
	svc *corev1.Service, opts []pulumi.ResourceOption,
) (*networkingv1.Ingress, error) {
	in := args.Ingress
	tagPairs := make([]string, 0, len(in.Tags)+1)
	for k, v := range in.Tags {
		tagPairs = append(tagPairs, k+"="+v)
	}
	tagPairs = append(tagPairs, LoadBalancerTag+"="+IngressTagValue(args.Namespace))
	sort.Strings(tagPairs)
	lbAttributes := pulumi.All(in.AccessLogBucket).ApplyT(func(v []any) string {
		return strings.Join([]string{
			fmt.Sprintf("idle_timeout.timeout_seconds=%d", in.IdleTimeoutSeconds),
			"access_logs.s3.enabled=true",
			"access_logs.s3.bucket=" + v[0].(string),
			"access_logs.s3.prefix=" + in.AccessLogPrefix,
			"routing.http.drop_invalid_header_fields.enabled=true",
			fmt.Sprintf("deletion_protection.enabled=%t", in.DeletionProtection),
		}, ",")
	}).(pulumi.StringOutput)
	annotations := pulumi.StringMap{
		IngressAnnotation + "scheme":                   pulumi.String(in.Scheme),
		IngressAnnotation + "target-type":              pulumi.String("ip"),
		IngressAnnotation + "listen-ports":             pulumi.String(`[{"HTTP":80},{"HTTPS":443}]`),
		IngressAnnotation + "ssl-redirect":             pulumi.String("443"),
		IngressAnnotation + "certificate-arn":          pulumi.String(in.CertificateARN),
		IngressAnnotation + "ssl-policy":               pulumi.String(in.SSLPolicy),
		IngressAnnotation + "backend-protocol":         pulumi.String("HTTP"),
		IngressAnnotation + "healthcheck-path":         pulumi.String(HealthPath),
		IngressAnnotation + "healthcheck-port":         pulumi.String("traffic-port"),
		IngressAnnotation + "success-codes":            pulumi.String("200"),
		IngressAnnotation + "load-balancer-attributes": lbAttributes,
		// Deregistration waits as long as a pod may take to finish its runs.
		IngressAnnotation + "target-group-attributes": pulumi.String(fmt.Sprintf("deregistration_delay.timeout_seconds=%d", args.TerminationGracePeriodSeconds)),
		IngressAnnotation + "wafv2-acl-arn":           in.WebACLARN,
		IngressAnnotation + "tags":                    pulumi.String(strings.Join(tagPairs, ",")),
	}
	backend := networkingv1.IngressBackendArgs{Service: networkingv1.IngressServiceBackendArgs{
		Name: svc.Metadata.Name().Elem(),
		Port: networkingv1.ServiceBackendPortArgs{Name: pulumi.String(APIPortName)},
	}}
	if in.MaintenanceMode {
		annotations[IngressAnnotation+"actions."+MaintenanceAction] = pulumi.String(MaintenanceResponse())
		backend = networkingv1.IngressBackendArgs{Service: networkingv1.IngressServiceBackendArgs{
			Name: pulumi.String(MaintenanceAction),
			Port: networkingv1.ServiceBackendPortArgs{Name: pulumi.String("use-annotation")},
		}}
	}
	// The server serves /metrics on the API port without a credential; Prometheus reads it inside
	// the cluster, and the load balancer answers it 404 for everyone else.
	annotations[IngressAnnotation+"actions."+MetricsNotPublicAction] = pulumi.String(MetricsNotPublicResponse())
	metricsBackend := networkingv1.IngressBackendArgs{Service: networkingv1.IngressServiceBackendArgs{
		Name: pulumi.String(MetricsNotPublicAction),
		Port: networkingv1.ServiceBackendPortArgs{Name: pulumi.String("use-annotation")},
	}}
	if args.Auth.UnauthenticatedReason != "" {
		annotations[UnauthenticatedAnnotation] = pulumi.String(args.Auth.UnauthenticatedReason)
	}
	m := meta(Name, ComponentAPI)
	m.Annotations = annotations
	rules := networkingv1.IngressRuleArray{networkingv1.IngressRuleArgs{
		Host: pulumi.String(in.Host),
		Http: networkingv1.HTTPIngressRuleValueArgs{Paths: networkingv1.HTTPIngressPathArray{
			networkingv1.HTTPIngressPathArgs{Path: pulumi.String(MetricsPath), PathType: pulumi.String("Prefix"), Backend: metricsBackend},
			networkingv1.HTTPIngressPathArgs{Path: pulumi.String("/"), PathType: pulumi.String("Prefix"), Backend: backend},
		}},
	}}
	if in.HealthOnAnyHost {
		rules = append(rules, networkingv1.IngressRuleArgs{Http: networkingv1.HTTPIngressRuleValueArgs{Paths: networkingv1.HTTPIngressPathArray{
			networkingv1.HTTPIngressPathArgs{Path: pulumi.String(HealthPath), PathType: pulumi.String("Exact"), Backend: backend},
		}}})
	}
	return networkingv1.NewIngress(ctx, name+"-ingress", &networkingv1.IngressArgs{
		Metadata: m,
		Spec: &networkingv1.IngressSpecArgs{
			IngressClassName: pulumi.String(in.ClassName),
			Tls:              networkingv1.IngressTLSArray{networkingv1.IngressTLSArgs{Hosts: pulumi.ToStringArray([]string{in.Host})}},
			Rules:            rules,
		},
	}, opts...)
}
