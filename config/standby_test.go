package config_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/internal/harness"
)

// The standby and DNS settings refuse what cannot work, naming the key and what is allowed.
func TestStandbyAndDNSRefuseBadInput(t *testing.T) {
	for _, tc := range []struct {
		stack string
		set   map[string]any
		want  string
	}{
		{"prod", map[string]any{"dr.standbyStack": ""}, `dr.targetRtoMinutes=30 is below what backups alone give after a region loss (45 minutes`},
		{"prod", map[string]any{"dr.standbyStack": "prod-standby"}, `dr.standbyStack="prod-standby" is not a fully qualified stack name`},
		{"prod", map[string]any{"dr.standbyStack": "organization/langgraph-platform/prod"}, `is this stack`},
		{"prod", map[string]any{"dr.role": "secondary"}, `dr.role="secondary"`},
		{"prod", map[string]any{"dr.primaryStack": "organization/langgraph-platform/staging"}, `dr.primaryStack="organization/langgraph-platform/staging" is for a standby`},
		{"prod-standby", map[string]any{"dr.primaryStack": ""}, `dr.primaryStack is required`},
		{"prod-standby", map[string]any{"dr.enabled": true, "dr.region": "us-east-1"}, `dr.enabled=true must be false on a standby`},
		{"prod-standby", map[string]any{"dr.standby.minReplicas": 60}, `dr.standby.minReplicas=60 must be 1 to hpa.maxReplicas (50)`},
		{"prod-standby", map[string]any{"dr.standby.minReplicas": 40}, `dr.standby.minReplicas=40 is above hpa.minReplicas (35)`},
		{"prod-standby", map[string]any{"database.readReplicas": 1}, `database.readReplicas=1 must be 0 on a standby`},
		{"prod-standby", map[string]any{"dr.standbyStack": "organization/langgraph-platform/x"}, `dr.standbyStack="organization/langgraph-platform/x" is for a primary`},
		{"prod", map[string]any{"ingress.dns.zoneId": ""}, `ingress.dns.zoneId="" is required with ingress.dns.recordName ("agents.example.com")`},
		{"staging", map[string]any{"ingress.dns.zoneId": "Z0123ABC"}, `ingress.dns.recordName="" is required with ingress.dns.zoneId ("Z0123ABC")`},
		{"prod", map[string]any{"ingress.dns.zoneId": "zone-1"}, `ingress.dns.zoneId="zone-1" is not a Route 53 hosted zone ID`},
		{"prod", map[string]any{"ingress.dns.healthCheckIntervalSeconds": 20}, `ingress.dns.healthCheckIntervalSeconds=20 must be 10 or 30`},
		{"prod", map[string]any{"ingress.dns.failureThreshold": 11}, `ingress.dns.failureThreshold=11`},
	} {
		_, err := load(t, tc.stack, harness.Options{Set: tc.set})
		if assert.Error(t, err, "%s %v", tc.stack, tc.set) {
			assert.Contains(t, err.Error(), tc.want)
		}
	}
	// Accepting the backups' RTO is the other way to declare the trade.
	cfg, err := load(t, "prod", harness.Options{Set: map[string]any{"dr.standbyStack": "", "dr.targetRtoMinutes": 60}})
	require.NoError(t, err)
	assert.Equal(t, "primary", cfg.DR.Role)
	standby, err := load(t, "prod-standby", harness.Options{})
	require.NoError(t, err)
	assert.True(t, standby.Standby())
	assert.True(t, standby.Production(), "prod's standby gets production guard-rails")
	assert.Equal(t, 3, standby.StandingReplicas())
	assert.Equal(t, 90, standby.Ingress.DNS.FailoverSeconds(), "3 checks 10 s apart, then the 60 s TTL")
}
