// Package loadtest drives virtual users against a LangGraph server's HTTP API and measures what
// the seed's KPIs are about: run success, response time (HDR histograms, not sample arrays),
// request errors, throughput and, from the server's own metrics, queue wait.
//
// A virtual user creates a thread (POST /threads), then loops: run the assistant on it
// (POST /threads/{id}/runs/wait, or /runs/stream read to its end), think (exponentially
// distributed, mean Options.ThinkTime, the capacity model's assumption), repeat. Users start
// evenly over Options.Ramp and all stop at Ramp + Duration; requests cut off by the stop are
// not counted.
package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Modes of running an assistant.
const (
	ModeWait   = "wait"   // POST /threads/{id}/runs/wait: one response when the run ends
	ModeStream = "stream" // POST /threads/{id}/runs/stream: server-sent events until the run ends
)

// Operation names in results.
const (
	OpThread = "create thread"
	OpRun    = "run"
)

// APIKeyHeader carries the API key unless Options.AuthHeader names another header.
const APIKeyHeader = "X-Api-Key"

// Options configure a load test. Field comments name the cmd/loadtest flag.
type Options struct {
	BaseURL *url.URL      // -url: the server; nothing else is ever contacted
	Users   int           // -users
	Ramp    time.Duration // -ramp: users start evenly over this
	// Profile drives the active users instead of Ramp and Duration: Profile[k] users during the
	// k-th ProfileStep (-profile, users per minute, the capacity model's format). Users is then
	// the profile's peak.
	Profile        []float64
	ProfileStep    time.Duration // a minute; tests shorten it
	Duration       time.Duration // -duration: how long all users run after the ramp
	ThinkTime      time.Duration // -think: mean pause between a user's runs
	RequestTimeout time.Duration // -timeout: per request
	Mode           string        // -mode: wait or stream
	Body           []byte        // -body: the run request (JSON object); assistant_id set from AssistantID when absent
	AssistantID    string        // -assistant
	APIKey         string        // from the environment variable -api-key-env names
	AuthHeader     string        // the header APIKey goes in (the stack's auth.header); empty: X-Api-Key
	// AuthRequired makes Preflight prove the server refuses a call without the credential.
	AuthRequired bool
	MetricsURLs  []*url.URL    // -metrics-url: server metrics endpoints for queue wait
	MetricPrefix string        // -metric-prefix: LangGraph's METRIC_PREFIX
	Interval     time.Duration // -interval: time-series bucket and progress cadence
	// Progress is called once per Interval with the latest sample (nil: none).
	Progress func(Sample)
	Seed     uint64
	// Transport replaces the pooled transport (tests, benchmarks); nil: one sized for Users.
	Transport http.RoundTripper
}

// MaxUsers bounds -users: beyond this one machine is the bottleneck, not the server.
const MaxUsers = 100000

// Validate returns every problem, each naming the flag, the value and what is allowed.
func (o *Options) Validate() error {
	var errs []error
	bad := func(flag string, v any, allowed string) {
		errs = append(errs, fmt.Errorf("-%s=%v: %s", flag, v, allowed))
	}
	if o.BaseURL == nil || (o.BaseURL.Scheme != "http" && o.BaseURL.Scheme != "https") || o.BaseURL.Host == "" {
		v := "<empty>"
		if o.BaseURL != nil {
			v = o.BaseURL.Redacted()
		}
		bad("url", v, "must be an http:// or https:// URL with a host, such as https://agents.example.com")
	} else if o.BaseURL.User != nil || o.BaseURL.RawQuery != "" || o.BaseURL.Fragment != "" {
		bad("url", o.BaseURL.Redacted(), "must not carry credentials, a query or a fragment (the API key comes from the environment)")
	}
	if o.Users < 1 || o.Users > MaxUsers {
		bad("users", o.Users, fmt.Sprintf("must be between 1 and %d", MaxUsers))
	}
	if o.Ramp < 0 {
		bad("ramp", o.Ramp, "must be >= 0")
	}
	if len(o.Profile) > 0 {
		if o.ProfileStep <= 0 {
			bad("profile", o.ProfileStep, "needs a step > 0 (a minute)")
		}
		for i, u := range o.Profile {
			if u < 0 || u > MaxUsers || u != math.Trunc(u) {
				bad("profile", fmt.Sprintf("minute %d: %v users", i, u), fmt.Sprintf("must be whole numbers between 0 and %d", MaxUsers))
			}
		}
	} else if o.Duration <= 0 {
		bad("duration", o.Duration, "must be > 0")
	}
	if o.ThinkTime < 0 {
		bad("think", o.ThinkTime, "must be >= 0")
	}
	if o.RequestTimeout <= 0 {
		bad("timeout", o.RequestTimeout, "must be > 0 (longer than the slowest run you accept)")
	}
	if o.Mode != ModeWait && o.Mode != ModeStream {
		bad("mode", o.Mode, "must be wait or stream")
	}
	if o.Interval <= 0 {
		bad("interval", o.Interval, "must be > 0")
	}
	if _, err := runBody(o.Body, o.AssistantID); err != nil {
		errs = append(errs, err)
	}
	if o.AuthRequired && o.APIKey == "" {
		bad("api-key-env", "<empty>", "the stack requires a credential (auth.mode is not none): export the API key in that variable")
	}
	for _, m := range o.MetricsURLs {
		if m.Scheme != "http" && m.Scheme != "https" || m.Host == "" {
			bad("metrics-url", m.Redacted(), "must be an http:// or https:// URL with a host")
		}
	}
	return errors.Join(errs...)
}

// runBody is the run request: the body with assistant_id filled in.
func runBody(body []byte, assistant string) ([]byte, error) {
	doc := map[string]any{}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &doc); err != nil {
			return nil, fmt.Errorf("-body: not a JSON object: %v", err)
		}
		if doc == nil {
			return nil, fmt.Errorf("-body: not a JSON object: null")
		}
	} else {
		doc["input"] = map[string]any{"messages": []any{map[string]any{"role": "user", "content": "Hello! This is a load test."}}}
	}
	if _, ok := doc["assistant_id"]; !ok {
		if assistant == "" {
			return nil, fmt.Errorf("-assistant is required: the body has no assistant_id")
		}
		doc["assistant_id"] = assistant
	}
	return json.Marshal(doc)
}

// Run runs the test until Ramp + Duration has passed or ctx is cancelled (Ctrl-C), and returns
// what was measured either way; Result.Interrupted tells which.
func Run(ctx context.Context, o Options) (*Result, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	c, err := newClient(&o)
	if err != nil {
		return nil, err
	}
	var baseline []queueBuckets
	for _, m := range o.MetricsURLs {
		b, err := scrapeQueueWait(ctx, c.http, m, o.MetricPrefix)
		if err != nil {
			return nil, err
		}
		baseline = append(baseline, b)
	}

	rec := newRecorder(o)
	length := o.Ramp + o.Duration
	active := func(int) bool { return true }
	if len(o.Profile) > 0 {
		length = o.ProfileStep * time.Duration(len(o.Profile))
		started := time.Now()
		active = func(i int) bool {
			k := min(int(time.Since(started)/o.ProfileStep), len(o.Profile)-1)
			return float64(i) < o.Profile[k]
		}
	}
	testCtx, stop := context.WithTimeout(ctx, length)
	defer stop()

	var wg sync.WaitGroup
	var sampling sync.WaitGroup
	sampling.Add(1)
	go func() {
		defer sampling.Done()
		ticker := time.NewTicker(o.Interval)
		defer ticker.Stop()
		for {
			select {
			case <-testCtx.Done():
				return
			case <-ticker.C:
				s := rec.sample()
				if o.Progress != nil {
					o.Progress(s)
				}
			}
		}
	}()
	for i := range o.Users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			offset := time.Duration(0)
			if o.Users > 1 && len(o.Profile) == 0 {
				offset = o.Ramp * time.Duration(i) / time.Duration(o.Users)
			}
			if !sleep(testCtx, offset) {
				return
			}
			rng := mrand.New(mrand.NewPCG(o.Seed, uint64(i)))
			for testCtx.Err() == nil {
				if !active(i) { // the profile has fewer users now: wait for a step that has this one
					if !sleep(testCtx, min(o.ProfileStep/10, time.Second)) {
						return
					}
					continue
				}
				user(testCtx, c, rec, rng, o.ThinkTime, func() bool { return active(i) })
			}
		}()
	}
	wg.Wait()
	sampling.Wait()
	last := rec.sample() // the partial interval at the end
	if o.Progress != nil {
		o.Progress(last)
	}

	res := rec.result(ctx.Err() != nil)
	if len(o.MetricsURLs) > 0 {
		// A fresh context: the test's may be cancelled, and the final figures still count.
		scrapeCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		var deltas []queueBuckets
		for i, m := range o.MetricsURLs {
			b, err := scrapeQueueWait(scrapeCtx, c.http, m, o.MetricPrefix)
			if err != nil {
				res.Warnings = append(res.Warnings, err.Error())
				continue
			}
			deltas = append(deltas, b.minus(baseline[i]))
		}
		res.QueueWait = queueWaitOf(deltas)
	}
	return res, nil
}

// user is one virtual user: a thread, then runs separated by think time, until ctx ends.
// user runs one virtual user's conversations while ctx lasts and stillActive says so.
func user(ctx context.Context, c *client, rec *recorder, rng *mrand.Rand, think time.Duration, stillActive func() bool) {
	rec.active.Add(1)
	defer rec.active.Add(-1)
	thread := ""
	for ctx.Err() == nil && stillActive() {
		if thread == "" {
			start := time.Now()
			id, o, err := c.createThread(ctx)
			rec.record(OpThread, o, time.Since(start), err)
			if o.ok {
				thread = id
			} else if !sleep(ctx, pause(rng, think)) {
				return
			}
			continue
		}
		start := time.Now()
		o, err := c.run(ctx, thread)
		rec.record(OpRun, o, time.Since(start), err)
		switch o.kind {
		case "404": // the thread is gone: start a new conversation
			thread = ""
		case "timeout", "422":
			// The run may still be going on the server, and a second run on a busy thread is
			// refused (422): cancel it and go on in a new thread, so one slow run is one error,
			// not a cascade of them.
			if o.kind == "timeout" {
				c.cancel(ctx, o.run)
			}
			thread = ""
		}
		if !sleep(ctx, pause(rng, think)) {
			return
		}
	}
}

// pause draws an exponentially distributed think time with the given mean.
func pause(rng *mrand.Rand, mean time.Duration) time.Duration {
	if mean <= 0 {
		return 0
	}
	return time.Duration(rng.ExpFloat64() * float64(mean))
}

// sleep waits d or until ctx ends; it reports whether the test goes on.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// FileLimitNeeded is the open-file limit a run with users needs: a connection each, plus
// standard streams, DNS and the metrics scrapes.
func FileLimitNeeded(users int) uint64 { return uint64(users) + 256 }

// errFileLimit explains how to raise the limit.
func errFileLimit(have, need uint64) error {
	return fmt.Errorf("the open-file limit is %d but %d users need about %d (one connection each): raise it with `ulimit -n %d` (or in /etc/security/limits.conf) and run again",
		have, need-256, need, max(need, 65536))
}
