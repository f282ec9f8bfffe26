package capacity

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Plan is one combination of the levers that absorb a surge (the scale-up policy's percent and
// pods, headroom placeholders, the minimum, and the minimum held only around a known rush), how
// the scenario and a step play out with it, and what it costs a month.
type Plan struct {
	Percent, Pods, Headroom, MinReplicas int
	// Scheduled: the raised minimum is held only around the rush (hpa.schedules), so the rush's
	// time must be known.
	Scheduled bool
	// WaitP95 is the scenario's p95 queue wait with the plan in its worst window (Ramp.WindowP95),
	// StepWaitP95 a step's (all users at once: the worst crowd), SecondsToCapacity the scenario's.
	WaitP95, StepWaitP95, SecondsToCapacity float64
	// MonthlyUSD is what the plan adds while nothing arrives: headroom and a higher minimum keep
	// pods' room all month (a schedule only around the rush); a faster policy costs nothing
	// until it scales, and then only the pods the load needs anyway.
	MonthlyUSD float64
	Changes    []string // each changed setting, "key from -> to"
}

func (p Plan) String() string {
	changes := "no change"
	if len(p.Changes) > 0 {
		changes = strings.Join(p.Changes, ", ")
	}
	return fmt.Sprintf("%s: +$%.0f a month; p95 queue wait %.0f s (a step: %.0f s)", changes, p.MonthlyUSD, p.WaitP95, p.StepWaitP95)
}

// hoursPerMonth is AWS's billing month; a month has about 22 working days.
const (
	hoursPerMonth    = 730
	workdaysPerMonth = 22
)

// MaxPlans is how many plans RecommendPlans returns: the cheapest and its runners-up.
const MaxPlans = 5

// PlanOptions price the plans and say which levers apply.
type PlanOptions struct {
	PodHourUSD float64 // a run-executing pod's share of its node's hourly price
	// KnownRush: the crowd comes at a known time (a launch, the working day's start), so a
	// minimum raised only around it (hpa.schedules) is a plan too.
	KnownRush bool
}

// RecommendPlans searches the combinations of levers for those that keep the scenario's p95
// queue wait under the target in every window (Ramp.WindowP95), prices each and returns the
// cheapest, then the runners-up that each buy a lower wait in a step for more money (the
// cost-versus-step-wait frontier), at most MaxPlans. Between plans of one price, the one that
// holds a step best wins, then the one with fewer and smaller changes. Nil when no combination up
// to the maximum replicas meets the target.
func RecommendPlans(in Inputs, a Arrival, o PlanOptions) []Plan {
	rushHours := math.Ceil((a.duration() + 3600) / 3600) // the rush and an hour to settle
	var meets []Plan
	for _, percent := range grid(in.HPA.UpPercent, []int{100, 200, 400, 1000}, math.MaxInt) {
		for _, pods := range grid(in.HPA.UpPods, []int{2 * in.HPA.UpPods, 4 * in.HPA.UpPods}, in.MaxReplicas) {
			for _, headroom := range headroomGrid(in) {
				for _, minimum := range grid(in.MinReplicas, byFives(in.MinReplicas, in.MaxReplicas), in.MaxReplicas) {
					changed := in
					changed.HPA.UpPercent, changed.HPA.UpPods, changed.HeadroomPods, changed.MinReplicas = percent, pods, headroom, minimum
					r := SimulateArrival(changed, a)
					if r.WindowP95 >= in.QueueWaitTarget {
						continue
					}
					p := Plan{Percent: percent, Pods: pods, Headroom: headroom, MinReplicas: minimum,
						WaitP95: r.WindowP95, StepWaitP95: SimulateArrival(changed, Step).WindowP95, SecondsToCapacity: r.SecondsToCapacity}
					p.Changes = changes(in, p)
					extra := float64(minimum - in.MinReplicas)
					p.MonthlyUSD = (float64(headroom) + extra) * hoursPerMonth * o.PodHourUSD
					meets = append(meets, p)
					if minimum > in.MinReplicas && o.KnownRush {
						s := p
						s.Scheduled = true
						s.Changes = changes(in, s)
						s.MonthlyUSD = (float64(headroom)*hoursPerMonth + extra*rushHours*workdaysPerMonth) * o.PodHourUSD
						meets = append(meets, s)
					}
				}
			}
		}
	}
	slices.SortStableFunc(meets, func(x, y Plan) int {
		for _, d := range []float64{x.MonthlyUSD - y.MonthlyUSD, x.StepWaitP95 - y.StepWaitP95, x.WaitP95 - y.WaitP95,
			float64(len(x.Changes) - len(y.Changes)), float64(x.Percent + x.Pods + x.Headroom + x.MinReplicas - y.Percent - y.Pods - y.Headroom - y.MinReplicas)} {
			if math.Abs(d) > 1e-9 {
				return int(math.Copysign(1, d))
			}
		}
		return 0
	})
	var out []Plan
	for _, p := range meets {
		if len(out) == MaxPlans {
			break
		}
		if len(out) == 0 || p.StepWaitP95 < out[len(out)-1].StepWaitP95-0.5 {
			out = append(out, p)
		}
	}
	return out
}

// grid is the current value and the candidates above it, up to limit.
func grid(current int, candidates []int, limit int) []int {
	out := []int{current}
	for _, c := range candidates {
		if c > current && c <= limit && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// byFives are the minimums above from, five pods apart, up to the maximum.
func byFives(from, limit int) []int {
	var out []int
	for m := from + 5; m <= limit; m += 5 {
		out = append(out, m)
	}
	return out
}

// headroomGrid is whole nodes of placeholders (a partial node costs the whole node): none, one,
// two, four; none where no node autoscaler adds nodes.
func headroomGrid(in Inputs) []int {
	if in.PodsPerNode <= 0 {
		return []int{in.HeadroomPods}
	}
	return grid(in.HeadroomPods, []int{in.PodsPerNode, 2 * in.PodsPerNode, 4 * in.PodsPerNode}, in.MaxReplicas)
}

// changes names the settings a plan changes, as config keys.
func changes(in Inputs, p Plan) []string {
	var out []string
	add := func(key string, from, to int) {
		if to != from {
			out = append(out, fmt.Sprintf("%s %d -> %d", key, from, to))
		}
	}
	add("hpa.scaleUp.percent", in.HPA.UpPercent, p.Percent)
	add("hpa.scaleUp.pods", in.HPA.UpPods, p.Pods)
	add("capacity.headroomPods", in.HeadroomPods, p.Headroom)
	key := "hpa.minReplicas"
	if p.Scheduled {
		key = "hpa.schedules minReplicas (around the rush)"
	}
	add(key, in.MinReplicas, p.MinReplicas)
	return out
}
