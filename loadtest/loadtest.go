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
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
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

// Client is the HTTP side of one test: a pooled transport and the base URL.
type client struct {
	http       *http.Client
	base       *url.URL
	apiKey     string
	authHeader string
	timeout    time.Duration
	body       []byte
	mode       string
}

// NewTransport is a transport sized for users: one kept-alive connection per user (HTTP/1.1
// holds one run per connection; HTTP/2 multiplexes them over a few), no proxies (the tool talks
// only to the URL it is given), bounded dial and TLS handshake times.
func NewTransport(users int) *http.Transport {
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          users + 16,
		MaxIdleConnsPerHost:   users + 16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

func newClient(o *Options) (*client, error) {
	body, err := runBody(o.Body, o.AssistantID)
	if err != nil {
		return nil, err
	}
	transport := o.Transport
	if transport == nil {
		transport = NewTransport(o.Users)
	}
	host := o.BaseURL.Host
	return &client{
		http: &http.Client{Transport: transport, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if req.URL.Host != host {
				return fmt.Errorf("redirect to %s refused: the load test talks only to %s", req.URL.Host, host)
			}
			return nil
		}},
		base: o.BaseURL, apiKey: o.APIKey, authHeader: cmp.Or(o.AuthHeader, APIKeyHeader), timeout: o.RequestTimeout, body: body, mode: o.Mode,
	}, nil
}

// outcome is how one request ended: an HTTP status or a transport failure.
type outcome struct {
	kind    string // "200", "500", "timeout", "connection refused", ...
	ok      bool   // a successful request
	stopped bool   // cut off by the end of the test: not counted
	// run is the run's own path (/threads/{id}/runs/{run_id}) from the answer's
	// Content-Location, when the server sent its headers: what a timed-out run is cancelled by.
	run string
}

// classify names a transport error; test is the test's context, whose end stops every request.
func classify(test context.Context, err error) outcome {
	switch {
	case test.Err() != nil:
		return outcome{kind: "stopped", stopped: true}
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return outcome{kind: "timeout"}
	case errors.Is(err, syscall.ECONNREFUSED):
		return outcome{kind: "connection refused"}
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return outcome{kind: "connection reset"}
	}
	return outcome{kind: "transport error"}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// do sends one request and reads the whole answer through check (nil: discard). It returns the
// outcome and, for errors worth showing once, a message.
func (c *client) do(test context.Context, path string, body []byte, check func(r io.Reader) error) (outcome, error) {
	ctx, cancel := context.WithTimeout(test, c.timeout)
	defer cancel()
	u := c.base.JoinPath(path)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return outcome{kind: "bad request"}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if c.apiKey != "" {
		req.Header.Set(c.authHeader, c.apiKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		o := classify(test, err)
		if o.kind == "timeout" {
			return o, fmt.Errorf("POST %s: no answer within -timeout=%s", u.Redacted(), c.timeout)
		}
		return o, fmt.Errorf("POST %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	status := strconv.Itoa(resp.StatusCode)
	run := resp.Header.Get("Content-Location")
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		_, _ = io.Copy(io.Discard, resp.Body)
		return outcome{kind: status}, fmt.Errorf("POST %s answered %d: %s", u.Redacted(), resp.StatusCode, strings.TrimSpace(string(snippet)))
	}
	if check != nil {
		if err := check(io.LimitReader(resp.Body, maxBody)); err != nil {
			if ctx.Err() != nil {
				// The server answered at once (its headers) and was still working at the deadline:
				// a timeout, whatever the partial body looked like.
				o := classify(test, ctx.Err())
				o.run = run
				return o, fmt.Errorf("POST %s: the run did not finish within -timeout=%s (answered %s, then nothing more)", u.Redacted(), c.timeout, status)
			}
			if errors.Is(err, errRunFailed) {
				return outcome{kind: "run error", run: run}, fmt.Errorf("POST %s: %w", u.Redacted(), err)
			}
			return outcome{kind: "bad response", run: run}, fmt.Errorf("POST %s: %w", u.Redacted(), err)
		}
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		o := classify(test, err)
		o.run = run
		return o, fmt.Errorf("POST %s: reading the answer: %w", u.Redacted(), err)
	}
	return outcome{kind: status, ok: true, run: run}, nil
}

// maxBody bounds what is read of one answer: memory stays bounded whatever the server sends.
const maxBody = 16 << 20

var errRunFailed = errors.New("the run failed")

// createThread returns a new thread's ID.
func (c *client) createThread(ctx context.Context) (string, outcome, error) {
	var id string
	o, err := c.do(ctx, "threads", []byte(`{}`), func(r io.Reader) error {
		var t struct {
			ThreadID string `json:"thread_id"`
		}
		if err := decodeJSON(r, &t); err != nil {
			return err
		}
		if t.ThreadID == "" {
			return fmt.Errorf("the answer has no thread_id")
		}
		id = t.ThreadID
		return nil
	})
	return id, o, err
}

// decodeJSON reads one JSON value; a non-JSON answer (an HTML error page, say) is named.
func decodeJSON(r io.Reader, v any) error {
	br := bufio.NewReader(r)
	head, _ := br.Peek(80)
	if err := json.NewDecoder(br).Decode(v); err != nil {
		return fmt.Errorf("the answer is not JSON (%v); it starts with %q", err, head)
	}
	return nil
}

// run runs the assistant once on thread.
func (c *client) run(ctx context.Context, thread string) (outcome, error) {
	path := "threads/" + url.PathEscape(thread) + "/runs/" + c.mode
	return c.do(ctx, path, c.body, func(r io.Reader) error {
		if c.mode == ModeStream {
			return readStream(r)
		}
		// LangGraph answers a failed run's wait with the error under __error__.
		var result struct {
			Error json.RawMessage `json:"__error__"`
		}
		if err := decodeJSON(r, &result); err != nil {
			return err
		}
		if len(result.Error) > 0 && string(result.Error) != "null" {
			return fmt.Errorf("%w: %s", errRunFailed, result.Error)
		}
		return nil
	})
}

// readStream reads server-sent events to the end; an "error" event fails the run, with the
// server's message (its data line).
func readStream(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxBody)
	events := 0
	failed := false
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "event:"); ok {
			events++
			failed = strings.TrimSpace(name) == "error"
			continue
		}
		if data, ok := strings.CutPrefix(line, "data:"); ok && failed {
			return fmt.Errorf("%w: %s", errRunFailed, strings.TrimSpace(data))
		}
		if failed && line == "" {
			return errRunFailed // an error event without data
		}
	}
	if failed {
		return errRunFailed
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if events == 0 {
		return fmt.Errorf("the answer is not an event stream (no events)")
	}
	return nil
}

// PreflightResult is what the checks before the test saw.
type PreflightResult struct {
	// UnauthenticatedStatus is the server's answer to a thread request without the credential,
	// when the stack requires one (0: not probed).
	UnauthenticatedStatus int `json:"unauthenticatedStatus,omitempty"`
}

// Preflight checks that the server answers before any user starts: GET /ok; when the stack
// requires a credential, one thread request without it, which must be refused (401 or 403);
// then one thread with it. Every failure is an error that says what was tried and what came back.
func Preflight(ctx context.Context, o *Options) (PreflightResult, error) {
	var result PreflightResult
	err := preflight(ctx, o, &result)
	return result, err
}

func preflight(ctx context.Context, o *Options, result *PreflightResult) error {
	c, err := newClient(o)
	if err != nil {
		return err
	}
	ok := o.BaseURL.JoinPath("ok")
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ok.String(), nil)
	if err != nil {
		return fmt.Errorf("-url=%s: %v", o.BaseURL.Redacted(), err)
	}
	// With the credential: a server with custom auth may check /ok too (LangChain's JavaScript
	// server does).
	if c.apiKey != "" {
		req.Header.Set(c.authHeader, c.apiKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach %s: %w", o.BaseURL.Redacted(), err)
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s answered %d, want 200 (is this a LangGraph server?): %s", ok.Redacted(), resp.StatusCode, strings.TrimSpace(string(snippet)))
	}
	if o.AuthRequired {
		anonymous := *c
		anonymous.apiKey = ""
		o, err := anonymous.do(ctx, "threads", []byte(`{}`), nil)
		result.UnauthenticatedStatus, _ = strconv.Atoi(o.kind)
		switch {
		case o.kind == "401" || o.kind == "403":
		case o.ok:
			return fmt.Errorf("the server accepted a thread request without %s (answered %s): the stack requires authentication, but this server lets anyone in; stop and check auth.mode and the server's LANGGRAPH_AUTH_TYPE", c.authHeader, o.kind)
		default:
			return fmt.Errorf("a thread request without %s got %s, want 401 or 403: %v", c.authHeader, o.kind, err)
		}
	}
	if _, _, err := c.createThread(ctx); err != nil {
		return fmt.Errorf("creating a thread failed, so no user would get far: %v", err)
	}
	if err := c.checkAssistant(ctx); err != nil {
		return err
	}
	for _, m := range o.MetricsURLs {
		if _, err := scrapeQueueWait(ctx, c.http, m, o.MetricPrefix); err != nil {
			return err
		}
	}
	return nil
}

// checkAssistant makes sure the run request's assistant exists before any user starts: an
// assistant ID (a UUID) is looked up, a graph name searched for. Otherwise every run would fail
// and the report would show an error rate instead of the one wrong flag.
func (c *client) checkAssistant(ctx context.Context) error {
	var body struct {
		AssistantID string `json:"assistant_id"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil || body.AssistantID == "" {
		return fmt.Errorf("-assistant: the run request has no assistant_id")
	}
	id := body.AssistantID
	var path, method string
	var payload []byte
	if uuidPattern.MatchString(id) {
		method, path = http.MethodGet, "assistants/"+url.PathEscape(id)
	} else {
		method, path = http.MethodPost, "assistants/search"
		payload, _ = json.Marshal(map[string]any{"graph_id": id, "limit": 1})
	}
	u := c.base.JoinPath(path)
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.apiKey != "" {
		req.Header.Set(c.authHeader, c.apiKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("looking up assistant %q: %v", id, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	found := resp.StatusCode == http.StatusOK
	if found && method == http.MethodPost {
		var list []json.RawMessage
		found = json.Unmarshal(answer, &list) == nil && len(list) > 0
	}
	if !found {
		snippet := strings.TrimSpace(string(answer))
		if len(snippet) > 200 {
			snippet = snippet[:200]
		}
		return fmt.Errorf("-assistant=%s: the server has no such assistant or graph (%s %s answered %d: %s); name a graph of its langgraph.json or an assistant ID",
			id, method, u.Redacted(), resp.StatusCode, snippet)
	}
	return nil
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

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

// cancel asks the server to stop a run this user gave up on (best effort, not measured: the
// timeout was counted already).
func (c *client) cancel(test context.Context, run string) {
	if run == "" || test.Err() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(test, 10*time.Second)
	defer cancel()
	u := c.base.JoinPath(run, "cancel")
	u.RawQuery = "wait=false&action=interrupt"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), nil)
	if err != nil {
		return
	}
	if c.apiKey != "" {
		req.Header.Set(c.authHeader, c.apiKey)
	}
	if resp, err := c.http.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
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
