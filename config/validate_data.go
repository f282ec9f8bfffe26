package config

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/langgraph-platform/infra/catalog"
)

// Validation of the data tier: RDS PostgreSQL and ElastiCache, and their maintenance windows.

func validateDatabase(c *checker, d Database) {
	if ok, offered := catalog.PostgresVersionAllowed(d.EngineVersion); !ok && offered == nil {
		c.failf("database.engineVersion", d.EngineVersion, "has an unsupported major; allowed majors: %s", strings.Join(catalog.Sorted(catalog.PostgresVersions), ", "))
	} else if !ok {
		c.failf("database.engineVersion", d.EngineVersion, "is not a version RDS offers for new instances (checked %s); allowed: %s", catalog.PostgresVersionsChecked, strings.Join(offered, ", "))
	}
	if _, ok := catalog.RDSInstanceMemoryGiB[d.InstanceClass]; !ok {
		c.failf("database.instanceClass", d.InstanceClass, "is not an allowed instance class; allowed: %s", strings.Join(catalog.Sorted(catalog.RDSInstanceMemoryGiB), ", "))
	}
	c.between("database.allocatedStorageGb", d.AllocatedStorageGB, 20, 65536)
	if d.MaxAllocatedStorageGB <= d.AllocatedStorageGB || d.MaxAllocatedStorageGB > 65536 {
		c.failf("database.maxAllocatedStorageGb", d.MaxAllocatedStorageGB, "must be > database.allocatedStorageGb=%d and <= 65536 (storage autoscaling ceiling)", d.AllocatedStorageGB)
	}
	c.between("database.readReplicas", d.ReadReplicas, 0, 15)
	c.match("database.databaseName", d.DatabaseName, pgIdentifier, "a PostgreSQL identifier (lowercase letter, then letters, digits, _; up to 63)")
	c.match("database.masterUsername", d.MasterUsername, pgIdentifier, "a PostgreSQL identifier (lowercase letter, then letters, digits, _; up to 63)")
	if slices.Contains([]string{"postgres", "rdsadmin", "admin", "root"}, d.MasterUsername) {
		c.failf("database.masterUsername", d.MasterUsername, "is reserved by RDS or PostgreSQL; choose another name")
	}
	c.between("database.backupRetentionDays", d.BackupRetentionDays, 1, 35)
	backup := c.daily("database.backupWindow", d.BackupWindow)
	maint := c.weekly("database.maintenanceWindow", d.MaintenanceWindow)
	if backup != nil && maint != nil && overlapsDaily(*backup, *maint) {
		c.failf("database.backupWindow", d.BackupWindow, "overlaps database.maintenanceWindow=%q; RDS requires them apart", d.MaintenanceWindow)
	}
	if p := d.PerformanceInsightsRetentionDays; !(p == 7 || p == 731 || (p >= 31 && p <= 713 && p%31 == 0)) {
		c.failf("database.performanceInsightsRetentionDays", p, "is not a Performance Insights retention; allowed: 7, 731 or a multiple of 31 up to 713")
	}
	if !slices.Contains([]int{1, 5, 10, 15, 30, 60}, d.MonitoringIntervalSeconds) {
		c.failf("database.monitoringIntervalSeconds", d.MonitoringIntervalSeconds, "is not an enhanced monitoring interval; allowed: 1, 5, 10, 15, 30, 60")
	}
	if d.LogMinDurationStatementMs < -1 {
		c.failf("database.logMinDurationStatementMs", d.LogMinDurationStatementMs, "must be -1 (off) or >= 0")
	}
	if d.MaxConnectionsOverride != 0 && (d.MaxConnectionsOverride < 10 || d.MaxConnectionsOverride > 262143) {
		c.failf("database.maxConnections", d.MaxConnectionsOverride, "must be 0 (derive from the instance class) or between 10 and 262143")
	}
	for i, e := range d.EventEmails {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			c.failf(fmt.Sprintf("database.eventEmails[%d]", i), e, "is not an e-mail address")
		}
	}
	if r := d.Restore; r != nil {
		// A restore from replicated backups names an ARN instead, checked by validateDR.
		if r.SourceAutomatedBackupsARN == "" && (len(r.SourceInstanceIdentifier) > 63 || !rdsIdentifier.MatchString(r.SourceInstanceIdentifier)) {
			c.failf("database.restore.sourceInstanceIdentifier", r.SourceInstanceIdentifier, "is not an RDS instance identifier (1-63 letters, digits or hyphens, starting with a letter, no two hyphens in a row, not ending in a hyphen)")
		}
		switch {
		case r.RestoreTime != "" && r.UseLatestRestorableTime:
			c.failf("database.restore.restoreTime", r.RestoreTime, "cannot be combined with database.restore.useLatestRestorableTime=true; choose one")
		case r.RestoreTime == "" && !r.UseLatestRestorableTime:
			c.errs = append(c.errs, fmt.Errorf("database.restore needs restoreTime (RFC 3339) or useLatestRestorableTime: true"))
		case r.RestoreTime != "":
			if _, err := time.Parse(time.RFC3339, r.RestoreTime); err != nil {
				c.failf("database.restore.restoreTime", r.RestoreTime, "is not an RFC 3339 time such as 2026-11-27T14:05:00Z")
			}
		}
	}
}

func validateCache(c *checker, k Cache) {
	versions, ok := catalog.CacheEngineVersions[k.Engine]
	if !ok {
		c.failf("cache.engine", k.Engine, "is not allowed; allowed: valkey, redis")
	} else if _, ok := versions[k.EngineVersion]; !ok {
		c.failf("cache.engineVersion", k.EngineVersion, "is not a %s version ElastiCache offers here; allowed: %s", k.Engine, strings.Join(catalog.Sorted(versions), ", "))
	}
	if _, ok := catalog.ElastiCacheNodeMemoryGiB[k.NodeType]; !ok {
		c.failf("cache.nodeType", k.NodeType, "is not an allowed node type; allowed: %s", strings.Join(catalog.Sorted(catalog.ElastiCacheNodeMemoryGiB), ", "))
	}
	if k.Nodes < 2 || k.Nodes > 6 {
		c.failf("cache.nodes", k.Nodes, "must be between 2 and 6 (1 primary + 1-5 replicas; automatic failover needs a replica)")
	}
	c.oneOf("cache.maxmemoryPolicy", k.MaxmemoryPolicy, catalog.MaxmemoryPolicies)
	if k.AppendOnly {
		c.failf("cache.appendOnly", true, "is not supported: ElastiCache ignores AOF on Redis OSS 2.8.22+ and Valkey, and never enables it with Multi-AZ; "+
			"durability here comes from Multi-AZ automatic failover across AZs plus daily snapshots, and LangGraph keeps no durable data in Redis "+
			"(runs live in PostgreSQL). See docs/decisions/cache-durability.md; use MemoryDB if you need a durable log")
	}
	c.between("cache.snapshotRetentionDays", k.SnapshotRetentionDays, 1, 35)
	snap := c.daily("cache.snapshotWindow", k.SnapshotWindow)
	maint := c.weekly("cache.maintenanceWindow", k.MaintenanceWindow)
	if snap != nil && maint != nil && overlapsDaily(*snap, *maint) {
		c.failf("cache.snapshotWindow", k.SnapshotWindow, "overlaps cache.maintenanceWindow=%q; ElastiCache requires them apart", k.MaintenanceWindow)
	}
	c.logRetention("cache.logRetentionDays", k.LogRetentionDays)
}

// window is a span of minutes in the week [start, end).
type window struct{ start, end int }

var weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

func (c *checker) daily(key, v string) *window {
	m := dailyWindow.FindStringSubmatch(v)
	if m == nil {
		c.failf(key, v, "is not a daily window hh24:mi-hh24:mi (UTC)")
		return nil
	}
	start, end := atoi(m[1])*60+atoi(m[2]), atoi(m[3])*60+atoi(m[4])
	if (end-start+1440)%1440 < 30 {
		c.failf(key, v, "must be at least 30 minutes long")
		return nil
	}
	return &window{start, end}
}

func (c *checker) weekly(key, v string) *window {
	m := weeklyWindow.FindStringSubmatch(v)
	if m == nil {
		c.failf(key, v, "is not a weekly window ddd:hh24:mi-ddd:hh24:mi (UTC) such as sun:04:30-sun:05:30")
		return nil
	}
	start := slices.Index(weekdays, m[1])*1440 + atoi(m[2])*60 + atoi(m[3])
	end := slices.Index(weekdays, m[4])*1440 + atoi(m[5])*60 + atoi(m[6])
	if (end-start+7*1440)%(7*1440) < 30 {
		c.failf(key, v, "must be at least 30 minutes long")
		return nil
	}
	return &window{start, end}
}

// overlapsDaily reports whether a daily window, repeated on each day, meets a weekly window.
func overlapsDaily(daily, weekly window) bool {
	const week = 7 * 1440
	covers := func(w window, minute int) bool {
		if w.end > w.start {
			return minute >= w.start && minute < w.end
		}
		return minute >= w.start || minute < w.end
	}
	for day := 0; day < 7; day++ {
		for m := daily.start; m != daily.end; m = (m + 1) % 1440 {
			if covers(weekly, (day*1440+m)%week) {
				return true
			}
		}
	}
	return false
}

// validateUpgrade checks a database upgrade against what config can see; the preflight asks
// RDS whether the target is a valid upgrade of the running version.
func validateUpgrade(c *checker, cfg *Config) {
	d := cfg.Database
	u := d.Upgrade
	c.oneOf("database.upgrade.method", u.Method, []string{UpgradeBlueGreen, UpgradeInPlace})
	if !d.Upgrading() {
		return
	}
	key := "database.upgrade.targetVersion"
	if ok, offered := catalog.PostgresVersionAllowed(u.TargetVersion); !ok && offered == nil {
		c.failf(key, u.TargetVersion, "has an unsupported major; allowed majors: %s", strings.Join(catalog.Sorted(catalog.PostgresVersions), ", "))
		return
	} else if !ok {
		c.failf(key, u.TargetVersion, "is not a version RDS offers (checked %s); allowed: %s", catalog.PostgresVersionsChecked, strings.Join(offered, ", "))
		return
	}
	if catalog.CompareVersions(u.TargetVersion, d.EngineVersion) <= 0 {
		c.failf(key, u.TargetVersion, "is not newer than database.engineVersion=%q: RDS never downgrades (once an upgrade is done, move the target into database.engineVersion and clear targetVersion)", d.EngineVersion)
		return
	}
	if d.MajorUpgrade() && u.Method == UpgradeInPlace && cfg.Production() {
		c.failf("database.upgrade.method", u.Method, "is refused for a major upgrade (%s to %s) in prod: in place, the database is offline for the whole upgrade; use blueGreen (a switchover of about a minute)", d.EngineVersion, u.TargetVersion)
	}
	if u.Method == UpgradeBlueGreen && cfg.DR.Replica.Enabled {
		c.failf("database.upgrade.method", u.Method, "cannot run with dr.replica.enabled: RDS Blue/Green deployments do not support cross-Region read replicas; set dr.replica.enabled false for the upgrade, and true again after it (README \"Upgrading\")")
	}
	if d.Restore != nil {
		c.failf(key, u.TargetVersion, "cannot be combined with database.restore: restore first, then upgrade")
	}
}
