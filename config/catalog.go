package config

import (
	"strings"

	"github.com/langgraph-platform/infra/catalog"
)

// MaxConnections is the database's max_connections: the configured value, or AWS's default
// formula applied to the instance class's memory.
func (d Database) MaxConnections() int {
	if d.MaxConnectionsOverride > 0 {
		return d.MaxConnectionsOverride
	}
	n := int(catalog.RDSInstanceMemoryGiB[d.InstanceClass] * catalog.GiB / catalog.RDSBytesPerConnection)
	return min(n, catalog.RDSMaxConnectionsCap)
}

// PostgresMajor is the engine's major version ("17" of "17.6").
func (d Database) PostgresMajor() string {
	major, _, _ := strings.Cut(d.EngineVersion, ".")
	return major
}

// ParameterGroupFamily is the RDS parameter group family of the engine version.
func (d Database) ParameterGroupFamily() string { return "postgres" + d.PostgresMajor() }

// ParameterGroupFamily is the ElastiCache parameter group family of the engine and version.
func (c Cache) ParameterGroupFamily() string {
	return catalog.CacheEngineVersions[c.Engine][c.EngineVersion]
}
