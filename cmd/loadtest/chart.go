package main

import (
	"fmt"
	"math"
	"time"

	"github.com/langgraph-platform/infra/capacity"
	"github.com/langgraph-platform/infra/capacity/chart"
	"github.com/langgraph-platform/infra/loadtest"
)

// loadChart draws the test: the measured users and response p95 per interval (dashed), and with a
// profile the capacity model's account of the same arrivals (users, pods, nodes, queue wait, and
// its response p95: the queue wait plus the average run) on the same minutes. step is what one
// minute of the chart is: a profile step, else a minute.
func loadChart(title string, series []loadtest.Sample, step time.Duration, predicted *capacity.Ramp, runSeconds, queueWaitTarget float64) ([]byte, error) {
	measured := chart.Series{Name: "measured", Measured: true}
	nan := math.NaN()
	for _, s := range series {
		measured.Points = append(measured.Points, chart.Point{Minute: s.Elapsed.Seconds() / step.Seconds(), Users: float64(s.ActiveUsers),
			Pods: nan, Ready: nan, Nodes: nan, QueueWaitP95: nan, ResponseTimeP95: s.P95})
	}
	if len(measured.Points) == 0 {
		return nil, fmt.Errorf("the test recorded no interval to draw")
	}
	c := chart.Chart{Title: title, QueueWaitTarget: queueWaitTarget, Series: []chart.Series{measured}}
	if predicted != nil {
		model := chart.FromRamp("model", *predicted)
		for i := range model.Points {
			model.Points[i].ResponseTimeP95 = model.Points[i].QueueWaitP95 + runSeconds
		}
		c.Series = append([]chart.Series{model}, measured)
	}
	return c.SVG()
}
