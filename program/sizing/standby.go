package sizing

import (
	"github.com/langgraph-platform/infra/capacity"
	"github.com/langgraph-platform/infra/config"
)

// StandbyAbsorb is how long a warm standby takes to carry the full load (kpi.concurrentUsers,
// arriving at once as DNS fails over) from its standing size: run slots covering the runs in
// progress at peak, by the capacity model.
type StandbyAbsorb struct {
	// HPAOnly: nothing but the HPA scales the standing pods (no cmd/failover).
	HPAOnly float64
	// WithFailover: cmd/failover raises the minimum to hpa.minReplicas first; its new pods take
	// a pod start-up and a node, then the HPA goes on from there. An upper bound: in the
	// cluster the two overlap.
	WithFailover float64
}

// Absorb models a standby's take-over; zero for a stack that is not one.
func Absorb(c *config.Config) StandbyAbsorb {
	if !c.Standby() {
		return StandbyAbsorb{}
	}
	standing := Inputs(c)
	standing.MinReplicas = c.StandingReplicas()
	scaled := Inputs(c)
	return StandbyAbsorb{
		HPAOnly:      capacity.SimulateArrival(standing, capacity.Step).SecondsToCapacity,
		WithFailover: scaled.PodStartupSeconds + scaled.NodeProvisioningSeconds + capacity.SimulateArrival(scaled, capacity.Step).SecondsToCapacity,
	}
}
