package gameday

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/loadtest"
)

// probe asks the dataplane's /ok?check_db=1 once: did the server answer (any status from the
// server), and were its data dependencies healthy (200 with ok true). A load balancer's own
// 502/503/504 is no answer from the server.
func probe(ctx context.Context, c *http.Client, base *url.URL) Probe {
	p := Probe{At: time.Now()}
	u := base.JoinPath(catalog.LangGraphHealthPath)
	u.RawQuery = catalog.LangGraphDependencyCheckQuery
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return p
	}
	resp, err := c.Do(req)
	if err != nil {
		return p
	}
	defer resp.Body.Close()
	var body struct {
		OK       *bool             `json:"ok"`
		Services map[string]string `json:"services"`
	}
	decodeErr := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body)
	// The server answers JSON with "ok" (200, or 500 for an unhealthy dependency, 503 when
	// overloaded); anything else came from in front of it.
	p.Server = decodeErr == nil && body.OK != nil
	p.Dependencies = p.Server && resp.StatusCode == http.StatusOK && *body.OK
	return p
}

// retryCounters are the server's counters of runs retried and lost (internal metrics, exposed
// with EXPOSE_INTERNAL_METRICS_PROMETHEUS, which the dataplane sets).
// The last, counted at every run's first attempt, tells that the internal metrics are exposed: the
// others appear only after their first event, so their absence then means none.
var retryCounters = []string{"run_failed_retriable_counter_total", "run_failed_after_retry_counter_total", "run_abandoned_by_shutdown_counter_total", attemptsCounter}

const attemptsCounter = "run_attempt_started_counter_total"

// scrapeCounters sums each named counter over its series; a family the endpoint lacks is absent.
func scrapeCounters(ctx context.Context, c *http.Client, u *url.URL, prefix string) (map[string]float64, error) {
	families, err := loadtest.ScrapeFamilies(ctx, c, u)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, name := range retryCounters {
		f, ok := families[prefix+name]
		if !ok {
			continue
		}
		for _, m := range f.GetMetric() {
			out[name] += m.GetCounter().GetValue()
		}
	}
	return out, nil
}

// counterDelta is after minus before, summed over endpoints; a counter that went down restarted
// with its process and counts from zero. It is measured where the endpoint exposes the internal
// metrics (attemptsCounter present).
func counterDelta(before, after []map[string]float64, name string) (float64, bool) {
	var total float64
	seen := false
	for i := range min(len(before), len(after)) {
		if _, exposed := after[i][attemptsCounter]; !exposed {
			continue
		}
		seen = true
		a := after[i][name]
		if b := before[i][name]; a >= b {
			total += a - b
		} else {
			total += a
		}
	}
	return total, seen
}
