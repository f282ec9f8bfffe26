// Package dns holds a stack's Route 53 failover record: its name as a CNAME to the stack's load
// balancer, PRIMARY on the primary stack and SECONDARY on its warm standby, each with a health
// check on its own load balancer. When the primary's check fails, Route 53 answers with the
// standby's load balancer (docs/disaster-recovery.md, "The warm standby").
package dns

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "langgraph:aws:FailoverRecord"

// Failover roles (Route 53's failover routing policy types).
const (
	Primary   = "PRIMARY"
	Secondary = "SECONDARY"
)

// Args configure the record and its health check.
type Args struct {
	ZoneID, RecordName string
	// Failover is Primary or Secondary; SetIdentifier tells the two records apart (the stack).
	Failover, SetIdentifier string
	// LoadBalancerDNSName is the stack's ALB, found by its tags like the alarms find it.
	LoadBalancerDNSName pulumi.StringInput
	// HealthPath is the path the health check asks (the dataplane's /ok, which the Ingress
	// serves on any host name).
	HealthPath                                    string
	TTLSeconds, IntervalSeconds, FailureThreshold int
	Tags                                          map[string]string
}

// Validate refuses what Route 53 would.
func (a Args) Validate() error {
	var errs []error
	bad := func(field string, v any, allowed string) {
		errs = append(errs, fmt.Errorf("dns.Args.%s=%v: %s", field, v, allowed))
	}
	if a.ZoneID == "" || a.RecordName == "" || a.SetIdentifier == "" || a.LoadBalancerDNSName == nil {
		bad("ZoneID/RecordName/SetIdentifier/LoadBalancerDNSName", a.RecordName, "are required")
	}
	if a.Failover != Primary && a.Failover != Secondary {
		bad("Failover", a.Failover, "PRIMARY or SECONDARY")
	}
	if a.IntervalSeconds != 10 && a.IntervalSeconds != 30 {
		bad("IntervalSeconds", a.IntervalSeconds, "10 or 30")
	}
	if a.FailureThreshold < 1 || a.FailureThreshold > 10 || a.TTLSeconds < 0 {
		bad("FailureThreshold/TTLSeconds", fmt.Sprint(a.FailureThreshold, "/", a.TTLSeconds), "1-10 and >= 0")
	}
	if a.HealthPath == "" {
		bad("HealthPath", a.HealthPath, "is required")
	}
	return errors.Join(errs...)
}

// FailoverRecord is the record and its health check.
type FailoverRecord struct {
	pulumi.ResourceState

	HealthCheckID pulumi.StringOutput `pulumi:"healthCheckId"`
	FQDN          pulumi.StringOutput `pulumi:"fqdn"`
}

// New creates the health check and the record.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*FailoverRecord, error) {
	if err := args.Validate(); err != nil {
		return nil, err
	}
	r := &FailoverRecord{}
	if err := ctx.RegisterComponentResource(TypeToken, name, r, opts...); err != nil {
		return nil, err
	}
	here := pulumi.Parent(r)
	tags := pulumi.StringMap{"Name": pulumi.String(args.RecordName + " " + args.Failover)}
	for k, v := range args.Tags {
		tags[k] = pulumi.String(v)
	}
	// HTTPS to the load balancer's own name: the check follows this region's ALB, never the
	// failover record it decides.
	check, err := route53.NewHealthCheck(ctx, name+"-health", &route53.HealthCheckArgs{
		Type: pulumi.String("HTTPS"), Fqdn: args.LoadBalancerDNSName, Port: pulumi.Int(443), ResourcePath: pulumi.String(args.HealthPath),
		RequestInterval: pulumi.Int(args.IntervalSeconds), FailureThreshold: pulumi.Int(args.FailureThreshold),
		EnableSni: pulumi.Bool(true), Tags: tags,
	}, here)
	if err != nil {
		return nil, err
	}
	// A CNAME, not an alias: its TTL is ours to set and to count in the RTO (an alias record
	// takes the ALB's 60 s). The name cannot be the zone's apex.
	record, err := route53.NewRecord(ctx, name+"-record", &route53.RecordArgs{
		ZoneId: pulumi.String(args.ZoneID), Name: pulumi.String(args.RecordName), Type: pulumi.String("CNAME"),
		Ttl: pulumi.Int(args.TTLSeconds), Records: pulumi.StringArray{args.LoadBalancerDNSName},
		SetIdentifier:           pulumi.String(args.SetIdentifier),
		FailoverRoutingPolicies: route53.RecordFailoverRoutingPolicyArray{route53.RecordFailoverRoutingPolicyArgs{Type: pulumi.String(args.Failover)}},
		HealthCheckId:           check.ID(),
	}, here)
	if err != nil {
		return nil, err
	}
	r.HealthCheckID = check.ID().ToStringOutput()
	r.FQDN = record.Fqdn
	return r, ctx.RegisterResourceOutputs(r, pulumi.Map{"healthCheckId": r.HealthCheckID, "fqdn": r.FQDN})
}
