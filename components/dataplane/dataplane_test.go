package dataplane_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/components/dataplane"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/netpol"
	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/program"
)

var programBuild = program.Build

func withKubeconfig() map[string]string {
	s := harness.DefaultSecrets()
	s["kubeconfig"] = "apiVersion: v1\nkind: Config\nclusters: []\n"
	return s
}

const (
	deploymentType = "kubernetes:apps/v1:Deployment"
	hpaType        = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	ingressType    = "kubernetes:networking.k8s.io/v1:Ingress"
)

// queueTier turns the queue tier on, sized so the stack passes the capacity gate: queue pods
// execute the runs (50 x 100 slots), the API tier serves HTTP with fewer pods and a smaller pool.
var queueTier = map[string]any{
	"dataplane.queue":         map[string]any{"enabled": true, "minReplicas": 10, "maxReplicas": 50},
	"hpa.minReplicas":         3,
	"hpa.maxReplicas":         15,
	"dataplane.dbPoolMaxSize": 40,
}

func apiDeployment(t *testing.T, res *harness.Result) *harness.Resource {
	return stacktest.One(t, res, deploymentType, "-dataplane-deployment")
}

func TestProdHPAIsTheSeedsFieldByField(t *testing.T) {
	// The seed's numbers are the defaults; prod's stack file raises only the minimum (issue 32:
	// the cheapest lever that absorbs a five-minute crowd).
	tuned := stacktest.One(t, stacktest.Run(t, "prod", nil), hpaType, "-dataplane-hpa")
	assert.Equal(t, 35.0, tuned.In("spec.minReplicas"))
	res := stacktest.Run(t, "prod", map[string]any{"hpa.minReplicas": 10})
	hpa := stacktest.One(t, res, hpaType, "-dataplane-hpa")
	for _, field := range []string{"scaleTargetRef", "maxReplicas", "metrics", "behavior"} {
		assert.Equal(t, hpa.In("spec."+field), tuned.In("spec."+field), "spec.%s is the seed's", field)
	}
	assert.Equal(t, map[string]any{
		"scaleTargetRef": map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": "langgraph-dataplane"},
		"minReplicas":    10.0,
		"maxReplicas":    50.0,
		"metrics": []any{
			map[string]any{"type": "Resource", "resource": map[string]any{"name": "cpu", "target": map[string]any{"type": "Utilization", "averageUtilization": 70.0}}},
			map[string]any{"type": "Resource", "resource": map[string]any{"name": "memory", "target": map[string]any{"type": "Utilization", "averageUtilization": 80.0}}},
			// Issue 9: pending runs per pod from prometheus-adapter, next to the seed's two.
			map[string]any{"type": "External", "external": map[string]any{
				"metric": map[string]any{"name": "langgraph_runs_pending"},
				"target": map[string]any{"type": "AverageValue", "averageValue": "5"},
			}},
		},
		"behavior": map[string]any{
			"scaleUp": map[string]any{"stabilizationWindowSeconds": 60.0, "policies": []any{
				map[string]any{"type": "Pods", "value": 5.0, "periodSeconds": 60.0}}},
			"scaleDown": map[string]any{"stabilizationWindowSeconds": 300.0, "policies": []any{
				map[string]any{"type": "Pods", "value": 2.0, "periodSeconds": 60.0}}},
		},
	}, hpa.In("spec"))
	assert.Equal(t, "langgraph-dataplane", hpa.In("metadata.name"))
	assert.Equal(t, "autoscaling/v2", hpa.In("apiVersion"))
}

// Without the adapter the External metric is absent and the HPA is otherwise the same; the
// same holds when hpa.queueScaling is off.
func TestQueueMetricNeedsTheAdapter(t *testing.T) {
	with := stacktest.One(t, stacktest.Run(t, "prod", nil), hpaType, "-dataplane-hpa")
	for _, set := range []map[string]any{{"addons.prometheusAdapter.enabled": false}, {"hpa.queueScaling": false}} {
		without := stacktest.One(t, stacktest.Run(t, "prod", set), hpaType, "-dataplane-hpa")
		metrics := with.In("spec.metrics").([]any)
		assert.Equal(t, metrics[:2], without.In("spec.metrics"), "%v: the seed's two resource metrics, unchanged", set)
		assert.Equal(t, "External", metrics[2].(map[string]any)["type"])
		for _, field := range []string{"scaleTargetRef", "minReplicas", "maxReplicas", "behavior"} {
			assert.Equal(t, with.In("spec."+field), without.In("spec."+field), "%v: spec.%s", set, field)
		}
		assert.Equal(t, with.In("metadata"), without.In("metadata"))
	}
}

// With a queue tier, pending runs scale the queue workers, not the API as well.
func TestQueueMetricScalesTheQueueTier(t *testing.T) {
	res := stacktest.Run(t, "prod", queueTier)
	api := stacktest.One(t, res, hpaType, "-dataplane-hpa")
	queue := stacktest.One(t, res, hpaType, "-dataplane-queue-hpa")
	assert.Len(t, api.In("spec.metrics"), 2)
	require.Len(t, queue.In("spec.metrics"), 3)
	assert.Equal(t, "langgraph_runs_pending", queue.In("spec.metrics").([]any)[2].(map[string]any)["external"].(map[string]any)["metric"].(map[string]any)["name"])
}

// hpa.scaleUp.percent adds a Percent policy beside the seed's Pods policy; the HPA takes the
// larger (selectPolicy Max). Off by default, so the seed's behaviour is unchanged.
func TestScaleUpPercentLever(t *testing.T) {
	hpa := stacktest.One(t, stacktest.Run(t, "prod", map[string]any{"hpa.scaleUp.percent": 100}), hpaType, "-dataplane-hpa")
	assert.Equal(t, map[string]any{"stabilizationWindowSeconds": 60.0, "selectPolicy": "Max", "policies": []any{
		map[string]any{"type": "Pods", "value": 5.0, "periodSeconds": 60.0},
		map[string]any{"type": "Percent", "value": 100.0, "periodSeconds": 60.0},
	}}, hpa.In("spec.behavior.scaleUp"))
	seed := stacktest.One(t, stacktest.Run(t, "staging", nil), hpaType, "-dataplane-hpa")
	assert.False(t, seed.Has("spec.behavior.scaleUp.selectPolicy"), "a stack that says nothing keeps the seed's Pods policy alone")
}

func TestStagingHPAIsValidAndSmaller(t *testing.T) {
	prod := stacktest.One(t, stacktest.Run(t, "prod", nil), hpaType, "-dataplane-hpa")
	staging := stacktest.One(t, stacktest.Run(t, "staging", nil), hpaType, "-dataplane-hpa")
	min, max := staging.In("spec.minReplicas").(float64), staging.In("spec.maxReplicas").(float64)
	assert.GreaterOrEqual(t, min, 2.0)
	assert.GreaterOrEqual(t, max, min)
	assert.Less(t, max, prod.In("spec.maxReplicas").(float64))
	assert.Less(t, min, prod.In("spec.minReplicas").(float64))
	assert.Equal(t, 300.0, staging.In("spec.behavior.scaleDown.stabilizationWindowSeconds"))
}

func TestEmergencyReplicasPinTheHPA(t *testing.T) {
	res := stacktest.Run(t, "prod", map[string]any{"dataplane.emergencyReplicas": 5})
	hpa := stacktest.One(t, res, hpaType, "-dataplane-hpa")
	assert.Equal(t, 5.0, hpa.In("spec.minReplicas"))
	assert.Equal(t, 5.0, hpa.In("spec.maxReplicas"))
	// The Deployment never carries a replica count that would fight the HPA.
	assert.False(t, apiDeployment(t, res).Has("spec.replicas"))
}

func TestPodSpecIsRestricted(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		res := stacktest.Run(t, stack, nil)
		d := apiDeployment(t, res)
		pod := "spec.template.spec."
		c := pod + "containers[0]."
		assert.Equal(t, true, d.In(pod+"securityContext.runAsNonRoot"))
		assert.Equal(t, float64(dataplane.RunAsUser), d.In(pod+"securityContext.runAsUser"))
		assert.Equal(t, "RuntimeDefault", d.In(pod+"securityContext.seccompProfile.type"))
		assert.Equal(t, false, d.In(pod+"automountServiceAccountToken"))
		assert.Equal(t, true, d.In(c+"securityContext.runAsNonRoot"))
		assert.Equal(t, false, d.In(c+"securityContext.allowPrivilegeEscalation"))
		assert.Equal(t, true, d.In(c+"securityContext.readOnlyRootFilesystem"))
		assert.Equal(t, false, d.In(c+"securityContext.privileged"))
		assert.Equal(t, []any{"ALL"}, d.In(c+"securityContext.capabilities.drop"))
		assert.False(t, d.Has(c+"securityContext.capabilities.add"))
		assert.Equal(t, "RuntimeDefault", d.In(c+"securityContext.seccompProfile.type"))
		for _, host := range []string{"hostNetwork", "hostPID", "hostIPC"} {
			assert.NotEqual(t, true, d.In(pod+host))
		}
		// The read-only root filesystem gets a writable /tmp.
		assert.Equal(t, []any{map[string]any{"name": "tmp", "mountPath": "/tmp"}}, d.In(c+"volumeMounts"))
		assert.Equal(t, "1Gi", d.In(pod+"volumes[0].emptyDir.sizeLimit"))
		assert.False(t, d.Has(pod+"volumes[0].hostPath"))
	}
}

func TestContainerPortsProbesResourcesAndSpread(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	d := apiDeployment(t, res)
	c := "spec.template.spec.containers[0]."
	assert.Equal(t, "123456789012.dkr.ecr.us-east-1.amazonaws.com/langgraph-agents:2026.11.20-3f2a1c9", d.In(c+"image"))
	assert.Equal(t, []any{
		map[string]any{"name": "api", "containerPort": 8000.0, "protocol": "TCP"},
	}, d.In(c+"ports"))
	for _, probe := range []string{"startupProbe", "readinessProbe"} {
		assert.Equal(t, "/ok", d.In(c+probe+".httpGet.path"), probe)
		assert.Equal(t, "api", d.In(c+probe+".httpGet.port"), probe)
	}
	// Liveness is not readiness: a slow /ok takes a busy pod out of the Service, it never gets
	// the pod killed; only a process that stops accepting connections for two minutes does.
	assert.False(t, d.Has(c+"livenessProbe.httpGet"))
	assert.Equal(t, "api", d.In(c+"livenessProbe.tcpSocket.port"))
	assert.Equal(t, 20.0, d.In(c+"livenessProbe.periodSeconds"))
	assert.Equal(t, 6.0, d.In(c+"livenessProbe.failureThreshold"))
	assert.Greater(t, d.In(c+"livenessProbe.periodSeconds").(float64)*d.In(c+"livenessProbe.failureThreshold").(float64),
		d.In(c+"readinessProbe.periodSeconds").(float64)*d.In(c+"readinessProbe.failureThreshold").(float64),
		"a pod leaves the Service long before it is restarted")
	assert.Equal(t, map[string]any{"cpu": "1", "memory": "2Gi", "ephemeral-storage": "1Gi"}, d.In(c+"resources.requests"))
	assert.Equal(t, map[string]any{"cpu": "2", "memory": "4Gi", "ephemeral-storage": "2Gi"}, d.In(c+"resources.limits"))
	assert.Equal(t, 0.0, d.In("spec.strategy.rollingUpdate.maxUnavailable"))
	assert.Equal(t, 330.0, d.In("spec.template.spec.terminationGracePeriodSeconds"))
	assert.Equal(t, 15.0, d.In(c+"lifecycle.preStop.sleep.seconds"))
	keys := map[any]any{}
	for _, s := range d.In("spec.template.spec.topologySpreadConstraints").([]any) {
		m := s.(map[string]any)
		keys[m["topologyKey"]] = m["whenUnsatisfiable"]
		assert.Equal(t, d.In("spec.selector.matchLabels"), m["labelSelector"].(map[string]any)["matchLabels"])
	}
	assert.Equal(t, map[any]any{"topology.kubernetes.io/zone": "DoNotSchedule", "kubernetes.io/hostname": "ScheduleAnyway"}, keys)
	env := envMap(d)
	assert.Equal(t, "100", env["N_JOBS_PER_WORKER"])
	assert.Equal(t, "60", env["LANGGRAPH_POSTGRES_POOL_MAX_SIZE"])
	// The run-success SLO's counters are internal metrics: exposed only so (catalog).
	assert.Equal(t, "true", env["EXPOSE_INTERNAL_METRICS_PROMETHEUS"])
	assert.Equal(t, "2", env["METRIC_MAX_EMITTING_TIER"])
	assert.NotContains(t, env, "LSD_PROM_METRICS_ENABLED", "langgraph-api 0.16.7 has no such setting")
	assert.Equal(t, "315", env["BG_JOB_SHUTDOWN_GRACE_PERIOD_SECS"], "grace period minus the preStop pause")
}

func envMap(d *harness.Resource) map[string]any {
	env := map[string]any{}
	for _, e := range d.In("spec.template.spec.containers[0].env").([]any) {
		m := e.(map[string]any)
		if v, ok := m["value"]; ok {
			env[m["name"].(string)] = v
		} else {
			env[m["name"].(string)] = m["valueFrom"]
		}
	}
	return env
}

func TestCredentialsComeFromTheSecret(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	d := apiDeployment(t, res)
	env := envMap(d)
	for _, k := range []string{"POSTGRES_URI", "POSTGRES_READER_URI", "REDIS_URI", "LANGSMITH_API_KEY"} {
		assert.Equal(t, map[string]any{"secretKeyRef": map[string]any{"name": dataplane.SecretName, "key": k}}, env[k], k)
	}
	for name, v := range env {
		if s, ok := v.(string); ok && name != "LANGSMITH_AUTH_ENDPOINT" { // a public API address, no credential
			assert.NotContains(t, s, "://", "%s: no connection string as a literal", name)
			assert.NotContains(t, s, "lsv2_", name)
		}
	}
	secret := stacktest.One(t, res, "kubernetes:core/v1:Secret", "-dataplane-env")
	assert.True(t, secret.SecretIn("stringData"), "the Secret's data must be a secret output")
	data := secret.In("stringData").(map[string]any)
	db := stacktest.One(t, res, "aws:rds/instance:Instance", "-db-primary")
	pw := stacktest.One(t, res, "random:index/randomPassword:RandomPassword", "-db-master-password").Out("result").(string)
	// The mock's address placeholder names its source; in a URI it appears URL-escaped.
	assert.Contains(t, db.Out("address"), "langgraph-prod-db-primary.address")
	assert.Contains(t, data["POSTGRES_URI"], "langgraph-prod-db-primary.address", "built from the database's address")
	assert.Contains(t, data["POSTGRES_URI"], "sslmode=require")
	assert.NotContains(t, data["POSTGRES_URI"], pw, "the password is URL-encoded in the URI")
	assert.Contains(t, data["POSTGRES_READER_URI"], "-db-replica-1.address")
	assert.True(t, strings.HasPrefix(data["REDIS_URI"].(string), "rediss://:"))
	token := stacktest.One(t, res, "random:index/randomPassword:RandomPassword", "-cache-auth-token").Out("result").(string)
	assert.Contains(t, stacktest.One(t, res, "aws:elasticache/replicationGroup:ReplicationGroup", "-cache").Out("primaryEndpointAddress"), "langgraph-prod-cache.primaryEndpointAddress")
	assert.Contains(t, data["REDIS_URI"], "langgraph-prod-cache.primaryEndpointAddress", "built from the cache's endpoint")
	assert.NotEmpty(t, token)
	assert.Equal(t, harness.DefaultSecrets()["langsmithApiKey"], data["LANGSMITH_API_KEY"])
}

func TestNamespaceEnforcesRestricted(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	ns := stacktest.One(t, res, "kubernetes:core/v1:Namespace", "-dataplane-namespace")
	labels := ns.In("metadata.labels").(map[string]any)
	for _, mode := range []string{"enforce", "audit", "warn"} {
		assert.Equal(t, "restricted", labels["pod-security.kubernetes.io/"+mode])
		assert.Equal(t, dataplane.PodSecurityVersion, labels["pod-security.kubernetes.io/"+mode+"-version"])
	}
	assert.Equal(t, "langgraph", ns.In("metadata.name"))
}

func TestServiceAccount(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	sa := stacktest.One(t, res, "kubernetes:core/v1:ServiceAccount", "-dataplane-serviceaccount")
	assert.Equal(t, false, sa.In("automountServiceAccountToken"))
	annotations, _ := sa.In("metadata.annotations").(map[string]any)
	assert.Equal(t, "arn:aws:iam::123456789012:role/langgraph-prod-dataplane", annotations["eks.amazonaws.com/role-arn"])
	staging := stacktest.One(t, stacktest.Run(t, "staging", nil), "kubernetes:core/v1:ServiceAccount", "-dataplane-serviceaccount")
	assert.False(t, staging.Has("metadata.annotations"), "no IRSA role configured: no annotation")
	assert.Equal(t, sa.In("metadata.name"), apiDeployment(t, res).In("spec.template.spec.serviceAccountName"))
}

func TestEveryKubernetesObjectUsesTheExplicitProviderAndLabels(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		res := stacktest.Run(t, stack, nil)
		providers := res.ByType("pulumi:providers:kubernetes")
		require.Len(t, providers, 1)
		p := providers[0]
		assert.Equal(t, "langgraph-"+stack, p.In("context"))
		n := 0
		for _, r := range res.Resources {
			if !strings.HasPrefix(r.Type, "kubernetes:") {
				continue
			}
			n++
			assert.True(t, strings.HasPrefix(r.Provider, p.URN+"::"), "%s uses %q, not the explicit provider", r.URN, r.Provider)
			if r.Type == "kubernetes:helm.sh/v3:Release" || r.Type == "kubernetes:yaml/v2:ConfigGroup" {
				continue // not Kubernetes objects: the chart, or the upstream manifests, label what they install
			}
			labels, _ := r.In("metadata.labels").(map[string]any)
			for _, k := range []string{"name", "instance", "version", "component", "part-of", "managed-by"} {
				assert.NotEmpty(t, labels["app.kubernetes.io/"+k], "%s lacks app.kubernetes.io/%s", r.URN, k)
			}
		}
		assert.GreaterOrEqual(t, n, 14)
	}
	// A kubeconfig given as a secret goes to the provider as a secret.
	res, err := harness.Run(programBuild, harness.Options{Stack: "prod", Secrets: withKubeconfig()})
	require.NoError(t, err)
	p := res.ByType("pulumi:providers:kubernetes")[0]
	assert.True(t, p.SecretIn("kubeconfig"))
}

func TestServiceAndServiceMonitor(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	svc := stacktest.One(t, res, "kubernetes:core/v1:Service", "-dataplane-service")
	d := apiDeployment(t, res)
	assert.Equal(t, "ClusterIP", svc.In("spec.type"))
	assert.True(t, netpol.Selects(svc.In("spec.selector").(map[string]any), d.In("spec.template.metadata.labels").(map[string]any)))
	sm := stacktest.One(t, res, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "-dataplane-servicemonitor")
	assert.Equal(t, "kube-prometheus-stack", sm.In("metadata.labels.release"))
	assert.True(t, netpol.Selects(sm.In("spec.selector.matchLabels").(map[string]any), svc.In("metadata.labels").(map[string]any)))
	assert.Equal(t, "api", sm.In("spec.endpoints[0].port"), "the server serves /metrics on its API port")
	assert.Equal(t, "/metrics", sm.In("spec.endpoints[0].path"))
	assert.Equal(t, "app.kubernetes.io/name", sm.In("spec.jobLabel"))
	ports := map[any]any{}
	for _, p := range svc.In("spec.ports").([]any) {
		ports[p.(map[string]any)["name"]] = p.(map[string]any)["port"]
	}
	assert.Equal(t, map[any]any{"api": 8000.0}, ports)
}

func TestPDBNeverBlocksEveryEviction(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	pdb := stacktest.One(t, res, "kubernetes:policy/v1:PodDisruptionBudget", "-dataplane-pdb")
	assert.Equal(t, 2.0, pdb.In("spec.maxUnavailable"))
	assert.False(t, pdb.Has("spec.minAvailable"))
	assert.Equal(t, "AlwaysAllow", pdb.In("spec.unhealthyPodEvictionPolicy"))
	assert.True(t, netpol.Selects(pdb.In("spec.selector.matchLabels").(map[string]any), apiDeployment(t, res).In("spec.template.metadata.labels").(map[string]any)))
}

func TestIngressAnnotations(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	in := stacktest.One(t, res, ingressType, "-dataplane-ingress")
	a := in.In("metadata.annotations").(map[string]any)
	p := dataplane.IngressAnnotation
	assert.Equal(t, "alb", in.In("spec.ingressClassName"))
	assert.Equal(t, "internet-facing", a[p+"scheme"])
	assert.Equal(t, "ip", a[p+"target-type"])
	assert.Equal(t, `[{"HTTP":80},{"HTTPS":443}]`, a[p+"listen-ports"])
	assert.Equal(t, "443", a[p+"ssl-redirect"], "HTTP redirects to HTTPS")
	assert.Equal(t, "arn:aws:acm:us-east-1:123456789012:certificate/0f3e1d2c-4b5a-4c6d-8e7f-9a0b1c2d3e4f", a[p+"certificate-arn"])
	assert.Equal(t, "/ok", a[p+"healthcheck-path"])
	acl := stacktest.One(t, res, "aws:wafv2/webAcl:WebAcl", "-edge-waf")
	assert.Equal(t, acl.Out("arn"), a[p+"wafv2-acl-arn"])
	bucket := stacktest.One(t, res, "aws:s3/bucketV2:BucketV2", "-edge-access-logs")
	attrs := a[p+"load-balancer-attributes"].(string)
	assert.Contains(t, attrs, "access_logs.s3.enabled=true")
	assert.Contains(t, attrs, "access_logs.s3.bucket="+bucket.Out("bucket").(string))
	assert.Contains(t, attrs, "idle_timeout.timeout_seconds=900")
	assert.Contains(t, attrs, "deletion_protection.enabled=true")
	// /metrics is answered 404 by the load balancer; everything else goes to the API.
	assert.Equal(t, "/metrics", in.In("spec.rules[0].http.paths[0].path"))
	assert.Equal(t, dataplane.MetricsNotPublicAction, in.In("spec.rules[0].http.paths[0].backend.service.name"))
	assert.Equal(t, "use-annotation", in.In("spec.rules[0].http.paths[0].backend.service.port.name"))
	assert.JSONEq(t, `{"type":"fixed-response","fixedResponseConfig":{"contentType":"application/json","statusCode":"404","messageBody":"{\"detail\":\"Not Found\"}"}}`,
		a[p+"actions."+dataplane.MetricsNotPublicAction].(string))
	assert.Equal(t, "/", in.In("spec.rules[0].http.paths[1].path"))
	assert.Equal(t, "langgraph-dataplane", in.In("spec.rules[0].http.paths[1].backend.service.name"))
	assert.Equal(t, "api", in.In("spec.rules[0].http.paths[1].backend.service.port.name"))
	assert.Equal(t, "agents.example.com", in.In("spec.rules[0].host"))
	assert.Equal(t, []any{"agents.example.com"}, in.In("spec.tls[0].hosts"))
	assert.NotContains(t, a, p+"actions."+dataplane.MaintenanceAction)
}

func TestMaintenanceModeAnswers503(t *testing.T) {
	res := stacktest.Run(t, "prod", map[string]any{"dataplane.maintenanceMode": true})
	in := stacktest.One(t, res, ingressType, "-dataplane-ingress")
	a := in.In("metadata.annotations").(map[string]any)
	action := a[dataplane.IngressAnnotation+"actions."+dataplane.MaintenanceAction].(string)
	assert.JSONEq(t, `{"type":"fixed-response","fixedResponseConfig":{"contentType":"application/json","statusCode":"503",
		"messageBody":"{\"error\":\"maintenance\",\"message\":\"The service is under maintenance. Please retry later.\"}"}}`, action)
	assert.Equal(t, dataplane.MaintenanceAction, in.In("spec.rules[0].http.paths[1].backend.service.name"))
	assert.Equal(t, "use-annotation", in.In("spec.rules[0].http.paths[1].backend.service.port.name"))
	// The pods stay up: the Deployment and HPA are unchanged.
	assert.Equal(t, 35.0, stacktest.One(t, res, hpaType, "-dataplane-hpa").In("spec.minReplicas"))
}

func TestAccessLogBucketIsPrivateAndEncrypted(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	bucket := stacktest.One(t, res, "aws:s3/bucketV2:BucketV2", "-edge-access-logs")
	pab := stacktest.One(t, res, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "-edge-access-logs")
	for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		assert.Equal(t, true, pab.In(k), k)
	}
	assert.Equal(t, bucket.ID, pab.In("bucket"))
	sse := stacktest.One(t, res, "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "-edge-access-logs")
	assert.Equal(t, "AES256", sse.In("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm"))
	policy := stacktest.One(t, res, "aws:s3/bucketPolicy:BucketPolicy", "-edge-access-logs").In("policy").(string)
	assert.Contains(t, policy, `"aws:SecureTransport":"false"`)
	assert.Contains(t, policy, `"Effect":"Deny"`)
	life := stacktest.One(t, res, "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "-edge-access-logs")
	assert.Equal(t, 90.0, life.In("rules[0].expiration.days"))
	assert.Equal(t, "BucketOwnerEnforced", stacktest.One(t, res, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "-edge-access-logs").In("rule.objectOwnership"))
}

func TestQueueTier(t *testing.T) {
	res := stacktest.Run(t, "prod", nil)
	assert.Len(t, res.ByType(deploymentType), 1, "no queue tier unless enabled")
	res = stacktest.Run(t, "prod", queueTier)
	q := stacktest.One(t, res, deploymentType, "-dataplane-queue-deployment")
	api := apiDeployment(t, res)
	assert.Equal(t, "langgraph-dataplane-queue", q.In("metadata.name"))
	labels := q.In("spec.template.metadata.labels").(map[string]any)
	assert.Equal(t, "queue", labels["app.kubernetes.io/component"])
	assert.Equal(t, api.In("spec.template.spec.securityContext"), q.In("spec.template.spec.securityContext"))
	assert.Equal(t, api.In("spec.template.spec.containers[0].securityContext"), q.In("spec.template.spec.containers[0].securityContext"))
	hpa := stacktest.One(t, res, hpaType, "-dataplane-queue-hpa")
	assert.Equal(t, 10.0, hpa.In("spec.minReplicas"))
	assert.Equal(t, 50.0, hpa.In("spec.maxReplicas"))
	// As LangChain's chart runs it: queue pods start the vendor's queue entrypoint and execute
	// runs; API pods serve HTTP and run no jobs.
	assert.Equal(t, []any{dataplane.QueueEntrypoint}, q.In("spec.template.spec.containers[0].command"))
	assert.False(t, api.Has("spec.template.spec.containers[0].command"), "the API runs the image's own entrypoint")
	assert.Equal(t, "100", envMap(q)["N_JOBS_PER_WORKER"])
	assert.Equal(t, "0", envMap(api)["N_JOBS_PER_WORKER"])
	for _, d := range []*harness.Resource{api, q} {
		assert.Equal(t, []any{map[string]any{"name": "ndots", "value": "4"}}, d.In("spec.template.spec.dnsConfig.options"))
		assert.Equal(t, "langsmith", envMap(d)["LANGGRAPH_AUTH_TYPE"], "every LangGraph pod checks callers")
	}
	apiPDB := stacktest.One(t, res, "kubernetes:policy/v1:PodDisruptionBudget", "-dataplane-pdb")
	assert.Equal(t, "api", apiPDB.In("spec.selector.matchLabels").(map[string]any)["app.kubernetes.io/component"])
	assert.Equal(t, "langgraph-dataplane-queue", hpa.In("spec.scaleTargetRef.name"))
	queuePDB := stacktest.One(t, res, "kubernetes:policy/v1:PodDisruptionBudget", "-dataplane-queue-pdb")
	assert.True(t, netpol.Selects(queuePDB.In("spec.selector.matchLabels").(map[string]any), labels), "the queue PDB covers the queue pods")
	svc := stacktest.One(t, res, "kubernetes:core/v1:Service", "-dataplane-service")
	assert.False(t, netpol.Selects(svc.In("spec.selector").(map[string]any), labels), "queue workers are not behind the Service")
	// The queue pods record the run counters and worker gauges: Prometheus must scrape them too,
	// through a headless Service of their own that the one ServiceMonitor selects.
	qsvc := stacktest.One(t, res, "kubernetes:core/v1:Service", "-dataplane-queue-service")
	assert.Equal(t, "None", qsvc.In("spec.clusterIP"))
	assert.True(t, netpol.Selects(qsvc.In("spec.selector").(map[string]any), labels))
	assert.False(t, netpol.Selects(qsvc.In("spec.selector").(map[string]any), api.In("spec.template.metadata.labels").(map[string]any)))
	sm := stacktest.One(t, res, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "-dataplane-servicemonitor")
	for _, s := range []*harness.Resource{svc, qsvc} {
		assert.True(t, netpol.Selects(sm.In("spec.selector.matchLabels").(map[string]any), s.In("metadata.labels").(map[string]any)), s.Name)
		assert.Equal(t, "langgraph-dataplane", s.In("metadata.labels").(map[string]any)["app.kubernetes.io/name"], "the job label's value: one job for both tiers")
	}
	assert.Equal(t, "true", envMap(q)["EXPOSE_INTERNAL_METRICS_PROMETHEUS"])
}

func TestArgsValidate(t *testing.T) {
	err := (&dataplane.Args{Image: "repo", TerminationGracePeriodSeconds: 15, PreStopSeconds: 15,
		Resources:   dataplane.Resources{CPURequest: "1", MemoryRequest: "2Gi", MemoryLimit: "4Gi"},
		Queue:       &dataplane.Queue{Resources: dataplane.Resources{CPURequest: "1", MemoryLimit: "4Gi", EphemeralStorageRequest: "1Gi", EphemeralStorageLimit: "2Gi"}},
		Autoscaling: dataplane.Autoscaling{QueueMetric: &dataplane.QueueMetric{Name: "langgraph_runs_pending"}}}).Validate()
	require.Error(t, err)
	for _, want := range []string{
		"dataplane.Args.Resources=EphemeralStorageRequest,EphemeralStorageLimit: are required",
		"dataplane.Args.Queue.Resources=MemoryRequest: are required", "dataplane.Args.Image=repo", "dataplane.Args.TerminationGracePeriodSeconds=15", "dataplane.Args.Connections", "dataplane.Args.Autoscaling",
		"dataplane.Args.Auth.Type=: must be langsmith, custom or noop",
		`dataplane.Args.Autoscaling.QueueMetric="langgraph_runs_pending"/0: needs a metric name and PendingRunsPerPod >= 1`,
		"ClassName, Host, CertificateARN, AccessLogBucket and WebACLARN are required"} {
		assert.Contains(t, err.Error(), want)
	}
}

// Without the LLM gateway (components/gateway tests the flows with it): the pods reach the
// providers themselves on 443.
func TestNetworkPoliciesAdmitOnlyTheIntendedFlows(t *testing.T) {
	res := stacktest.Run(t, "prod", map[string]any{"gateway.enabled": false})
	d := apiDeployment(t, res)
	ns := d.In("metadata.namespace").(string)
	pod := d.In("spec.template.metadata.labels").(map[string]any)
	prometheus := netpol.PodIn("monitoring", map[string]any{"app.kubernetes.io/name": "prometheus"})
	grafana := netpol.PodIn("monitoring", map[string]any{"app.kubernetes.io/name": "grafana"})
	promElsewhere := netpol.PodIn("default", map[string]any{"app.kubernetes.io/name": "prometheus"})
	alb := netpol.Address("10.40.97.12")
	stranger := netpol.Address("10.40.200.7")
	dns := netpol.PodIn("kube-system", map[string]any{"k8s-app": "kube-dns"})
	postgres := netpol.Address("10.40.33.4")
	llm := netpol.Address("104.18.7.192")
	metadata := netpol.Address("169.254.169.254")
	neighbour := netpol.PodIn(ns, map[string]any{"app": "other"})

	cases := []struct {
		name      string
		direction string
		other     netpol.Endpoint
		port      float64
		proto     string
		want      bool
	}{
		{"ALB to API", "ingress", alb, 8000, "TCP", true},
		{"ALB to the old metrics port", "ingress", alb, 9464, "TCP", false},
		{"other subnet to API", "ingress", stranger, 8000, "TCP", false},
		// The server serves /metrics on its API port (catalog, the server contract).
		{"Prometheus to metrics on the API port", "ingress", prometheus, 8000, "TCP", true},
		{"Prometheus to another port", "ingress", prometheus, 9464, "TCP", false},
		{"Grafana to metrics", "ingress", grafana, 8000, "TCP", false},
		{"Prometheus in another namespace", "ingress", promElsewhere, 8000, "TCP", false},
		{"neighbour pod to API", "ingress", neighbour, 8000, "TCP", false},
		{"DNS over UDP", "egress", dns, 53, "UDP", true},
		{"DNS over TCP", "egress", dns, 53, "TCP", true},
		{"PostgreSQL", "egress", postgres, 5432, "TCP", true},
		{"Redis", "egress", postgres, 6379, "TCP", true},
		{"SSH to the data subnet", "egress", postgres, 22, "TCP", false},
		{"LLM API over HTTPS", "egress", llm, 443, "TCP", true},
		{"LLM API over plain HTTP", "egress", llm, 80, "TCP", false},
		{"instance metadata", "egress", metadata, 443, "TCP", false},
		{"neighbour pod", "egress", neighbour, 8000, "TCP", false},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, netpol.Allowed(res, ns, pod, tc.direction, tc.other, tc.port, tc.proto), tc.name)
	}
	// Default deny covers every pod in the namespace, not only the dataplane's.
	assert.False(t, netpol.Allowed(res, ns, map[string]any{"app": "anything"}, "ingress", alb, 8000, "TCP"))
	assert.False(t, netpol.Allowed(res, ns, map[string]any{"app": "anything"}, "egress", llm, 443, "TCP"))
	names := []string{}
	for _, np := range res.ByType(netpol.PolicyType) {
		if np.In("metadata.namespace") == ns {
			names = append(names, np.In("metadata.name").(string))
		}
	}
	assert.ElementsMatch(t, slices.DeleteFunc(slices.Clone(dataplane.NetworkPolicyNames), func(n string) bool { return n == "allow-llm-gateway" }), names)
}

// Scheduled minimums: one CronJob per schedule patches only the API HPA's minimum, through a
// ServiceAccount whose Role may get and patch that one HPA and nothing else; the program then
// leaves the live minimum alone (ignoreChanges), so the next `pulumi up --refresh` does not undo
// a rush-hour minimum.
var rushHours = map[string]any{"hpa.schedules": []any{
	map[string]any{"cron": "30 7 * * 1-5", "timeZone": "Europe/Berlin", "minReplicas": 30},
	map[string]any{"cron": "0 10 * * 1-5", "timeZone": "Europe/Berlin", "minReplicas": 10},
}}

func TestScheduledMinimums(t *testing.T) {
	res := stacktest.Run(t, "prod", rushHours)
	jobs := res.ByType("kubernetes:batch/v1:CronJob")
	require.Len(t, jobs, 2)
	first := stacktest.One(t, res, "kubernetes:batch/v1:CronJob", "-dataplane-scale-0")
	assert.Equal(t, "30 7 * * 1-5", first.In("spec.schedule"))
	assert.Equal(t, "Europe/Berlin", first.In("spec.timeZone"))
	assert.Equal(t, dataplane.ScheduleJobPrefix+"0", first.In("metadata.name"))
	pod := "spec.jobTemplate.spec.template.spec."
	assert.Equal(t, []any{"kubectl", "patch", "horizontalpodautoscaler", "langgraph-dataplane", "--namespace", "langgraph",
		"--type", "merge", "--patch", `{"spec":{"minReplicas":30}}`}, first.In(pod+"containers[0].command"))
	assert.Equal(t, dataplane.ScalerName, first.In(pod+"serviceAccountName"))
	assert.Equal(t, true, first.In(pod+"securityContext.runAsNonRoot"))
	assert.Equal(t, true, first.In(pod+"containers[0].securityContext.readOnlyRootFilesystem"))
	second := stacktest.One(t, res, "kubernetes:batch/v1:CronJob", "-dataplane-scale-1")
	assert.Contains(t, second.In(pod+"containers[0].command").([]any), `{"spec":{"minReplicas":10}}`)

	role := stacktest.One(t, res, "kubernetes:rbac.authorization.k8s.io/v1:Role", "-dataplane-scaler")
	assert.Equal(t, []any{map[string]any{"apiGroups": []any{"autoscaling"}, "resources": []any{"horizontalpodautoscalers"},
		"resourceNames": []any{"langgraph-dataplane"}, "verbs": []any{"get", "patch"}}}, role.In("rules"))
	binding := stacktest.One(t, res, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "-dataplane-scaler")
	assert.Equal(t, dataplane.ScalerName, binding.In("subjects[0].name"))

	hpa := stacktest.One(t, res, hpaType, "-dataplane-hpa")
	assert.Equal(t, []string{"spec.minReplicas"}, hpa.IgnoreChanges)
	assert.Equal(t, 35.0, hpa.In("spec.minReplicas"), "the configured minimum is the starting point")
	assert.Empty(t, stacktest.One(t, stacktest.Run(t, "prod", nil), hpaType, "-dataplane-hpa").IgnoreChanges, "without schedules Pulumi owns the minimum")
	assert.Empty(t, stacktest.Run(t, "prod", nil).ByType("kubernetes:batch/v1:CronJob"))
}

// The ALB the alarms watch is the one the Ingress's status names.
func TestLoadBalancerNameFromHost(t *testing.T) {
	for host, want := range map[string]string{
		"k8s-langgrap-langgrap-3f9c2a7d1e-1234567890.us-east-1.elb.amazonaws.com":         "k8s-langgrap-langgrap-3f9c2a7d1e",
		"internal-k8s-langgrap-langgrap-3f9c2a7d1e-987654321.eu-west-1.elb.amazonaws.com": "k8s-langgrap-langgrap-3f9c2a7d1e",
		"api.example.com":                    "",
		"nodash.us-east-1.elb.amazonaws.com": "",
		"":                                   "",
	} {
		assert.Equal(t, want, dataplane.LoadBalancerNameFromHost(host), host)
	}
}
