package loadtest

import (
	"fmt"
	"strings"
	"time"
)

// ProfileRow sets one step of a profile-driven test beside the capacity model's prediction for
// the same arrivals.
type ProfileRow struct {
	Minute int     `json:"minute"`
	Users  float64 `json:"users"`
	// PredictedQueueWaitP95 is the model's p95 queue wait of the runs starting in this step.
	PredictedQueueWaitP95 float64 `json:"predictedQueueWaitP95Seconds"`
	// Measured: successful runs per second and the slowest interval's p95 response time (queue
	// wait plus run) of the runs that finished in this step.
	RunsPerSecond       float64 `json:"runsPerSecond"`
	ResponseP95         float64 `json:"responseP95Seconds"`
	PredictedCompletion float64 `json:"predictedResponseP95Seconds"` // queue wait p95 + the average run
}

// CompareProfile groups the test's series by profile step and sets each beside the prediction.
// runSeconds is the average run the model assumes (kpi.avgResponseSeconds).
func CompareProfile(series []Sample, step time.Duration, users, predictedWaitP95 []float64, runSeconds float64) []ProfileRow {
	rows := make([]ProfileRow, len(users))
	counts := make([]int, len(users))
	for i := range rows {
		rows[i] = ProfileRow{Minute: i, Users: users[i]}
		if i < len(predictedWaitP95) {
			rows[i].PredictedQueueWaitP95 = predictedWaitP95[i]
			rows[i].PredictedCompletion = predictedWaitP95[i] + runSeconds
		}
	}
	for _, s := range series {
		k := int((s.Elapsed - 1) / step)
		if k < 0 || k >= len(rows) {
			continue
		}
		rows[k].RunsPerSecond += s.RunsPerSecond
		rows[k].ResponseP95 = max(rows[k].ResponseP95, s.P95)
		counts[k]++
	}
	for k := range rows {
		if counts[k] > 0 {
			rows[k].RunsPerSecond /= float64(counts[k])
		}
	}
	return rows
}

// ProfileTable renders the comparison line by line.
func ProfileTable(rows []ProfileRow) string {
	var b strings.Builder
	b.WriteString("| minute | users | predicted queue wait p95 | predicted response p95 | measured response p95 | measured runs/s |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %d | %.0f | %.1f s | %.1f s | %.1f s | %.1f |\n", r.Minute, r.Users, r.PredictedQueueWaitP95, r.PredictedCompletion, r.ResponseP95, r.RunsPerSecond)
	}
	return b.String()
}
