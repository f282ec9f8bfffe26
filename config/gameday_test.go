package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/internal/harness"
)

// Game days are off by default and on in staging with the quarterly failover drill; prod keeps
// them off until a person turns them on.
func TestGameDayDefaults(t *testing.T) {
	prod, err := load(t, "prod", harness.Options{})
	require.NoError(t, err)
	assert.False(t, prod.GameDay.Enabled)
	assert.Equal(t, catalog.Drills, prod.GameDay.Drills)
	staging, err := load(t, "staging", harness.Options{})
	require.NoError(t, err)
	assert.True(t, staging.GameDay.Enabled)
	assert.True(t, staging.GameDay.Schedule.Enabled)
	assert.Equal(t, catalog.DrillDatabaseFailover, staging.GameDay.Schedule.Drill)
	assert.Equal(t, "cron(0 10 ? 1,4,7,10 3#2 *)", staging.GameDay.Schedule.Expression, "quarterly")
	assert.True(t, staging.Database.MultiAZ, "the failover drill needs a standby")
}

// Every bad gameday input names the key, the value and what is allowed.
func TestGameDayRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		stack string
		set   map[string]any
		want  string
	}{
		{"staging", map[string]any{"gameday.drills": []any{"databaseFailover", "chaosMonkey"}}, `gameday.drills[1]="chaosMonkey" is not a drill: one of databaseFailover, cacheAzPower, podDelete, podCpuStress, azNetworkLoss, nodeTermination`},
		{"staging", map[string]any{"gameday.drills": []any{"podDelete", "podDelete"}, "gameday.schedule.drill": "podDelete"}, `gameday.drills[1]="podDelete" is listed twice`},
		{"staging", map[string]any{"gameday.drills": []any{}}, `gameday.drills=[] is empty with gameday.enabled`},
		{"staging", map[string]any{"database.multiAz": false}, `gameday.drills="databaseFailover" needs database.multiAz true`},
		{"staging", map[string]any{"hpa.minReplicas": 1}, `need hpa.minReplicas >= 2 (is 1)`},
		{"staging", map[string]any{"gameday.availabilityZone": "eu-west-1a"}, `gameday.availabilityZone="eu-west-1a" is not a zone of aws:region "us-east-1"`},
		{"staging", map[string]any{"gameday.durationMinutes": 90}, `gameday.durationMinutes=90`},
		{"staging", map[string]any{"gameday.podPercent": 0}, `gameday.podPercent=0`},
		{"staging", map[string]any{"gameday.stopErrorPercent": 0}, `gameday.stopErrorPercent=0 must be above 0 and below 100`},
		{"staging", map[string]any{"gameday.logRetentionDays": 4}, `gameday.logRetentionDays=4`},
		{"staging", map[string]any{"gameday.schedule.drill": "podDelete", "gameday.drills": []any{"databaseFailover"}}, `gameday.schedule.drill="podDelete" must be one of gameday.drills (databaseFailover)`},
		{"staging", map[string]any{"gameday.schedule.expression": "every quarter"}, `gameday.schedule.expression="every quarter" is not an AWS schedule expression`},
		{"staging", map[string]any{"gameday.schedule.timeZone": "Mars/Olympus"}, `gameday.schedule.timeZone="Mars/Olympus" is not an IANA time zone`},
		{"staging", map[string]any{"gameday.enabled": false}, `gameday.schedule.enabled=true needs gameday.enabled true`},
		{"prod", map[string]any{"gameday.enabled": true, "gameday.schedule.enabled": true}, `gameday.schedule.enabled=true is refused in prod: prod drills are started by a person`},
		{"prod", map[string]any{"gameday.enabled": true, "gameday.unknown": 1}, `gameday`},
	} {
		_, err := load(t, tc.stack, harness.Options{Set: tc.set})
		if assert.Error(t, err, "%v", tc.set) {
			assert.Contains(t, err.Error(), tc.want)
		}
	}
	// Prod may turn the templates on: a person starts them.
	prod, err := load(t, "prod", harness.Options{Set: map[string]any{"gameday.enabled": true}})
	require.NoError(t, err)
	assert.True(t, prod.GameDay.HasDrill(catalog.DrillDatabaseFailover))
}
