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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
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

// Config is an AWS configuration that calls endpoint (moto, or a stand-in in front of it) in
// region with the emulator's credentials.
func Config(endpoint, region string) aws.Config {
	return aws.Config{Region: region, BaseEndpoint: aws.String(endpoint), Credentials: credentials.NewStaticCredentialsProvider(AccessKey, SecretKey, "")}
}

// UseEndpoint points the SDK's default chain (what the commands load) at endpoint for the test:
// the emulator's credentials, no profile files, no instance metadata.
func UseEndpoint(t *testing.T, endpoint, region string) {
	home := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": AccessKey, "AWS_SECRET_ACCESS_KEY": SecretKey, "AWS_REGION": region,
		"AWS_CONFIG_FILE": filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
}
