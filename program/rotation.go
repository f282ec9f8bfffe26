package program

import (
	"fmt"

	"github.com/langgraph-platform/infra/config"
)

// RotationWarnings remind, on every preview and update, of a rotation left half done: the cache
// still accepting the previous AUTH token (README "Rotating credentials").
func RotationWarnings(cfg *config.Config) []string {
	t := cfg.Rotation.CacheAuthToken
	if t.Strategy() != "ROTATE" {
		return nil
	}
	return []string{fmt.Sprintf("rotation.cacheAuthToken: the cache accepts the previous AUTH token beside generation %d's (ElastiCache ROTATE). "+
		"Once this update has rolled every pod onto the new token, set rotation.cacheAuthToken.retiredBefore to %d and run pulumi up again to refuse the old one (SET).",
		t.Generation, t.Generation)}
}
