package gameday

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/langgraph-platform/infra/catalog"
	"github.com/langgraph-platform/infra/loadtest"
)

// Recovery targets of the seed document ("Recovery Time Objectives"): what a drill's recovery is
// judged against (docs/disaster-recovery.md).
const (
	DatabaseRTO    = 15 * time.Minute
	ApplicationRTO = 5 * time.Minute
	FullSystemRTO  = 30 * time.Minute
)

// RTO is a drill's recovery target: the class of failure it rehearses.
type RTO struct {
	Name   string
	Target time.Duration
}

// RTOs are the drills' classes: the data tier's drills are judged as the database's (an AZ's
// network takes the primaries in it down), the others as the application's.
var RTOs = map[string]RTO{
	catalog.DrillDatabaseFailover: {"database < 15 min", DatabaseRTO},
	catalog.DrillAZNetworkLoss:    {"database < 15 min", DatabaseRTO},
	catalog.DrillCacheAZPower:     {"application < 5 min", ApplicationRTO},
	catalog.DrillPodDelete:        {"application < 5 min", ApplicationRTO},
	catalog.DrillPodCPUStress:     {"application < 5 min", ApplicationRTO},
	catalog.DrillNodeTermination:  {"application < 5 min", ApplicationRTO},
}

// Figure is one line of the report: a measured value beside its target, or a fact with none.
type Figure struct {
	Name       string  `json:"name"`
	Value      float64 `json:"value"`
	Unit       string  `json:"unit"`
	Comparator string  `json:"comparator,omitempty"` // "<" or "": no target, information only
	Target     float64 `json:"target,omitempty"`
	TargetName string  `json:"targetName,omitempty"`
	Measured   bool    `json:"measured"`
	// Verdict is pass, FAIL, "not measured" (never a pass) or "info".
	Verdict string `json:"verdict"`
	Note    string `json:"note,omitempty"`
}

// Verdicts: the load test's, and Info for a figure without a target.
const (
	Pass        = loadtest.VerdictPass
	Fail        = loadtest.VerdictFail
	NotMeasured = loadtest.VerdictNotMeasured
	Info        = "info"
)

func judged(name string, value float64, unit string, target float64, targetName string, measured bool, note string) Figure {
	f := Figure{Name: name, Value: value, Unit: unit, Comparator: "<", Target: target, TargetName: targetName, Measured: measured, Note: note}
	switch {
	case !measured:
		f.Verdict = NotMeasured
	case value < target:
		f.Verdict = Pass
	default:
		f.Verdict = Fail
	}
	return f
}

func info(name string, value float64, unit string, measured bool, note string) Figure {
	f := Figure{Name: name, Value: value, Unit: unit, Measured: measured, Verdict: Info, Note: note}
	if !measured {
		f.Verdict = NotMeasured
	}
	return f
}

// Report is a drill's result.
type Report struct {
	Stack        string    `json:"stack"`
	Drill        string    `json:"drill"`
	Environment  string    `json:"environment"`
	TemplateID   string    `json:"templateId"`
	ExperimentID string    `json:"experimentId"`
	Experiment   string    `json:"experimentStatus"`
	Reason       string    `json:"experimentReason"`
	Users        int       `json:"users"`
	FaultAt      time.Time `json:"faultAt"`
	FaultSource  string    `json:"faultSource"`
	Figures      []Figure  `json:"figures"`
	Passed       bool      `json:"passed"`
	Warnings     []string  `json:"warnings,omitempty"`
	// LoadErrors is the first message of each kind of failed request (HTTP status, "timeout",
	// "run failed", ...) the load saw: why the runs counted as lost failed.
	LoadErrors map[string]string `json:"loadErrors,omitempty"`
}

// Failed names the figures that failed or were not measured.
func (r *Report) Failed() []string {
	var out []string
	for _, f := range r.Figures {
		if f.Verdict == Fail || (f.Verdict == NotMeasured && f.Comparator != "") {
			out = append(out, f.Name)
		}
	}
	return out
}

// Text prints the report as a table.
func (r *Report) Text(w io.Writer) error {
	fmt.Fprintf(w, "Game day: %s on stack %s (%s), %d users\n", r.Drill, r.Stack, r.Environment, r.Users)
	fmt.Fprintf(w, "Experiment %s (template %s): %s", r.ExperimentID, r.TemplateID, r.Experiment)
	if r.Reason != "" {
		fmt.Fprintf(w, " (%s)", r.Reason)
	}
	fmt.Fprintf(w, "\nFault at %s (%s)\n\n", r.FaultAt.UTC().Format(time.RFC3339), r.FaultSource)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tmeasured\ttarget\tverdict\tnote")
	for _, f := range r.Figures {
		value := fmt.Sprintf("%.1f %s", f.Value, f.Unit)
		if !f.Measured || f.Unit == "" {
			value = "-"
		}
		target := "-"
		if f.Comparator != "" {
			target = fmt.Sprintf("%s %g %s", f.Comparator, f.Target, f.Unit)
			if f.TargetName != "" {
				target += " (" + f.TargetName + ")"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", f.Name, value, target, f.Verdict, f.Note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, w2 := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", w2)
	}
	for _, kind := range slices.Sorted(maps.Keys(r.LoadErrors)) {
		fmt.Fprintf(w, "failed requests (%s), the first: %s\n", kind, r.LoadErrors[kind])
	}
	if r.Passed {
		_, err := fmt.Fprintln(w, "\nPASS: every target met")
		return err
	}
	_, err := fmt.Fprintf(w, "\nFAIL: %s\n", strings.Join(r.Failed(), "; "))
	return err
}
