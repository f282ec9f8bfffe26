package main

import (
	"io"
	"path/filepath"
	"testing"
)

// BenchmarkSynthProd is one whole `synth -stack prod`: the program on the mock engine, the
// rendering written, the policy pack loaded and evaluated with prod's config (target: under 1 s).
func BenchmarkSynthProd(b *testing.B) {
	out := filepath.Join(b.TempDir(), "prod")
	for b.Loop() {
		if code := run([]string{"-stack", "prod", "-out", out}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("synth exited %d", code)
		}
	}
}
