package config

// GiB is 2^30 bytes.
const GiB = 1 << 30

// RDSInstanceMemoryGiB is the memory of the RDS instance classes this project allows (AWS's
// instance class table). max_connections and the capacity checks are derived from it.
var RDSInstanceMemoryGiB = map[string]float64{
	"db.t4g.medium": 4, "db.t4g.large": 8, "db.t4g.xlarge": 16, "db.t4g.2xlarge": 32,
	"db.m6g.large": 8, "db.m6g.xlarge": 16, "db.m6g.2xlarge": 32, "db.m6g.4xlarge": 64, "db.m6g.8xlarge": 128,
	"db.m7g.large": 8, "db.m7g.xlarge": 16, "db.m7g.2xlarge": 32, "db.m7g.4xlarge": 64, "db.m7g.8xlarge": 128,
	"db.r6g.large": 16, "db.r6g.xlarge": 32, "db.r6g.2xlarge": 64, "db.r6g.4xlarge": 128, "db.r6g.8xlarge": 256,
	"db.r7g.large": 16, "db.r7g.xlarge": 32, "db.r7g.2xlarge": 64, "db.r7g.4xlarge": 128, "db.r7g.8xlarge": 256,
}

// ElastiCacheNodeMemoryGiB is the memory of the ElastiCache node types this project allows
// (AWS's node type table).
var ElastiCacheNodeMemoryGiB = map[string]float64{
	"cache.t4g.micro": 0.5, "cache.t4g.small": 1.37, "cache.t4g.medium": 3.09,
	"cache.m6g.large": 6.38, "cache.m6g.xlarge": 12.93, "cache.m6g.2xlarge": 26.04,
	"cache.m7g.large": 6.38, "cache.m7g.xlarge": 12.93, "cache.m7g.2xlarge": 26.04,
	"cache.r6g.large": 13.07, "cache.r6g.xlarge": 26.32, "cache.r6g.2xlarge": 52.82,
	"cache.r7g.large": 13.07, "cache.r7g.xlarge": 26.32, "cache.r7g.2xlarge": 52.82,
}

// RDSMaxConnectionsCap is the upper bound of RDS PostgreSQL's default max_connections.
const RDSMaxConnectionsCap = 5000

// rdsBytesPerConnection is the divisor in RDS's default: LEAST({DBInstanceClassMemory/9531392}, 5000).
const rdsBytesPerConnection = 9531392

// MaxConnections is the database's max_connections: the configured value, or AWS's default
// formula applied to the instance class's memory.
func (d Database) MaxConnections() int {
	if d.MaxConnectionsOverride > 0 {
		return d.MaxConnectionsOverride
	}
	n := int(RDSInstanceMemoryGiB[d.InstanceClass] * GiB / rdsBytesPerConnection)
	return min(n, RDSMaxConnectionsCap)
}

// PostgresMajor is the engine's major version ("17" of "17.6").
func (d Database) PostgresMajor() string {
	major, _, _ := cut(d.EngineVersion, ".")
	return major
}

// ParameterGroupFamily is the RDS parameter group family of the engine version.
func (d Database) ParameterGroupFamily() string { return "postgres" + d.PostgresMajor() }

// CacheEngineVersions are the ElastiCache engine versions allowed, with their parameter group family.
var CacheEngineVersions = map[string]map[string]string{
	"valkey": {"7.2": "valkey7", "8.0": "valkey8", "8.1": "valkey8"},
	"redis":  {"7.0": "redis7", "7.1": "redis7"},
}

// ParameterGroupFamily is the ElastiCache parameter group family of the engine and version.
func (c Cache) ParameterGroupFamily() string { return CacheEngineVersions[c.Engine][c.EngineVersion] }

// MaxmemoryPolicies are the values ElastiCache accepts for maxmemory-policy.
var MaxmemoryPolicies = []string{
	"volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu",
	"volatile-random", "allkeys-random", "volatile-ttl", "noeviction",
}

// SupportedPostgresMajors are the PostgreSQL majors RDS offers that this project allows.
var SupportedPostgresMajors = []string{"14", "15", "16", "17"}
