// Package mototest starts moto's AWS emulation (PyPI moto, tools/moto/requirements.txt, pinned
// by hash) as a server for a test: one endpoint for every AWS service it emulates.
package mototest

import (
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/tooltest"
)

// Version is the moto release tools/moto pins.
const Version = "5.2.5"

// Credentials and region the emulator accepts (it checks none).
const (
	AccessKey = "testing"
	SecretKey = "testing"
)

// Start installs moto once per machine and runs a server for the test; its URL is the endpoint.
func Start(t testing.TB) string {
	t.Helper()
	root, err := harness.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	venv, err := tooltest.PythonVenv("moto", filepath.Join(root, "tools", "moto", "requirements.txt"))
	if err != nil {
		t.Fatal(err)
	}
	port, err := tooltest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(venv, "bin", "moto_server"), "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer on %s within 60 s", url)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
