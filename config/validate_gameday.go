package config

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/langgraph-platform/infra/catalog"
)

func validateGameDay(c *checker, cfg *Config) {
	g := cfg.GameDay
	if !g.Enabled {
		if g.Schedule.Enabled {
			c.failf("gameday.schedule.enabled", true, "needs gameday.enabled true: there is no experiment to start")
		}
		return
	}
	if len(g.Drills) == 0 {
		c.failf("gameday.drills", g.Drills, "is empty with gameday.enabled: name at least one of %s", strings.Join(catalog.Drills, ", "))
	}
	seen := map[string]bool{}
	for i, d := range g.Drills {
		key := fmt.Sprintf("gameday.drills[%d]", i)
		switch {
		case !slices.Contains(catalog.Drills, d):
			c.failf(key, d, "is not a drill: one of %s", strings.Join(catalog.Drills, ", "))
		case seen[d]:
			c.failf(key, d, "is listed twice")
		}
		seen[d] = true
	}
	// A drill whose target the stack does not have would fail at its start, or worse, turn a
	// drill into an outage: refuse it here.
	if seen[catalog.DrillDatabaseFailover] && !cfg.Database.MultiAZ {
		c.failf("gameday.drills", catalog.DrillDatabaseFailover, "needs database.multiAz true: a reboot with failover needs a standby to fail over to (a single-AZ instance only restarts)")
	}
	if g.HasPodDrill() && cfg.HPA.MinReplicas < 2 {
		c.failf("gameday.drills", "podDelete/podCpuStress", "need hpa.minReplicas >= 2 (is %d): with one pod the drill is an outage", cfg.HPA.MinReplicas)
	}
	if z := g.AvailabilityZone; z != "" && (cfg.Region == "" || !strings.HasPrefix(z, cfg.Region) || len(z) != len(cfg.Region)+1) {
		c.failf("gameday.availabilityZone", z, "is not a zone of aws:region %q (such as %sa)", cfg.Region, cfg.Region)
	}
	c.between("gameday.durationMinutes", g.DurationMinutes, 1, catalog.MaxDrillMinutes)
	c.between("gameday.podPercent", g.PodPercent, 1, 100)
	if g.StopErrorPercent <= 0 || g.StopErrorPercent >= 100 {
		c.failf("gameday.stopErrorPercent", g.StopErrorPercent, "must be above 0 and below 100: the 5xx share at which a drill stops itself")
	}
	c.logRetention("gameday.logRetentionDays", g.LogRetentionDays)
	s := g.Schedule
	if !s.Enabled {
		return
	}
	if cfg.Production() {
		c.failf("gameday.schedule.enabled", true, "is refused in prod: prod drills are started by a person with cmd/gameday -allow-prod (docs/gameday.md)")
	}
	if !seen[s.Drill] {
		c.failf("gameday.schedule.drill", s.Drill, "must be one of gameday.drills (%s)", strings.Join(g.Drills, ", "))
	}
	if p := scheduleExpressionProblem(s.Expression); p != "" {
		c.failf("gameday.schedule.expression", s.Expression, "%s", p)
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" {
		c.failf("gameday.schedule.timeZone", s.TimeZone, "is not an IANA time zone such as UTC or Europe/Berlin")
	}
}
