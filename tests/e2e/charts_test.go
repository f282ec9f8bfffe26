package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/langgraph-platform/infra/catalog"
)

// StubConfigMapSuffix names the one object each stub chart renders: <release>-stub-chart.
const StubConfigMapSuffix = "-stub-chart"

// chartRepo is a Helm repository on loopback serving STUB charts: the exact names and versions
// package catalog pins, each rendering one ConfigMap (so a release is seen to install), none of
// the real charts' content. The stacks reach it through config's charts.mirror, the setting an
// air-gapped runner uses.
type chartRepo struct {
	URL    string
	server *http.Server
}

func stubChart(name, version string) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	files := map[string]string{
		name + "/Chart.yaml": fmt.Sprintf("apiVersion: v2\nname: %s\nversion: %s\ndescription: stand-in for the end-to-end tests\ntype: application\n", name, version),
		name + "/templates/stub.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}" + StubConfigMapSuffix +
			"\n  namespace: {{ .Release.Namespace }}\ndata:\n  chart: " + name + "\n  version: \"" + version + "\"\n",
	}
	for _, path := range slices.Sorted(func(yield func(string) bool) {
		for p := range files {
			if !yield(p) {
				return
			}
		}
	}) {
		body := files[path]
		if err := tw.WriteHeader(&tar.Header{Name: path, Mode: 0o644, Size: int64(len(body)), ModTime: time.Unix(0, 0)}); err != nil {
			return nil, err
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func startChartRepo() (*chartRepo, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	base := "http://" + l.Addr().String() + "/charts"
	archives := map[string][]byte{}
	var index strings.Builder
	index.WriteString("apiVersion: v1\nentries:\n")
	for _, name := range catalog.Sorted(catalog.ChartVersions) {
		index.WriteString("  " + name + ":\n")
		for _, version := range catalog.ChartVersions[name] {
			archive, err := stubChart(name, version)
			if err != nil {
				return nil, err
			}
			file := fmt.Sprintf("%s-%s.tgz", name, version)
			archives["/charts/"+file] = archive
			sum := sha256.Sum256(archive)
			fmt.Fprintf(&index, "  - apiVersion: v2\n    name: %s\n    version: %s\n    digest: %s\n    created: \"2026-01-01T00:00:00Z\"\n    urls:\n    - %s/%s\n",
				name, version, hex.EncodeToString(sum[:]), base, file)
		}
	}
	index.WriteString("generated: \"2026-01-01T00:00:00Z\"\n")
	mux := http.NewServeMux()
	mux.HandleFunc("/charts/index.yaml", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(index.String()))
	})
	mux.HandleFunc("/charts/", func(w http.ResponseWriter, r *http.Request) {
		b, ok := archives[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	return &chartRepo{URL: base, server: srv}, nil
}

func (r *chartRepo) Close() { _ = r.server.Close() }
