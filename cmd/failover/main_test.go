package main

// cmd/failover against moto's AWS emulation (PyPI, hash-pinned): a primary database in
// us-east-1, the standby's cross-region replica of it in us-west-2, the Route 53 zone with both
// failover records and their health checks, the replica's lag in CloudWatch. The cluster is
// client-go's fake clientset, with a loop standing in for the Deployment controller's status.
// promotionStandIn covers the one gap of moto 5.2.5 the command meets: a promoted instance keeps
// its ReadReplicaSourceDBInstanceIdentifier there, where RDS drops it.

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/langgraph-platform/infra/components/dataplane"
	"github.com/langgraph-platform/infra/failover"
	"github.com/langgraph-platform/infra/internal/awsclient"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/mototest"
)

const replicaID = "langgraph-prod-standby-db-primary-1a2b3c4"

type world struct {
	t        *testing.T
	promoted sync.Map // instance identifiers promoted through the stand-in
	east     aws.Config
	west     aws.Config
	dir      string
	kube     *fake.Clientset
	stopped  chan struct{}
}

// newWorld seeds moto and a project directory whose standby stack names moto's hosted zone.
func newWorld(t *testing.T) *world {
	ctx := context.Background()
	moto := mototest.Start(t)
	w := &world{t: t}
	standin := httptest.NewServer(w.promotionStandIn(moto))
	t.Cleanup(standin.Close)
	w.east, w.west = mototest.Config(standin.URL, "us-east-1"), mototest.Config(standin.URL, "us-west-2")
	mototest.UseEndpoint(t, standin.URL, "us-west-2")
	primary, err := rds.NewFromConfig(w.east).CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String("langgraph-prod-db-primary-9f8e7d6"), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.r7g.2xlarge"),
		MasterUsername: aws.String("langgraph_admin"), MasterUserPassword: aws.String("not-a-secret-0001"), AllocatedStorage: aws.Int32(200), MultiAZ: aws.Bool(true),
		Tags: []rdstypes.Tag{{Key: aws.String("Stack"), Value: aws.String("langgraph-platform/prod")}},
	})
	require.NoError(t, err)
	_, err = rds.NewFromConfig(w.west).CreateDBInstanceReadReplica(ctx, &rds.CreateDBInstanceReadReplicaInput{
		DBInstanceIdentifier: aws.String(replicaID), SourceDBInstanceIdentifier: primary.DBInstance.DBInstanceArn, MultiAZ: aws.Bool(true),
		Tags: []rdstypes.Tag{{Key: aws.String("Stack"), Value: aws.String("langgraph-platform/prod-standby")}},
	})
	require.NoError(t, err)
	w.lag(5)
	r53 := route53.NewFromConfig(w.east)
	zone, err := r53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("example.com"), CallerReference: aws.String("failover-test")})
	require.NoError(t, err)
	zoneID := strings.TrimPrefix(aws.ToString(zone.HostedZone.Id), "/hostedzone/")
	var changes []r53types.Change
	for stack, target := range map[string]string{"prod": "prod-alb.us-east-1.elb.amazonaws.com", "prod-standby": "standby-alb.us-west-2.elb.amazonaws.com"} {
		check, err := r53.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String(stack), HealthCheckConfig: &r53types.HealthCheckConfig{
			Type: r53types.HealthCheckTypeHttps, FullyQualifiedDomainName: aws.String(target), ResourcePath: aws.String("/ok"), Port: aws.Int32(443),
			RequestInterval: aws.Int32(10), FailureThreshold: aws.Int32(3)}})
		require.NoError(t, err)
		failoverType := r53types.ResourceRecordSetFailoverPrimary
		if stack == "prod-standby" {
			failoverType = r53types.ResourceRecordSetFailoverSecondary
		}
		changes = append(changes, r53types.Change{Action: r53types.ChangeActionCreate, ResourceRecordSet: &r53types.ResourceRecordSet{
			Name: aws.String("agents.example.com"), Type: r53types.RRTypeCname, TTL: aws.Int64(60), SetIdentifier: aws.String(stack),
			Failover: failoverType, HealthCheckId: check.HealthCheck.Id, ResourceRecords: []r53types.ResourceRecord{{Value: aws.String(target)}}}})
	}
	_, err = r53.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID), ChangeBatch: &r53types.ChangeBatch{Changes: changes}})
	require.NoError(t, err)

	// The project, with moto's zone in the standby's stack file.
	root, err := harness.RepoRoot()
	require.NoError(t, err)
	w.dir = t.TempDir()
	for _, f := range []string{"Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.prod-standby.yaml"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(w.dir, f), bytes.ReplaceAll(b, []byte("Z04512345ABCDEFGHIJKL"), []byte(zoneID)), 0o644))
	}
	// The standby's dataplane, standing at 3 of at most 50.
	three, max50 := int32(3), int32(50)
	w.kube = fake.NewSimpleClientset(
		&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: dataplane.Name, Namespace: "langgraph"}, Spec: appsv1.DeploymentSpec{Replicas: &three},
			Status: appsv1.DeploymentStatus{ReadyReplicas: 3}},
		&autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Name: dataplane.Name, Namespace: "langgraph"},
			Spec: autoscalingv2.HorizontalPodAutoscalerSpec{MinReplicas: &three, MaxReplicas: max50}},
	)
	// The Deployment controller's part: every desired pod becomes ready.
	w.stopped = make(chan struct{})
	go func() {
		for {
			select {
			case <-w.stopped:
				return
			case <-time.After(20 * time.Millisecond):
			}
			d, err := w.kube.AppsV1().Deployments("langgraph").Get(context.Background(), dataplane.Name, metav1.GetOptions{})
			if err == nil && d.Spec.Replicas != nil && d.Status.ReadyReplicas != *d.Spec.Replicas {
				d.Status.ReadyReplicas = *d.Spec.Replicas
				_, _ = w.kube.AppsV1().Deployments("langgraph").UpdateStatus(context.Background(), d, metav1.UpdateOptions{})
			}
		}
	}()
	t.Cleanup(func() { close(w.stopped) })
	return w
}

// promotionStandIn passes every call to moto and, for an instance promoted through it, drops
// ReadReplicaSourceDBInstanceIdentifier from DescribeDBInstances, as RDS does after a promotion.
func (w *world) promotionStandIn(moto string) http.Handler {
	target, _ := url.Parse(moto)
	proxy := httputil.NewSingleHostReverseProxy(target)
	source := regexp.MustCompile(`<ReadReplicaSourceDBInstanceIdentifier>[^<]*</ReadReplicaSourceDBInstanceIdentifier>`)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		if form.Get("Action") == "PromoteReadReplica" {
			w.promoted.Store(form.Get("DBInstanceIdentifier"), true)
		}
		if form.Get("Action") != "DescribeDBInstances" {
			proxy.ServeHTTP(rw, r)
			return
		}
		rec := httptest.NewRecorder()
		proxy.ServeHTTP(rec, r)
		out := rec.Body.String()
		w.promoted.Range(func(id, _ any) bool {
			out = regexp.MustCompile(`(?s)<DBInstance>.*?</DBInstance>`).ReplaceAllStringFunc(out, func(block string) string {
				if strings.Contains(block, "<DBInstanceIdentifier>"+id.(string)+"</DBInstanceIdentifier>") {
					return source.ReplaceAllString(block, "")
				}
				return block
			})
			return true
		})
		for k, v := range rec.Header() {
			if k != "Content-Length" {
				rw.Header()[k] = v
			}
		}
		rw.WriteHeader(rec.Code)
		_, _ = io.WriteString(rw, out)
	})
}

// lag publishes the replica's ReplicaLag, as RDS does every minute.
func (w *world) lag(seconds float64) {
	_, err := awsclient.NewCloudWatch(w.west).PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/RDS"),
		MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("ReplicaLag"), Value: aws.Float64(seconds), Timestamp: aws.Time(time.Now()),
			Dimensions: []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String(replicaID)}}}}})
	require.NoError(w.t, err)
}

func (w *world) run(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"-dir", w.dir, "-poll", "50ms", "-timeout", "30s"}, args...), &stdout, &stderr, w.kube)
	return code, stdout.String(), stderr.String()
}

func (w *world) replica() rdstypes.DBInstance {
	out, err := rds.NewFromConfig(w.west).DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(replicaID)})
	require.NoError(w.t, err)
	return out.DBInstances[0]
}

func TestFailoverDryRunCheckAndExecute(t *testing.T) {
	w := newWorld(t)

	// The daily check: replicating within the lag, pods ready, health check green.
	code, out, errOut := w.run("-stack", "prod-standby", "-check")
	t.Logf("check:\n%s", out)
	require.Equal(t, 0, code, errOut+out)
	assert.Contains(t, out, "replica lag within alerts.replicaLagSeconds")
	assert.Contains(t, out, "5 s (at most 60)")
	w.lag(120)
	code, out, _ = w.run("-stack", "prod-standby", "-check")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, out, "ReplicaLag 120 s above 60 s: a failover now loses that much")
	w.lag(5)

	// The dry run changes nothing.
	code, out, errOut = w.run("-stack", "prod-standby")
	t.Logf("dry run:\n%s", out)
	require.Equal(t, 0, code, errOut+out)
	assert.Contains(t, out, "would promote "+replicaID+" (replica of arn:aws:rds:us-east-1:123456789012:db:langgraph-prod-db-primary-9f8e7d6)")
	assert.Contains(t, out, "would raise langgraph-dataplane's minimum from 3 to 35")
	assert.NotEmpty(t, aws.ToString(w.replica().ReadReplicaSourceDBInstanceIdentifier), "still a replica")

	// The failover.
	report := filepath.Join(t.TempDir(), "failover.json")
	code, out, errOut = w.run("-stack", "prod-standby", "-execute", "-json", report)
	t.Logf("execute:\n%s", out)
	require.Equal(t, 0, code, errOut+out)
	for _, step := range []string{"promote the replica", "roll the dataplane onto the promoted database", "scale the dataplane to the primary's minimum", "confirm the pods are ready", "confirm Route 53 sends the traffic here"} {
		assert.Contains(t, out, "ok   "+step, step)
	}
	assert.Empty(t, aws.ToString(w.replica().ReadReplicaSourceDBInstanceIdentifier), "promoted")
	hpa, err := w.kube.AutoscalingV2().HorizontalPodAutoscalers("langgraph").Get(context.Background(), dataplane.Name, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, int32(35), *hpa.Spec.MinReplicas)
	d, err := w.kube.AppsV1().Deployments("langgraph").Get(context.Background(), dataplane.Name, metav1.GetOptions{})
	require.NoError(t, err)
	assert.NotEmpty(t, d.Spec.Template.Annotations[failover.RestartedAtAnnotation], "the pods were rolled")
	assert.Equal(t, int32(35), d.Status.ReadyReplicas)
	assert.FileExists(t, report)

	// After it, the check says the standby is no longer standing by.
	code, out, _ = w.run("-stack", "prod-standby", "-check")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, out, "is not a replica: the standby was promoted")
}

func TestFailoverRefusesBadInput(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-stack", "prod"}, `-stack=prod is not a standby (its dr.role is "primary")`},
		{[]string{"-stack", "prod-standby", "-execute", "-check"}, "-execute and -check exclude each other"},
		{[]string{}, "-stack is required"},
	} {
		code, _, errOut := w.run(tc.args...)
		assert.Equal(t, exitUsage, code, tc.args)
		assert.Contains(t, errOut, tc.want)
	}
	assert.NotEmpty(t, aws.ToString(w.replica().ReadReplicaSourceDBInstanceIdentifier), "nothing promoted")
}
