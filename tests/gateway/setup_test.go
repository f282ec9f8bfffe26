// Package gateway proves the LLM gateway's configuration against the real software: LiteLLM's
// proxy (PyPI, tools/litellm/requirements.txt, the release catalog.LiteLLMVersion names) started
// with the config.yaml the program renders, a real Redis (Debian's redis-server) for its shared
// limits and response cache, and a stand-in for the model provider's API (the one part that
// needs the internet). Limits, fallback, breaker, cache and the metrics the alerts read.
package gateway

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/tooltest"
)

// provider is the stand-in model API: OpenAI's chat completions and Anthropic's messages,
// answering per model and key as the test sets (200, or an error status), counting calls.
type provider struct {
	mu     sync.Mutex
	status map[string]int // "<model>/<key>" or "<model>" -> status; default 200
	calls  map[string]int // "<model>/<key>" -> calls
}

func newProvider() *provider {
	return &provider{status: map[string]int{}, calls: map[string]int{}}
}

// Tokens every answer reports: 10 prompt + 5 completion.
const tokensPerCall = 15

func (p *provider) set(key string, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status[key] = status
}

func (p *provider) count(key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[key]
}

func (p *provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	anthropic := r.URL.Path == "/v1/messages"
	if r.Method != http.MethodPost || !(anthropic || r.URL.Path == "/v1/chat/completions") {
		http.NotFound(w, r)
		return
	}
	var body struct {
		Model string `json:"model"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if anthropic {
		key = r.Header.Get("x-api-key")
	}
	p.mu.Lock()
	p.calls[body.Model+"/"+key]++
	status, ok := p.status[body.Model+"/"+key]
	if !ok {
		status, ok = p.status[body.Model]
	}
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if ok && status != http.StatusOK {
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"message":"stand-in answers %d","type":"stand_in","code":"%d"}}`, status, status)
		return
	}
	if anthropic {
		fmt.Fprintf(w, `{"id":"msg_standin","type":"message","role":"assistant","model":%q,`+
			`"content":[{"type":"text","text":"served by %s"}],"stop_reason":"end_turn","stop_sequence":null,`+
			`"usage":{"input_tokens":10,"output_tokens":5}}`, body.Model, body.Model)
		return
	}
	fmt.Fprintf(w, `{"id":"chatcmpl-standin","object":"chat.completion","created":%d,"model":%q,`+
		`"choices":[{"index":0,"message":{"role":"assistant","content":"served by %s"},"finish_reason":"stop"}],`+
		`"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":%d}}`, time.Now().Unix(), body.Model, body.Model, tokensPerCall)
}

// startRedis runs Debian's redis-server with a password on a free port for the test.
func startRedis(t *testing.T, password string) int {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("the gateway's live tests need Redis: install Debian's redis-server (apt-get install redis-server; .ci/run does): %v", err)
	}
	port, err := tooltest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1", "--requirepass", password,
		"--save", "", "--appendonly", "no", "--maxmemory-policy", "allkeys-lru", "--dir", t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })
	waitFor(t, 30*time.Second, func() bool { return redisCLI(t, port, password, "PING") == "PONG" })
	return port
}

// redisCLI runs one command with redis-cli (installed with redis-server) and returns its output.
func redisCLI(t *testing.T, port int, password string, args ...string) string {
	t.Helper()
	out, _ := exec.Command("redis-cli", append([]string{"-p", fmt.Sprint(port), "--no-auth-warning", "-a", password}, args...)...).Output()
	return strings.TrimSpace(string(out))
}

// startProxy installs LiteLLM once per machine and runs its proxy with config and env.
func startProxy(t *testing.T, config map[string]any, env map[string]string) string {
	t.Helper()
	root, err := harness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	venv, err := tooltest.PythonVenv("litellm", filepath.Join(root, "tools", "litellm", "requirements.txt"))
	if err != nil {
		t.Fatal(err)
	}
	body, err := yaml.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		t.Fatal(err)
	}
	port, err := tooltest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(venv, "bin", "litellm"), "--config", file, "--host", "127.0.0.1", "--port", fmt.Sprint(port))
	cmd.Env = append(os.Environ(), "HOME="+dir, "LITELLM_LOG=ERROR", "LITELLM_TELEMETRY=False", "DISABLE_SCHEMA_UPDATE=true")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	logFile, err := os.Create(filepath.Join(dir, "proxy.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
		if t.Failed() {
			log, _ := os.ReadFile(logFile.Name())
			t.Logf("proxy log:\n%s", tail(string(log), 4000))
		}
	})
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitFor(t, 120*time.Second, func() bool {
		resp, err := http.Get(url + "/health/liveliness")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return url
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func waitFor(t *testing.T, timeout time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("not ready within %s", timeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// httptestServer is the stand-in provider's server.
func httptestServer(t *testing.T, p *provider) string {
	s := httptest.NewServer(p)
	t.Cleanup(s.Close)
	return s.URL
}
