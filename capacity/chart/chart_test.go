package chart_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/capacity"
	"github.com/langgraph-platform/infra/capacity/chart"
)

func prodLike() capacity.Inputs {
	return capacity.Inputs{
		Users: 5000, RunSeconds: 180, ThinkSeconds: 60, QueueWaitTarget: 60,
		JobsPerWorker: 100, MinReplicas: 10, MaxReplicas: 50, CPUTarget: 0.7, CPUAtFullLoad: 0.9, PendingPerPod: 5,
		PodStartupSeconds: 90, MetricDelaySeconds: 30, PodsPerNode: 6, NodeProvisioningSeconds: 60,
		HPA: capacity.HPAPolicy{SyncSeconds: 15, Tolerance: 0.1, UpPods: 5, UpPeriod: 60, UpWindow: 60, DownPods: 2, DownPeriod: 60, DownWindow: 300},
	}
}

// texts are the words an SVG shows, after checking it is well-formed XML.
func texts(t *testing.T, svg []byte) string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	var words []string
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "the SVG is well-formed XML")
		switch x := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = x.Name.Local
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(x)); s != "" {
				words = append(words, s)
			}
		}
	}
	assert.Equal(t, "svg", root)
	return strings.Join(words, "\n")
}

// The model's ramp draws users, pods, nodes and the queue wait against the KPI line; a
// measurement beside it is labelled and dashed; the picture is the same for the same input.
func TestChartDrawsTheRampAgainstTheKPI(t *testing.T) {
	ramp := capacity.SimulateArrival(prodLike(), capacity.LinearRamp(300))
	model := chart.FromRamp("model", ramp)
	require.Len(t, model.Points, len(ramp.Minutes))
	assert.Greater(t, model.Points[len(model.Points)-1].Nodes, model.Points[0].Nodes, "nodes come up with the pods")
	c := chart.Chart{Title: "prod: 0 to 5,000 users over 5 minutes", QueueWaitTarget: 60, Series: []chart.Series{model}}
	svg, err := c.SVG()
	require.NoError(t, err)
	words := texts(t, svg)
	for _, want := range []string{"prod: 0 to 5,000 users over 5 minutes", "model: users", "model: pods (HPA)", "model: pods ready", "model: nodes", "model: queue wait", "KPI: queue wait p95 < 60 s", "minute", "p95 seconds"} {
		assert.Contains(t, words, want)
	}
	assert.NotContains(t, string(svg), "stroke-dasharray:5", "the model alone: no dashed series")
	again, err := c.SVG()
	require.NoError(t, err)
	assert.Equal(t, svg, again, "deterministic: the rendering's diff shows only real changes")

	measured := chart.Series{Name: "measured", Measured: true, Points: []chart.Point{
		{Minute: 0, Users: 0, Pods: math.NaN(), Ready: math.NaN(), Nodes: math.NaN(), QueueWaitP95: 0, ResponseTimeP95: 180},
		{Minute: 1, Users: 1000, Pods: math.NaN(), Ready: math.NaN(), Nodes: math.NaN(), QueueWaitP95: 3, ResponseTimeP95: 185},
	}}
	c.Series = append(c.Series, measured)
	svg, err = c.SVG()
	require.NoError(t, err)
	words = texts(t, svg)
	assert.Contains(t, words, "measured: users")
	assert.Contains(t, words, "measured: response time")
	assert.NotContains(t, words, "measured: pods", "what a series does not know is not drawn")
	assert.Contains(t, string(svg), "stroke-dasharray:5", "a measurement is dashed")
}

func TestChartRefusesNothingToDraw(t *testing.T) {
	_, err := chart.Chart{}.SVG()
	assert.ErrorContains(t, err, "no series")
	_, err = chart.Chart{Series: []chart.Series{{Name: "empty"}}}.SVG()
	assert.ErrorContains(t, err, `series "empty" has no points`)
}
