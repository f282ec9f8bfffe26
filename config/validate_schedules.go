package config

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // time zones are checked the same on every machine

	"github.com/robfig/cron/v3"
)

// MaxSchedules bounds hpa.schedules: each is a CronJob.
const MaxSchedules = 10

// scheduleHorizon is how far ahead two schedules are compared for firing at the same minute: two
// weeks cover every weekly pattern, from a fixed Monday so the check is the same on every run.
var (
	scheduleFrom    = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	scheduleHorizon = 14 * 24 * time.Hour
)

func validateSchedules(c *checker, cfg *Config) {
	h := cfg.HPA
	if len(h.Schedules) == 0 {
		return
	}
	if len(h.Schedules) > MaxSchedules {
		c.failf("hpa.schedules", fmt.Sprintf("%d entries", len(h.Schedules)), "must have at most %d entries", MaxSchedules)
	}
	if cfg.Dataplane.EmergencyReplicas > 0 {
		c.failf("hpa.schedules", fmt.Sprintf("%d entries", len(h.Schedules)), "cannot be combined with dataplane.emergencyReplicas=%d: the emergency pin and the schedules would fight over the HPA; remove one", cfg.Dataplane.EmergencyReplicas)
	}
	c.image("hpa.scheduleImage", h.ScheduleImage, "a kubectl image pinned by tag or digest")
	fires := map[time.Time]int{}
	for i, s := range h.Schedules {
		key := fmt.Sprintf("hpa.schedules[%d]", i)
		c.between(key+".minReplicas", s.MinReplicas, 1, h.MaxReplicas)
		loc, err := time.LoadLocation(s.TimeZone)
		if s.TimeZone == "" || err != nil || s.TimeZone == "Local" {
			c.failf(key+".timeZone", s.TimeZone, "is not an IANA time zone such as UTC or Europe/Berlin")
			continue
		}
		if strings.HasPrefix(s.Cron, "TZ=") || strings.HasPrefix(s.Cron, "CRON_TZ=") {
			c.failf(key+".cron", s.Cron, "carries a time zone: Kubernetes refuses TZ= in a schedule; put it in %s.timeZone", key)
			continue
		}
		spec, err := cron.ParseStandard(s.Cron)
		if err != nil || strings.HasPrefix(s.Cron, "@every") {
			c.failf(key+".cron", s.Cron, "is not a cron expression a CronJob takes (minute hour day-of-month month day-of-week, such as 30 7 * * 1-5)")
			continue
		}
		for t := spec.Next(scheduleFrom.In(loc)); t.Before(scheduleFrom.Add(scheduleHorizon)); t = spec.Next(t) {
			at := t.UTC()
			if j, ok := fires[at]; ok && j != i {
				c.failf(key+".cron", s.Cron, "fires at the same minute as hpa.schedules[%d] (%s, %s): which minimum wins would be undefined", j, at.In(loc).Format("Mon 15:04 MST"), s.TimeZone)
				break
			}
			fires[at] = i
		}
	}
}
