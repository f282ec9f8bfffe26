package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/policy"
	"github.com/langgraph-platform/infra/internal/render"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

func repoPath(t *testing.T, parts ...string) string {
	root, err := harness.RepoRoot()
	require.NoError(t, err)
	return filepath.Join(append([]string{root}, parts...)...)
}

func loadPack(t *testing.T) *policy.Pack {
	p, err := policy.Load(repoPath(t, "policies"))
	require.NoError(t, err)
	return p
}

func loadPolicyConfig(t *testing.T, stack string) policy.Config {
	cfg, err := policy.LoadConfig(repoPath(t, "policy-config", stack+".json"))
	require.NoError(t, err)
	return cfg
}

func evaluate(t *testing.T, pack *policy.Pack, stack string, docs []map[string]any) []policy.Violation {
	vs, err := pack.Evaluate(context.Background(), docs, loadPolicyConfig(t, stack))
	require.NoError(t, err)
	return vs
}

func TestPackFollowsTheAnalyzersConventions(t *testing.T) {
	pack := loadPack(t)
	assert.Equal(t, "langgraph", pack.Package)
	name := regexp.MustCompile(`^(stack_)?(deny|warn)_[a-z0-9]+_[a-z0-9]+$`)
	require.GreaterOrEqual(t, len(pack.Rules), 30)
	for _, r := range pack.Rules {
		assert.Regexp(t, name, r.Name)
		assert.NotEmpty(t, r.Title, "%s has no METADATA title", r.Name)
		assert.NotEmpty(t, r.Description, "%s has no METADATA description", r.Name)
		assert.NotEmpty(t, r.Message, "%s has no METADATA custom.message", r.Name)
	}
	// Rego tests live outside the pack folder: the analyzer loads every .rego under it.
	require.NoError(t, filepath.WalkDir(repoPath(t, "policies"), func(p string, d fs.DirEntry, err error) error {
		assert.False(t, strings.HasSuffix(p, "_test.rego"), "%s: Rego tests belong in tests/policy", p)
		return err
	}))
	for _, stack := range append([]string{"bootstrap"}, stacktest.Stacks...) {
		for rule := range loadPolicyConfig(t, stack) {
			if rule == "all" {
				continue
			}
			found := false
			for _, r := range pack.Rules {
				found = found || r.Name == rule
			}
			assert.True(t, found, "policy-config/%s.json configures %s, which the pack lacks", stack, rule)
		}
	}
}

func TestBothStacksHaveNoMandatoryViolations(t *testing.T) {
	pack := loadPack(t)
	for _, stack := range stacktest.Stacks {
		vs := evaluate(t, pack, stack, render.AnalyzerDocuments(stacktest.Run(t, stack, nil)))
		assert.Empty(t, policy.MandatoryViolations(vs), "%s", stack)
	}
}

// mutation changes one real resource of a stack's rendering.
type mutation struct {
	stack  string
	set    map[string]any // config changes for a compliant original, when the default is not
	typ    string         // the resource: its type ...
	name   string         // ... and the end of its name
	path   []any          // the property path to change; nil with mutate
	value  any
	delete bool                     // remove the property instead
	mutate func(doc map[string]any) // a change that needs the document
	remove []string                 // remove the resources of typ whose names end with these
	// add builds resources the program does not create (a CronJob, a ClusterRoleBinding...),
	// shaped as the analyzer shows them (see synthetic).
	add  func(base *harness.Result) []map[string]any
	want string // the message names this
}

var (
	deployment      = "kubernetes:apps/v1:Deployment"
	container       = []any{"spec", "template", "spec", "containers", 0}
	hpaType         = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	rdsType         = "aws:rds/instance:Instance"
	iamPolicyType   = "aws:iam/policy:Policy"
	ingressType     = "kubernetes:networking.k8s.io/v1:Ingress"
	cacheType       = "aws:elasticache/replicationGroup:ReplicationGroup"
	eksClusterType  = "aws:eks/cluster:Cluster"
	fisTemplateType = "aws:fis/experimentTemplate:ExperimentTemplate"
	withHeadroom    = map[string]any{"capacity.headroomPods": 6}
)

func at(base []any, more ...any) []any { return append(append([]any(nil), base...), more...) }

func mutations() map[string]mutation {
	secCtx := at(container, "securityContext")
	annotations := []any{"metadata", "annotations"}
	return map[string]mutation{
		// The created cluster and network: the sandbox stack (cluster.mode create).
		"deny_eks_publicendpoint#1": {stack: "sandbox", typ: eksClusterType, name: "-eks", path: []any{"vpcConfig", "publicAccessCidrs"}, value: []any{"0.0.0.0/0"}, want: "admits 0.0.0.0/0"},
		"deny_eks_publicendpoint#2": {stack: "sandbox", typ: eksClusterType, name: "-eks", path: []any{"vpcConfig", "publicAccessCidrs"}, delete: true, want: "admits 0.0.0.0/0"},
		"deny_eks_controlplanelogging": {stack: "sandbox", typ: eksClusterType, name: "-eks", path: []any{"enabledClusterLogTypes"}, value: []any{"api", "authenticator"},
			want: `control-plane log types ["audit", "controllerManager", "scheduler"] are off`},
		"deny_eks_secretsencryption":   {stack: "sandbox", typ: eksClusterType, name: "-eks", path: []any{"encryptionConfig", "resources"}, value: []any{}, want: "Secrets are not envelope-encrypted"},
		"stack_deny_vpc_flowlogs":      {stack: "sandbox", typ: "aws:ec2/flowLog:FlowLog", remove: []string{"-flow-log"}, want: "langgraph-sandbox-network-vpc"},
		"deny_k8s_runasnonroot":        {typ: deployment, name: "-dataplane-deployment", path: at(secCtx, "runAsNonRoot"), value: false, want: "langgraph-api"},
		"deny_k8s_privilegeescalation": {typ: deployment, name: "-dataplane-deployment", path: at(secCtx, "allowPrivilegeEscalation"), delete: true, want: "langgraph-api"},
		"deny_k8s_capabilities#1":      {typ: deployment, name: "-dataplane-deployment", path: at(secCtx, "capabilities", "drop"), delete: true, want: "langgraph-api"},
		"deny_k8s_capabilities#2":      {typ: deployment, name: "-dataplane-deployment", path: at(secCtx, "capabilities", "add"), value: []any{"NET_ADMIN"}, want: "adds capabilities"},
		"deny_k8s_seccomp":             {typ: deployment, name: "-dataplane-deployment", path: at(secCtx, "seccompProfile", "type"), value: "Unconfined", want: "langgraph-api"},
		"deny_k8s_privileged":          {typ: deployment, name: "-dataplane-deployment", path: at(secCtx, "privileged"), value: true, want: "langgraph-api"},
		"deny_k8s_hostnamespaces":      {typ: deployment, name: "-dataplane-deployment", path: []any{"spec", "template", "spec", "hostNetwork"}, value: true, want: "hostNetwork"},
		"deny_k8s_hostpath": {typ: deployment, name: "-dataplane-deployment", path: []any{"spec", "template", "spec", "volumes", 0, "hostPath"},
			value: map[string]any{"path": "/var/run"}, want: "/var/run"},
		"deny_k8s_resources#1": {typ: deployment, name: "-dataplane-deployment", path: at(container, "resources", "limits", "memory"), delete: true, want: "limits.memory"},
		"deny_k8s_resources#2": {typ: deployment, name: "-dataplane-deployment", path: at(container, "resources", "requests", "memory"), delete: true, want: "requests.memory"},
		"deny_k8s_resources#3": {typ: deployment, name: "-dataplane-deployment", path: at(container, "resources", "limits", "ephemeral-storage"), delete: true, want: "limits.ephemeral-storage"},
		"deny_helm_resources#1": {typ: "kubernetes:helm.sh/v3:Release", name: "-monitoring-stack", path: []any{"values", "prometheus-node-exporter", "resources", "requests", "memory"},
			delete: true, want: `values.prometheus-node-exporter.resources has no requests.memory`},
		"deny_helm_resources#2": {typ: "kubernetes:helm.sh/v3:Release", name: "-addons-metrics-server", path: []any{"values", "resources"}, value: map[string]any{},
			want: `chart "metrics-server" values.resources has no requests.memory`},
		"deny_k8s_probesdistinct": {typ: deployment, name: "-dataplane-deployment", mutate: func(doc map[string]any) {
			c := doc["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
			c["livenessProbe"] = c["readinessProbe"]
		}, want: `livenessProbe checks {"httpGet": {"path": "/ok", "port": "api"}}`},
		"deny_k8s_imagepinned": {typ: deployment, name: "-dataplane-deployment", path: at(container, "image"), value: "langgraph-agents:latest", want: "langgraph-agents:latest"},
		"deny_helm_pinned#1":   {typ: "kubernetes:helm.sh/v3:Release", name: "-addons-metrics-server", path: []any{"version"}, value: "^3.13", want: `version "^3.13" is not exact`},
		"deny_helm_pinned#2": {typ: "kubernetes:helm.sh/v3:Release", name: "-addons-metrics-server", path: []any{"repositoryOpts", "repo"},
			value: "http://charts.example.com", want: `repository "http://charts.example.com" is not fetched over TLS`},
		"deny_k8s_probes":       {typ: deployment, name: "-dataplane-deployment", path: at(container, "readinessProbe"), delete: true, want: "readinessProbe"},
		"deny_k8s_labels":       {typ: deployment, name: "-dataplane-deployment", path: []any{"metadata", "labels", "app.kubernetes.io/version"}, delete: true, want: "app.kubernetes.io/version"},
		"deny_k8s_namespacepss": {typ: "kubernetes:core/v1:Namespace", name: "-dataplane-namespace", path: []any{"metadata", "labels", "pod-security.kubernetes.io/enforce"}, value: "baseline", want: "baseline"},
		// monitoring is allowed baseline, not lower.
		"deny_k8s_namespacepss#2": {typ: "kubernetes:core/v1:Namespace", name: "-monitoring-namespace", path: []any{"metadata", "labels", "pod-security.kubernetes.io/enforce"}, value: "privileged", want: "privileged"},
		"warn_k8s_imagedigest": {set: map[string]any{"dataplane.image.digest": "sha256:" + strings.Repeat("ab", 32)},
			typ: deployment, name: "-dataplane-deployment", path: at(container, "image"), value: "registry.example/agents:2026.11.20", want: "registry.example/agents:2026.11.20"},
		"deny_hpa_minreplicas":     {typ: hpaType, name: "-dataplane-hpa", path: []any{"spec", "minReplicas"}, value: 1.0, want: "minReplicas is 1"},
		"deny_hpa_range":           {typ: hpaType, name: "-dataplane-hpa", path: []any{"spec", "maxReplicas"}, value: 5.0, want: "maxReplicas is 5"},
		"deny_hpa_utilization#1":   {typ: hpaType, name: "-dataplane-hpa", path: []any{"spec", "metrics", 0, "resource", "target", "averageUtilization"}, value: 0.0, want: "averageUtilization is 0"},
		"deny_hpa_utilization#2":   {typ: hpaType, name: "-dataplane-hpa", path: []any{"spec", "metrics", 0, "resource", "target", "averageUtilization"}, value: 150.0, want: "150"},
		"deny_hpa_scaledownwindow": {typ: hpaType, name: "-dataplane-hpa", path: []any{"spec", "behavior", "scaleDown", "stabilizationWindowSeconds"}, value: 60.0, want: "is 60"},
		"stack_deny_availability_pdb": {typ: "kubernetes:policy/v1:PodDisruptionBudget", name: "-dataplane-pdb",
			path: []any{"spec", "selector", "matchLabels", "app.kubernetes.io/component"}, value: "other", want: "langgraph-dataplane"},
		"stack_deny_availability_defaultdeny": {typ: "kubernetes:networking.k8s.io/v1:NetworkPolicy", name: "-dataplane-default-deny",
			path: []any{"spec", "policyTypes"}, value: []any{"Ingress"}, want: "langgraph-dataplane"},
		"deny_ingress_httpsonly":       {typ: "kubernetes:networking.k8s.io/v1:Ingress", name: "-dataplane-ingress", path: at(annotations, "alb.ingress.kubernetes.io/certificate-arn"), delete: true, want: "certificate-arn"},
		"deny_ingress_waf":             {typ: "kubernetes:networking.k8s.io/v1:Ingress", name: "-dataplane-ingress", path: at(annotations, "alb.ingress.kubernetes.io/wafv2-acl-arn"), delete: true, want: "wafv2-acl-arn"},
		"deny_rds_encrypted":           {typ: rdsType, name: "-db-primary", path: []any{"storageEncrypted"}, value: false, want: "langgraph-prod-db-primary"},
		"deny_rds_public":              {typ: rdsType, name: "-db-primary", path: []any{"publiclyAccessible"}, value: true, want: "langgraph-prod-db-primary"},
		"deny_rds_backupretention":     {typ: rdsType, name: "-db-primary", path: []any{"backupRetentionPeriod"}, value: 7.0, want: "backupRetentionPeriod is 7"},
		"deny_rds_deletionprotection":  {typ: rdsType, name: "-db-primary", path: []any{"deletionProtection"}, delete: true, want: "langgraph-prod-db-primary"},
		"deny_rds_multiaz":             {typ: rdsType, name: "-db-primary", path: []any{"multiAz"}, value: false, want: "langgraph-prod-db-primary"},
		"deny_rds_performanceinsights": {typ: rdsType, name: "-db-replica-1", path: []any{"performanceInsightsEnabled"}, value: false, want: "langgraph-prod-db-replica-1"},
		"stack_deny_rds_forcessl#1": {typ: "aws:rds/parameterGroup:ParameterGroup", name: "-db-params", mutate: func(doc map[string]any) {
			setParameter(doc, "rds.force_ssl", "0")
		}, want: "langgraph-prod-db-params"},
		"stack_deny_rds_forcessl#2": {typ: rdsType, name: "-db-primary", mutate: func(doc map[string]any) {
			doc["parameterGroupName"] = "default.postgres17"
			if deps, ok := doc["propertyDependencies"].(map[string]any); ok {
				delete(deps, "parameterGroupName")
			}
		}, want: "uses no parameter group of this stack"},
		"stack_deny_rds_replica": {typ: rdsType, remove: []string{"-db-replica-1", "-db-replica-2"}, want: "0 RDS read replicas"},
		"stack_deny_dr_backupreplication": {typ: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", remove: []string{"-recovery-db-backups"},
			want: "has no automated backups replicated to another region"},
		"stack_deny_dr_restoretesting": {typ: "aws:backup/restoreTestingSelection:RestoreTestingSelection", remove: []string{"-recovery-drill-database"},
			want: "no AWS Backup restore testing plan with an RDS selection"},
		"deny_cache_encryption": {typ: cacheType, name: "-cache", path: []any{"transitEncryptionEnabled"}, value: false, want: "langgraph-prod-cache"},
		"deny_cache_authtoken":  {typ: cacheType, name: "-cache", path: []any{"authToken"}, delete: true, want: "langgraph-prod-cache"},
		"deny_cache_failover":   {typ: cacheType, name: "-cache", path: []any{"multiAzEnabled"}, value: false, want: "langgraph-prod-cache"},
		"deny_cache_nodes":      {typ: cacheType, name: "-cache", path: []any{"numCacheClusters"}, value: 2.0, want: "numCacheClusters is 2"},
		"deny_cache_snapshots":  {typ: cacheType, name: "-cache", path: []any{"snapshotRetentionLimit"}, value: 0.0, want: "langgraph-prod-cache"},
		"stack_deny_cache_evictionpolicy": {typ: "aws:elasticache/parameterGroup:ParameterGroup", name: "-cache-params", mutate: func(doc map[string]any) {
			setParameter(doc, "maxmemory-policy", "volatile-lru")
		}, want: "volatile-lru"},
		"deny_network_openingress#1": {typ: "aws:ec2/securityGroup:SecurityGroup", name: "-db-sg", path: []any{"ingress", 0, "cidrBlocks"}, value: []any{"0.0.0.0/1"}, want: "langgraph-prod-db-sg"},
		// A standalone rule resource, whose own "type" property is not the analyzer's type token.
		"deny_network_openingress#2": {add: func(base *harness.Result) []map[string]any {
			return []map[string]any{synthetic(base, "aws:ec2/securityGroupRule:SecurityGroupRule", "debug-ssh", map[string]any{
				"type": "ingress", "fromPort": 22.0, "toPort": 22.0, "protocol": "tcp", "cidrBlocks": []any{"128.0.0.0/1"}, "securityGroupId": "sg-0123456789abcdef0",
			})}
		}, want: "from 128.0.0.0/1"},
		"deny_tags_required": {typ: "aws:cloudwatch/logGroup:LogGroup", name: "-cache-slow-log", path: []any{"tags", "CostCenter"}, delete: true, want: "CostCenter"},
		"deny_secrets_literalenv": {typ: deployment, name: "-dataplane-deployment", mutate: func(doc map[string]any) {
			for _, e := range dig(doc, container...).(map[string]any)["env"].([]any) {
				if m := e.(map[string]any); m["name"] == "POSTGRES_URI" {
					delete(m, "valueFrom")
					m["value"] = "postgresql://langgraph_admin:hunter2@db.internal:5432/langgraph"
				}
			}
		}, want: "POSTGRES_URI"},
		"deny_secrets_configmap": {typ: "kubernetes:core/v1:ConfigMap", name: "-dashboard-langgraph-dataplane",
			path: []any{"data", "database_password"}, value: "hunter2", want: "database_password"},
		// Issue 16: the rules a security reviewer expects.
		"deny_iam_wildcardaction": {typ: iamPolicyType, name: "-addons-lbc", mutate: addStatement(map[string]any{
			"Sid": "Everything", "Effect": "Allow", "Action": "ec2:*", "Resource": "arn:aws:ec2:us-east-1:123456789012:instance/i-1"}),
			want: `statement "Everything" allows action "ec2:*"`},
		"deny_iam_wildcardresource": {typ: iamPolicyType, name: "-addons-lbc", mutate: addStatement(map[string]any{
			"Sid": "Rogue", "Effect": "Allow", "Action": []any{"s3:GetObject", "s3:PutObject"}, "Resource": "*"}),
			want: `statement "Rogue" allows write action "s3:PutObject" on every resource`},
		"deny_iam_admin#1": {add: func(base *harness.Result) []map[string]any {
			return []map[string]any{synthetic(base, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "lbc-admin", map[string]any{
				"role": "langgraph-prod-addons-lbc", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})}
		}, want: "attaches arn:aws:iam::aws:policy/AdministratorAccess"},
		"deny_iam_admin#2": {typ: "aws:iam/role:Role", name: "-db-monitoring", path: []any{"managedPolicyArns"},
			value: []any{"arn:aws:iam::aws:policy/PowerUserAccess"}, want: "managed policy arn:aws:iam::aws:policy/PowerUserAccess"},
		"deny_kms_rotation":      {typ: "aws:kms/key:Key", name: "-db-key", path: []any{"enableKeyRotation"}, value: false, want: "enableKeyRotation is false"},
		"deny_encryption_cmk":    {typ: "aws:sns/topic:Topic", name: "-notifications-topic", path: []any{"kmsMasterKeyId"}, value: "alias/aws/sns", want: `kmsMasterKeyId is "alias/aws/sns"`},
		"deny_cache_transitmode": {typ: cacheType, name: "-cache", path: []any{"transitEncryptionMode"}, value: "preferred", want: `transitEncryptionMode is "preferred"`},
		"deny_rds_finalsnapshot": {typ: rdsType, name: "-db-primary", path: []any{"skipFinalSnapshot"}, value: true, want: "skipFinalSnapshot is true"},
		"stack_deny_s3_publicaccess": {typ: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name: "-edge-access-logs",
			path: []any{"blockPublicPolicy"}, value: false, want: "public access block blockPublicPolicy is false"},
		"deny_s3_public#1": {add: func(base *harness.Result) []map[string]any {
			return []map[string]any{synthetic(base, "aws:s3/bucketAclV2:BucketAclV2", "logs-acl", map[string]any{"bucket": "langgraph-prod-logs", "acl": "public-read"})}
		}, want: `acl is "public-read"`},
		"deny_s3_public#2": {typ: "aws:s3/bucketPolicy:BucketPolicy", name: "-edge-access-logs", mutate: addStatement(map[string]any{
			"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::logs/*"}),
			want: `statement "PublicRead" allows Principal * without a condition`},
		"stack_deny_s3_encryption": {typ: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
			remove: []string{"-edge-access-logs"}, want: "has no server-side encryption configuration"},
		"stack_deny_s3_auditversioning": {typ: "aws:s3/bucketVersioningV2:BucketVersioningV2", remove: []string{"-edge-access-logs"},
			want: "holds audit data and its versioning is unset"},
		"deny_ingress_tlspolicy": {typ: ingressType, name: "-dataplane-ingress", path: at(annotations, "alb.ingress.kubernetes.io/ssl-policy"),
			value: "ELBSecurityPolicy-2016-08", want: `ssl-policy is "ELBSecurityPolicy-2016-08"`},
		"deny_ingress_deletionprotection": {typ: ingressType, name: "-dataplane-ingress", mutate: func(doc map[string]any) {
			a := dig(doc, "metadata", "annotations").(map[string]any)
			key := "alb.ingress.kubernetes.io/load-balancer-attributes"
			a[key] = strings.Replace(a[key].(string), "deletion_protection.enabled=true", "deletion_protection.enabled=false", 1)
		}, want: "deletion_protection.enabled=false"},
		"deny_k8s_hostport":              {typ: deployment, name: "-dataplane-deployment", path: at(container, "ports", 0, "hostPort"), value: 8000.0, want: "hostPort is 8000"},
		"deny_k8s_readonlyroot":          {typ: deployment, name: "-dataplane-deployment", path: at(secCtx, "readOnlyRootFilesystem"), value: false, want: "readOnlyRootFilesystem is false"},
		"deny_k8s_automount":             {typ: deployment, name: "-dataplane-deployment", path: []any{"spec", "template", "spec", "automountServiceAccountToken"}, delete: true, want: "automountServiceAccountToken is unset"},
		"deny_k8s_defaultserviceaccount": {typ: deployment, name: "-dataplane-deployment", path: []any{"spec", "template", "spec", "serviceAccountName"}, value: "default", want: `serviceAccountName is "default"`},
		"deny_k8s_loadbalancer":          {typ: "kubernetes:core/v1:Service", name: "-dataplane-service", path: []any{"spec", "type"}, value: "LoadBalancer", want: "type LoadBalancer with no loadBalancerSourceRanges"},
		"stack_deny_network_allowall": {typ: "kubernetes:networking.k8s.io/v1:NetworkPolicy", name: "-dataplane-allow-dns",
			path: []any{"spec", "egress", 0}, value: map[string]any{}, want: "admits every egress peer on every port"},
		"deny_rbac_clusteradmin": {add: func(base *harness.Result) []map[string]any {
			return []map[string]any{synthetic(base, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "ops-admin", map[string]any{
				"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": map[string]any{"name": "ops-admin"},
				"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
				"subjects": []any{map[string]any{"kind": "ServiceAccount", "name": "langgraph-dataplane", "namespace": "langgraph"}}})}
		}, want: `binds ClusterRole "cluster-admin"`},
		"deny_rbac_wildcard": {add: func(base *harness.Result) []map[string]any {
			return []map[string]any{synthetic(base, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "reader", map[string]any{
				"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": map[string]any{"name": "reader"},
				"rules": []any{map[string]any{"apiGroups": []any{""}, "resources": []any{"*"}, "verbs": []any{"get"}}}})}
		}, want: `a rule's resources include "*"`},
		"deny_rbac_escalation": {add: func(base *harness.Result) []map[string]any {
			return []map[string]any{synthetic(base, "kubernetes:rbac.authorization.k8s.io/v1:Role", "binder", map[string]any{
				"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": map[string]any{"name": "binder", "namespace": "langgraph"},
				"rules": []any{map[string]any{"apiGroups": []any{"rbac.authorization.k8s.io"}, "resources": []any{"rolebindings"}, "verbs": []any{"create", "bind"}}}})}
		}, want: `a rule grants "bind"`},
		"deny_helm_credentialliteral": {typ: "kubernetes:helm.sh/v3:Release", name: "-monitoring-stack", path: []any{"values", "grafana", "adminPassword"},
			value: "hunter2", want: "values.grafana.adminPassword holds a literal"},
		"stack_deny_auth_openingress": {typ: deployment, name: "-dataplane-deployment", mutate: func(doc map[string]any) {
			for _, e := range dig(doc, container...).(map[string]any)["env"].([]any) {
				if m := e.(map[string]any); m["name"] == "LANGGRAPH_AUTH_TYPE" {
					m["value"] = "noop"
				}
			}
		}, want: "whose LANGGRAPH_AUTH_TYPE is noop; allowed: langsmith or custom"},
		"stack_deny_waf_logging": {typ: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", remove: []string{"-edge-waf-logging"},
			want: "has no logging configuration"},
		// Issue 31: nothing public by policy, trust always scoped.
		"deny_iam_publicprincipal": {typ: "aws:sns/topicPolicy:TopicPolicy", name: "-notifications-topic", mutate: addStatement(map[string]any{
			"Sid": "Everyone", "Effect": "Allow", "Principal": map[string]any{"AWS": "*"}, "Action": "sns:Publish", "Resource": "*",
			"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "true"}}}),
			want: `statement "Everyone" allows a public principal ({"AWS":"*"}) without a condition on the source account`},
		"deny_iam_oidctrust#1": {typ: "aws:iam/role:Role", name: "-addons-lbc", mutate: setDocument("assumeRolePolicy", webIdentityTrust(githubProvider,
			map[string]any{"StringEquals": map[string]any{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}})),
			want: "without a condition on token.actions.githubusercontent.com:sub"},
		"deny_iam_oidctrust#2": {typ: "aws:iam/role:Role", name: "-addons-lbc", mutate: setDocument("assumeRolePolicy", webIdentityTrust(githubProvider,
			map[string]any{"StringLike": map[string]any{"token.actions.githubusercontent.com:sub": "repo:acme/*"}})),
			want: `admits GitHub sub "repo:acme/*", which names no single repository`},
		"deny_iam_oidctrust#3": {typ: "aws:iam/role:Role", name: "-addons-lbc", mutate: setDocument("assumeRolePolicy", webIdentityTrust(eksProvider,
			map[string]any{"StringLike": map[string]any{eksIssuer + ":sub": "system:serviceaccount:kube-system:*"}})),
			want: `admits sub "system:serviceaccount:kube-system:*"`},
		"deny_iam_passrolewildcard": {typ: iamPolicyType, name: "-addons-lbc", mutate: addStatement(map[string]any{
			"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
			"Condition": map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ec2.amazonaws.com"}}}),
			want: `statement "Pass" allows iam:PassRole on "*"`},
		// Issue 32: headroom placeholders.
		"deny_k8s_priorityclass#1": {set: withHeadroom, typ: priorityClassType, name: "-dataplane-headroom-priority", path: []any{"preemptionPolicy"},
			value: "PreemptLowerPriority", want: "with preemptionPolicy PreemptLowerPriority; allowed: Never"},
		"deny_k8s_priorityclass#2": {set: withHeadroom, typ: priorityClassType, name: "-dataplane-headroom-priority", path: []any{"value"},
			value: -100.0, want: "value -100 is below -10, the Cluster Autoscaler's expendable cut-off"},
		"deny_k8s_priorityclass#3": {set: withHeadroom, typ: priorityClassType, name: "-dataplane-headroom-priority", path: []any{"globalDefault"},
			value: true, want: "is the global default"},
		"stack_deny_k8s_headroompriority#1": {set: withHeadroom, typ: deployment, name: "-dataplane-deployment", path: []any{"spec", "template", "spec", "priorityClassName"},
			delete: true, want: "names no priorityClassName beside placeholders at -1"},
		"stack_deny_k8s_headroompriority#2": {set: withHeadroom, typ: priorityClassType, name: "-dataplane-dataplane-priority", mutate: func(doc map[string]any) {
			doc["value"], doc["preemptionPolicy"] = -1.0, "Never" // as low as the placeholders, and a valid negative class
		}, want: `runs at PriorityClass "langgraph-prod-dataplane" (-1), not above the placeholders' -1`},
		"stack_deny_k8s_headroompriority#3": {set: withHeadroom, typ: deployment, name: "-dataplane-deployment", path: []any{"spec", "template", "spec", "priorityClassName"},
			value: "batch-low", want: `names PriorityClass "batch-low", which the stack does not create`},
		// Issue 29: game-day drills (staging runs them).
		"deny_fis_stopcondition": {stack: "staging", typ: fisTemplateType, name: "-gameday-podDelete", path: []any{"stopConditions"},
			value: []any{map[string]any{"source": "none"}}, want: "no CloudWatch alarm stop condition"},
		"stack_deny_fis_rolescope#1": {stack: "staging", typ: "aws:iam/rolePolicy:RolePolicy", name: "-gameday-nodeTermination-policy",
			mutate: editStatement("TerminateOnlyThisClustersNodes", func(st map[string]any) { delete(st, "Condition") }),
			want:   `statement "TerminateOnlyThisClustersNodes" allows "ec2:TerminateInstances" on "arn:aws:ec2:us-east-1:123456789012:instance/*"`},
		"stack_deny_fis_rolescope#2": {stack: "staging", typ: "aws:iam/role:Role", name: "-gameday-databaseFailover-role", mutate: func(doc map[string]any) {
			b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				// A region condition satisfies the general wildcard rule, not this one.
				"Sid": "AnyInstance", "Effect": "Allow", "Action": "rds:RebootDBInstance", "Resource": "*",
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:RequestedRegion": "us-east-1"}}}}})
			doc["inlinePolicies"] = []any{map[string]any{"name": "extra", "policy": string(b)}}
		}, want: `inline policy "extra": statement "AnyInstance" allows "rds:RebootDBInstance" on "*"`},
		"stack_deny_capacity_dbconnections": {typ: deployment, name: "-dataplane-deployment", mutate: func(doc map[string]any) {
			for _, e := range dig(doc, container...).(map[string]any)["env"].([]any) {
				if m := e.(map[string]any); m["name"] == "LANGGRAPH_POSTGRES_POOL_MAX_SIZE" {
					m["value"] = "120"
				}
			}
		}, want: "50 replicas x 120 connections = 6000"},
	}
}

// OIDC providers for trust mutations: GitHub Actions and an EKS cluster's issuer.
const (
	eksIssuer      = "oidc.eks.us-east-1.amazonaws.com/id/5C0FFEE5C0FFEE5C0FFEE5C0FFEE5C0F"
	githubProvider = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
	eksProvider    = "arn:aws:iam::123456789012:oidc-provider/" + eksIssuer
)

// webIdentityTrust is a trust policy for an OIDC provider with the given condition.
func webIdentityTrust(provider string, condition map[string]any) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Sid": "WebIdentity", "Effect": "Allow", "Principal": map[string]any{"Federated": provider},
		"Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}}}
}

// setDocument returns a mutation that replaces a resource's JSON policy property.
func setDocument(property string, doc map[string]any) func(map[string]any) {
	return func(d map[string]any) {
		b, _ := json.Marshal(doc)
		d[property] = string(b)
	}
}

// editStatement returns a mutation that changes one statement (by Sid) of a resource's "policy".
func editStatement(sid string, edit func(map[string]any)) func(doc map[string]any) {
	return func(doc map[string]any) {
		var p map[string]any
		if err := json.Unmarshal([]byte(doc["policy"].(string)), &p); err != nil {
			panic(err)
		}
		for _, st := range p["Statement"].([]any) {
			if m := st.(map[string]any); m["Sid"] == sid {
				edit(m)
			}
		}
		b, _ := json.Marshal(p)
		doc["policy"] = string(b)
	}
}

// addStatement returns a mutation that appends a statement to a resource's JSON "policy".
func addStatement(st map[string]any) func(doc map[string]any) {
	return func(doc map[string]any) {
		var p map[string]any
		if err := json.Unmarshal([]byte(doc["policy"].(string)), &p); err != nil {
			panic(err)
		}
		p["Statement"] = append(p["Statement"].([]any), st)
		b, _ := json.Marshal(p)
		doc["policy"] = string(b)
	}
}

func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v
}

func setParameter(doc map[string]any, name, value string) {
	for _, p := range doc["parameters"].([]any) {
		if m := p.(map[string]any); m["name"] == name {
			m["value"] = value
		}
	}
}

// apply changes the document everywhere the analyzer shows the properties: at the top level and
// in properties and __properties.
func (m mutation) apply(doc map[string]any) {
	for _, view := range []map[string]any{doc, doc["properties"].(map[string]any), doc["__properties"].(map[string]any)} {
		if m.mutate != nil {
			m.mutate(view)
			continue
		}
		parent := dig(view, m.path[:len(m.path)-1]...)
		last := m.path[len(m.path)-1]
		switch p := parent.(type) {
		case map[string]any:
			if m.delete {
				delete(p, last.(string))
			} else {
				p[last.(string)] = m.value
			}
		case []any:
			p[last.(int)] = m.value
		}
	}
}

// mutate returns a copy of docs with the mutation applied: resources removed, added, or one
// resource's property changed.
func mutate(t *testing.T, m mutation, docs []map[string]any, base *harness.Result) []map[string]any {
	t.Helper()
	mutated := copyDocs(t, docs)
	switch {
	case m.add != nil:
		mutated = append(mutated, m.add(base)...)
	case m.remove != nil:
		var kept []map[string]any
		for _, d := range mutated {
			drop := false
			for _, suffix := range m.remove {
				drop = drop || (d["__type"] == m.typ && strings.HasSuffix(d["__name"].(string), suffix))
			}
			if !drop {
				kept = append(kept, d)
			}
		}
		require.Len(t, kept, len(mutated)-len(m.remove))
		mutated = kept
	default:
		n := 0
		for _, d := range mutated {
			if d["__type"] == m.typ && strings.HasSuffix(d["__name"].(string), m.name) {
				m.apply(d)
				n++
			}
		}
		require.Equal(t, 1, n, "want exactly one %s named *%s", m.typ, m.name)
	}
	return mutated
}

// lightDocs are the analyzer's documents of a rendering with the prometheus-operator CRD
// manifests (4.4 MB, in the ConfigGroup's yaml) cut to their size: no rule reads them, and the
// mutation tests copy and evaluate the documents about a hundred times.
// TestBothStacksHaveNoMandatoryViolations evaluates the full documents.
func lightDocs(res *harness.Result) []map[string]any {
	docs := render.AnalyzerDocuments(res)
	for _, d := range docs {
		if d["__type"] != "kubernetes:yaml/v2:ConfigGroup" {
			continue
		}
		for _, m := range []map[string]any{d, asMap(d["__properties"])} {
			if y, ok := m["yaml"].(string); ok {
				m["yaml"] = fmt.Sprintf("<%d bytes of CRD manifests>", len(y))
			}
		}
	}
	return docs
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func copyDocs(t *testing.T, docs []map[string]any) []map[string]any {
	b, err := json.Marshal(docs)
	require.NoError(t, err)
	var out []map[string]any
	require.NoError(t, json.Unmarshal(b, &out))
	return out
}

type firing struct{ rule, urn string }

// firingsAfter are the firings of the whole pack on mutated, given the baseline docs and their
// firings: stack rules are evaluated on every document, per-resource rules only on the
// documents the mutation added or changed (on the others they fire as before). The same result
// as evaluating everything, at a tenth of the cost.
func firingsAfter(t *testing.T, pack *policy.Pack, stack string, base []map[string]any, before map[firing][]string, mutated []map[string]any) map[firing][]string {
	t.Helper()
	baseJSON := map[string]string{}
	for _, d := range base {
		b, err := json.Marshal(d)
		require.NoError(t, err)
		baseJSON[d["__urn"].(string)] = string(b)
	}
	present := map[string]bool{}
	var changed []map[string]any
	for _, d := range mutated {
		urn := d["__urn"].(string)
		present[urn] = true
		b, err := json.Marshal(d)
		require.NoError(t, err)
		if baseJSON[urn] != string(b) {
			changed = append(changed, d)
		}
	}
	isChanged := map[string]bool{}
	for _, d := range changed {
		isChanged[d["__urn"].(string)] = true
	}
	after := map[firing][]string{}
	for k, msgs := range before {
		if k.urn != "" && present[k.urn] && !isChanged[k.urn] {
			after[k] = msgs
		}
	}
	stackRules := pack.Only(func(r policy.Rule) bool { return r.Stack })
	resourceRules := pack.Only(func(r policy.Rule) bool { return !r.Stack })
	for k, msgs := range firings(evaluate(t, stackRules, stack, mutated)) {
		after[k] = msgs
	}
	for k, msgs := range firings(evaluate(t, resourceRules, stack, changed)) {
		after[k] = msgs
	}
	return after
}

func firings(vs []policy.Violation) map[firing][]string {
	out := map[firing][]string{}
	for _, v := range vs {
		k := firing{v.Rule, v.URN}
		out[k] = append(out[k], v.Message)
	}
	return out
}

// TestEveryRuleFiresOnItsMutation: for each rule, a compliant real resource stays silent; changing
// exactly the property the rule guards makes that rule, and only that rule, fire.
func TestEveryRuleFiresOnItsMutation(t *testing.T) {
	pack := loadPack(t)
	cases := mutations()
	for _, r := range pack.Rules {
		_, plain := cases[r.Name]
		_, first := cases[r.Name+"#1"]
		assert.True(t, plain || first, "rule %s has no mutation case", r.Name)
	}
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	type baseline struct {
		res    *harness.Result
		docs   []map[string]any
		firing map[firing][]string
	}
	baselines := map[string]baseline{}
	for _, key := range names {
		m := cases[key]
		t.Run(key, func(t *testing.T) {
			stack := m.stack
			if stack == "" {
				stack = "prod"
			}
			setKey := stack + fmt.Sprint(m.set)
			base, ok := baselines[setKey]
			if !ok {
				res := stacktest.Run(t, stack, m.set)
				docs := lightDocs(res)
				base = baseline{res, docs, firings(evaluate(t, pack, stack, docs))}
				baselines[setKey] = base
			}
			docs, before := base.docs, base.firing
			rule, _, _ := strings.Cut(key, "#")
			for k := range before {
				require.NotEqual(t, rule, k.rule, "the compliant original already fires %s: %v", rule, before[k])
			}
			mutated := mutate(t, m, docs, base.res)
			after := firingsAfter(t, pack, stack, docs, before, mutated)
			var fired []firing
			for k, msgs := range after {
				if _, existed := before[k]; !existed {
					fired = append(fired, k)
					assert.Equal(t, rule, k.rule, "mutating for %s also fired %s: %v", rule, k.rule, msgs)
				}
			}
			require.NotEmpty(t, fired, "%s did not fire", rule)
			for _, f := range fired {
				if f.rule == rule {
					assert.Contains(t, strings.Join(after[f], "\n"), m.want)
				}
			}
		})
	}
}

// TestRegoUnitTests runs tests/policy/*_test.rego with OPA's tester against the pack's rules.
func TestRegoUnitTests(t *testing.T) {
	onlyRego := func(_ string, info fs.FileInfo, _ int) bool {
		return !info.IsDir() && filepath.Ext(info.Name()) != ".rego"
	}
	modules, store, err := tester.LoadWithRegoVersion([]string{repoPath(t, "policies"), repoPath(t, "tests", "policy")}, onlyRego, ast.RegoV0)
	require.NoError(t, err)
	ch, err := tester.NewRunner().SetStore(store).Run(context.Background(), modules)
	require.NoError(t, err)
	n := 0
	for r := range ch {
		n++
		assert.False(t, r.Fail, "%s failed", r.Name)
		assert.NoError(t, r.Error, r.Name)
	}
	assert.GreaterOrEqual(t, n, 9, "the Rego tests ran")
}
