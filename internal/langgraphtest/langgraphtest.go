// Package langgraphtest runs LangChain's real LangGraph server (the Python langgraph-api, in
// memory, through `langgraph dev`) for tests: installed from PyPI with the hashes pinned in
// tools/langgraph-server/requirements.txt into a virtual environment cached under the OS temp
// directory (by the requirements' hash, like the Go tools), and started on a loopback port with
// the graph in tools/langgraph-server/app.
package langgraphtest

import (
	"bytes"
	"cmp"
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

// Dir is tools/langgraph-server (the Python server); DirJS, tools/langgraph-server-js.
func Dir() (string, error) { return toolsDir("langgraph-server") }

// DirJS is tools/langgraph-server-js.
func DirJS() (string, error) { return toolsDir("langgraph-server-js") }

func toolsDir(name string) (string, error) {
	root, err := harness.RepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "tools", name), nil
}

// Venv returns the virtual environment with the pinned server installed (pip --require-hashes),
// installing it once per machine and requirements file; concurrent test binaries wait for one
// install.
func Venv() (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	// forbiddenfruit publishes no wheel: the one package built from its sdist.
	return tooltest.PythonVenv("langgraph-server", filepath.Join(dir, "requirements.txt"), "--no-binary=forbiddenfruit")
}

// NodeModules returns the directory where the JavaScript server is installed from the committed
// lockfile (npm ci), once per machine and lockfile.
func NodeModules() (string, error) {
	dir, err := DirJS()
	if err != nil {
		return "", err
	}
	lock := filepath.Join(dir, "package-lock.json")
	return tooltest.Cached("langgraph-server-js", lock, func(into string) error {
		if err := os.MkdirAll(into, 0o755); err != nil {
			return err
		}
		for _, f := range []string{"package.json", "package-lock.json"} {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(into, f), b, 0o644); err != nil {
				return err
			}
		}
		npm, err := exec.LookPath("npm")
		if err != nil {
			return fmt.Errorf("the JavaScript LangGraph server needs npm (Node 20) on PATH: %w", err)
		}
		return tooltest.RunAll("the JavaScript LangGraph server", []string{npm, "ci", "--prefix", into, "--no-audit", "--no-fund", "--loglevel=error"})
	})
}

// Options start a server.
type Options struct {
	// JavaScript starts LangChain's JavaScript server (tools/langgraph-server-js: custom auth on
	// X-Api-Key, key in Env["LOADTEST_API_KEY"], checked on /ok too) instead of the Python one.
	JavaScript bool
	// Config is the langgraph.json in the server's app folder (empty: langgraph.json; the Python
	// server's langgraph-auth.json adds the custom X-Api-Key handler, key in
	// Env["LOADTEST_API_KEY"]).
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

// Kill stops the server at once (SIGKILL to its process group), as a node's loss or a pod
// deleted without a grace period would.
func (s *Server) Kill() error { return syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL) }

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
	port, err := tooltest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	if o.JobsPerWorker == 0 {
		o.JobsPerWorker = 10
	}
	cmd, err := command(t, o, port)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(cmd.Env, "LANGGRAPH_CLI_NO_ANALYTICS=1", "LANGSMITH_TRACING=false", "LANGCHAIN_TRACING_V2=false")
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
		// /ok is served once the graphs are loaded; with custom auth the JavaScript server
		// answers it 401 without a key, which is an answer all the same.
		resp, err := http.Get(s.URL + "/ok")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the LangGraph server did not answer on %s within 90 s:\n%s", s.URL, s.Logs())
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// command is the server's `dev` command in a copy of its app (the servers write their in-memory
// state beside it), on 127.0.0.1:port.
func command(t testing.TB, o Options, port int) (*exec.Cmd, error) {
	dir, err := Dir()
	if o.JavaScript {
		dir, err = DirJS()
	}
	if err != nil {
		return nil, err
	}
	app := t.TempDir()
	if err := os.CopyFS(app, os.DirFS(filepath.Join(dir, "app"))); err != nil {
		return nil, err
	}
	args := []string{"dev", "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--no-browser", "--no-reload",
		"--n-jobs-per-worker", strconv.Itoa(o.JobsPerWorker), "--config", filepath.Join(app, cmp.Or(o.Config, "langgraph.json"))}
	var cmd *exec.Cmd
	if o.JavaScript {
		modules, err := NodeModules()
		if err != nil {
			return nil, err
		}
		// The graph's imports resolve from the installed modules.
		if err := os.Symlink(filepath.Join(modules, "node_modules"), filepath.Join(app, "node_modules")); err != nil {
			return nil, err
		}
		cmd = exec.Command(filepath.Join(modules, "node_modules", ".bin", "langgraphjs"), args...)
		cmd.Env = os.Environ()
	} else {
		venv, err := Venv()
		if err != nil {
			return nil, err
		}
		cmd = exec.Command(filepath.Join(venv, "bin", "langgraph"), args...)
		cmd.Env = append(os.Environ(), "PATH="+filepath.Join(venv, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	}
	cmd.Dir = app
	return cmd, nil
}
