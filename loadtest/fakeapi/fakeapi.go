// Package fakeapi is an in-process stand-in for a LangGraph server's HTTP API, for testing the
// load test tool: POST /threads, POST /threads/{id}/runs/wait and /runs/stream, GET /ok and a
// Prometheus /metrics endpoint with the queue-wait histogram. Latency, errors and queue wait are
// injected, so a test knows what the tool should measure.
package fakeapi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server behaviour. The zero value answers at once and never fails.
type Server struct {
	// Latency draws a run's duration.
	Latency func(r *mrand.Rand) time.Duration
	// ErrorRate is the share of runs answered with 500 and a JSON error body.
	ErrorRate float64
	// QueueWait draws a run's queue wait, reported by /metrics; nil: no queue metric.
	QueueWait func(r *mrand.Rand) time.Duration
	// APIKey, when set, is required in AuthHeader (X-Api-Key when empty): a request without it
	// is answered 401, one with another value 403, as LangGraph's auth handlers do.
	APIKey     string
	AuthHeader string
	// NotJSON answers every API call with an HTML page (a proxy's error page, say).
	NotJSON bool

	mu    sync.Mutex
	rng   *mrand.Rand
	waits []float64 // queue waits in ms since start

	InFlight, PeakInFlight atomic.Int64
	Threads, Runs          atomic.Int64
}

// New returns a server with a seeded random source.
func New(seed uint64) *Server {
	return &Server{rng: mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Uniform draws durations uniformly from [lo, hi].
func Uniform(lo, hi time.Duration) func(*mrand.Rand) time.Duration {
	return func(r *mrand.Rand) time.Duration { return lo + time.Duration(r.Int64N(int64(hi-lo)+1)) }
}

func (s *Server) draw(f func(*mrand.Rand) time.Duration) time.Duration {
	if f == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return f(s.rng)
}

func (s *Server) fails() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Float64() < s.ErrorRate
}

// ServeHTTP implements the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.InFlight.Add(1)
	defer s.InFlight.Add(-1)
	for {
		peak := s.PeakInFlight.Load()
		if n <= peak || s.PeakInFlight.CompareAndSwap(peak, n) {
			break
		}
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/ok":
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
		return
	case r.Method == http.MethodGet && r.URL.Path == "/metrics":
		s.metrics(w)
		return
	}
	if s.APIKey != "" {
		header := s.AuthHeader
		if header == "" {
			header = "X-Api-Key"
		}
		switch got := r.Header.Get(header); {
		case got == "":
			writeJSON(w, http.StatusUnauthorized, map[string]any{"detail": "Missing authentication"})
			return
		case got != s.APIKey:
			writeJSON(w, http.StatusForbidden, map[string]any{"detail": "Invalid API key"})
			return
		}
	}
	if s.NotJSON {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "<html><body>502 Bad Gateway</body></html>")
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodPost && len(parts) == 1 && parts[0] == "threads":
		s.Threads.Add(1)
		writeJSON(w, http.StatusOK, map[string]any{"thread_id": newID(), "status": "idle"})
	case r.Method == http.MethodPost && len(parts) == 4 && parts[0] == "threads" && parts[2] == "runs" && (parts[3] == "wait" || parts[3] == "stream"):
		s.run(w, r, parts[1], parts[3] == "stream")
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"detail": "Not Found"})
	}
}

func (s *Server) run(w http.ResponseWriter, r *http.Request, thread string, stream bool) {
	var body struct {
		AssistantID string `json:"assistant_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.AssistantID == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": "assistant_id is required"})
		return
	}
	s.Runs.Add(1)
	if wait := s.draw(s.QueueWait); s.QueueWait != nil {
		s.mu.Lock()
		s.waits = append(s.waits, float64(wait)/float64(time.Millisecond))
		s.mu.Unlock()
	}
	latency := s.draw(s.Latency)
	failed := s.fails()
	select {
	case <-time.After(latency):
	case <-r.Context().Done():
		return
	}
	if failed {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"detail": "run failed", "thread_id": thread})
		return
	}
	if !stream {
		writeJSON(w, http.StatusOK, map[string]any{"messages": []any{map[string]any{"type": "ai", "content": "done"}}})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "event: metadata\ndata: {\"run_id\": %q}\n\n", newID())
	fmt.Fprint(w, "event: values\ndata: {\"messages\": []}\n\n")
	fmt.Fprint(w, "event: end\ndata: null\n\n")
}

// QueueWaitBuckets are the histogram's upper bounds in milliseconds.
var QueueWaitBuckets = []float64{10, 50, 100, 500, 1000, 5000, 10000, 30000, 60000, 120000, 300000}

// metrics writes lg_api_run_queue_wait_time_1st_attempt (milliseconds, as LangGraph since v0.11).
func (s *Server) metrics(w http.ResponseWriter) {
	s.mu.Lock()
	waits := append([]float64(nil), s.waits...)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintf(w, "# HELP lg_api_num_pending_runs Pending runs.\n# TYPE lg_api_num_pending_runs gauge\nlg_api_num_pending_runs 0\n")
	if s.QueueWait == nil {
		return
	}
	const name = "lg_api_run_queue_wait_time_1st_attempt"
	fmt.Fprintf(w, "# HELP %s Queue wait of a run's first attempt.\n# TYPE %s histogram\n", name, name)
	sum := 0.0
	for _, v := range waits {
		sum += v
	}
	for _, le := range append(QueueWaitBuckets, math.Inf(1)) {
		count := 0
		for _, v := range waits {
			if v <= le {
				count++
			}
		}
		bound := fmt.Sprint(le)
		if math.IsInf(le, 1) {
			bound = "+Inf"
		}
		fmt.Fprintf(w, "%s_bucket{le=%q} %d\n", name, bound, count)
	}
	fmt.Fprintf(w, "%s_sum %g\n%s_count %d\n", name, sum, name, len(waits))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
