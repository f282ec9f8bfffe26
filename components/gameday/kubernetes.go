package gameday

import (
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/catalog"
)

// PodAccessArgs place the pod drills' Kubernetes permissions in the dataplane's namespace.
type PodAccessArgs struct {
	Namespace pulumi.StringInput
	Labels    map[string]string
}

// PodAccess is what FIS needs inside the cluster for aws:eks:pod-* actions: the ServiceAccount
// its pod runs as and a Role, bound to that ServiceAccount and to the experiment roles' user
// (catalog.FISKubernetesUser), in the dataplane's namespace only (FIS user guide, "Use the AWS
// FIS aws:eks:pod actions").
type PodAccess struct {
	pulumi.ResourceState
}

// PodAccessRules are the Role's rules: the FIS pod and its ConfigMap, ephemeral containers for
// the stress actions, and reading the Deployment that owns a target.
var PodAccessRules = []struct {
	Group, Resource string
	Verbs           []string
}{
	{"", "configmaps", []string{"get", "create", "patch", "delete"}},
	{"", "pods", []string{"create", "list", "get", "delete", "deletecollection"}},
	{"", "pods/ephemeralcontainers", []string{"update"}},
	{"", "pods/exec", []string{"create"}},
	{"apps", "deployments", []string{"get"}},
}

// NewPodAccess creates the ServiceAccount, Role and RoleBinding.
func NewPodAccess(ctx *pulumi.Context, name string, args PodAccessArgs, opts ...pulumi.ResourceOption) (*PodAccess, error) {
	p := &PodAccess{}
	if err := ctx.RegisterComponentResource(PodAccessTypeToken, name, p, opts...); err != nil {
		return nil, err
	}
	here := pulumi.Parent(p)
	meta := &metav1.ObjectMetaArgs{Name: pulumi.String(ServiceAccount), Namespace: args.Namespace, Labels: pulumi.ToStringMap(args.Labels)}
	if _, err := corev1.NewServiceAccount(ctx, name+"-sa", &corev1.ServiceAccountArgs{
		Metadata: meta, AutomountServiceAccountToken: pulumi.Bool(true),
	}, here); err != nil {
		return nil, err
	}
	var rules rbacv1.PolicyRuleArray
	for _, r := range PodAccessRules {
		rules = append(rules, rbacv1.PolicyRuleArgs{ApiGroups: pulumi.ToStringArray([]string{r.Group}), Resources: pulumi.ToStringArray([]string{r.Resource}), Verbs: pulumi.ToStringArray(r.Verbs)})
	}
	role, err := rbacv1.NewRole(ctx, name+"-role", &rbacv1.RoleArgs{Metadata: meta, Rules: rules}, here)
	if err != nil {
		return nil, err
	}
	_, err = rbacv1.NewRoleBinding(ctx, name+"-binding", &rbacv1.RoleBindingArgs{
		Metadata: meta,
		RoleRef:  rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("Role"), Name: role.Metadata.Name().Elem()},
		Subjects: rbacv1.SubjectArray{
			rbacv1.SubjectArgs{Kind: pulumi.String("ServiceAccount"), Name: pulumi.String(ServiceAccount), Namespace: args.Namespace},
			rbacv1.SubjectArgs{Kind: pulumi.String("User"), Name: pulumi.String(catalog.FISKubernetesUser), ApiGroup: pulumi.String("rbac.authorization.k8s.io")},
		},
	}, here)
	if err != nil {
		return nil, err
	}
	return p, ctx.RegisterResourceOutputs(p, pulumi.Map{})
}
