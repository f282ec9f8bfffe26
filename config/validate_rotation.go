package config

import "fmt"

// MaxGeneration bounds the rotation counters: a number, not a date, and far more rotations than
// a stack will see.
const MaxGeneration = 1000000

func validateRotation(c *checker, r Rotation) {
	c.between("rotation.databasePassword", r.DatabasePassword, 0, MaxGeneration)
	c.between("rotation.grafanaAdminPassword", r.GrafanaAdminPassword, 0, MaxGeneration)
	t := r.CacheAuthToken
	c.between("rotation.cacheAuthToken.generation", t.Generation, 0, MaxGeneration)
	// ElastiCache keeps at most two tokens: the current and the one before it.
	lo := max(t.Generation-1, 0)
	if t.RetiredBefore < lo || t.RetiredBefore > t.Generation {
		allowed := fmt.Sprintf("%d (the old token still accepted: ROTATE) or %d (the old token refused: SET)", lo, t.Generation)
		if t.Generation == 0 {
			allowed = "0 before the first rotation"
		}
		c.failf("rotation.cacheAuthToken.retiredBefore", t.RetiredBefore,
			"must be %s with generation %d: raise generation by one to rotate, then retiredBefore to it once the pods run with the new token", allowed, t.Generation)
	}
}
