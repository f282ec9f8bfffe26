package tests

import (
	"testing"

	"github.com/langgraph-platform/infra/internal/stacktest"
)

// BenchmarkProgramProd runs the whole program for prod on the mock engine (target: under 1 s).
func BenchmarkProgramProd(b *testing.B) {
	for b.Loop() {
		stacktest.Run(b, "prod", nil)
	}
}
