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
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// client is the HTTP side of one test: a pooled transport, the base URL and the credential.
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

// request is a request to path under the base URL, with the credential when there is one
// (every call: a server with custom auth may check /ok too, as LangChain's JavaScript server does).
func (c *client) request(ctx context.Context, method, path string, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base.JoinPath(path).String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.apiKey != "" {
		req.Header.Set(c.authHeader, c.apiKey)
	}
	return req, nil
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
	req, err := c.request(ctx, http.MethodPost, path, body)
	if err != nil {
		return outcome{kind: "bad request"}, err
	}
	req.Header.Set("Accept", "application/json, text/event-stream")
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

// cancel asks the server to stop a run this user gave up on (best effort, not measured: the
// timeout was counted already).
func (c *client) cancel(test context.Context, run string) {
	if run == "" || test.Err() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(test, 10*time.Second)
	defer cancel()
	req, err := c.request(ctx, http.MethodPost, run+"/cancel", nil)
	if err != nil {
		return
	}
	req.URL.RawQuery = "wait=false&action=interrupt"
	if resp, err := c.http.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
	}
}
