package monitoring

import (
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Pod Security levels of the two namespaces.
type podSecurity struct{ Enforce, Warn string }

var (
	// PodSecurityStack enforces baseline (no host namespaces, no privilege) and warns and
	// audits at restricted: every chart's values set restricted contexts, and a pod that still
	// misses one is reported on each apply instead of being refused, as charts add containers
	// between versions.
	PodSecurityStack = podSecurity{Enforce: "baseline", Warn: "restricted"}
	// PodSecurityNodeExporter is node-exporter's own namespace: it reads the host.
	PodSecurityNodeExporter = podSecurity{Enforce: "privileged", Warn: "privileged"}
)

// PodSecurityLabels are a namespace's pod-security.kubernetes.io labels.
func PodSecurityLabels(p podSecurity) map[string]string {
	return map[string]string{
		"pod-security.kubernetes.io/enforce": p.Enforce,
		"pod-security.kubernetes.io/audit":   p.Warn,
		"pod-security.kubernetes.io/warn":    p.Warn,
	}
}

// GrafanaServiceAccount is the ServiceAccount the Grafana chart creates (named, so the Role
// below can bind it).
const GrafanaServiceAccount = "grafana"

// grafanaRole replaces the Grafana chart's RBAC (a ClusterRole that reads ConfigMaps and Secrets
// in every namespace): the dashboard and datasource sidecars get ConfigMaps of this namespace
// only, where this component creates the dashboards and the chart its datasource.
func grafanaRole(ctx *pulumi.Context, name string, args Args, meta func(string) *metav1.ObjectMetaArgs, opts []pulumi.ResourceOption) ([]pulumi.Resource, error) {
	role, err := rbacv1.NewRole(ctx, name+"-grafana-sidecar", &rbacv1.RoleArgs{
		Metadata: meta("grafana-sidecar"),
		Rules: rbacv1.PolicyRuleArray{rbacv1.PolicyRuleArgs{
			ApiGroups: pulumi.ToStringArray([]string{""}),
			Resources: pulumi.ToStringArray([]string{"configmaps"}),
			Verbs:     pulumi.ToStringArray([]string{"get", "list", "watch"}),
		}},
	}, opts...)
	if err != nil {
		return nil, err
	}
	binding, err := rbacv1.NewRoleBinding(ctx, name+"-grafana-sidecar", &rbacv1.RoleBindingArgs{
		Metadata: meta("grafana-sidecar"),
		RoleRef:  rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("Role"), Name: role.Metadata.Name().Elem()},
		Subjects: rbacv1.SubjectArray{rbacv1.SubjectArgs{Kind: pulumi.String("ServiceAccount"), Name: pulumi.String(GrafanaServiceAccount), Namespace: pulumi.String(args.Namespace)}},
	}, opts...)
	if err != nil {
		return nil, err
	}
	return []pulumi.Resource{role, binding}, nil
}
