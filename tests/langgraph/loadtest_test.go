package langgraph

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/internal/langgraphtest"
	"github.com/langgraph-platform/infra/loadtest"
)

const testKey = "lsv2_pt_real_server_key_0001"

func options(t *testing.T, base string, mode, body string) loadtest.Options {
	t.Helper()
	u, err := url.Parse(base)
	require.NoError(t, err)
	return loadtest.Options{
		BaseURL: u, Users: 8, Ramp: 200 * time.Millisecond, Duration: 3 * time.Second, ThinkTime: 100 * time.Millisecond,
		RequestTimeout: 20 * time.Second, Mode: mode, Body: []byte(body), AssistantID: "agent",
		MetricPrefix: catalog.LangGraphMetricPrefix, Interval: 500 * time.Millisecond, Seed: 3,
	}
}

// run preflights and runs a load test.
func run(t *testing.T, o loadtest.Options) *loadtest.Result {
	t.Helper()
	_, err := loadtest.Preflight(context.Background(), &o)
	require.NoError(t, err)
	res, err := loadtest.Run(context.Background(), o)
	require.NoError(t, err)
	return res
}

// The verdicts equal the server's own counts, in both modes, for runs that succeed and runs that
// fail: what the tool calls a success the server recorded as one (run_success_counter), what it
// calls a failure the server failed (run_failed_after_retry_counter), with the server's message.
func TestVerdictsEqualTheServersCounts(t *testing.T) {
	env := podEnv(t)
	s := langgraphtest.Start(t, langgraphtest.Options{Env: env})
	var ok, failed, stopped int64
	for _, mode := range []string{loadtest.ModeWait, loadtest.ModeStream} {
		good := run(t, options(t, s.URL, mode, `{"input":{"sleep_ms":20,"fail":false}}`))
		assert.Positive(t, good.RunsOK, mode)
		assert.Zero(t, good.RunsFailed, "%s: %v", mode, good.Errors)
		bad := run(t, options(t, s.URL, mode, `{"input":{"sleep_ms":20,"fail":true}}`))
		assert.Zero(t, bad.RunsOK, mode)
		assert.Positive(t, bad.RunsFailed, mode)
		assert.Equal(t, bad.RunsFailed, bad.Requests[loadtest.OpRun]["run error"], "%s: a failed run answers 200 with the error", mode)
		assert.Contains(t, bad.Errors["run error"], "load-test graph: failure requested", "%s: the server's message", mode)
		ok += good.RunsOK
		failed += bad.RunsFailed
		stopped += good.StoppedRequests + bad.StoppedRequests
	}
	time.Sleep(500 * time.Millisecond) // runs cut off by a test's end finish on the server
	m := scrape(t, s.URL)
	p := catalog.LangGraphMetricPrefix
	success, failures := int64(value(m, p+"run_success_counter_total")), int64(value(m, p+"run_failed_after_retry_counter_total"))
	// Runs the end of a test cut off are not counted by the tool (the report says how many); the
	// server finishes or cancels them. Every counted run is the server's, and nothing else differs.
	assert.GreaterOrEqual(t, success, ok)
	assert.GreaterOrEqual(t, failures, failed)
	assert.LessOrEqual(t, success+failures+int64(value(m, p+"run_canceled_by_request_counter_total")), ok+failed+stopped,
		"server: %d succeeded, %d failed; tool: %d, %d, %d cut off", success, failures, ok, failed, stopped)
	// Every run the server started is one the tool counted or one it cut off (a cut-off run the
	// server interrupts is in no outcome counter).
	attempts := int64(value(m, p+"run_attempt_started_counter_total"))
	assert.GreaterOrEqual(t, attempts, ok+failed)
	assert.LessOrEqual(t, attempts, ok+failed+stopped)
}

// An unknown assistant is refused before any user starts, naming it: not a 50 % error rate.
func TestUnknownAssistantIsRefusedUpFront(t *testing.T) {
	s := langgraphtest.Start(t, langgraphtest.Options{})
	o := options(t, s.URL, loadtest.ModeWait, "")
	o.AssistantID = "no-such-graph"
	_, err := loadtest.Preflight(context.Background(), &o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-assistant=no-such-graph: the server has no such assistant or graph")
	o.AssistantID = "00000000-0000-4000-8000-000000000000"
	_, err = loadtest.Preflight(context.Background(), &o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "answered 404")
}

// A run slower than -timeout is a timeout, named so, cancelled on the server, and its user goes
// on in a new thread: no cascade of 422 "thread is busy" answers.
func TestTimeoutsAreTimeoutsWithoutACascade(t *testing.T) {
	s := langgraphtest.Start(t, langgraphtest.Options{})
	o := options(t, s.URL, loadtest.ModeWait, `{"input":{"sleep_ms":3000}}`)
	o.Users, o.Duration, o.RequestTimeout = 3, 4*time.Second, 700*time.Millisecond
	res := run(t, o)
	assert.Positive(t, res.Requests[loadtest.OpRun]["timeout"])
	assert.Zero(t, res.Requests[loadtest.OpRun]["422"], "a new thread after a timeout: %v", res.Requests)
	assert.Zero(t, res.Requests[loadtest.OpRun]["bad response"], "a timeout is not a bad answer: %v", res.Errors)
	assert.Contains(t, res.Errors["timeout"], "did not finish within -timeout=700ms")
	assert.Greater(t, res.Requests[loadtest.OpThread]["200"], int64(o.Users), "each timed-out user started a new thread")
}

// Custom auth as an image ships it: the key passes, a wrong key and no key are refused before
// any user starts, and the preflight proves an anonymous call is refused.
func TestCustomAuth(t *testing.T) {
	s := langgraphtest.Start(t, langgraphtest.Options{Config: "langgraph-auth.json", Env: map[string]string{"LOADTEST_API_KEY": testKey}})
	o := keyAndWrongKey(t, s.URL, 8)

	o.APIKey = ""
	require.Error(t, o.Validate(), "no key for a stack that requires one")
	o.AuthRequired = false
	_, err := loadtest.Preflight(context.Background(), &o)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "401"), err.Error())
}

// LangChain's JavaScript server with custom auth checks /ok too: the preflight sends the
// credential there, so a right key passes and runs go through, and a wrong one is refused naming
// the answer. (Before, /ok went without the key and every test against such a server stopped at
// "is this a LangGraph server?".)
func TestJavaScriptServerAuthenticatesOK(t *testing.T) {
	s := langgraphtest.Start(t, langgraphtest.Options{JavaScript: true, Env: map[string]string{"LOADTEST_API_KEY": testKey}})
	code, _ := get(t, s.URL+"/ok", nil)
	require.Equal(t, 401, code, "this server authenticates /ok: the case the Python server cannot show")
	keyAndWrongKey(t, s.URL, 2)
}

// keyAndWrongKey runs a short test with the key against a server with custom auth (the preflight
// sees an anonymous call refused with 401, every request passes), then preflights a wrong key,
// refused with 403. It returns the options with the wrong key.
func keyAndWrongKey(t *testing.T, base string, users int) loadtest.Options {
	t.Helper()
	o := options(t, base, loadtest.ModeWait, `{"input":{"sleep_ms":10}}`)
	o.APIKey, o.AuthRequired, o.Users, o.Duration = testKey, true, users, time.Second
	pre, err := loadtest.Preflight(context.Background(), &o)
	require.NoError(t, err)
	assert.Equal(t, 401, pre.UnauthenticatedStatus)
	res, err := loadtest.Run(context.Background(), o)
	require.NoError(t, err)
	assert.Positive(t, res.RunsOK)
	assert.Zero(t, res.FailedRequests, "%v", res.Errors)

	o.APIKey = "lsv2_pt_wrong"
	_, err = loadtest.Preflight(context.Background(), &o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "answered 403")
	return o
}
