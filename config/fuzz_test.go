package config_test

import (
	"maps"
	"testing"

	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/internal/harness"
)

// FuzzLoad replaces one top-level value of the prod stack with arbitrary text: loading must
// return a config or an error, never panic. `go test` runs the seeds; `go test -fuzz FuzzLoad
// ./config` explores further.
func FuzzLoad(f *testing.F) {
	sc, err := harness.LoadStackConfig(harness.Options{Stack: "prod", Secrets: harness.DefaultSecrets()})
	if err != nil {
		f.Fatal(err)
	}
	seeds := []struct {
		key, value string
		secret     bool
	}{
		{"hpa", `{"minReplicas": 3, "maxReplicas": 2}`, false},
		{"hpa", `{"scaleUp": {"pods": "x"}}`, false},
		{"hpa", `{"scaleUp": null}`, false},
		{"hpa", `[1,2,3]`, false},
		{"hpa", `{"minReplicas": 1e400}`, false},
		{"hpa", `{"minReplicas": -9223372036854775808}`, false},
		{"database", `{"restore": {"restoreTime": "2026-13-45T99:99:99Z"}}`, false},
		{"database", `{"restore": []}`, false},
		{"database", `{"backupWindow": "23:45-00:10"}`, false},
		{"database", `{"maintenanceWindow": "sun:23:50-mon:00:05"}`, false},
		{"cluster", `{"privateSubnetIds": [null, 7, {}]}`, false},
		{"cluster", `{"privateSubnetCidrs": ["::/0", "10.0.0.0/33"]}`, false},
		{"dataplane", `{"resources": {"cpuRequest": "1e9999"}}`, false},
		{"dataplane", `{"image": {"digest": "sha256:zz"}}`, false},
		{"cache", `{"engine": "memcached", "engineVersion": ""}`, false},
		{"kpi", `{"p95ResponseSeconds": "NaN"}`, false},
		{"environment", "", false},
		{"environment", "prod\x00", false},
		{"langsmithApiKey", "plaintext", false},
		{"langsmithApiKey", "", true},
		{"unknownKey", "{", false},
		{"", "", false},
	}
	for _, s := range seeds {
		f.Add(s.key, s.value, s.secret)
	}
	f.Fuzz(func(t *testing.T, key, value string, secret bool) {
		values := maps.Clone(sc.Values)
		full := sc.Project + ":" + key
		values[full] = value
		secretKeys := sc.SecretKeys
		if secret {
			secretKeys = append(append([]string(nil), secretKeys...), full)
		}
		cfg, err := config.Load(sc.Project, "prod", config.Raw{Values: values, SecretKeys: secretKeys})
		if err == nil && cfg == nil {
			t.Fatal("Load returned neither a config nor an error")
		}
		if err != nil && err.Error() == "" {
			t.Fatal("empty error message")
		}
	})
}
