package config

// The settings of a stack's second year: credential rotation and engine upgrades.

// Rotation rotates the credentials the program generates, on the next `pulumi up` after a
// number here is raised (README "Rotating credentials"). Each number is a generation: the
// credential is regenerated when it changes, and the pods that read it roll.
type Rotation struct {
	CacheAuthToken       CacheAuthTokenRotation `json:"cacheAuthToken"`
	DatabasePassword     int                    `json:"databasePassword" doc:"Generation of the RDS master password: raise it by one to set a new password on the next up; the connection URIs, the secret and the pods follow, in that order."`
	GrafanaAdminPassword int                    `json:"grafanaAdminPassword" doc:"Generation of Grafana's admin password: raise it by one to set a new one on the next up (Grafana's pods restart with it)."`
}

// CacheAuthTokenRotation rotates the ElastiCache AUTH token in two updates, so no client ever
// holds a refused token: the first adds the new token beside the old (ROTATE) and rolls the pods
// onto it; the second, once they run, removes the old (SET).
type CacheAuthTokenRotation struct {
	Generation    int `json:"generation" doc:"Generation of the cache AUTH token: raise it by one to add a new token beside the old one (ElastiCache ROTATE) and roll every pod onto it."`
	RetiredBefore int `json:"retiredBefore" doc:"Tokens of generations before this one are refused: generation-1 while the old token is still accepted; set it to generation after the rollout to remove the old token (ElastiCache SET)."`
}

// Strategy is the ElastiCache auth-token update strategy the rotation state asks
// for: "" before any rotation (none is sent), ROTATE while the previous token is still accepted,
// SET once it is retired.
func (r CacheAuthTokenRotation) Strategy() string {
	switch {
	case r.Generation == 0:
		return ""
	case r.RetiredBefore == r.Generation:
		return "SET"
	default:
		return "ROTATE"
	}
}

// DatabaseUpgrade moves the running database to another engine version (README "Upgrading").
// engineVersion stays what runs until the upgrade is done; then targetVersion moves into it.
type DatabaseUpgrade struct {
	TargetVersion string `json:"targetVersion" doc:"Engine version to upgrade the running database to (major.minor, one RDS lists as a valid upgrade target of database.engineVersion; the preflight asks RDS); empty: no upgrade."`
	Method        string `json:"method" doc:"blueGreen: an RDS Blue/Green deployment (a synchronized copy upgraded, then a switchover of about a minute); inPlace: RDS upgrades the instances where they run (offline for the upgrade's duration; refused for a major upgrade in prod)."`
}

// Database upgrade methods.
const (
	UpgradeBlueGreen = "blueGreen"
	UpgradeInPlace   = "inPlace"
)

// Upgrading reports whether the database is being moved to another version.
func (d Database) Upgrading() bool { return d.Upgrade.TargetVersion != "" }

// RunningVersion is the version the stack deploys: the upgrade's target while one is set.
func (d Database) RunningVersion() string {
	if d.Upgrading() {
		return d.Upgrade.TargetVersion
	}
	return d.EngineVersion
}
