// Package failover moves the traffic to a warm standby (dr.role standby) after the loss of the
// primary's region, in one command (cmd/failover): promote the standby's replica of the
// primary's database, roll the standby's dataplane onto it, scale it to the primary's minimum,
// confirm it is healthy; and checks daily that the standby is ready (docs/disaster-recovery.md).
package failover

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Options configure a failover or a check of one standby stack.
type Options struct {
	// StackTag is the standby's Stack tag value (project/stack): how its database is found.
	StackTag string
	// Namespace, Deployment and HPA are the standby's dataplane.
	Namespace, Deployment, HPA string
	// StandingReplicas is the standby's size; TargetReplicas the primary's minimum it scales to.
	StandingReplicas, TargetReplicas int32
	// ReplicaLagSeconds is the most the replica may lag for -check (alerts.replicaLagSeconds).
	ReplicaLagSeconds float64
	// ZoneID and RecordName are ingress.dns (empty: DNS is changed by hand, and not checked).
	ZoneID, RecordName, SetIdentifier string
	PollEvery, Timeout                time.Duration
	AWS                               Clients
	Kube                              kubernetes.Interface
	Log                               io.Writer
}

// Clients are the AWS APIs a failover calls.
type Clients struct {
	RDS        *rds.Client
	Route53    *route53.Client
	CloudWatch *cloudwatch.Client
}

// Step is one step of a failover or check, with how long it took.
type Step struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
	OK      bool    `json:"ok"`
	Detail  string  `json:"detail"`
}

// Report is what a run did.
type Report struct {
	Mode  string `json:"mode"` // dry run, execute, check
	Steps []Step `json:"steps"`
	OK    bool   `json:"ok"`
}

func (r *Report) add(name string, started time.Time, err error, detail string) bool {
	s := Step{Name: name, Seconds: time.Since(started).Seconds(), OK: err == nil, Detail: detail}
	if err != nil {
		s.Detail = err.Error()
	}
	r.Steps = append(r.Steps, s)
	return err == nil
}

// Text prints the steps and their times.
func (r *Report) Text(w io.Writer) {
	fmt.Fprintf(w, "failover %s:\n", r.Mode)
	var total float64
	for _, s := range r.Steps {
		mark := "ok  "
		if !s.OK {
			mark = "FAIL"
		}
		total += s.Seconds
		fmt.Fprintf(w, "  %s %-44s %7.1f s  %s\n", mark, s.Name, s.Seconds, s.Detail)
	}
	fmt.Fprintf(w, "  total %.1f s\n", total)
}

// standbyDatabase finds the standby's database by its Stack tag.
func (o Options) standbyDatabase(ctx context.Context) (*rdstypes.DBInstance, error) {
	p := rds.NewDescribeDBInstancesPaginator(o.AWS.RDS, &rds.DescribeDBInstancesInput{})
	var found []rdstypes.DBInstance
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing RDS instances: %w", err)
		}
		for _, db := range page.DBInstances {
			for _, t := range db.TagList {
				if aws.ToString(t.Key) == "Stack" && aws.ToString(t.Value) == o.StackTag {
					found = append(found, db)
				}
			}
		}
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("want exactly one RDS instance tagged Stack=%s in this region, found %d: is the standby deployed here (aws:region of its stack)?", o.StackTag, len(found))
	}
	return &found[0], nil
}

func isReplica(db *rdstypes.DBInstance) bool {
	return aws.ToString(db.ReadReplicaSourceDBInstanceIdentifier) != ""
}

// Dry runs every read a failover makes and says what it would do.
func Dry(ctx context.Context, o Options) *Report {
	r := &Report{Mode: "dry run (pass -execute to act)"}
	start := time.Now()
	db, err := o.standbyDatabase(ctx)
	if r.add("find the standby's database", start, err, "") {
		detail := fmt.Sprintf("would promote %s (replica of %s)", aws.ToString(db.DBInstanceIdentifier), aws.ToString(db.ReadReplicaSourceDBInstanceIdentifier))
		var err error
		if !isReplica(db) {
			err = fmt.Errorf("%s is not a replica: already promoted (failed over before?)", aws.ToString(db.DBInstanceIdentifier))
		}
		r.add("promote the replica", time.Now(), err, detail)
	}
	start = time.Now()
	_, err = o.Kube.AppsV1().Deployments(o.Namespace).Get(ctx, o.Deployment, metav1.GetOptions{})
	r.add("roll the dataplane onto the promoted database", start, err, fmt.Sprintf("would restart %s/%s", o.Namespace, o.Deployment))
	start = time.Now()
	_, err = o.Kube.AutoscalingV2().HorizontalPodAutoscalers(o.Namespace).Get(ctx, o.HPA, metav1.GetOptions{})
	r.add("scale the dataplane to the primary's minimum", start, err, fmt.Sprintf("would raise %s's minimum from %d to %d", o.HPA, o.StandingReplicas, o.TargetReplicas))
	r.OK = allOK(r.Steps)
	return r
}

// Execute fails over: promote, roll, scale, confirm. It stops at the first step that fails.
func Execute(ctx context.Context, o Options) *Report {
	r := &Report{Mode: "execute"}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	start := time.Now()
	db, err := o.standbyDatabase(ctx)
	if !r.add("find the standby's database", start, err, "") {
		return r
	}
	id := aws.ToString(db.DBInstanceIdentifier)
	start = time.Now()
	if !r.add("promote the replica", start, o.promote(ctx, db), id+" is a standalone primary") {
		return r
	}
	start = time.Now()
	if !r.add("roll the dataplane onto the promoted database", start, o.roll(ctx), "pods restarted: their pools open read-write connections") {
		return r
	}
	start = time.Now()
	if !r.add("scale the dataplane to the primary's minimum", start, o.scale(ctx), fmt.Sprintf("%s minimum %d", o.HPA, o.TargetReplicas)) {
		return r
	}
	start = time.Now()
	if !r.add("confirm the pods are ready", start, o.ready(ctx, o.TargetReplicas), fmt.Sprintf("%d ready", o.TargetReplicas)) {
		return r
	}
	if o.ZoneID != "" {
		start = time.Now()
		r.add("confirm Route 53 sends the traffic here", start, o.healthy(ctx), o.RecordName+" health check green from every checker")
	}
	r.OK = allOK(r.Steps)
	return r
}

// Check verifies the standby is ready: its replica replicating within the lag, its pods ready at
// the standing size, its health check green.
func Check(ctx context.Context, o Options) *Report {
	r := &Report{Mode: "check"}
	start := time.Now()
	db, err := o.standbyDatabase(ctx)
	if r.add("find the standby's database", start, err, "") {
		start = time.Now()
		var problem error
		switch {
		case !isReplica(db):
			problem = fmt.Errorf("%s is not a replica: the standby was promoted", aws.ToString(db.DBInstanceIdentifier))
		case aws.ToString(db.DBInstanceStatus) != "available":
			problem = fmt.Errorf("%s is %s", aws.ToString(db.DBInstanceIdentifier), aws.ToString(db.DBInstanceStatus))
		}
		r.add("the replica replicates", start, problem, aws.ToString(db.ReadReplicaSourceDBInstanceIdentifier))
		start = time.Now()
		lag, err := o.replicaLag(ctx, aws.ToString(db.DBInstanceIdentifier))
		r.add("replica lag within alerts.replicaLagSeconds", start, err, fmt.Sprintf("%.0f s (at most %g)", lag, o.ReplicaLagSeconds))
	}
	start = time.Now()
	r.add("the standby's pods are ready", start, o.ready(ctx, o.StandingReplicas), fmt.Sprintf("at least %d", o.StandingReplicas))
	if o.ZoneID != "" {
		start = time.Now()
		r.add("the standby's health check is green", start, o.healthy(ctx), o.RecordName+" SECONDARY")
	}
	r.OK = allOK(r.Steps)
	return r
}

func allOK(steps []Step) bool {
	for _, s := range steps {
		if !s.OK {
			return false
		}
	}
	return len(steps) > 0
}

// wait polls done until it reports true, an error, or ctx ends.
func (o Options) wait(ctx context.Context, what string, done func() (bool, error)) error {
	for {
		ok, err := done()
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-time.After(o.PollEvery):
		}
	}
}

func (o Options) promote(ctx context.Context, db *rdstypes.DBInstance) error {
	id := db.DBInstanceIdentifier
	if isReplica(db) {
		if _, err := o.AWS.RDS.PromoteReadReplica(ctx, &rds.PromoteReadReplicaInput{DBInstanceIdentifier: id}); err != nil {
			return fmt.Errorf("promoting %s: %w", aws.ToString(id), err)
		}
	}
	return o.wait(ctx, "waiting for the promotion", func() (bool, error) {
		out, err := o.AWS.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: id})
		if err != nil || len(out.DBInstances) == 0 {
			return false, err
		}
		d := out.DBInstances[0]
		return !isReplica(&d) && aws.ToString(d.DBInstanceStatus) == "available", nil
	})
}

func (o Options) replicaLag(ctx context.Context, id string) (float64, error) {
	// The window ends a minute ahead: a datapoint of this very second still counts.
	end := time.Now().Add(time.Minute)
	out, err := o.AWS.CloudWatch.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
		Namespace: aws.String("AWS/RDS"), MetricName: aws.String("ReplicaLag"),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("DBInstanceIdentifier"), Value: aws.String(id)}},
		StartTime:  aws.Time(end.Add(-11 * time.Minute)), EndTime: aws.Time(end), Period: aws.Int32(60),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticMaximum},
	})
	if err != nil {
		return 0, fmt.Errorf("reading ReplicaLag: %w", err)
	}
	if len(out.Datapoints) == 0 {
		return 0, errors.New("no ReplicaLag in the last 10 minutes: the replica reports nothing (not measured is not ready)")
	}
	worst := 0.0
	for _, d := range out.Datapoints {
		worst = max(worst, aws.ToFloat64(d.Maximum))
	}
	if worst > o.ReplicaLagSeconds {
		return worst, fmt.Errorf("ReplicaLag %.0f s above %g s: a failover now loses that much", worst, o.ReplicaLagSeconds)
	}
	return worst, nil
}

// healthy reads the record's health check status from Route 53's checkers.
func (o Options) healthy(ctx context.Context) error {
	sets, err := o.AWS.Route53.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{
		HostedZoneId: aws.String(o.ZoneID), StartRecordName: aws.String(o.RecordName), StartRecordType: "CNAME",
	})
	if err != nil {
		return fmt.Errorf("reading %s in zone %s: %w", o.RecordName, o.ZoneID, err)
	}
	var check string
	for _, s := range sets.ResourceRecordSets {
		if strings.TrimSuffix(aws.ToString(s.Name), ".") == o.RecordName && aws.ToString(s.SetIdentifier) == o.SetIdentifier {
			check = aws.ToString(s.HealthCheckId)
		}
	}
	if check == "" {
		return fmt.Errorf("zone %s has no %s record with set identifier %s: deploy the stack with ingress.dns", o.ZoneID, o.RecordName, o.SetIdentifier)
	}
	return o.wait(ctx, "waiting for the health check", func() (bool, error) {
		st, err := o.AWS.Route53.GetHealthCheckStatus(ctx, &route53.GetHealthCheckStatusInput{HealthCheckId: aws.String(check)})
		if err != nil {
			return false, fmt.Errorf("reading health check %s: %w", check, err)
		}
		if len(st.HealthCheckObservations) == 0 {
			return false, nil
		}
		for _, obs := range st.HealthCheckObservations {
			if obs.StatusReport == nil || !strings.HasPrefix(aws.ToString(obs.StatusReport.Status), "Success") {
				return false, nil
			}
		}
		return true, nil
	})
}
