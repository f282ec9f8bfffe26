package config

import (
	"fmt"
	"regexp"
)

var hostedZoneID = regexp.MustCompile(`^[A-Z0-9]{1,32}$`)

const stackReferenceAllowed = `a fully qualified stack name, organization/project/stack (the DIY backend's organization is "organization")`

func validateStandby(c *checker, cfg *Config) {
	d := cfg.DR
	c.oneOf("dr.role", d.Role, []string{RolePrimary, RoleStandby})
	c.between("dr.targetRtoMinutes", d.TargetRTOMinutes, 1, 24*60)
	switch d.Role {
	case RolePrimary:
		if d.PrimaryStack != "" {
			c.failf("dr.primaryStack", d.PrimaryStack, "is for a standby (dr.role standby); a primary names its standby in dr.standbyStack")
		}
		if d.StandbyStack != "" && c.match("dr.standbyStack", d.StandbyStack, stackReference, stackReferenceAllowed) && stackName(d.StandbyStack) == cfg.Stack {
			c.failf("dr.standbyStack", d.StandbyStack, "is this stack: the standby is another stack, in dr.region")
		}
		// Backups alone recover a region in 45 minutes at best: a tighter target needs the
		// standby. A config refusal, not a policy rule: the standby is another stack, which no
		// analyzer of this one sees; the stack file is where the trade is declared.
		if cfg.Production() && d.Enabled && d.TargetRTOMinutes < BackupsOnlyRTOMinutes && d.StandbyStack == "" {
			c.failf("dr.targetRtoMinutes", d.TargetRTOMinutes, "is below what backups alone give after a region loss (%d minutes, docs/disaster-recovery.md): name the warm standby stack in dr.standbyStack, or accept %d minutes or more", BackupsOnlyRTOMinutes, BackupsOnlyRTOMinutes)
		}
	case RoleStandby:
		if c.required("dr.primaryStack", d.PrimaryStack, "the stack this one stands by for") &&
			c.match("dr.primaryStack", d.PrimaryStack, stackReference, stackReferenceAllowed) && stackName(d.PrimaryStack) == cfg.Stack {
			c.failf("dr.primaryStack", d.PrimaryStack, "is this stack: a standby stands by for another one")
		}
		if d.StandbyStack != "" {
			c.failf("dr.standbyStack", d.StandbyStack, "is for a primary; a standby names its primary in dr.primaryStack")
		}
		if d.Enabled {
			c.failf("dr.enabled", true, "must be false on a standby: the standby is the primary's recovery; its database replicates from the primary")
		}
		if d.Standby.MinReplicas < 1 || d.Standby.MinReplicas > cfg.HPA.MaxReplicas {
			c.failf("dr.standby.minReplicas", d.Standby.MinReplicas, "must be 1 to hpa.maxReplicas (%d): the standby's standing size cannot exceed what the dataplane scales to", cfg.HPA.MaxReplicas)
		}
		if d.Standby.MinReplicas > cfg.HPA.MinReplicas {
			c.failf("dr.standby.minReplicas", d.Standby.MinReplicas, "is above hpa.minReplicas (%d), the size cmd/failover scales the standby to: a standby stands smaller", cfg.HPA.MinReplicas)
		}
		if cfg.Database.ReadReplicas != 0 {
			c.failf("database.readReplicas", cfg.Database.ReadReplicas, "must be 0 on a standby: its database is a read replica of the primary's (promoted by cmd/failover)")
		}
		if cfg.Database.Restore != nil || cfg.Database.Upgrading() {
			c.errs = append(c.errs, fmt.Errorf("database.restore and database.upgrade are refused on a standby: its database follows the primary's (restore or upgrade the primary)"))
		}
	}
	validateDNS(c, cfg.Ingress.DNS)
}

func validateDNS(c *checker, d DNS) {
	if !d.Enabled() {
		return
	}
	switch {
	case d.ZoneID == "":
		c.failf("ingress.dns.zoneId", d.ZoneID, "is required with ingress.dns.recordName (%q): the hosted zone holding it", d.RecordName)
	case d.RecordName == "":
		c.failf("ingress.dns.recordName", d.RecordName, "is required with ingress.dns.zoneId (%q): the name clients call", d.ZoneID)
	default:
		c.match("ingress.dns.zoneId", d.ZoneID, hostedZoneID, "a Route 53 hosted zone ID (up to 32 capital letters and digits, such as Z04512345ABCDEFGHIJKL)")
		c.match("ingress.dns.recordName", d.RecordName, dnsName, "a lowercase DNS name such as api.example.com")
	}
	c.between("ingress.dns.ttlSeconds", d.TTLSeconds, 0, 86400)
	if d.HealthCheckIntervalSeconds != 10 && d.HealthCheckIntervalSeconds != 30 {
		c.failf("ingress.dns.healthCheckIntervalSeconds", d.HealthCheckIntervalSeconds, "must be 10 or 30 (Route 53's two intervals)")
	}
	c.between("ingress.dns.failureThreshold", d.FailureThreshold, 1, 10)
}
