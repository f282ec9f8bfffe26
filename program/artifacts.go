package program

// The files a stack renders besides its resources.

import (
	"encoding/json"

	"github.com/langgraph-platform/infra/capacity"
	"github.com/langgraph-platform/infra/config"
	"github.com/langgraph-platform/infra/program/sizing"
)

// The cost estimate's files in a rendering: the table, and the JSON the offline diff compares.
const (
	CostTableFile = "cost.md"
	CostFile      = "cost.json"
)

// CapacityChartFile is the picture of a step to full load that capacity.md shows; cmd/synth
// draws it (package capacity/chart), so the program itself links no plotting library.
const CapacityChartFile = "capacity.svg"

// capacityPage is capacity.md: the figures, then the step to full load drawn and minute by minute.
func capacityPage(cfg *config.Config, report capacity.Report) []byte {
	return []byte("# Capacity of stack " + cfg.Stack + "\n\n" + report.Table() +
		"\n## A step to full load (every user at once)\n\n![users, pods, nodes and p95 queue wait of a step to full load](" + CapacityChartFile + ")\n\n" +
		capacity.MinutesTable(report.Ramp))
}

// Artifacts are the files a stack produces besides its resources: the plain Prometheus rule file
// (what promtool checks) and the dashboards' JSON. cmd/synth writes them.
func Artifacts(cfg *config.Config, report capacity.Report) (map[string][]byte, error) {
	estimate, err := sizing.Cost(cfg, report)
	if err != nil {
		return nil, err
	}
	mix := MonitoringMixin(cfg, estimate)
	rules, err := mix.RuleFile()
	if err != nil {
		return nil, err
	}
	dashboard, err := mix.Dashboards()
	if err != nil {
		return nil, err
	}
	costJSON, err := json.MarshalIndent(estimate, "", "  ")
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{
		"capacity.md":                     capacityPage(cfg, report),
		CostTableFile:                     []byte("# Monthly cost of stack " + cfg.Stack + " (" + estimate.Region + ", on-demand list prices)\n\n" + estimate.Table()),
		CostFile:                          append(costJSON, '\n'),
		"monitoring/langgraph.rules.yaml": rules,
	}
	for file, json := range dashboard {
		files["dashboards/"+file] = json
	}
	return files, nil
}
