package tests

import (
	"testing"

	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/program"
)

func TestSmoke(t *testing.T) {
	for _, stack := range []string{"prod", "staging"} {
		res, err := harness.Run(program.Build, harness.Options{Stack: stack, Secrets: harness.DefaultSecrets()})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Sorted() {
			t.Log(r.URN, r.Protect)
		}
		t.Log(res.Outputs)
	}
}
