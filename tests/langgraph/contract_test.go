// Package langgraph proves the monitoring contract and the load test against LangChain's real
// LangGraph server (langgraph-api from PyPI, in memory), started by internal/langgraphtest.
package langgraph

import (
	"encoding/json"
	"io"
	"maps"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/components/dataplane"
	"github.com/langgraph-platform/infra/internal/langgraphtest"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

// The server's own metric definitions (metrics_otlp.py's MetricDef objects), as JSON.
const dumpDefinitions = `
import json, langgraph_api, langgraph_api.metrics_otlp as m
defs = [d for d in vars(m).values() if isinstance(d, m.MetricDef)]
print(json.dumps({"version": langgraph_api.__version__, "prefix": m.METRIC_NAME_PREFIX,
  "defs": [{"name": d.name, "type": d.metric_type, "tier": d.tier, "web": d.lsd_web_metric} for d in defs],
  "buckets": list(m.HTTP_LATENCY_BUCKETS_MS)}))
`

// The contract equals the server's definitions: every family, its type, tier and set, and the
// latency buckets. A server upgrade that renames, adds or re-tiers a metric fails here.
func TestContractEqualsTheServersDefinitions(t *testing.T) {
	venv, err := langgraphtest.Venv()
	require.NoError(t, err)
	cmd := exec.Command(filepath.Join(venv, "bin", "python"), "-c", dumpDefinitions)
	// What `langgraph dev` sets for the in-memory runtime: the config module reads them on import.
	cmd.Env = append(os.Environ(), "LANGGRAPH_RUNTIME_EDITION=inmem", "REDIS_URI=fake", "DATABASE_URI=:memory:")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, stderr.String())
	var got struct {
		Version, Prefix string
		Defs            []struct {
			Name, Type string
			Tier       int
			Web        bool
		}
		Buckets []float64
	}
	require.NoError(t, json.Unmarshal(out, &got))
	assert.Equal(t, catalog.LangGraphAPIVersion, got.Version, "the pinned server is the one the contract was read from")
	assert.Equal(t, catalog.LangGraphMetricPrefix, got.Prefix)
	assert.Equal(t, catalog.LangGraphLatencyBucketsMS, got.Buckets)
	server := map[string]catalog.LangGraphMetric{}
	for _, d := range got.Defs {
		name := strings.TrimPrefix(d.Name, got.Prefix)
		typ := map[string]string{"counter": "counter", "gauge": "gauge", "histogram": "histogram", "latency": "histogram"}[d.Type]
		if typ == "counter" && !strings.HasSuffix(name, "_total") {
			name += "_total" // the Prometheus exporter appends it
		}
		server[name] = catalog.LangGraphMetric{Name: name, Type: typ, Tier: d.Tier, DeploymentUI: d.Web}
	}
	ours := map[string]catalog.LangGraphMetric{}
	for _, m := range catalog.LangGraphMetrics {
		ours[m.Name] = catalog.LangGraphMetric{Name: m.Name, Type: m.Type, Tier: m.Tier, DeploymentUI: m.DeploymentUI}
	}
	assert.Equal(t, slices.Sorted(maps.Keys(server)), slices.Sorted(maps.Keys(ours)), "the families")
	for name, s := range server {
		assert.Equal(t, s, ours[name], name)
	}
}

// podEnv is the env the program sets on the API pods of the prod stack, as far as the metrics
// contract goes.
func podEnv(t *testing.T) map[string]string {
	t.Helper()
	res := stacktest.Run(t, "prod", nil)
	d := stacktest.One(t, res, "kubernetes:apps/v1:Deployment", "-dataplane-deployment")
	env := map[string]string{}
	for _, e := range d.In("spec.template.spec.containers[0].env").([]any) {
		m := e.(map[string]any)
		if v, ok := m["value"].(string); ok && (strings.HasPrefix(m["name"].(string), "EXPOSE_") || strings.HasPrefix(m["name"].(string), "METRIC_")) {
			env[m["name"].(string)] = v
		}
	}
	require.Contains(t, env, catalog.EnvExposeInternalMetrics)
	return env
}

// scrape reads the server's Prometheus endpoint (the path the ServiceMonitor scrapes, on the
// API port).
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + dataplane.MetricsPath)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	return families
}

// value sums a counter or gauge family's samples (0 when absent).
func value(families map[string]*dto.MetricFamily, name string) float64 {
	f, ok := families[name]
	if !ok {
		return 0
	}
	sum := 0.0
	for _, m := range f.GetMetric() {
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		}
	}
	return sum
}

// get answers a GET with its status and body.
func get(t *testing.T, url string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The routes of the contract are the server's: the OpenAPI document's first path segments are
// exactly the credentialed and open routes, the credentialed ones refuse a caller without a key
// under custom auth, and the open ones answer without.
func TestRoutesEqualTheServersOpenAPIDocument(t *testing.T) {
	s := langgraphtest.Start(t, langgraphtest.Options{Config: "langgraph-auth.json", Env: map[string]string{"LOADTEST_API_KEY": "k-123"}})
	code, body := get(t, s.URL+"/openapi.json", nil)
	require.Equal(t, http.StatusOK, code)
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &doc))
	segments := map[string]bool{"/openapi.json": true} // the document itself
	for p := range doc.Paths {
		segments["/"+strings.SplitN(strings.TrimPrefix(p, "/"), "/", 2)[0]] = true
	}
	want := append(slices.Clone(catalog.LangGraphCredentialedRoutes), catalog.LangGraphOpenRoutes...)
	assert.ElementsMatch(t, want, slices.Collect(maps.Keys(segments)), "a new route: decide whether it takes a credential (catalog, the WAF)")
	for _, open := range catalog.LangGraphOpenRoutes {
		code, _ := get(t, s.URL+open, nil)
		assert.Equal(t, http.StatusOK, code, "%s is served without a credential", open)
	}
	for _, p := range []string{"/threads/search", "/assistants/search", "/runs/crons/search", "/store/items/search"} {
		req, err := http.NewRequest(http.MethodPost, s.URL+p, strings.NewReader(`{}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, p)
	}
	// The run routes the SLO matches are in the document.
	for _, r := range catalog.LangGraphRunRouteTemplates {
		assert.Contains(t, doc.Paths, r)
	}
}

// cmd/gameday's dependency probe: /ok with the dependency check answers JSON with "ok" and a
// "services" map without a credential (the in-memory runtime has no dependency to probe, so the
// map is empty; the licensed runtime names PostgreSQL and Redis there).
func TestTheDependencyCheckAnswersAsGamedayReadsIt(t *testing.T) {
	s := langgraphtest.Start(t, langgraphtest.Options{Config: "langgraph-auth.json", Env: map[string]string{"LOADTEST_API_KEY": "k-123"}})
	code, body := get(t, s.URL+catalog.LangGraphHealthPath+"?"+catalog.LangGraphDependencyCheckQuery, nil)
	require.Equal(t, http.StatusOK, code, body)
	var answer struct {
		OK       *bool             `json:"ok"`
		Services map[string]string `json:"services"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &answer))
	require.NotNil(t, answer.OK, body)
	assert.True(t, *answer.OK)
	assert.NotNil(t, answer.Services, body)
	// Without the check every dependency is skipped, not probed.
	_, plain := get(t, s.URL+catalog.LangGraphHealthPath, nil)
	assert.Contains(t, plain, `"ok":true`)
}

// Under the env the program sets, the server exposes the run outcome counters; under the
// server's defaults (the pods before this contract) it does not: the SLO would be silent.
func TestTheEnvDecidesWhatTheServerExposes(t *testing.T) {
	env := podEnv(t)
	env["STATS_INTERVAL_SECS"] = "1" // the collector's sampling, shortened for the test
	withEnv := langgraphtest.Start(t, langgraphtest.Options{Env: env})
	defaults := langgraphtest.Start(t, langgraphtest.Options{Env: map[string]string{"STATS_INTERVAL_SECS": "1"}})
	for _, s := range []*langgraphtest.Server{withEnv, defaults} {
		runOnce(t, s.URL, false)
		runOnce(t, s.URL, true)
	}
	got, before := scrape(t, withEnv.URL), scrape(t, defaults.URL)
	pod := catalog.LangGraphPodEnv{Process: catalog.ProcessAPI, JobsPerWorker: 10, ExposeInternal: true}
	pod.MaxEmittingTier, _ = strconv.Atoi(env[catalog.EnvMaxEmittingTier])
	seen := map[string]bool{}
	for name, f := range got {
		if !strings.HasPrefix(name, catalog.LangGraphMetricPrefix) {
			continue
		}
		m, ok := catalog.LangGraphMetricByName(catalog.LangGraphMetricPrefix, name)
		if !assert.True(t, ok, "%s is on the endpoint but not in the contract", name) {
			continue
		}
		seen[m.Name] = true
		assert.Equal(t, m.Type, strings.ToLower(f.GetType().String()), name)
		emitted, why := m.EmittedBy(pod)
		assert.True(t, emitted, "%s is on the endpoint, the contract says not: %s", name, why)
	}
	// What the rules read and the in-memory server records after a success and a failure.
	for _, name := range []string{"http_requests_total", "http_requests_latency", "run_success_counter_total", "run_failed_after_retry_counter_total",
		"run_attempt_started_counter_total", "run_execution_latency", "workers_max", "workers_active", "workers_available"} {
		assert.True(t, seen[name], "%s under the program's env", name)
	}
	for _, internal := range []string{"run_success_counter_total", "run_failed_after_retry_counter_total"} {
		assert.NotContains(t, before, catalog.LangGraphMetricPrefix+internal, "the server's default hides the internal metrics")
	}
	assert.Contains(t, before, catalog.LangGraphMetricPrefix+"http_requests_total", "the Deployment-UI set is always there")
	// The latency histogram's buckets are the contract's (the latency SLO's target is one).
	var bounds []float64
	for _, b := range got[catalog.LangGraphMetricPrefix+"http_requests_latency"].GetMetric()[0].GetHistogram().GetBucket() {
		if !math.IsInf(b.GetUpperBound(), 1) {
			bounds = append(bounds, b.GetUpperBound())
		}
	}
	assert.Equal(t, catalog.LangGraphLatencyBucketsMS, bounds)
	// The path label carries the route templates the SLO's run-route pattern is written for.
	var paths []string
	for _, m := range got[catalog.LangGraphMetricPrefix+"http_requests_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "path" {
				paths = append(paths, l.GetValue())
			}
		}
	}
	assert.Contains(t, paths, "/threads/{thread_id}/runs/wait")
}

// runOnce creates a thread and runs the graph on it once, failing it when asked.
func runOnce(t *testing.T, base string, fail bool) {
	t.Helper()
	resp, err := http.Post(base+"/threads", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	var th struct {
		ThreadID string `json:"thread_id"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&th))
	resp.Body.Close()
	body := `{"assistant_id":"agent","input":{"sleep_ms":10,"fail":` + strconv.FormatBool(fail) + `}}`
	resp, err = http.Post(base+"/threads/"+th.ThreadID+"/runs/wait", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}
