package catalog

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Regions are the AWS Regions a stack may deploy to: the commercial, GovCloud and China
// partitions as listed in AWS's Regions and Availability Zones page, checked 2026-11.
var Regions = map[string]string{
	"us-east-1": "aws", "us-east-2": "aws", "us-west-1": "aws", "us-west-2": "aws",
	"af-south-1": "aws", "ap-east-1": "aws", "ap-east-2": "aws", "ap-south-1": "aws", "ap-south-2": "aws",
	"ap-southeast-1": "aws", "ap-southeast-2": "aws", "ap-southeast-3": "aws", "ap-southeast-4": "aws",
	"ap-southeast-5": "aws", "ap-southeast-6": "aws", "ap-southeast-7": "aws",
	"ap-northeast-1": "aws", "ap-northeast-2": "aws", "ap-northeast-3": "aws",
	"ca-central-1": "aws", "ca-west-1": "aws",
	"eu-central-1": "aws", "eu-central-2": "aws", "eu-west-1": "aws", "eu-west-2": "aws", "eu-west-3": "aws",
	"eu-south-1": "aws", "eu-south-2": "aws", "eu-north-1": "aws",
	"il-central-1": "aws", "me-south-1": "aws", "me-central-1": "aws", "mx-central-1": "aws", "sa-east-1": "aws",
	"us-gov-east-1": "aws-us-gov", "us-gov-west-1": "aws-us-gov",
	"cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn",
}

// arnRegion matches the region field of an ARN: arn:<partition>:<service>:<region>:...
var arnRegion = regexp.MustCompile(`^arn:[a-z-]+:[a-z0-9-]+:([a-z0-9-]*):`)

// ARNPartition is the partition field of an ARN ("" when it is not an ARN).
func ARNPartition(arn string) string {
	if !strings.HasPrefix(arn, "arn:") {
		return ""
	}
	p, _, _ := strings.Cut(strings.TrimPrefix(arn, "arn:"), ":")
	return p
}

// ARNRegion is the region field of an ARN ("" when it has none or is not an ARN).
func ARNRegion(arn string) string {
	m := arnRegion.FindStringSubmatch(arn)
	if m == nil {
		return ""
	}
	return m[1]
}

// RDSInstanceMemoryGiB is the memory of the RDS instance classes this project allows (AWS's
// DB instance class table, checked 2026-11). max_connections and the capacity checks derive from it.
var RDSInstanceMemoryGiB = map[string]float64{
	"db.t4g.medium": 4, "db.t4g.large": 8, "db.t4g.xlarge": 16, "db.t4g.2xlarge": 32,
	"db.m6g.large": 8, "db.m6g.xlarge": 16, "db.m6g.2xlarge": 32, "db.m6g.4xlarge": 64, "db.m6g.8xlarge": 128,
	"db.m7g.large": 8, "db.m7g.xlarge": 16, "db.m7g.2xlarge": 32, "db.m7g.4xlarge": 64, "db.m7g.8xlarge": 128,
	"db.r6g.large": 16, "db.r6g.xlarge": 32, "db.r6g.2xlarge": 64, "db.r6g.4xlarge": 128, "db.r6g.8xlarge": 256,
	"db.r7g.large": 16, "db.r7g.xlarge": 32, "db.r7g.2xlarge": 64, "db.r7g.4xlarge": 128, "db.r7g.8xlarge": 256,
}

// RDSMaxConnectionsCap is the upper bound of RDS PostgreSQL's default max_connections.
const RDSMaxConnectionsCap = 5000

// RDSBytesPerConnection is the divisor in RDS's default: LEAST({DBInstanceClassMemory/9531392}, 5000).
const RDSBytesPerConnection = 9531392

// PostgresVersionsChecked is when PostgresVersions was last compared with what RDS offers.
const PostgresVersionsChecked = "2026-11-29"

// PostgresVersions are the RDS for PostgreSQL versions a new instance can be created on, by
// major. Source: AWS's end-of-standard-support notice of 2026-05 (14.14-14.17, 15.9-15.12,
// 16.5-16.8 and 17.1-17.4 can no longer be created after 2026-05-01; their replacements are
// 14.20, 15.15, 16.11 and 17.7) and the RDS for PostgreSQL release notes. A newer minor is added
// here, with its date, before a stack can use it.
var PostgresVersions = map[string][]string{
	"14": {"14.18", "14.19", "14.20"},
	"15": {"15.13", "15.14", "15.15"},
	"16": {"16.9", "16.10", "16.11"},
	"17": {"17.5", "17.6", "17.7"},
}

// PostgresVersionAllowed reports whether RDS offers version; majors lists the offered majors.
func PostgresVersionAllowed(version string) (ok bool, offered []string) {
	major, _, _ := strings.Cut(version, ".")
	offered = PostgresVersions[major]
	for _, v := range offered {
		if v == version {
			return true, offered
		}
	}
	return false, offered
}

// PostgresUpgradeTargets are the offered versions newer than from: what the mock engine answers
// for RDS's valid upgrade targets (`aws rds describe-db-engine-versions --engine postgres
// --engine-version <from>`). RDS's own answer, which the preflight asks for, is the authority.
func PostgresUpgradeTargets(from string) []string {
	var out []string
	for _, major := range Sorted(PostgresVersions) {
		for _, v := range PostgresVersions[major] {
			if CompareVersions(v, from) > 0 {
				out = append(out, v)
			}
		}
	}
	return out
}

// CompareVersions orders dotted numeric versions ("17.6" < "17.10" < "18.1"): -1, 0 or 1.
func CompareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

// ElastiCacheNodeMemoryGiB is the memory of the ElastiCache node types this project allows
// (AWS's node type table, checked 2026-11).
var ElastiCacheNodeMemoryGiB = map[string]float64{
	"cache.t4g.micro": 0.5, "cache.t4g.small": 1.37, "cache.t4g.medium": 3.09,
	"cache.m6g.large": 6.38, "cache.m6g.xlarge": 12.93, "cache.m6g.2xlarge": 26.04,
	"cache.m7g.large": 6.38, "cache.m7g.xlarge": 12.93, "cache.m7g.2xlarge": 26.04,
	"cache.r6g.large": 13.07, "cache.r6g.xlarge": 26.32, "cache.r6g.2xlarge": 52.82,
	"cache.r7g.large": 13.07, "cache.r7g.xlarge": 26.32, "cache.r7g.2xlarge": 52.82,
}

// CacheEngineVersions are the ElastiCache engine versions allowed, with their parameter group family.
var CacheEngineVersions = map[string]map[string]string{
	"valkey": {"7.2": "valkey7", "8.0": "valkey8", "8.1": "valkey8"},
	"redis":  {"7.0": "redis7", "7.1": "redis7"},
}

// MaxmemoryPolicies are the values ElastiCache accepts for maxmemory-policy.
var MaxmemoryPolicies = []string{
	"volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu",
	"volatile-random", "allkeys-random", "volatile-ttl", "noeviction",
}

// ELBSecurityPolicies are the Application Load Balancer TLS security policies (ELB user guide,
// "Security policies for your Application Load Balancer", checked 2026-11; the RFC 9151
// policies are not listed), each with the oldest
// TLS version it accepts.
var ELBSecurityPolicies = map[string]string{
	"ELBSecurityPolicy-TLS13-1-3-2021-06":              "1.3",
	"ELBSecurityPolicy-TLS13-1-3-PQ-2025-09":           "1.3",
	"ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04":         "1.3",
	"ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09":      "1.3",
	"ELBSecurityPolicy-TLS13-1-2-2021-06":              "1.2",
	"ELBSecurityPolicy-TLS13-1-2-PQ-2025-09":           "1.2",
	"ELBSecurityPolicy-TLS13-1-2-Res-2021-06":          "1.2",
	"ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09":       "1.2",
	"ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06":         "1.2",
	"ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09":      "1.2",
	"ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06":         "1.2",
	"ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09":      "1.2",
	"ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04":         "1.2",
	"ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04":     "1.2",
	"ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04":    "1.2",
	"ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04":    "1.2",
	"ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04":    "1.2",
	"ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09":      "1.2",
	"ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09":  "1.2",
	"ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09": "1.2",
	"ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09": "1.2",
	"ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09": "1.2",
	"ELBSecurityPolicy-FS-1-2-Res-2020-10":             "1.2",
	"ELBSecurityPolicy-FS-1-2-Res-2019-08":             "1.2",
	"ELBSecurityPolicy-FS-1-2-2019-08":                 "1.2",
	"ELBSecurityPolicy-TLS-1-2-Ext-2018-06":            "1.2",
	"ELBSecurityPolicy-TLS-1-2-2017-01":                "1.2",
	"ELBSecurityPolicy-TLS13-1-1-2021-06":              "1.1",
	"ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04":         "1.1",
	"ELBSecurityPolicy-FS-1-1-2019-08":                 "1.1",
	"ELBSecurityPolicy-TLS-1-1-2017-01":                "1.1",
	"ELBSecurityPolicy-TLS13-1-0-2021-06":              "1.0",
	"ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04":         "1.0",
	"ELBSecurityPolicy-FS-2018-06":                     "1.0",
	"ELBSecurityPolicy-2016-08":                        "1.0",
	"ELBSecurityPolicy-2015-05":                        "1.0",
}

// MinimumTLSVersion is the oldest TLS version a listener may accept (TLS 1.0 and 1.1 are
// deprecated by RFC 8996).
const MinimumTLSVersion = "1.2"

// CurrentTLSPolicies are the ELB policies that accept nothing older than MinimumTLSVersion.
func CurrentTLSPolicies() []string {
	var out []string
	for _, name := range Sorted(ELBSecurityPolicies) {
		if ELBSecurityPolicies[name] >= MinimumTLSVersion {
			out = append(out, name)
		}
	}
	return out
}

// RegoFacts is the policy pack's copy of the facts it checks, generated from this package by
// `go run ./cmd/configdoc -write` into policies/catalog.rego (a test keeps them equal): Rego
// cannot import Go, and the pack must not keep a list of its own.
func RegoFacts() string {
	var b strings.Builder
	b.WriteString("# Code generated by go run ./cmd/configdoc -write from package catalog; DO NOT EDIT.\n")
	b.WriteString("package langgraph\n\nimport rego.v1\n\n")
	b.WriteString("# ALB security policies whose oldest protocol is TLS " + MinimumTLSVersion + " or newer.\n")
	b.WriteString("current_tls_policies := {\n")
	for _, p := range CurrentTLSPolicies() {
		b.WriteString("\t\"" + p + "\",\n")
	}
	b.WriteString("}\n")
	b.WriteString("\n# Where each chart takes its containers' resources (ChartContainers): values paths by chart.\n")
	b.WriteString("chart_resource_paths := {\n")
	paths := map[string][]string{}
	for _, c := range ChartContainers {
		quoted := make([]string, 0, 4)
		for _, k := range strings.Split(c.ValuesPath, ".") {
			quoted = append(quoted, strconv.Quote(k))
		}
		paths[c.Chart] = append(paths[c.Chart], "["+strings.Join(quoted, ", ")+"]")
	}
	for _, chart := range slices.Sorted(maps.Keys(paths)) {
		b.WriteString("\t" + strconv.Quote(chart) + ": [" + strings.Join(paths[chart], ", ") + "],\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// EC2NodeSize is an EC2 instance type's vCPUs and memory.
type EC2NodeSize struct {
	VCPU      float64
	MemoryGiB float64
}

// EC2NodeSizes are the worker node types the cost model can price the dataplane's pods on
// (AWS's EC2 instance type table).
var EC2NodeSizes = map[string]EC2NodeSize{
	"m7g.xlarge": {4, 16}, "m7g.2xlarge": {8, 32}, "m7g.4xlarge": {16, 64},
	"m7i.large": {2, 8}, "m7i.xlarge": {4, 16}, "m7i.2xlarge": {8, 32}, "m7i.4xlarge": {16, 64},
	"m6i.xlarge": {4, 16}, "m6i.2xlarge": {8, 32}, "m6i.4xlarge": {16, 64},
	"c7g.xlarge": {4, 8}, "c7g.2xlarge": {8, 16}, "c7g.4xlarge": {16, 32},
	"r7g.xlarge": {4, 32}, "r7g.2xlarge": {8, 64},
}

// EC2Arch is an instance type's CPU architecture: the families whose name ends in g (m7g, c7g,
// r7g) are Graviton (arm64), the rest here x86 (amd64).
func EC2Arch(instanceType string) string {
	family, _, _ := strings.Cut(instanceType, ".")
	if strings.HasSuffix(family, "g") {
		return "arm64"
	}
	return "amd64"
}

// LLMPricePer1KTokens are the seed's LLM prices (US dollars per 1,000 tokens), the defaults of
// cost.llm[].pricePer1kTokens for these model names.
var LLMPricePer1KTokens = map[string]float64{
	"gpt-4o":      0.005,
	"gpt-4o-mini": 0.00015,
}
