package loadtest

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Response times are recorded in microseconds from 1 µs to 1 hour with 3 significant digits:
// a fixed ~200 KB per histogram however many requests are made.
const (
	histMin     = 1
	histMax     = int64(time.Hour / time.Microsecond)
	histSigFigs = 3
)

func newHistogram() *hdr.Histogram { return hdr.New(histMin, histMax, histSigFigs) }

func record(h *hdr.Histogram, d time.Duration) {
	v := min(max(int64(d/time.Microsecond), histMin), histMax)
	_ = h.RecordValue(v) // in range by construction
}

func seconds(us int64) float64 { return float64(us) / 1e6 }

// Sample is one interval of the time series (and the live progress line).
type Sample struct {
	Elapsed        time.Duration
	ActiveUsers    int64
	Requests       int64 // finished in the interval
	FailedRequests int64
	RunsOK         int64
	RunsFailed     int64
	RunsPerSecond  float64
	// Response times of the runs that succeeded in the interval, seconds.
	P50, P95, P99 float64
	// Totals so far.
	TotalRuns           int64
	TotalFailedRequests int64
	TotalRequests       int64
}

type recorder struct {
	start  time.Time
	active atomic.Int64

	mu                     sync.Mutex
	runs, threads, window  *hdr.Histogram
	byOp                   map[string]map[string]int64
	requests, failed       int64
	stopped                int64
	runsOK, runsFailed     int64
	winRequests, winFailed int64
	winOK, winRunFailed    int64
	lastSample             time.Time
	series                 []Sample
	peakActive             int64
	firstErrors            map[string]string
	users                  int
	mode                   string
}

func newRecorder(o Options) *recorder {
	now := time.Now()
	return &recorder{
		start: now, lastSample: now, users: o.Users, mode: o.Mode,
		runs: newHistogram(), threads: newHistogram(), window: newHistogram(),
		byOp:        map[string]map[string]int64{OpThread: {}, OpRun: {}},
		firstErrors: map[string]string{},
	}
}

// record counts one finished request. Requests cut off by the end of the test are not counted.
func (r *recorder) record(op string, o outcome, d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if o.stopped {
		r.stopped++
		return
	}
	r.requests++
	r.winRequests++
	r.byOp[op][o.kind]++
	if !o.ok {
		r.failed++
		r.winFailed++
		if _, seen := r.firstErrors[o.kind]; !seen && err != nil {
			r.firstErrors[o.kind] = err.Error()
		}
	}
	switch {
	case op == OpThread && o.ok:
		record(r.threads, d)
	case op == OpRun && o.ok:
		r.runsOK++
		r.winOK++
		record(r.runs, d)
		record(r.window, d)
	case op == OpRun:
		r.runsFailed++
		r.winRunFailed++
	}
}

// sample closes the current interval.
func (r *recorder) sample() Sample {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	active := r.active.Load()
	r.peakActive = max(r.peakActive, active)
	span := now.Sub(r.lastSample).Seconds()
	s := Sample{
		Elapsed: now.Sub(r.start), ActiveUsers: active,
		Requests: r.winRequests, FailedRequests: r.winFailed, RunsOK: r.winOK, RunsFailed: r.winRunFailed,
		P50: seconds(r.window.ValueAtQuantile(50)), P95: seconds(r.window.ValueAtQuantile(95)), P99: seconds(r.window.ValueAtQuantile(99)),
		TotalRuns: r.runsOK + r.runsFailed, TotalFailedRequests: r.failed, TotalRequests: r.requests,
	}
	if span > 0 {
		s.RunsPerSecond = float64(r.winOK+r.winRunFailed) / span
	}
	r.series = append(r.series, s)
	r.window.Reset()
	r.winRequests, r.winFailed, r.winOK, r.winRunFailed = 0, 0, 0, 0
	r.lastSample = now
	return s
}

// Latency summarizes a histogram, in seconds.
type Latency struct {
	Count int64   `json:"count"`
	Avg   float64 `json:"avg"`
	P50   float64 `json:"p50"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
}

func latencyOf(h *hdr.Histogram) Latency {
	return Latency{
		Count: h.TotalCount(), Avg: h.Mean() / 1e6,
		P50: seconds(h.ValueAtQuantile(50)), P95: seconds(h.ValueAtQuantile(95)), P99: seconds(h.ValueAtQuantile(99)),
		Max: seconds(h.Max()),
	}
}

// Result is what a test measured.
type Result struct {
	Started     time.Time `json:"started"`
	Ended       time.Time `json:"ended"`
	Interrupted bool      `json:"interrupted"`
	Mode        string    `json:"mode"`
	Users       int       `json:"users"`
	// PeakActiveUsers is the most users running at a sample.
	PeakActiveUsers int64 `json:"peakActiveUsers"`
	// Requests counts finished requests by operation and outcome (HTTP status or failure kind).
	Requests        map[string]map[string]int64 `json:"requests"`
	TotalRequests   int64                       `json:"totalRequests"`
	FailedRequests  int64                       `json:"failedRequests"`
	StoppedRequests int64                       `json:"stoppedRequests"` // cut off by the end: not counted
	RunsOK          int64                       `json:"runsSucceeded"`
	RunsFailed      int64                       `json:"runsFailed"`
	// RunLatency is the response time of successful runs (the whole /runs/wait or stream).
	RunLatency    Latency `json:"runResponseSeconds"`
	ThreadLatency Latency `json:"threadResponseSeconds"`
	RunsPerSecond float64 `json:"runsPerSecond"`
	// QueueWait is from the server's metrics; nil when no -metrics-url was given.
	QueueWait *QueueWait `json:"queueWait"`
	// Errors holds the first message of each failure kind.
	Errors   map[string]string `json:"firstErrors"`
	Warnings []string          `json:"warnings,omitempty"`
	Series   []Sample          `json:"-"`
}

func (r *recorder) result(interrupted bool) *Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	end := time.Now()
	res := &Result{
		Started: r.start, Ended: end, Interrupted: interrupted, Mode: r.mode, Users: r.users, PeakActiveUsers: r.peakActive,
		Requests: map[string]map[string]int64{}, TotalRequests: r.requests, FailedRequests: r.failed, StoppedRequests: r.stopped,
		RunsOK: r.runsOK, RunsFailed: r.runsFailed, RunLatency: latencyOf(r.runs), ThreadLatency: latencyOf(r.threads),
		Errors: maps.Clone(r.firstErrors), Series: slices.Clone(r.series),
	}
	for op, m := range r.byOp {
		res.Requests[op] = maps.Clone(m)
	}
	if d := end.Sub(r.start).Seconds(); d > 0 {
		res.RunsPerSecond = float64(r.runsOK+r.runsFailed) / d
	}
	return res
}

// SuccessRate is the share of finished runs that succeeded, in percent.
func (r *Result) SuccessRate() float64 {
	if n := r.RunsOK + r.RunsFailed; n > 0 {
		return 100 * float64(r.RunsOK) / float64(n)
	}
	return 0
}

// ErrorRate is the share of finished requests (threads and runs) that failed, in percent: any
// answer but 2xx, a timeout or a broken connection.
func (r *Result) ErrorRate() float64 {
	if r.TotalRequests > 0 {
		return 100 * float64(r.FailedRequests) / float64(r.TotalRequests)
	}
	return 0
}

// Targets are the KPI targets, from the stack's kpi.* config.
type Targets struct {
	SuccessRatePercent float64 // >
	AvgResponseSeconds float64 // <
	P95ResponseSeconds float64 // <
	ErrorRatePercent   float64 // <
	QueueWaitSeconds   float64 // < (p95)
}

// KPI is one verdict line.
type KPI struct {
	Name       string  `json:"name"`
	Comparator string  `json:"comparator"` // ">" or "<"
	Target     float64 `json:"target"`
	Value      float64 `json:"value"`
	Unit       string  `json:"unit"`
	Measured   bool    `json:"measured"`
	Pass       bool    `json:"pass"`
	// Verdict is VerdictPass, VerdictFail or VerdictNotMeasured: a KPI nobody measured never passes.
	Verdict string `json:"verdict"`
	Note    string `json:"note,omitempty"`
}

// Verdicts.
const (
	VerdictPass        = "pass"
	VerdictFail        = "FAIL"
	VerdictNotMeasured = "not measured"
)

// Evaluate judges the result against the targets. A KPI with nothing to measure fails, except
// queue wait, which only the server knows: without its metrics it is not measured, which is not
// a pass either.
func Evaluate(r *Result, t Targets) []KPI {
	runs := r.RunsOK + r.RunsFailed
	kpi := func(name, cmp string, target, value float64, unit string, measured bool, note string) KPI {
		pass := measured && ((cmp == ">" && value > target) || (cmp == "<" && value < target))
		verdict := VerdictFail
		if pass {
			verdict = VerdictPass
		}
		return KPI{Name: name, Comparator: cmp, Target: target, Value: value, Unit: unit, Measured: measured, Pass: pass, Verdict: verdict, Note: note}
	}
	noRuns := ""
	if runs == 0 {
		noRuns = "no run finished"
	}
	noOK := ""
	if r.RunsOK == 0 {
		noOK = "no run succeeded"
	}
	out := []KPI{
		kpi("success rate", ">", t.SuccessRatePercent, r.SuccessRate(), "%", runs > 0, noRuns),
		kpi("average response time", "<", t.AvgResponseSeconds, r.RunLatency.Avg, "s", r.RunsOK > 0, noOK),
		kpi("p95 response time", "<", t.P95ResponseSeconds, r.RunLatency.P95, "s", r.RunsOK > 0, noOK),
		kpi("error rate", "<", t.ErrorRatePercent, r.ErrorRate(), "%", r.TotalRequests > 0, ""),
	}
	q := KPI{Name: "p95 queue wait", Comparator: "<", Target: t.QueueWaitSeconds, Unit: "s", Verdict: VerdictNotMeasured,
		Note: "pass -metrics-url"}
	if r.QueueWait != nil {
		if r.QueueWait.Count == 0 {
			q.Note = "the server reported no run's queue wait"
		} else {
			q = kpi("p95 queue wait", "<", t.QueueWaitSeconds, r.QueueWait.P95, "s", true, "")
		}
	}
	return append(out, q)
}

// Passed reports whether every KPI passes.
func Passed(kpis []KPI) bool {
	return !slices.ContainsFunc(kpis, func(k KPI) bool { return !k.Pass })
}

// Failed names the failing KPIs.
func Failed(kpis []KPI) []string { return named(kpis, VerdictFail) }

// NotMeasured names the KPIs nothing measured.
func NotMeasured(kpis []KPI) []string { return named(kpis, VerdictNotMeasured) }

func named(kpis []KPI, verdict string) []string {
	var out []string
	for _, k := range kpis {
		if k.Verdict == verdict {
			out = append(out, k.Name)
		}
	}
	return out
}

func format(v float64, unit string) string {
	if unit == "%" {
		return strconv.FormatFloat(v, 'f', 2, 64) + " %"
	}
	return strconv.FormatFloat(v, 'f', 3, 64) + " s"
}

// Table renders the verdict as a markdown table.
func Table(kpis []KPI) string {
	var b strings.Builder
	b.WriteString("| KPI | target | measured | verdict |\n| --- | --- | --- | --- |\n")
	for _, k := range kpis {
		measured, verdict := format(k.Value, k.Unit), k.Verdict
		if !k.Measured {
			measured = "-"
		}
		if k.Note != "" {
			verdict += " (" + k.Note + ")"
		}
		fmt.Fprintf(&b, "| %s | %s %s | %s | %s |\n", k.Name, k.Comparator, format(k.Target, k.Unit), measured, verdict)
	}
	return b.String()
}

// Report is the JSON report file.
type Report struct {
	Stack string `json:"stack"`
	URL   string `json:"url"`
	Pass  bool   `json:"pass"`
	KPIs  []KPI  `json:"kpis"`
	// Preflight records what the checks before the test saw (the unauthenticated probe).
	Preflight PreflightResult `json:"preflight"`
	// Profile sets a profile-driven test beside the capacity model's prediction, step by step.
	Profile []ProfileRow `json:"profile,omitempty"`
	Result  *Result      `json:"result"`
}

// JSON renders the report.
func (rep Report) JSON() ([]byte, error) { return json.MarshalIndent(rep, "", "  ") }

// CSVHeader names the time series' columns.
var CSVHeader = []string{"elapsed_s", "active_users", "requests", "failed_requests", "runs_ok", "runs_failed", "runs_per_s", "p50_s", "p95_s", "p99_s"}

// WriteCSV writes the time series, one row per interval.
func WriteCSV(w io.Writer, series []Sample) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
	for _, s := range series {
		if err := cw.Write([]string{
			f(s.Elapsed.Seconds()), strconv.FormatInt(s.ActiveUsers, 10), strconv.FormatInt(s.Requests, 10),
			strconv.FormatInt(s.FailedRequests, 10), strconv.FormatInt(s.RunsOK, 10), strconv.FormatInt(s.RunsFailed, 10),
			f(s.RunsPerSecond), f(s.P50), f(s.P95), f(s.P99),
		}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ProgressLine is the live one-line status.
func ProgressLine(s Sample, users int) string {
	errRate := 0.0
	if s.TotalRequests > 0 {
		errRate = 100 * float64(s.TotalFailedRequests) / float64(s.TotalRequests)
	}
	return fmt.Sprintf("[%6.1fs] users %d/%d | runs %d | %.1f runs/s | p95 %.2f s | errors %.2f %%",
		s.Elapsed.Seconds(), s.ActiveUsers, users, s.TotalRuns, s.RunsPerSecond, s.P95, errRate)
}
