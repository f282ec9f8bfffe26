package program

// The warm standby: what a primary exports for its standby (one contract, like the cluster
// reference's), and how a standby reads it.

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/components/database"
	"github.com/langgraph-platform/infra/components/dataplane"
	"github.com/langgraph-platform/infra/components/dns"
	"github.com/langgraph-platform/infra/config"
)

// The outputs a primary with dr.standbyStack exports and its standby reads.
const (
	OutputDRRole             = "drRole"
	OutputRegion             = "region"
	OutputDatabaseARN        = "databaseArn"
	OutputDatabaseUsername   = "databaseUsername"
	OutputDatabaseName       = "databaseName"
	OutputDatabasePassword   = "databasePassword" // secret
	OutputDatabaseIdentifier = "databaseIdentifier"
	OutputHPAMinReplicas     = "hpaMinReplicas"
	OutputHPAMaxReplicas     = "hpaMaxReplicas"
)

// StandbyContract is every output the standby reads, in order.
var StandbyContract = []string{OutputDRRole, OutputRegion, OutputDatabaseARN, OutputDatabaseUsername, OutputDatabaseName,
	OutputDatabasePassword, OutputDatabaseIdentifier, OutputHPAMinReplicas, OutputHPAMaxReplicas}

// standbyExports are the primary's outputs for its standby; every stack exports its role.
func standbyExports(cfg *config.Config, account awsbase.Account, db *database.Database) map[string]pulumi.Output {
	out := map[string]pulumi.Output{OutputDRRole: pulumi.String(cfg.DR.Role).ToStringOutput()}
	if cfg.DR.StandbyStack == "" && !cfg.Standby() {
		return out
	}
	// A standby exports the same, so that a promoted standby can have a standby of its own.
	out[OutputRegion] = pulumi.String(account.Region).ToStringOutput()
	out[OutputDatabaseARN] = db.ARN
	out[OutputDatabaseIdentifier] = db.Identifier
	out[OutputDatabaseUsername] = db.Username
	out[OutputDatabaseName] = db.DatabaseName
	out[OutputDatabasePassword] = db.Password
	out[OutputHPAMinReplicas] = pulumi.Int(cfg.HPA.MinReplicas).ToIntOutput()
	out[OutputHPAMaxReplicas] = pulumi.Int(cfg.HPA.MaxReplicas).ToIntOutput()
	return out
}

// readPrimary reads the primary's outputs through a StackReference and refuses a stack that is
// not a primary, one in this stack's region, or a standby sized above the primary's maximum.
func readPrimary(ctx *pulumi.Context, cfg *config.Config, account awsbase.Account) (*database.ReplicaSource, error) {
	stack := cfg.DR.PrimaryStack
	ref, err := pulumi.NewStackReference(ctx, "primary-reference", &pulumi.StackReferenceArgs{Name: pulumi.String(stack)})
	if err != nil {
		return nil, err
	}
	values, problems, err := referenceOutputs(ref, stack, StandbyContract, func(name string) error {
		return fmt.Errorf("dr.primaryStack=%q has no output %q: a primary of this project with dr.standbyStack exports %v", stack, name, StandbyContract)
	})
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, &config.Error{Stack: cfg.Stack, Problems: problems}
	}
	str := func(name string) string { s, _ := values[name].(string); return s }
	num := func(name string) int { f, _ := values[name].(float64); return int(f) }
	switch {
	case str(OutputDRRole) != config.RolePrimary:
		problems = append(problems, fmt.Errorf("dr.primaryStack=%q is not a primary (its dr.role is %q): a standby stands by for a primary", stack, str(OutputDRRole)))
	case str(OutputRegion) == account.Region:
		problems = append(problems, fmt.Errorf("aws:region=%q is the primary's region: a standby stands in another region (dr.region of %s)", account.Region, stack))
	case cfg.DR.Standby.MinReplicas > num(OutputHPAMaxReplicas):
		problems = append(problems, fmt.Errorf("dr.standby.minReplicas=%d is above the primary's hpa.maxReplicas (%d)", cfg.DR.Standby.MinReplicas, num(OutputHPAMaxReplicas)))
	}
	if len(problems) > 0 {
		return nil, &config.Error{Stack: cfg.Stack, Problems: problems}
	}
	return &database.ReplicaSource{
		SourceARN: pulumi.String(str(OutputDatabaseARN)), Username: pulumi.String(str(OutputDatabaseUsername)),
		DatabaseName: pulumi.String(str(OutputDatabaseName)), Password: pulumi.ToSecret(pulumi.String(str(OutputDatabasePassword))).(pulumi.StringOutput),
	}, nil
}

// DNSArgs map ingress.dns onto the stack's failover record: PRIMARY on a primary, SECONDARY on
// its standby, each checking its own load balancer.
func DNSArgs(cfg *config.Config, loadBalancerDNSName pulumi.StringInput) dns.Args {
	d := cfg.Ingress.DNS
	failover := dns.Primary
	if cfg.Standby() {
		failover = dns.Secondary
	}
	return dns.Args{
		ZoneID: d.ZoneID, RecordName: d.RecordName, Failover: failover, SetIdentifier: cfg.Stack,
		LoadBalancerDNSName: loadBalancerDNSName, HealthPath: dataplane.HealthPath,
		TTLSeconds: d.TTLSeconds, IntervalSeconds: d.HealthCheckIntervalSeconds, FailureThreshold: d.FailureThreshold,
		Tags: Tags(cfg),
	}
}
