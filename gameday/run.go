// Package gameday runs one game-day drill against a deployed stack: a load from the loadtest
// package, the stack's FIS experiment started under it, and the time from the fault until the
// error rate and queue wait are back under the stack's targets, judged against the seed's
// recovery targets (cmd/gameday, docs/gameday.md).
package gameday

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/loadtest"
)

// Options configure one drill.
type Options struct {
	Stack, Drill string
	// Environment is the stack's environment; prod needs AllowProd (and so does a template
	// tagged prod, whatever the stack file says).
	Environment string
	AllowProd   bool
	// Load is the load the drill runs under; its Duration is set here (Warmup + Observe).
	Load loadtest.Options
	// Warmup is the load before the fault (after the ramp); Observe the longest wait for
	// recovery after it; Hold how long the targets must hold to count as recovered.
	Warmup, Observe, Hold time.Duration
	PollEvery             time.Duration
	Targets               Targets
	Clients               Clients
	Log                   io.Writer
}

// Validate refuses options the drill cannot run with.
func (o *Options) Validate() error {
	var errs []error
	if !slices.Contains(catalog.Drills, o.Drill) {
		errs = append(errs, fmt.Errorf("-drill=%q is not a drill: one of %s", o.Drill, strings.Join(catalog.Drills, ", ")))
	}
	if o.Stack == "" {
		errs = append(errs, errors.New("-stack is required: the stack whose drill to run"))
	}
	if config.IsProduction(o.Environment) && !o.AllowProd {
		errs = append(errs, fmt.Errorf("-stack=%s is a production stack: a drill there hurts real users; pass -allow-prod when a person has decided to run it (docs/gameday.md)", o.Stack))
	}
	if o.Warmup <= 0 || o.Hold <= 0 || o.Observe < o.Hold || o.PollEvery <= 0 {
		errs = append(errs, fmt.Errorf("-warmup=%s -hold=%s -observe=%s -poll=%s: all above 0, and -observe at least -hold", o.Warmup, o.Hold, o.Observe, o.PollEvery))
	}
	if o.Targets.ErrorRatePercent <= 0 || o.Targets.QueueWaitSeconds <= 0 {
		errs = append(errs, fmt.Errorf("targets %+v: the stack's kpi.errorRatePercent and kpi.queueWaitSeconds must be above 0", o.Targets))
	}
	return errors.Join(errs...)
}

// Run runs the drill and reports it. An error means the drill did not run (or broke off); a
// report that misses a target is not an error.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, time.Now().UTC().Format("15:04:05 ")+format+"\n", args...)
		}
	}
	tpl, err := o.Clients.FindTemplate(ctx, o.Stack, o.Drill)
	if err != nil {
		return nil, err
	}
	if config.IsProduction(tpl.Environment) && !o.AllowProd {
		return nil, fmt.Errorf("experiment template %s is tagged Environment=prod: pass -allow-prod when a person has decided to run it", tpl.ID)
	}
	if err := errors.Join(o.Clients.CheckStopAlarms(ctx, tpl), o.Clients.CheckTarget(ctx, o.Drill, tpl)); err != nil {
		return nil, err
	}
	logf("template %s found; stop alarms %s are OK", tpl.ID, strings.Join(tpl.StopAlarms, ", "))

	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	obs := newObserver(o)
	if err := obs.baseline(loadCtx); err != nil {
		return nil, err
	}
	load := o.Load
	load.Duration = o.Warmup + o.Observe
	// The observer scrapes the endpoints per interval; the load's own end-of-run scrape would
	// refuse a server without the queue-wait histogram.
	load.MetricsURLs = nil
	user := load.Progress
	load.Progress = func(s loadtest.Sample) {
		obs.tick(loadCtx, s)
		if user != nil {
			user(s)
		}
	}
	type outcome struct {
		res *loadtest.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := loadtest.Run(loadCtx, load)
		done <- outcome{res, err}
	}()
	go obs.probeLoop(loadCtx)

	logf("load: %d users, ramp %s, warm-up %s", load.Users, load.Ramp, o.Warmup)
	select {
	case <-time.After(load.Ramp + o.Warmup):
	case out := <-done:
		return nil, fmt.Errorf("the load ended before the fault: %v", out.err)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	run := runID()
	expID, err := o.Clients.Start(ctx, tpl, run)
	if err != nil {
		return nil, err
	}
	logf("experiment %s started", expID)
	exp, err := o.watch(ctx, expID, obs, logf)
	stopLoad()
	out := <-done
	if err != nil {
		return nil, err
	}
	if out.err != nil {
		return nil, fmt.Errorf("the load: %w", out.err)
	}
	rep := obs.report(o, tpl, exp, out.res)
	return rep, nil
}

// watch polls the experiment until it ended and the dataplane recovered, or Observe passed
// since the fault.
func (o Options) watch(ctx context.Context, id string, obs *observer, logf func(string, ...any)) (Experiment, error) {
	deadline := time.Now().Add(o.Observe)
	var exp Experiment
	last := ""
	for {
		e, err := o.Clients.Poll(ctx, id)
		if err != nil {
			return exp, err
		}
		exp = e
		if exp.Status != last {
			logf("experiment %s: %s %s", id, exp.Status, exp.Reason)
			last = exp.Status
		}
		if !exp.Started.IsZero() {
			deadline = exp.Started.Add(o.Observe)
			if exp.Done() && obs.recovered(exp.Started) {
				return exp, nil
			}
		}
		if time.Now().After(deadline) {
			logf("observed %s after the fault: stopping", o.Observe)
			return exp, nil
		}
		select {
		case <-ctx.Done():
			return exp, ctx.Err()
		case <-time.After(o.PollEvery):
		}
	}
}

func runID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "gameday-" + hex.EncodeToString(b)
}

// observer records the load's intervals, the health probes and the server's counters.
type observer struct {
	o      Options
	client *http.Client

	mu     sync.Mutex
	ticks  []Tick
	probes []Probe
	queue  []loadtest.QueueSnapshot
	// queueWait: the endpoints serve the queue-wait histogram (the in-memory runtime does not).
	queueWait bool
	counters  []map[string]float64
	warnings  []string
}

func newObserver(o Options) *observer {
	return &observer{o: o, client: &http.Client{Timeout: 5 * time.Second, Transport: o.Load.Transport}}
}

func (b *observer) baseline(ctx context.Context) error {
	b.queueWait = len(b.o.Load.MetricsURLs) > 0
	for _, u := range b.o.Load.MetricsURLs {
		q, err := loadtest.ScrapeQueueWait(ctx, b.client, u, b.o.Load.MetricPrefix)
		if err != nil && b.queueWait {
			b.queueWait = false
			b.warnings = append(b.warnings, fmt.Sprintf("queue wait not measured, recovery judged on the error rate alone: %v", err))
		}
		b.queue = append(b.queue, q)
		c, err := scrapeCounters(ctx, b.client, u, b.o.Load.MetricPrefix)
		if err != nil {
			return err
		}
		b.counters = append(b.counters, c)
	}
	return nil
}

// tick records an interval, with the queue wait of the runs queued in it.
func (b *observer) tick(ctx context.Context, s loadtest.Sample) {
	t := Tick{End: time.Now(), Requests: s.Requests, FailedRequests: s.FailedRequests, RunsOK: s.RunsOK, RunsFailed: s.RunsFailed}
	var now []loadtest.QueueSnapshot
	for _, u := range b.o.Load.MetricsURLs {
		if !b.queueWait {
			break
		}
		q, err := loadtest.ScrapeQueueWait(ctx, b.client, u, b.o.Load.MetricPrefix)
		if err != nil {
			now = nil // a pod down: this interval's queue wait is unknown
			break
		}
		now = append(now, q)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if now != nil {
		w := loadtest.QueueWaitBetween(b.queue, now)
		t.QueueWaitP95, t.QueueWaitRuns = w.P95, w.Count
		b.queue = now
	}
	b.ticks = append(b.ticks, t)
}

func (b *observer) probeLoop(ctx context.Context) {
	for {
		p := probe(ctx, b.client, b.o.Load.BaseURL)
		b.mu.Lock()
		b.probes = append(b.probes, p)
		b.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (b *observer) recovered(faultAt time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return Analyze(b.ticks, faultAt, b.o.Targets, b.o.Hold).Recovered
}

// report judges what was observed.
func (b *observer) report(o Options, tpl *Template, exp Experiment, res *loadtest.Result) *Report {
	b.mu.Lock()
	defer b.mu.Unlock()
	rto := RTOs[o.Drill]
	rep := &Report{Stack: o.Stack, Drill: o.Drill, Environment: tpl.Environment, TemplateID: tpl.ID, ExperimentID: exp.ID,
		Experiment: exp.Status, Reason: exp.Reason, Users: o.Load.Users, FaultAt: exp.Started, FaultSource: exp.FaultSource}
	if res != nil {
		rep.Warnings = append(rep.Warnings, res.Warnings...)
		rep.LoadErrors = res.Errors
	}
	rep.Warnings = append(rep.Warnings, b.warnings...)
	expFigure := Figure{Name: "experiment", Unit: "", Measured: true, Verdict: Pass, Note: exp.Status}
	if exp.Status != "completed" {
		expFigure.Verdict = Fail
		expFigure.Note = fmt.Sprintf("%s: %s (stopped: a stop alarm fired, the drill hurt users past gameday.stopErrorPercent)", exp.Status, exp.Reason)
	}
	if exp.Started.IsZero() {
		expFigure.Verdict, expFigure.Note = Fail, "the fault never started"
		rep.Figures = append(rep.Figures, expFigure)
		return rep
	}
	rep.Figures = append(rep.Figures, expFigure)
	r := Analyze(b.ticks, exp.Started, o.Targets, o.Hold)
	note := fmt.Sprintf("error rate < %g %% and p95 queue wait < %g s for %s", o.Targets.ErrorRatePercent, o.Targets.QueueWaitSeconds, o.Hold)
	if !b.queueWait {
		note = fmt.Sprintf("error rate < %g %% for %s (queue wait not measured)", o.Targets.ErrorRatePercent, o.Hold)
	}
	if r.Recovered && !r.Degraded {
		note = "never breached the targets"
	}
	if !r.Recovered {
		note = fmt.Sprintf("not back under the targets within -observe=%s", o.Observe)
	}
	rep.Figures = append(rep.Figures, judged("time to recover", r.Seconds, "s", rto.Target.Seconds(), rto.Name, r.Recovered, note))
	server := Unreachable(b.probes, exp.Started, func(p Probe) bool { return p.Server })
	deps := Unreachable(b.probes, exp.Started, func(p Probe) bool { return p.Dependencies || !p.Server })
	rep.Figures = append(rep.Figures,
		judged("dataplane unreachable (longest)", server.LongestSeconds, "s", ApplicationRTO.Seconds(), "application < 5 min", server.Probes > 0, catalog.LangGraphHealthPath+" through the ingress, every second"),
		judged("database or cache unreachable (longest)", deps.LongestSeconds, "s", rto.Target.Seconds(), rto.Name, deps.Probes > 0, "the server's own probe: "+catalog.LangGraphHealthPath+"?"+catalog.LangGraphDependencyCheckQuery),
		judged("error rate after recovery", r.AfterErrorRate, "%", o.Targets.ErrorRatePercent, "kpi.errorRatePercent", r.Recovered, "over the hold window"),
		info("peak error rate during the drill", r.PeakErrorRate, "%", len(b.ticks) > 0, "worst interval after the fault"),
		info("peak p95 queue wait", r.PeakQueueWait, "s", b.queueWait, "the server's "+loadtest.QueueWaitMetric+" histogram"),
		info("runs lost (clients)", float64(r.RunsLost), "runs", true, "failed runs between the fault and recovery"),
	)
	if len(o.Load.MetricsURLs) > 0 {
		var final []map[string]float64
		for _, u := range o.Load.MetricsURLs {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			c, err := scrapeCounters(ctx, b.client, u, o.Load.MetricPrefix)
			cancel()
			if err != nil {
				rep.Warnings = append(rep.Warnings, err.Error())
				c = map[string]float64{}
			}
			final = append(final, c)
		}
		retried, ok := counterDelta(b.counters, final, retryCounters[0])
		rep.Figures = append(rep.Figures, info("runs retried (server)", retried, "runs", ok, "run_failed_retriable_counter_total: needs EXPOSE_INTERNAL_METRICS_PROMETHEUS"))
		lost, ok1 := counterDelta(b.counters, final, retryCounters[1])
		abandoned, ok2 := counterDelta(b.counters, final, retryCounters[2])
		rep.Figures = append(rep.Figures, info("runs lost (server)", lost+abandoned, "runs", ok1 || ok2, "failed after retry or abandoned by shutdown, on the processes still running (a killed process's counts die with it)"))
	}
	rep.Passed = len(rep.Failed()) == 0
	return rep
}
