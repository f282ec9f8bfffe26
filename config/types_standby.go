package config

import "strings"

// The warm standby: a second stack of this program in dr.region (dr.role standby) that keeps a
// cross-region replica of the primary's database, its own cache, cluster and a small dataplane,
// and takes the traffic after a region loss (cmd/failover, docs/disaster-recovery.md).

// DR roles.
const (
	RolePrimary = "primary"
	RoleStandby = "standby"
)

// BackupsOnlyRTOMinutes is the full-system recovery time without a standby, from the recovery
// table (docs/disaster-recovery.md): a restore of the replicated backups with a cluster standing
// by, 30-40 minutes, with one to create 45-60; the lower bound with a cluster to create is what a
// target below it cannot be met with.
const BackupsOnlyRTOMinutes = 45

// DRStandby sizes a standby stack.
type DRStandby struct {
	MinReplicas int `json:"minReplicas" doc:"On a standby: the dataplane's standing size (its HPA minimum until cmd/failover raises it to hpa.minReplicas); the lever of the standby's cost."`
}

// DNS is the Route 53 failover record of the stack's ingress.
type DNS struct {
	ZoneID                     string `json:"zoneId" doc:"Route 53 hosted zone ID (Z...) holding ingress.dns.recordName; with recordName, or neither."`
	RecordName                 string `json:"recordName" doc:"The name clients call: a failover alias record to the ALB, PRIMARY on the primary stack, SECONDARY on the standby."`
	TTLSeconds                 int    `json:"ttlSeconds" doc:"How long resolvers may cache the answer (alias records carry the ALB's 60 s); counted in the RTO."`
	HealthCheckIntervalSeconds int    `json:"healthCheckIntervalSeconds" doc:"Route 53 health check interval: 10 (fast) or 30."`
	FailureThreshold           int    `json:"failureThreshold" doc:"Failed checks in a row before Route 53 fails the record over (1-10)."`
}

// Enabled reports whether the stack manages its DNS record.
func (d DNS) Enabled() bool { return d.ZoneID != "" || d.RecordName != "" }

// FailoverSeconds is how long Route 53 takes to notice a dead region and clients to follow:
// the failed checks plus the TTL.
func (d DNS) FailoverSeconds() int {
	return d.HealthCheckIntervalSeconds*d.FailureThreshold + d.TTLSeconds
}

// Standby reports whether this stack is a warm standby.
func (c *Config) Standby() bool { return c.DR.Role == RoleStandby }

// StandingReplicas is the dataplane HPA's minimum as deployed: hpa.minReplicas, or a standby's
// standing size (cmd/failover raises it to hpa.minReplicas).
func (c *Config) StandingReplicas() int {
	if c.Standby() {
		return c.DR.Standby.MinReplicas
	}
	return c.HPA.MinReplicas
}

// stackName is the stack part of a fully qualified stack name.
func stackName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }
