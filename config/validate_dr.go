package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/langgraph-platform/infra/catalog"
)

// awsCron is an AWS schedule expression's cron form: six fields (minutes hours day-of-month
// month day-of-week year), one of day-of-month and day-of-week a "?".
var (
	awsCron      = regexp.MustCompile(`^cron\((.+)\)$`)
	awsRate      = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)
	awsCronField = regexp.MustCompile(`^[0-9A-Za-z*?,/\-#L]+$`)
)

// scheduleExpressionProblem says what is wrong with an AWS schedule expression ("" when valid).
func scheduleExpressionProblem(expr string) string {
	if m := awsRate.FindStringSubmatch(expr); m != nil {
		n, _ := strconv.Atoi(m[1])
		switch plural := strings.HasSuffix(m[2], "s"); {
		case n == 0:
			return "a rate must be at least 1"
		case n == 1 && plural, n > 1 && !plural:
			return "takes the singular unit for 1 and the plural otherwise (rate(1 day), rate(7 days))"
		}
		return ""
	}
	m := awsCron.FindStringSubmatch(expr)
	if m == nil {
		return "is not an AWS schedule expression: cron(minutes hours day-of-month month day-of-week year) or rate(n unit)"
	}
	fields := strings.Fields(m[1])
	if len(fields) != 6 {
		return fmt.Sprintf("has %d cron fields; AWS's cron takes 6 (minutes hours day-of-month month day-of-week year)", len(fields))
	}
	for _, f := range fields {
		if !awsCronField.MatchString(f) {
			return fmt.Sprintf("cron field %q has characters AWS's cron does not take", f)
		}
	}
	if (fields[2] == "?") == (fields[4] == "?") {
		return "needs exactly one of day-of-month and day-of-week to be ?"
	}
	return ""
}

func validateDR(c *checker, cfg *Config) {
	d := cfg.DR
	if r := cfg.Database.Restore; r != nil {
		switch {
		case r.SourceInstanceIdentifier != "" && r.SourceAutomatedBackupsARN != "":
			c.failf("database.restore.sourceAutomatedBackupsArn", r.SourceAutomatedBackupsARN, "cannot be combined with database.restore.sourceInstanceIdentifier; choose one")
		case r.SourceAutomatedBackupsARN != "":
			if !strings.HasPrefix(r.SourceAutomatedBackupsARN, "arn:") || !strings.Contains(r.SourceAutomatedBackupsARN, ":rds:") || !strings.Contains(r.SourceAutomatedBackupsARN, ":auto-backup:") {
				c.failf("database.restore.sourceAutomatedBackupsArn", r.SourceAutomatedBackupsARN, "is not an RDS automated backups ARN (arn:<partition>:rds:<region>:<account>:auto-backup:ab-...)")
			} else if region := catalog.ARNRegion(r.SourceAutomatedBackupsARN); region != cfg.Region {
				c.failf("database.restore.sourceAutomatedBackupsArn", r.SourceAutomatedBackupsARN, "is in region %s, but aws:region=%q: restore the replicated backups in the region that holds them", region, cfg.Region)
			}
		}
	}
	if !d.Enabled {
		return
	}
	switch partition, known := catalog.Regions[d.Region]; {
	case d.Region == "":
		c.errs = append(c.errs, fmt.Errorf("dr.region is required with dr.enabled: the recovery region (or set dr.enabled false)"))
	case !known:
		c.failf("dr.region", d.Region, "is not an AWS region")
	case d.Region == cfg.Region:
		c.failf("dr.region", d.Region, "is the stack's own region (aws:region): a recovery region must be another one")
	case cfg.Region != "" && partition != catalog.Regions[cfg.Region]:
		c.failf("dr.region", d.Region, "is in partition %s, but aws:region=%q is in %s: backups and secrets replicate within a partition", partition, cfg.Region, catalog.Regions[cfg.Region])
	}
	c.between("dr.backupRetentionDays", d.BackupRetentionDays, 1, 35)
	for key, expr := range map[string]string{"dr.backupSchedule": d.BackupSchedule, "dr.drillSchedule": d.DrillSchedule} {
		if p := scheduleExpressionProblem(expr); p != "" {
			c.failf(key, expr, "%s", p)
		}
	}
	if _, err := time.LoadLocation(d.DrillTimeZone); err != nil || d.DrillTimeZone == "" {
		c.failf("dr.drillTimeZone", d.DrillTimeZone, "is not an IANA time zone such as UTC or Europe/Berlin")
	}
	if r := d.Replica; r.Enabled {
		if len(r.SubnetIDs) < 2 {
			c.failf("dr.replica.subnetIds", fmt.Sprint(r.SubnetIDs), "needs at least 2 subnets (subnet-...) in dr.region")
		}
		for i, id := range r.SubnetIDs {
			if !strings.HasPrefix(id, "subnet-") {
				c.failf(fmt.Sprintf("dr.replica.subnetIds[%d]", i), id, "is not a subnet ID (subnet-...)")
			}
		}
		if len(r.SecurityGroupIDs) == 0 {
			c.errs = append(c.errs, fmt.Errorf("dr.replica.securityGroupIds is empty: the replica needs a security group of its VPC in dr.region"))
		}
		for i, id := range r.SecurityGroupIDs {
			if !strings.HasPrefix(id, "sg-") {
				c.failf(fmt.Sprintf("dr.replica.securityGroupIds[%d]", i), id, "is not a security group ID (sg-...)")
			}
		}
	}
	if cfg.Database.BackupRetentionDays < 1 {
		c.failf("database.backupRetentionDays", cfg.Database.BackupRetentionDays, "must be >= 1 with dr.enabled: there are no automated backups to replicate")
	}
}
