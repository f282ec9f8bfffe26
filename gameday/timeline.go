package gameday

import (
	"time"
)

// Tick is one interval of the load during a drill: what the clients saw and what the server's
// histogram says of the runs queued in it.
type Tick struct {
	End            time.Time
	Requests       int64
	FailedRequests int64
	RunsOK         int64
	RunsFailed     int64
	// QueueWaitP95 is in seconds; QueueWaitRuns is how many runs it covers (0: none queued, or
	// no metrics endpoint: the interval cannot breach the queue-wait target).
	QueueWaitP95  float64
	QueueWaitRuns int64
}

// ErrorRate is the interval's share of failed requests, in percent.
func (t Tick) ErrorRate() float64 {
	if t.Requests == 0 {
		return 0
	}
	return 100 * float64(t.FailedRequests) / float64(t.Requests)
}

// Probe is one health probe of the dataplane: Server answered at all (any HTTP status from the
// server itself), Dependencies answered healthy (/ok?check_db=1 with 200).
type Probe struct {
	At           time.Time
	Server       bool
	Dependencies bool
}

// Targets are what "recovered" means: the stack's KPI targets.
type Targets struct {
	ErrorRatePercent float64
	QueueWaitSeconds float64
}

// healthy reports whether an interval is within the targets; an interval without requests says
// nothing of errors (no request failed), and without queued runs nothing of queue wait.
func (tg Targets) healthy(t Tick) bool {
	if t.Requests > 0 && t.ErrorRate() >= tg.ErrorRatePercent {
		return false
	}
	if t.QueueWaitRuns > 0 && t.QueueWaitP95 >= tg.QueueWaitSeconds {
		return false
	}
	return true
}

// Recovery is the analysis of a drill's timeline from the fault on.
type Recovery struct {
	// Degraded: some interval after the fault breached a target.
	Degraded bool
	// Recovered: a run of hold's worth of healthy intervals followed the last breach; Seconds is
	// from the fault to the start of that run (0 when never degraded).
	Recovered bool
	Seconds   float64
	// PeakErrorRate and PeakQueueWait are the worst intervals after the fault.
	PeakErrorRate float64
	PeakQueueWait float64
	// RunsLost failed from the clients' view between the fault and recovery (or the end).
	RunsLost int64
	// AfterErrorRate is the error rate over the hold window that proved recovery.
	AfterErrorRate float64
}

// Analyze finds when the targets held again after faultAt: the first healthy interval after the
// last breach from which hold's worth of intervals stay healthy. Intervals are in order; an
// interval belongs to the fault when it ends after faultAt.
func Analyze(ticks []Tick, faultAt time.Time, targets Targets, hold time.Duration) Recovery {
	var r Recovery
	var after []Tick
	for _, t := range ticks {
		if t.End.After(faultAt) {
			after = append(after, t)
		}
	}
	streakStart := -1
	for i, t := range after {
		r.PeakErrorRate = max(r.PeakErrorRate, t.ErrorRate())
		if t.QueueWaitRuns > 0 {
			r.PeakQueueWait = max(r.PeakQueueWait, t.QueueWaitP95)
		}
		if !targets.healthy(t) {
			r.Degraded = true
			streakStart = -1
			continue
		}
		if streakStart < 0 {
			streakStart = i
		}
		// The streak starts where the previous interval ended (or at the fault).
		begin := faultAt
		if streakStart > 0 {
			begin = after[streakStart-1].End
		}
		if !r.Recovered && t.End.Sub(begin) >= hold {
			r.Recovered = true
			if r.Degraded {
				r.Seconds = begin.Sub(faultAt).Seconds()
			}
			var req, failed int64
			for _, h := range after[streakStart : i+1] {
				req += h.Requests
				failed += h.FailedRequests
			}
			if req > 0 {
				r.AfterErrorRate = 100 * float64(failed) / float64(req)
			}
			for _, l := range after[:streakStart] {
				r.RunsLost += l.RunsFailed
			}
		}
	}
	if !r.Recovered {
		for _, l := range after {
			r.RunsLost += l.RunsFailed
		}
	}
	return r
}

// Outage is the longest run of failed probes from faultAt on, and the total time failed:
// each failed probe counts until the next probe.
type Outage struct {
	LongestSeconds float64
	TotalSeconds   float64
	Probes         int
}

// Unreachable measures the outages of what ok reports for each probe, from faultAt on.
func Unreachable(probes []Probe, faultAt time.Time, ok func(Probe) bool) Outage {
	var o Outage
	var run time.Duration
	for i, p := range probes {
		if p.At.Before(faultAt) {
			continue
		}
		o.Probes++
		if ok(p) {
			run = 0
			continue
		}
		step := time.Second
		if i+1 < len(probes) {
			step = probes[i+1].At.Sub(p.At)
		}
		run += step
		o.TotalSeconds += step.Seconds()
		o.LongestSeconds = max(o.LongestSeconds, run.Seconds())
	}
	return o
}
