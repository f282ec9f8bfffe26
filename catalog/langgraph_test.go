package catalog

import (
	"strings"
	"testing"
)

// Each clause of EmittedBy: the process, N_JOBS_PER_WORKER, the Deployment-UI set, the internal
// set's switch and its tier ceiling.
func TestEmittedByEachClause(t *testing.T) {
	get := func(name string) LangGraphMetric {
		m, ok := LangGraphMetricByName(LangGraphMetricPrefix, LangGraphMetricPrefix+name)
		if !ok {
			t.Fatalf("%s is not in the contract", name)
		}
		return m
	}
	full := LangGraphPodEnv{Process: ProcessAPI, JobsPerWorker: 10, ExposeInternal: true, MaxEmittingTier: TierInfo}
	cases := []struct {
		metric string
		env    LangGraphPodEnv
		want   bool
		why    string
	}{
		{"run_success_counter_total", full, true, ""},
		{"run_success_counter_total", LangGraphPodEnv{Process: ProcessAPI, JobsPerWorker: 10}, false, EnvExposeInternalMetrics + "=true"},
		{"run_success_counter_total", LangGraphPodEnv{Process: ProcessAPI, JobsPerWorker: 0, ExposeInternal: true}, false, EnvJobsPerWorker + " > 0"},
		{"num_pending_runs", LangGraphPodEnv{Process: ProcessQueue, JobsPerWorker: 10}, false, "only by the api process"},
		{"num_pending_runs", LangGraphPodEnv{Process: ProcessAPI}, true, ""},
		{"http_requests_latency", LangGraphPodEnv{Process: ProcessAPI, MaxEmittingTier: TierCritical}, true, ""}, // Deployment-UI: no ceiling
		{"stream_data_size_bytes", full, false, "tier 3, above " + EnvMaxEmittingTier + "=2"},
		{"run_execution_latency", LangGraphPodEnv{Process: ProcessQueue, JobsPerWorker: 1, ExposeInternal: true, MaxEmittingTier: TierCritical}, false, "tier 2"},
		{"run_execution_latency", LangGraphPodEnv{Process: ProcessQueue, JobsPerWorker: 1, ExposeInternal: true}, true, ""}, // 0: the server's default, 2
	}
	for _, c := range cases {
		got, why := get(c.metric).EmittedBy(c.env)
		if got != c.want || !strings.Contains(why, c.why) {
			t.Errorf("%s under %+v: got %v %q, want %v %q", c.metric, c.env, got, why, c.want, c.why)
		}
	}
}

func TestMetricByNameTakesHistogramSuffixesOnly(t *testing.T) {
	for name, want := range map[string]bool{
		"lg_api_http_requests_latency_bucket": true, "lg_api_http_requests_latency_count": true,
		"lg_api_http_requests_total_bucket": false, "lg_api_run_success_counter": false,
		"other_http_requests_total": false, "lg_api_num_pending_runs": true,
	} {
		if _, ok := LangGraphMetricByName(LangGraphMetricPrefix, name); ok != want {
			t.Errorf("%s: got %v, want %v", name, ok, want)
		}
	}
}

// The contract is well formed: unique names, known types, tiers and processes, and the
// credentialed and open routes apart.
func TestContractIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range LangGraphMetrics {
		if seen[m.Name] {
			t.Errorf("%s twice", m.Name)
		}
		seen[m.Name] = true
		if m.Type != "counter" && m.Type != "gauge" && m.Type != "histogram" {
			t.Errorf("%s: type %q", m.Name, m.Type)
		}
		if m.Type == "counter" != strings.HasSuffix(m.Name, "_total") {
			t.Errorf("%s: counters, and only they, end in _total", m.Name)
		}
		if m.Tier < TierCritical || m.Tier > TierDeepDebug || len(m.Processes) == 0 || (m.Runtime != RuntimeAny && m.Runtime != RuntimePostgres) {
			t.Errorf("%s: %+v", m.Name, m)
		}
	}
	for _, r := range LangGraphCredentialedRoutes {
		for _, o := range LangGraphOpenRoutes {
			if r == o {
				t.Errorf("%s is both credentialed and open", r)
			}
		}
	}
}
