package capacity

import (
	"fmt"
	"math"
	"strings"
)

// FormatSeconds renders a duration of the model: "never" for +Inf.
func FormatSeconds(s float64) string {
	if math.IsInf(s, 1) {
		return "never"
	}
	return fmt.Sprintf("%.0f s", s)
}

// MinutesTable renders a scenario minute by minute (every minute while anything changes, then
// every tenth), in the same columns a load test's comparison uses.
func MinutesTable(r Ramp) string {
	var b strings.Builder
	b.WriteString("| minute | users | replicas | ready | waiting runs | queue wait p50 | p95 | max |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for i, m := range r.Minutes {
		steady := i > 0 && m.Users == r.Minutes[i-1].Users && m.Replicas == r.Minutes[i-1].Replicas && m.WaitMax == 0
		if steady && m.Minute%10 != 0 {
			continue
		}
		fmt.Fprintf(&b, "| %d | %.0f | %d | %d | %.0f | %.0f s | %.0f s | %.0f s |\n", m.Minute, m.Users, m.Replicas, m.Ready, m.Waiting, m.WaitP50, m.WaitP95, m.WaitMax)
	}
	return b.String()
}

// PlansTable renders RecommendPlans' result: the cheapest first, then the runners-up.
func PlansTable(plans []Plan) string {
	var b strings.Builder
	b.WriteString("| plan | changes | $ a month | p95 queue wait | a step's p95 | capacity after |\n| --- | --- | --- | --- | --- | --- |\n")
	for i, p := range plans {
		name := "cheapest"
		if i > 0 {
			name = fmt.Sprintf("runner-up %d", i)
		}
		changes := "none"
		if len(p.Changes) > 0 {
			changes = strings.Join(p.Changes, "; ")
		}
		fmt.Fprintf(&b, "| %s | %s | +%.0f | %.0f s | %.0f s | %s |\n", name, changes, p.MonthlyUSD, p.WaitP95, p.StepWaitP95, FormatSeconds(p.SecondsToCapacity))
	}
	return b.String()
}
