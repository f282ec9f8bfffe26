// Command configdoc regenerates Pulumi.yaml and the configuration reference (docs/configuration.md)
// from config/, and
// the policy pack's copy of the catalog's facts (policies/catalog.rego).
//
//	go run ./cmd/configdoc -write
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/config"
)

// RegoFactsFile is where the policy pack's copy of the catalog's facts is written.
const RegoFactsFile = "policies/catalog.rego"

// Markers around the generated table in config.ReferencePage.
const (
	startMarker = "<!-- config-reference:start -->"
	endMarker   = "<!-- config-reference:end -->"
)

func main() {
	write := flag.Bool("write", false, "rewrite Pulumi.yaml, "+config.ReferencePage+" and "+RegoFactsFile+" in place")
	flag.Parse()
	project, err := config.ProjectFile()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if !*write {
		fmt.Print(project)
		fmt.Print(config.ReferenceMarkdown())
		return
	}
	if err := os.WriteFile(RegoFactsFile, []byte(catalog.RegoFacts()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile("Pulumi.yaml", []byte(project), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	readme, err := os.ReadFile(config.ReferencePage)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	text := string(readme)
	start, end := strings.Index(text, startMarker), strings.Index(text, endMarker)
	if start < 0 || end < start {
		fmt.Fprintf(os.Stderr, "%s lacks the %s ... %s markers\n", config.ReferencePage, startMarker, endMarker)
		os.Exit(1)
	}
	text = text[:start+len(startMarker)] + "\n" + config.ReferenceMarkdown() + text[end:]
	if err := os.WriteFile(config.ReferencePage, []byte(text), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
