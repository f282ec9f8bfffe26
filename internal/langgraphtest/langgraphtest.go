// Package langgraphtest runs LangChain's real LangGraph server (the Python langgraph-api, in
// memory, through `langgraph dev`) for tests: installed from PyPI with the hashes pinned in
// tools/langgraph-server/requirements.txt into a virtual environment cached under the OS temp
// directory (by the requirements' hash, like the Go tools), and started on a loopback port with
// the graph in tools/langgraph-server/app.
package langgraphtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/tooltest"
)

// Dir is tools/langgraph-server.
func Dir() (string, error) {
	root, err := harness.RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "tools", "langgraph-server"), nil
}

// Venv returns the virtual environment with the pinned server installed, installing it once per
// machine and requirements file (a file lock makes concurrent test binaries wait for one install).
func Venv() (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	reqs := filepath.Join(dir, "requirements.txt")
	body, err := os.ReadFile(reqs)
	if err != nil {
		return "", err
	}
	digest := sha256.Sum256(body)
	venv := filepath.Join(os.TempDir(), "langgraph-platform-tools", "langgraph-server-"+hex.EncodeToString(digest[:8]))
	if err := os.MkdirAll(filepath.Dir(venv), 0o755); err != nil {
		return "", err
	}
	installed := func() bool { _, err := os.Stat(filepath.Join(venv, installedMark)); return err == nil }
	if err := tooltest.Once(venv, installed, func() error { return install(venv, reqs) }); err != nil {
		return "", err
	}
	return venv, nil
}

// installedMark is written last: a venv without it is a partial install.
const installedMark = ".installed"

// install makes venv and installs the pinned requirements into it; .installed marks it complete.
func install(venv, reqs string) error {
	_ = os.RemoveAll(venv) // a partial install from an interrupted run
	python, err := exec.LookPath("python3")
	if err != nil {
		return fmt.Errorf("the real LangGraph server needs python3 (3.11) on PATH: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	for _, args := range [][]string{
		{python, "-m", "venv", venv},
		{filepath.Join(venv, "bin", "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
			"--no-input", "--require-hashes", "--no-deps", "--only-binary=:all:", "--no-binary=forbiddenfruit", "-r", reqs},
	} {
		if out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("installing the LangGraph server (%v): %v\n%s", args[1:], err, out)
		}
	}
	return os.WriteFile(filepath.Join(venv, installedMark), nil, 0o644)
}

// Options start a server.
type Options struct {
	// Config is the langgraph.json in tools/langgraph-server/app (langgraph.json: no auth;
	// langgraph-auth.json: the custom X-Api-Key handler, key in Env["LOADTEST_API_KEY"]).
	Config string
	// JobsPerWorker is N_JOBS_PER_WORKER (0: 10).
	JobsPerWorker int
	// Env is added to the server's environment (the pods' env under test, say).
	Env map[string]string
}

// Server is a running server.
type Server struct {
	URL  string
	cmd  *exec.Cmd
	logs *syncBuffer
}

// Logs is what the server printed so far.
func (s *Server) Logs() string { return s.logs.String() }

// syncBuffer is the server's output, written by the process's pipes and read by the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Start installs (once) and starts a server, stopped with its process group when the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	venv, err := Venv()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	port, err := tooltest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	if o.Config == "" {
		o.Config = "langgraph.json"
	}
	if o.JobsPerWorker == 0 {
		o.JobsPerWorker = 10
	}
	// A copy of the app: langgraph dev writes its in-memory state (.langgraph_api) beside it.
	app := t.TempDir()
	if err := os.CopyFS(app, os.DirFS(filepath.Join(dir, "app"))); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(venv, "bin", "langgraph"), "dev", "--host", "127.0.0.1", "--port", strconv.Itoa(port),
		"--no-browser", "--no-reload", "--config", o.Config, "--n-jobs-per-worker", strconv.Itoa(o.JobsPerWorker))
	cmd.Dir = app
	cmd.Env = append(os.Environ(),
		"LANGGRAPH_CLI_NO_ANALYTICS=1", "LANGSMITH_TRACING=false", "LANGCHAIN_TRACING_V2=false",
		"PATH="+filepath.Join(venv, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"),
	)
	for k, v := range o.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	// Its own process group, stopped as one; killed with the test binary if that dies first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &Server{URL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, logs: logs}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		waited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(waited) }()
		select {
		case <-waited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-waited
		}
		if t.Failed() {
			logs := s.Logs()
			if len(logs) > 8000 {
				logs = "...\n" + logs[len(logs)-8000:]
			}
			t.Logf("LangGraph server log (its end):\n%s", logs)
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/ok") // served once the lifespan has loaded the graphs
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the LangGraph server did not answer on %s within 90 s:\n%s", s.URL, s.Logs())
		}
		time.Sleep(250 * time.Millisecond)
	}
}
