package cost

import (
	"fmt"
	"sort"
	"strings"
)

// usd formats dollars for a table.
func usd(v float64) string {
	if v != 0 && v < 10 {
		return fmt.Sprintf("$%.2f", v)
	}
	return "$" + thousands(v)
}

func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// Table renders the estimate as markdown: every line with its unit price, quantities and monthly
// figures, the totals, the LLM spend and where the prices come from.
func (e Estimate) Table() string {
	var b strings.Builder
	b.WriteString("| item | unit price | quantity idle / at load | monthly idle | monthly at load | monthly expected | source |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, l := range e.Lines {
		fmt.Fprintf(&b, "| %s | $%g / %s | %s / %s | %s | %s | %s | %s (%s) |\n", l.Item, l.UnitUSD, l.Unit,
			qty(l.QtyIdle), qty(l.QtyLoad), usd(l.Idle), usd(l.Load), usd(l.Expected), l.Source, l.Priced)
	}
	fmt.Fprintf(&b, "| **AWS total** | | | **%s** | **%s** | **%s** | |\n\n", usd(e.Idle), usd(e.Load), usd(e.Expected))
	fmt.Fprintf(&b, "LLM: %s per run, %s runs in the expected month: %s a month, %s per concurrent user. Infrastructure per concurrent user: %s a month.\n",
		usd(e.LLMPerRun), thousands(e.RunsPerMonth), usd(e.LLMMonthly), usd(e.LLMPerUserMonth), usd(e.InfraPerUserMonth))
	return b.String()
}

func qty(v float64) string {
	if v == float64(int64(v)) {
		return thousands(v)
	}
	return fmt.Sprintf("%.3g", v)
}

// Biggest are the lines of the expected month, largest first.
func (e Estimate) Biggest(n int) []Line {
	lines := append([]Line(nil), e.Lines...)
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].Expected > lines[j].Expected })
	if n < len(lines) {
		lines = lines[:n]
	}
	return lines
}
