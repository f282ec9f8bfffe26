package mixin_test

import (
	"encoding/json"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/mixin"
)

var thresholds = mixin.Thresholds{
	ErrorRatio: 0.05, AvgResponseSeconds: 300, PodResourceRatio: 0.9, DBPoolRatio: 0.8, QueueDepth: 100,
	SuccessRatio: 0.95, TargetAvgResponseSeconds: 180, P95ResponseSeconds: 300, QueueWaitSeconds: 60,
	TargetErrorRatio: 0.02, CPURatio: 0.8, MemoryRatio: 0.85, CacheMemoryRatio: 0.9,
}

type panel struct {
	Title   string                   `json:"title"`
	GridPos struct{ H, W, X, Y int } `json:"gridPos"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	FieldConfig struct {
		Defaults struct {
			Unit       string `json:"unit"`
			Thresholds struct {
				Steps []struct {
					Value *float64 `json:"value"`
					Color string   `json:"color"`
				} `json:"steps"`
			} `json:"thresholds"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
}

func load(t *testing.T) (map[string]any, []panel) {
	raw, err := mixin.DataplaneJSON(thresholds)
	require.NoError(t, err)
	var d map[string]any
	require.NoError(t, json.Unmarshal(raw, &d))
	var panels struct {
		Panels []panel `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(raw, &panels))
	return d, panels.Panels
}

func TestDashboardHasTheSeedsPanels(t *testing.T) {
	d, panels := load(t)
	assert.Equal(t, mixin.DataplaneUID, d["uid"])
	assert.Equal(t, "LangGraph dataplane", d["title"])
	titles := map[string]bool{}
	for _, p := range panels {
		titles[p.Title] = true
		assert.NotEmpty(t, p.FieldConfig.Defaults.Unit, "%s has no unit", p.Title)
		assert.NotEmpty(t, p.Targets, p.Title)
	}
	for _, want := range []string{"Request rate", "Response time (runs)", "Error rate", "Pod CPU", "Pod memory",
		"Database connection pool", "Queue depth", "Workers", "Queue wait", "Redis memory and hit rate", "Redis evictions", "HPA replicas", "LLM cost", "Error budget left (30 days)"} {
		assert.True(t, titles[want], "missing panel %q", want)
	}
}

func TestPanelsReadOnlyRecordedSeries(t *testing.T) {
	_, panels := load(t)
	recorded := map[string]bool{}
	scope := mixin.Scope{Namespace: "langgraph", Jobs: []string{"x"}}
	for _, r := range append(mixin.RecordingRules(scope, thresholds), mixin.SLORecordingRules(scope, thresholds)...) {
		recorded[r.Record] = true
	}
	p := parser.NewParser(parser.Options{})
	for _, pn := range panels {
		for _, target := range pn.Targets {
			node, err := p.ParseExpr(target.Expr)
			require.NoError(t, err, "%s: %s", pn.Title, target.Expr)
			parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
				if vs, ok := n.(*parser.VectorSelector); ok {
					assert.True(t, recorded[vs.Name], "panel %s reads %s, which no recording rule produces", pn.Title, vs.Name)
				}
				return nil
			})
		}
	}
}

func TestPanelsDoNotOverlap(t *testing.T) {
	_, panels := load(t)
	for i, a := range panels {
		assert.LessOrEqual(t, a.GridPos.X+a.GridPos.W, 24, a.Title)
		for _, b := range panels[i+1:] {
			overlap := a.GridPos.X < b.GridPos.X+b.GridPos.W && b.GridPos.X < a.GridPos.X+a.GridPos.W &&
				a.GridPos.Y < b.GridPos.Y+b.GridPos.H && b.GridPos.Y < a.GridPos.Y+a.GridPos.H
			assert.False(t, overlap, "%s overlaps %s", a.Title, b.Title)
		}
	}
}

// The thresholds drawn are the alert thresholds, from the same values.
func TestThresholdsEqualAlertThresholds(t *testing.T) {
	_, panels := load(t)
	steps := map[string][]float64{}
	for _, p := range panels {
		for _, s := range p.FieldConfig.Defaults.Thresholds.Steps {
			if s.Value != nil {
				steps[p.Title] = append(steps[p.Title], *s.Value)
			}
		}
	}
	assert.Equal(t, []float64{0.02, 0.05}, steps["Error rate"])
	assert.Equal(t, []float64{180, 300}, steps["Response time (runs)"])
	assert.Equal(t, []float64{100}, steps["Queue depth"])
	assert.Equal(t, []float64{60}, steps["Queue wait"])
	assert.Equal(t, []float64{0.8, 0.9}, steps["Pod CPU"])
	assert.Equal(t, []float64{0.85, 0.9}, steps["Pod memory"])
	assert.Equal(t, []float64{0.8}, steps["Database connection pool"])
	assert.Equal(t, []float64{0.95}, steps["Run success rate"])
	alerts := map[string]float64{}
	for _, r := range mixin.AlertingRules(thresholds) {
		alerts[r.Alert] = r.Threshold
	}
	assert.Equal(t, alerts["LangGraphHighErrorRate"], steps["Error rate"][1])
	assert.Equal(t, alerts["LangGraphQueueBacklog"], steps["Queue depth"][0])
	assert.Equal(t, alerts["LangGraphDatabasePoolSaturated"], steps["Database connection pool"][0])
}

func TestDashboardIsStable(t *testing.T) {
	a, err := mixin.DataplaneJSON(thresholds)
	require.NoError(t, err)
	b, err := mixin.DataplaneJSON(thresholds)
	require.NoError(t, err)
	assert.Equal(t, a, b)
}
