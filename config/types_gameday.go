package config

import (
	"slices"

	"github.com/langgraph-platform/infra/catalog"
)

// The game-day settings: failover and recovery drills as AWS Fault Injection Service experiment
// templates (package components/gameday), started by cmd/gameday or on a schedule.

// The drill names are catalog.Drills (catalog/fis.go): the experiment templates the program
// builds and the FIS action each uses.

// GameDay configures the drills.
type GameDay struct {
	Enabled bool     `json:"enabled" doc:"Create the FIS experiment templates, their role, log group and stop-condition alarms (off by default; staging on, prod only when a person will run drills there)."`
	Drills  []string `json:"drills" doc:"The drills to create: databaseFailover, cacheAzPower, podDelete, podCpuStress, azNetworkLoss, nodeTermination (docs/gameday.md)."`
	// AvailabilityZone is the zone the zonal drills take down.
	AvailabilityZone string `json:"availabilityZone" doc:"The zone azNetworkLoss cuts off and cacheAzPower powers down (a zone of aws:region); empty: the first zone of the data tier."`
	DurationMinutes  int    `json:"durationMinutes" doc:"How long a lasting fault (CPU stress, network loss, cache AZ power) lasts, in minutes (1-60)."`
	PodPercent       int    `json:"podPercent" doc:"Share of the dataplane's pods podDelete and podCpuStress hit (1-100)."`
	// StopErrorPercent is the fast stop alarm's threshold: a drill that hurts users more stops.
	StopErrorPercent float64         `json:"stopErrorPercent" doc:"Stop a drill when more than this share of the ALB's requests answer 5xx for 2 consecutive minutes (0-100, exclusive)."`
	LogRetentionDays int             `json:"logRetentionDays" doc:"Retention of the experiments' logs (a CloudWatch Logs retention value)."`
	Schedule         GameDaySchedule `json:"schedule"`
}

// GameDaySchedule starts one drill on an EventBridge Scheduler schedule.
type GameDaySchedule struct {
	Enabled    bool   `json:"enabled" doc:"Start gameday.schedule.drill on the schedule (EventBridge Scheduler); its result reaches the stack's topic. Refused in prod: prod drills are started by a person."`
	Drill      string `json:"drill" doc:"The scheduled drill (one of gameday.drills)."`
	Expression string `json:"expression" doc:"EventBridge Scheduler expression: quarterly by default (the seed's DR test cadence), second Tuesday of Jan, Apr, Jul, Oct at 10:00."`
	TimeZone   string `json:"timeZone" doc:"IANA time zone of gameday.schedule.expression."`
}

// HasPodDrill reports whether the stack creates a drill that acts inside the cluster.
func (g GameDay) HasPodDrill() bool {
	return slices.ContainsFunc(catalog.PodDrills, g.HasDrill)
}

// HasDrill reports whether the stack creates the drill.
func (g GameDay) HasDrill(name string) bool {
	if !g.Enabled {
		return false
	}
	return slices.Contains(g.Drills, name)
}
