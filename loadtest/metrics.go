package loadtest

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql"
)

// QueueWaitMetric is LangGraph's histogram of a run's first-attempt queue wait, in milliseconds
// (Agent Server v0.11 and later), after the metric prefix.
const QueueWaitMetric = "run_queue_wait_time_1st_attempt"

// QueueWait is the queue wait of the runs queued during the test, from the server's histogram.
type QueueWait struct {
	Count int64   `json:"count"`
	Avg   float64 `json:"avg"` // seconds
	P95   float64 `json:"p95"` // seconds, interpolated within buckets as histogram_quantile does
}

// queueBuckets is one scrape of the histogram, summed over its series: cumulative counts by
// upper bound (milliseconds), the sum and the count.
type queueBuckets struct {
	counts     map[float64]float64
	sum, count float64
}

func (b queueBuckets) minus(base queueBuckets) queueBuckets {
	out := queueBuckets{counts: map[float64]float64{}, sum: b.sum - base.sum, count: b.count - base.count}
	for le, c := range b.counts {
		out.counts[le] = c - base.counts[le]
	}
	return out
}

// ScrapeFamilies reads a -metrics-url endpoint's metric families (Prometheus text format).
func ScrapeFamilies(ctx context.Context, c *http.Client, u *url.URL) (map[string]*dto.MetricFamily, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("-metrics-url=%s: %v", u.Redacted(), err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("-metrics-url: cannot reach %s: %v", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("-metrics-url: GET %s answered %d", u.Redacted(), resp.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("-metrics-url: %s is not Prometheus text format: %v", u.Redacted(), err)
	}
	return families, nil
}

// scrapeQueueWait reads the queue-wait histogram from a Prometheus text endpoint.
func scrapeQueueWait(ctx context.Context, c *http.Client, u *url.URL, prefix string) (queueBuckets, error) {
	name := prefix + QueueWaitMetric
	families, err := ScrapeFamilies(ctx, c, u)
	if err != nil {
		return queueBuckets{}, err
	}
	family, ok := families[name]
	if !ok || family.GetType().String() != "HISTOGRAM" {
		return queueBuckets{}, fmt.Errorf("-metrics-url: %s has no histogram %s (LangGraph Agent Server v0.11 or later records it on the Postgres runtime, not the in-memory one of `langgraph dev`; check -metric-prefix and LSD_PROM_METRICS_ENABLED)", u.Redacted(), name)
	}
	out := queueBuckets{counts: map[float64]float64{}}
	for _, m := range family.GetMetric() {
		h := m.GetHistogram()
		out.sum += h.GetSampleSum()
		out.count += float64(h.GetSampleCount())
		for _, b := range h.GetBucket() {
			out.counts[b.GetUpperBound()] += float64(b.GetCumulativeCount())
		}
	}
	return out, nil
}

// queueWaitOf merges the per-endpoint deltas and computes the p95 with Prometheus's own bucket
// quantile (the function behind histogram_quantile) and the mean from sum and count.
func queueWaitOf(deltas []queueBuckets) *QueueWait {
	total := queueBuckets{counts: map[float64]float64{}}
	for _, d := range deltas {
		total.sum += d.sum
		total.count += d.count
		for le, c := range d.counts {
			total.counts[le] += c
		}
	}
	q := &QueueWait{Count: int64(total.count)}
	if total.count <= 0 {
		return q
	}
	if _, ok := total.counts[math.Inf(1)]; !ok { // the quantile needs the +Inf bucket
		total.counts[math.Inf(1)] = total.count
	}
	var buckets promql.Buckets
	for _, le := range slices.Sorted(maps.Keys(total.counts)) {
		buckets = append(buckets, promql.Bucket{UpperBound: le, Count: total.counts[le]})
	}
	p95, _, _, _, _, _ := promql.BucketQuantile(0.95, buckets)
	q.P95 = p95 / 1000
	q.Avg = total.sum / total.count / 1000
	return q
}

// QueueSnapshot is one scrape of the queue-wait histogram, for a caller that follows it over
// time (cmd/gameday judges each interval of a drill).
type QueueSnapshot struct{ b queueBuckets }

// ScrapeQueueWait reads the queue-wait histogram from one metrics endpoint.
func ScrapeQueueWait(ctx context.Context, c *http.Client, u *url.URL, prefix string) (QueueSnapshot, error) {
	b, err := scrapeQueueWait(ctx, c, u, prefix)
	return QueueSnapshot{b}, err
}

// QueueWaitBetween is the queue wait of the runs queued between two scrapes of the same
// endpoints (index by index); an endpoint whose counts went down restarted, and counts from zero.
func QueueWaitBetween(before, after []QueueSnapshot) *QueueWait {
	var deltas []queueBuckets
	for i := range min(len(before), len(after)) {
		d := after[i].b.minus(before[i].b)
		if d.count < 0 {
			d = after[i].b
		}
		deltas = append(deltas, d)
	}
	return queueWaitOf(deltas)
}
