package cost

// Prices are what AWS charges for each billable thing the program creates or sizes, in US
// dollars, on-demand, by region. They are AWS's public list prices as recorded on PricesRecorded
// (the pricing pages named in Sources); this machine cannot reach them, so a bump is a code change
// with its date. A region without a table is an error, never a guess.
type Prices struct {
	// RDS for PostgreSQL, Single-AZ, per instance-hour (Multi-AZ is twice).
	RDSInstanceHour   map[string]float64
	RDSStorageGBMonth float64 // gp3, Single-AZ (Multi-AZ twice)
	RDSBackupGBMonth  float64 // backup storage beyond the free share (100 % of provisioned storage)
	// ElastiCache per node-hour, by engine (Valkey is priced 20 % below Redis OSS).
	CacheNodeHour       map[string]map[string]float64
	CacheBackupGBMonth  float64
	EC2InstanceHour     map[string]float64 // Linux on-demand, the nodes the pods occupy
	ALBHour, ALBLCUHour float64
	WAFACLMonth         float64
	WAFRuleMonth        float64 // each rule and each managed rule group
	WAFMillionRequests  float64
	LogsIngestGB        float64 // CloudWatch Logs, standard class
	LogsStoreGBMonth    float64
	AlarmMetricMonth    float64 // per metric an alarm reads (standard resolution)
	SecretMonth         float64
	KMSKeyMonth         float64
	S3GBMonth           float64 // S3 Standard
	NATGB               float64 // NAT gateway data processing
	InterRegionGB       float64 // data transfer to another region (backup and log replication)
	// A created cluster (cluster.mode create): the EKS control plane (standard support), NAT
	// gateways and interface endpoints per hour (each endpoint is billed per AZ).
	EKSClusterHour        float64
	NATGatewayHour        float64
	InterfaceEndpointHour float64
	PublicIPv4Hour        float64 // each public IPv4 address (the NAT gateways' Elastic IPs)
}

// PricesRecorded is when the tables were taken from AWS's pricing pages.
const PricesRecorded = "2025-11"

// Sources name where each price comes from.
var Sources = map[string]string{
	"rds":            "aws.amazon.com/rds/postgresql/pricing",
	"elasticache":    "aws.amazon.com/elasticache/pricing",
	"ec2":            "aws.amazon.com/ec2/pricing/on-demand",
	"elb":            "aws.amazon.com/elasticloadbalancing/pricing",
	"waf":            "aws.amazon.com/waf/pricing",
	"cloudwatch":     "aws.amazon.com/cloudwatch/pricing",
	"secretsmanager": "aws.amazon.com/secrets-manager/pricing",
	"kms":            "aws.amazon.com/kms/pricing",
	"s3":             "aws.amazon.com/s3/pricing",
	"vpc":            "aws.amazon.com/vpc/pricing",
	"eks":            "aws.amazon.com/eks/pricing",
	"privatelink":    "aws.amazon.com/privatelink/pricing",
	"transfer":       "aws.amazon.com/ec2/pricing/on-demand (data transfer between regions)",
	"backup":         "aws.amazon.com/backup/pricing",
	"llm":            "the seed's LLM_COSTS table, or cost.llm[].pricePer1kTokens",
}

// usEast1 is N. Virginia's list. Oregon (us-west-2) charges the same for every item here.
var usEast1 = Prices{
	RDSInstanceHour: map[string]float64{
		"db.t4g.medium": 0.065, "db.t4g.large": 0.129, "db.t4g.xlarge": 0.258, "db.t4g.2xlarge": 0.517,
		"db.m6g.large": 0.159, "db.m6g.xlarge": 0.318, "db.m6g.2xlarge": 0.636, "db.m6g.4xlarge": 1.272, "db.m6g.8xlarge": 2.544,
		"db.m7g.large": 0.168, "db.m7g.xlarge": 0.337, "db.m7g.2xlarge": 0.674, "db.m7g.4xlarge": 1.348, "db.m7g.8xlarge": 2.696,
		"db.r6g.large": 0.225, "db.r6g.xlarge": 0.45, "db.r6g.2xlarge": 0.899, "db.r6g.4xlarge": 1.798, "db.r6g.8xlarge": 3.597,
		"db.r7g.large": 0.239, "db.r7g.xlarge": 0.478, "db.r7g.2xlarge": 0.956, "db.r7g.4xlarge": 1.913, "db.r7g.8xlarge": 3.826,
	},
	RDSStorageGBMonth: 0.115,
	RDSBackupGBMonth:  0.095,
	CacheNodeHour: map[string]map[string]float64{
		"redis": {
			"cache.t4g.micro": 0.016, "cache.t4g.small": 0.032, "cache.t4g.medium": 0.065,
			"cache.m6g.large": 0.149, "cache.m6g.xlarge": 0.298, "cache.m6g.2xlarge": 0.596,
			"cache.m7g.large": 0.158, "cache.m7g.xlarge": 0.316, "cache.m7g.2xlarge": 0.632,
			"cache.r6g.large": 0.206, "cache.r6g.xlarge": 0.411, "cache.r6g.2xlarge": 0.821,
			"cache.r7g.large": 0.219, "cache.r7g.xlarge": 0.437, "cache.r7g.2xlarge": 0.873,
		},
	},
	CacheBackupGBMonth: 0.085,
	EC2InstanceHour: map[string]float64{
		"m7g.xlarge": 0.1632, "m7g.2xlarge": 0.3264, "m7g.4xlarge": 0.6528,
		"m7i.large": 0.1008, "m7i.xlarge": 0.2016, "m7i.2xlarge": 0.4032, "m7i.4xlarge": 0.8064,
		"m6i.xlarge": 0.192, "m6i.2xlarge": 0.384, "m6i.4xlarge": 0.768,
		"c7g.xlarge": 0.145, "c7g.2xlarge": 0.29, "c7g.4xlarge": 0.58,
		"r7g.xlarge": 0.2142, "r7g.2xlarge": 0.4284,
	},
	ALBHour: 0.0225, ALBLCUHour: 0.008,
	WAFACLMonth: 5, WAFRuleMonth: 1, WAFMillionRequests: 0.6,
	LogsIngestGB: 0.5, LogsStoreGBMonth: 0.03,
	AlarmMetricMonth:      0.1,
	SecretMonth:           0.4,
	KMSKeyMonth:           1,
	S3GBMonth:             0.023,
	NATGB:                 0.045,
	EKSClusterHour:        0.10,
	NATGatewayHour:        0.045,
	InterfaceEndpointHour: 0.01,
	PublicIPv4Hour:        0.005,
	InterRegionGB:         0.02,
}

// PriceTables are the regions the model can price.
var PriceTables = map[string]Prices{
	"us-east-1": usEast1,
	"us-west-2": usEast1,
}

func init() {
	// Valkey nodes: 20 % below Redis OSS, per AWS's Valkey launch pricing.
	for _, p := range PriceTables {
		valkey := map[string]float64{}
		for k, v := range p.CacheNodeHour["redis"] {
			valkey[k] = roundCents(v * 0.8)
		}
		p.CacheNodeHour["valkey"] = valkey
	}
}

func roundCents(v float64) float64 { return float64(int64(v*10000+0.5)) / 10000 }
