package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/langgraph-platform/infra/internal/tooltest"
)

// cluster is a local Kubernetes API server backed by etcd, both on loopback ports picked at
// start. It runs no controllers and no nodes: objects are stored and validated by the real API
// server (admission, schemas, CRDs), and nothing is scheduled.
type cluster struct {
	Server     string // https://127.0.0.1:<port>
	Token      string
	CA         []byte
	Kubeconfig string

	mu    sync.Mutex
	procs []*exec.Cmd
}

func (c *cluster) start(name string, logDir string, bin string, args ...string) error {
	log, err := os.Create(filepath.Join(logDir, name+".log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	// Its own process group: stop kills the server and anything it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", name, err)
	}
	c.mu.Lock()
	c.procs = append(c.procs, cmd)
	c.mu.Unlock()
	return nil
}

// stop kills every process the cluster started, by process group ID, and waits for each.
// It is safe to call more than once.
func (c *cluster) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.procs) - 1; i >= 0; i-- {
		p := c.procs[i]
		_ = syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
		_ = p.Wait()
	}
	c.procs = nil
}

// startCluster starts etcd and kube-apiserver under dir and waits until the API server is ready.
func startCluster(t *tools, dir string) (*cluster, error) {
	c := &cluster{}
	ok := false
	defer func() {
		if !ok {
			c.stop()
		}
	}()
	etcdClient, err := tooltest.FreePort()
	if err != nil {
		return nil, err
	}
	etcdPeer, err := tooltest.FreePort()
	if err != nil {
		return nil, err
	}
	client := fmt.Sprintf("http://127.0.0.1:%d", etcdClient)
	peer := fmt.Sprintf("http://127.0.0.1:%d", etcdPeer)
	if err := c.start("etcd", dir, t.Etcd,
		"--data-dir", filepath.Join(dir, "etcd"), "--name", "e2e",
		"--listen-client-urls", client, "--advertise-client-urls", client,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
		"--initial-cluster", "e2e="+peer, "--unsafe-no-fsync", "--log-level", "warn",
	); err != nil {
		return nil, err
	}

	// The service-account token signer the API server requires, and a static admin token.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	keyFile := filepath.Join(dir, "sa.key")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		return nil, err
	}
	token := make([]byte, 24)
	if _, err := rand.Read(token); err != nil {
		return nil, err
	}
	c.Token = base64.RawURLEncoding.EncodeToString(token)
	tokenFile := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokenFile, []byte(c.Token+",e2e-admin,e2e-admin,system:masters\n"), 0o600); err != nil {
		return nil, err
	}
	port, err := tooltest.FreePort()
	if err != nil {
		return nil, err
	}
	certDir := filepath.Join(dir, "certs")
	if err := c.start("kube-apiserver", dir, t.KubeAPIServer,
		"--etcd-servers", client,
		"--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", strconv.Itoa(port),
		"--cert-dir", certDir,
		"--token-auth-file", tokenFile, "--authorization-mode", "RBAC",
		"--service-account-issuer", "https://kubernetes.default.svc", "--service-account-key-file", keyFile,
		"--service-account-signing-key-file", keyFile, "--api-audiences", "https://kubernetes.default.svc",
		"--service-cluster-ip-range", "10.96.0.0/16", "--allow-privileged",
		// A loopback advertise address has no kubernetes Service endpoints to reconcile.
		"--endpoint-reconciler-type", "none",
	); err != nil {
		return nil, err
	}
	c.Server = fmt.Sprintf("https://127.0.0.1:%d", port)

	deadline := time.Now().Add(3 * time.Minute)
	for {
		if c.CA == nil {
			// The API server writes its self-signed serving certificate here on start.
			c.CA, _ = os.ReadFile(filepath.Join(certDir, "apiserver.crt"))
		}
		if c.CA != nil && c.ready() {
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "kube-apiserver.log"))
			return nil, fmt.Errorf("kube-apiserver not ready after 3 minutes; its log ends:\n%s", tail(log, 3000))
		}
		time.Sleep(500 * time.Millisecond)
	}
	c.Kubeconfig = fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: e2e-admin
  user:
    token: %s
contexts:
- name: e2e
  context:
    cluster: e2e
    user: e2e-admin
current-context: e2e
`, c.Server, base64.StdEncoding.EncodeToString(c.CA), c.Token)
	ok = true
	return c, nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// httpClient trusts the API server's certificate and nothing else.
func (c *cluster) httpClient() *http.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(c.CA)
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func (c *cluster) ready() bool {
	req, err := http.NewRequest(http.MethodGet, c.Server+"/readyz", nil)
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
