package loadtest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/langgraph-platform/infra/loadtest/fakeapi"
)

// cannedTransport answers every request from memory: what remains is the client's own work.
type cannedTransport struct{ body []byte }

func (c cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(c.body)), Request: r}, nil
}

func benchOptions(base *url.URL, transport http.RoundTripper) Options {
	return Options{BaseURL: base, Users: 1, Duration: time.Second, RequestTimeout: time.Minute, Mode: ModeWait,
		AssistantID: "agent", Interval: time.Second, Transport: transport}
}

// BenchmarkClientOverheadPerRun is the tool's own cost of one run: building the request,
// reading and checking the JSON answer, classifying it and recording it in the HDR histogram.
func BenchmarkClientOverheadPerRun(b *testing.B) {
	answer := []byte(`{"messages":[{"type":"human","content":"Hello! This is a load test."},{"type":"ai","content":"done"}]}`)
	o := benchOptions(&url.URL{Scheme: "http", Host: "in-memory"}, cannedTransport{answer})
	c, err := newClient(&o)
	if err != nil {
		b.Fatal(err)
	}
	rec := newRecorder(o)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		out, err := c.run(ctx, "thread")
		rec.record(OpRun, out, time.Since(start), err)
		if !out.ok {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoopbackRun is one run against the fake server over a kept-alive loopback
// connection: the client, the network stack and the fake server together.
func BenchmarkLoopbackRun(b *testing.B) {
	srv := httptest.NewServer(fakeapi.New(1))
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	o := benchOptions(base, nil)
	c, err := newClient(&o)
	if err != nil {
		b.Fatal(err)
	}
	rec := newRecorder(o)
	ctx := context.Background()
	thread, _, err := c.createThread(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		out, err := c.run(ctx, thread)
		rec.record(OpRun, out, time.Since(start), err)
		if !out.ok {
			b.Fatal(err)
		}
	}
}
