// Package chart draws a surge as an SVG with gonum's plotting library: users, pods (added and
// ready) and nodes, and the p95 queue wait against the KPI line, minute by minute, for the
// capacity model and, when there is one, a measurement on the same axes. cmd/capacity, synth's
// rendering (capacity.svg) and cmd/loadtest's report draw with it.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/langgraph-platform/infra/capacity"
)

// Point is one minute of a series; NaN where the series does not know a figure (a load test
// knows its users and its waits, not the model's pods).
type Point struct {
	Minute                        float64
	Users, Pods, Ready, Nodes     float64
	QueueWaitP95, ResponseTimeP95 float64
}

// Series is one account of the surge: the model's, or a measurement's.
type Series struct {
	Name     string
	Measured bool // drawn dashed
	Points   []Point
}

// Chart is what one picture shows.
type Chart struct {
	Title string
	// QueueWaitTarget is the KPI line on the wait panel (kpi.queueWaitSeconds).
	QueueWaitTarget float64
	Series          []Series
}

// FromRamp is the model's account of a scenario: every simulated minute.
func FromRamp(name string, r capacity.Ramp) Series {
	s := Series{Name: name}
	for _, m := range r.Minutes {
		nodes := math.NaN()
		if m.Nodes > 0 {
			nodes = float64(m.Nodes)
		}
		s.Points = append(s.Points, Point{Minute: float64(m.Minute), Users: m.Users, Pods: float64(m.Replicas), Ready: float64(m.Ready),
			Nodes: nodes, QueueWaitP95: m.WaitP95, ResponseTimeP95: math.NaN()})
	}
	return s
}

// Model is the chart of one scenario as the model plays it, against the queue-wait target.
func Model(title string, queueWaitTarget float64, r capacity.Ramp) Chart {
	return Chart{Title: title, QueueWaitTarget: queueWaitTarget, Series: []Series{FromRamp("model", r)}}
}

// Width and Height of the picture.
var (
	Width  = vg.Points(760)
	Height = vg.Points(720)
)

// colours per figure; the model's lines are solid, a measurement's dashed.
var (
	usersColour = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	podsColour  = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}
	readyColour = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}
	nodesColour = color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff}
	waitColour  = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	respColour  = color.RGBA{R: 0x8c, G: 0x56, B: 0x4b, A: 0xff}
	kpiColour   = color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
)

// SVG draws the chart: three panels sharing the minute axis.
func (c Chart) SVG() ([]byte, error) {
	if len(c.Series) == 0 {
		return nil, errors.New("chart: no series to draw")
	}
	last := 0.0
	for _, s := range c.Series {
		if len(s.Points) == 0 {
			return nil, fmt.Errorf("chart: series %q has no points", s.Name)
		}
		last = math.Max(last, settled(s.Points))
	}
	users := panel(c.Title, "users")
	pods := panel("", "pods and nodes")
	waits := panel("", "p95 seconds")
	waits.X.Label.Text = "minute"
	for _, s := range c.Series {
		for _, f := range []struct {
			p      *plot.Plot
			label  string
			colour color.Color
			value  func(Point) float64
		}{
			{users, "users", usersColour, func(p Point) float64 { return p.Users }},
			{pods, "pods (HPA)", podsColour, func(p Point) float64 { return p.Pods }},
			{pods, "pods ready", readyColour, func(p Point) float64 { return p.Ready }},
			{pods, "nodes", nodesColour, func(p Point) float64 { return p.Nodes }},
			{waits, "queue wait", waitColour, func(p Point) float64 { return p.QueueWaitP95 }},
			{waits, "response time", respColour, func(p Point) float64 { return p.ResponseTimeP95 }},
		} {
			xys := points(s.Points, f.value, last)
			if len(xys) == 0 {
				continue
			}
			l, err := plotter.NewLine(xys)
			if err != nil {
				return nil, fmt.Errorf("chart: %s %s: %w", s.Name, f.label, err)
			}
			l.Color, l.Width = f.colour, vg.Points(1.5)
			if s.Measured {
				l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
			}
			f.p.Add(l)
			f.p.Legend.Add(s.Name+": "+f.label, l)
		}
	}
	if c.QueueWaitTarget > 0 {
		kpi, err := plotter.NewLine(plotter.XYs{{X: 0, Y: c.QueueWaitTarget}, {X: last, Y: c.QueueWaitTarget}})
		if err != nil {
			return nil, err
		}
		kpi.Color, kpi.Dashes = kpiColour, []vg.Length{vg.Points(2), vg.Points(2)}
		waits.Add(kpi)
		waits.Legend.Add(fmt.Sprintf("KPI: queue wait p95 < %.0f s", c.QueueWaitTarget), kpi)
	}
	for _, p := range []*plot.Plot{users, pods, waits} {
		p.X.Min, p.X.Max = 0, math.Max(last, 1)
		// Room above the lines for the legend, top right.
		p.Y.Min, p.Y.Max = 0, math.Max(p.Y.Max*1.45, 1)
		p.X.Tick.Marker, p.Y.Tick.Marker = wholeTicks{}, wholeTicks{}
	}
	canvas := vgsvg.NewWith(vgsvg.UseWH(Width, Height), vgsvg.EmbedFonts(false))
	rows := [][]*plot.Plot{{users}, {pods}, {waits}}
	tiles := draw.Tiles{Rows: 3, Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(12), PadY: vg.Points(6)}
	for i, row := range plot.Align(rows, tiles, draw.New(canvas)) {
		rows[i][0].Draw(row[0])
	}
	var b bytes.Buffer
	if _, err := canvas.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return b.Bytes(), nil
}

func panel(title, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = y
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), -vg.Points(4)
	p.Add(plotter.NewGrid())
	return p
}

// settled is the minute to draw up to: five minutes past the last change of any figure (a
// scenario is followed for an hour after its arrivals end; the flat tail says nothing), at least
// ten minutes, at most the series' end.
func settled(ps []Point) float64 {
	end := ps[len(ps)-1]
	changed := 0.0
	for _, p := range ps {
		if p.Users != end.Users || p.Pods != end.Pods || p.Ready != end.Ready || p.QueueWaitP95 != end.QueueWaitP95 {
			changed = p.Minute
		}
	}
	return math.Min(end.Minute, math.Max(changed+5, 10))
}

// wholeTicks are gonum's default ticks labelled without decimals.
type wholeTicks struct{}

func (wholeTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', -1, 64)
		}
	}
	return ticks
}

// points are the known values of one figure up to minute last.
func points(ps []Point, value func(Point) float64, last float64) plotter.XYs {
	var xys plotter.XYs
	for _, p := range ps {
		if p.Minute > last {
			break
		}
		if v := value(p); !math.IsNaN(v) && !math.IsInf(v, 0) {
			xys = append(xys, plotter.XY{X: p.Minute, Y: v})
		}
	}
	return xys
}
