// Package fakeapi is an in-process stand-in for a LangGraph server's HTTP API, for what the real
// server (tests/langgraph runs it) cannot show: thousands of users on one machine, slow hosts,
// and a queue-wait histogram (the in-memory server records none). It answers as LangChain's
// servers do (seen on langgraph-api 0.16.7 and @langchain/langgraph-api 1.5.1): POST /threads,
// POST /threads/{id}/runs/wait and /runs/stream (a failed run answers 200 with __error__ or an
// `event: error`; /runs/wait answers at once as text/plain and sends a newline every KeepAlive
// until the result; no `end` event), a second run on a busy thread 422, an unknown assistant
// 404, a bad body 400, errors in plain text, UUID IDs, POST /assistants/search, POST
// /threads/{id}/runs/{run}/cancel, GET /ok and a Prometheus /metrics endpoint. Latency, errors
// and queue wait are injected, so a test knows what the tool should measure.
package fakeapi

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server behaviour. The zero value answers at once and never fails.
type Server struct {
	// Latency draws a run's duration.
	Latency func(r *mrand.Rand) time.Duration
	// ErrorRate is the share of runs that fail (200 with __error__, or an error event).
	ErrorRate float64
	// ServerErrorRate is the share of runs answered 500 (a crashed or overloaded server).
	ServerErrorRate float64
	// Graphs are the assistants runs may name (graph IDs); nil: "agent".
	Graphs []string
	// KeepAlive is how often /runs/wait sends a newline while the run goes on (0: a second).
	KeepAlive time.Duration
	// AuthOK makes /ok require the credential too (the JavaScript server with custom auth).
	AuthOK bool
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
	waits []float64       // queue waits in ms since start
	busy  map[string]bool // threads with a run going on

	InFlight, PeakInFlight                     atomic.Int64
	Threads, Runs, RunsFailed, Busy, Cancelled atomic.Int64
}

// New returns a server with a seeded random source.
func New(seed uint64) *Server {
	return &Server{rng: mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), busy: map[string]bool{}}
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

func (s *Server) chance(p float64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Float64() < p
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
	case r.Method == http.MethodGet && r.URL.Path == "/ok" && !s.AuthOK:
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
			plain(w, http.StatusUnauthorized, "Missing authentication")
			return
		case got != s.APIKey:
			plain(w, http.StatusForbidden, "Invalid API key")
			return
		}
	}
	if r.Method == http.MethodGet && r.URL.Path == "/ok" {
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
		return
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
	case r.Method == http.MethodPost && len(parts) == 2 && parts[0] == "assistants" && parts[1] == "search":
		var body struct {
			GraphID string `json:"graph_id"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			plain(w, http.StatusBadRequest, "Invalid JSON in request body")
			return
		}
		var found []any
		if s.knows(body.GraphID) {
			found = append(found, map[string]any{"assistant_id": newID(), "graph_id": body.GraphID})
		}
		writeJSON(w, http.StatusOK, found)
	case r.Method == http.MethodPost && len(parts) == 4 && parts[0] == "threads" && parts[2] == "runs" && (parts[3] == "wait" || parts[3] == "stream"):
		s.run(w, r, parts[1], parts[3] == "stream")
	case r.Method == http.MethodPost && len(parts) == 5 && parts[0] == "threads" && parts[2] == "runs" && parts[4] == "cancel":
		s.Cancelled.Add(1)
		s.setBusy(parts[1], false)
		w.WriteHeader(http.StatusNoContent)
	default:
		plain(w, http.StatusNotFound, "Not Found")
	}
}

func (s *Server) knows(graph string) bool {
	if s.Graphs == nil {
		return graph == "agent"
	}
	return slices.Contains(s.Graphs, graph)
}

// setBusy marks a thread's run as going on or done; it reports whether the thread was free.
func (s *Server) setBusy(thread string, busy bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	was := s.busy[thread]
	if busy {
		s.busy[thread] = true
	} else {
		delete(s.busy, thread)
	}
	return !was
}

func (s *Server) run(w http.ResponseWriter, r *http.Request, thread string, stream bool) {
	var body struct {
		AssistantID string `json:"assistant_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.AssistantID == "" {
		plain(w, http.StatusBadRequest, "Invalid JSON in request body")
		return
	}
	if !s.knows(body.AssistantID) {
		plain(w, http.StatusNotFound, fmt.Sprintf("Assistant %q not found", body.AssistantID))
		return
	}
	if !s.setBusy(thread, true) {
		s.Busy.Add(1)
		plain(w, http.StatusUnprocessableEntity, "Thread is already running a task. Wait for it to finish or choose a different multitask strategy.")
		return
	}
	s.Runs.Add(1)
	if wait := s.draw(s.QueueWait); s.QueueWait != nil {
		s.mu.Lock()
		s.waits = append(s.waits, float64(wait)/float64(time.Millisecond))
		s.mu.Unlock()
	}
	latency := s.draw(s.Latency)
	if s.chance(s.ServerErrorRate) {
		s.setBusy(thread, false)
		plain(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	failed := s.chance(s.ErrorRate)
	run := newID()
	// The headers go at once, as the real servers send them; the run goes on past a client that
	// gave up (the thread stays busy until it ends or is cancelled).
	w.Header().Set("Content-Location", "/threads/"+thread+"/runs/"+run)
	flusher, _ := w.(http.Flusher)
	if stream {
		w.Header().Set("Content-Type", "text/event-stream")
	} else {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.WriteHeader(http.StatusOK)
	if flusher != nil {
		flusher.Flush()
	}
	if stream {
		fmt.Fprintf(w, "event: metadata\ndata: {\"run_id\": %q}\n\n", run)
	}
	keepAlive := s.KeepAlive
	if keepAlive <= 0 {
		keepAlive = time.Second
	}
	done := time.After(latency)
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for waiting := true; waiting; {
		select {
		case <-done:
			waiting = false
		case <-tick.C:
			if !stream {
				fmt.Fprint(w, "\n")
				if flusher != nil {
					flusher.Flush()
				}
			}
		case <-r.Context().Done():
			<-done
			s.setBusy(thread, false)
			return
		}
	}
	s.setBusy(thread, false)
	if failed {
		s.RunsFailed.Add(1)
		if stream {
			fmt.Fprint(w, "event: error\ndata: {\"error\":\"RuntimeError\",\"message\":\"injected failure\"}\n\n")
		} else {
			fmt.Fprint(w, `{"__error__":{"error":"RuntimeError","message":"injected failure"}}`)
		}
		return
	}
	if stream {
		fmt.Fprint(w, "event: values\ndata: {\"messages\": []}\n\n")
		return
	}
	fmt.Fprint(w, `{"messages":[{"type":"ai","content":"done"}]}`)
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

func plain(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprint(w, msg)
}

// newID is a random (version 4) UUID, as the servers' IDs are UUIDs.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
