package capacity

import (
	"fmt"
	"math"
)

// Lever is one change to the stack's settings that absorbs an arrival scenario, and what it costs
// at rest.
type Lever struct {
	Setting string  // the config key
	From    int     // today's value
	To      int     // the smallest value that meets the queue-wait target
	WaitP95 float64 // with the change
	// PodHoursPerMonth is what the change adds while nothing arrives: a higher minimum keeps pods
	// running all month; a faster policy costs nothing until it scales.
	PodHoursPerMonth float64
}

func (l Lever) String() string {
	return fmt.Sprintf("%s %d -> %d (p95 queue wait %.0f s, +%.0f pod-hours a month at rest)", l.Setting, l.From, l.To, l.WaitP95, l.PodHoursPerMonth)
}

// hoursPerMonth is AWS's billing month; a month has about 22 working days.
const (
	hoursPerMonth    = 730
	workdaysPerMonth = 22
)

// RecommendLevers returns, for each lever, the smallest value that keeps the scenario's p95 queue wait
// under the target, cheapest at rest first; nil when the scenario already fits.
func RecommendLevers(in Inputs, a Arrival) []Lever {
	if SimulateArrival(in, a).WaitP95 < in.QueueWaitTarget {
		return nil
	}
	var out []Lever
	try := func(setting string, from int, values []int, apply func(*Inputs, int), restCost func(int) float64) {
		for _, v := range values {
			if v <= from {
				continue
			}
			changed := in
			apply(&changed, v)
			if w := SimulateArrival(changed, a).WaitP95; w < in.QueueWaitTarget {
				out = append(out, Lever{Setting: setting, From: from, To: v, WaitP95: w, PodHoursPerMonth: restCost(v)})
				return
			}
		}
	}
	free := func(int) float64 { return 0 }
	try("hpa.scaleUp.percent", in.HPA.UpPercent, []int{25, 50, 100, 200, 400, 1000}, func(c *Inputs, v int) { c.HPA.UpPercent = v }, free)
	var pods []int
	for p := in.HPA.UpPods + 5; p <= in.MaxReplicas; p += 5 {
		pods = append(pods, p)
	}
	try("hpa.scaleUp.pods", in.HPA.UpPods, pods, func(c *Inputs, v int) { c.HPA.UpPods = v }, free)
	var mins []int
	for m := in.MinReplicas + 5; m <= in.MaxReplicas; m += 5 {
		mins = append(mins, m)
	}
	try("hpa.minReplicas", in.MinReplicas, mins, func(c *Inputs, v int) { c.MinReplicas = v },
		func(v int) float64 { return float64((v - in.MinReplicas) * hoursPerMonth) })
	// The same minimum held only around a known rush (hpa.schedules: raise it before, lower it
	// after), on the working days of a month: the rush and an hour to settle.
	if n := len(out); n > 0 && out[n-1].Setting == "hpa.minReplicas" {
		l := out[n-1]
		rushHours := math.Ceil((a.duration() + 3600) / 3600)
		scheduled := Lever{Setting: "hpa.schedules (minReplicas around the rush)", From: l.From, To: l.To, WaitP95: l.WaitP95,
			PodHoursPerMonth: float64(l.To-l.From) * rushHours * workdaysPerMonth}
		out = append(out[:len(out)-1], scheduled, l)
	}
	return out
}
