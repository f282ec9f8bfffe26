package cost_test

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/cost"
)

// in is a prod-like stack: Multi-AZ db.r7g.2xlarge with 2 replicas, 3 Valkey nodes, 10 to 49
// API pods of 1 CPU and 2 GiB on m7g.2xlarge nodes.
func in() cost.Inputs {
	return cost.Inputs{
		Region: "us-east-1", DBClass: "db.r7g.2xlarge", DBMultiAZ: true, DBReplicas: 2, DBStorageGB: 200, DBBackupRetention: 14,
		CacheEngine: "valkey", CacheNodeType: "cache.r7g.large", CacheNodes: 3, CacheSnapshotDays: 7, CacheNodeMemoryGiB: 13.07,
		NodeType: "m7g.2xlarge", NodeVCPU: 8, NodeMemoryGiB: 32,
		Tiers:         []cost.Tier{{Name: "API", CPU: 1, MemoryGiB: 2, Min: 10, Settled: 49}},
		RunsPerSecond: 20.8, RequestsPerRun: 4, ConcurrentUsers: 5000, LoadHoursPerDay: 10,
		WAFRules: 6, ContainerLogGBDay: 5, LogRetentionDays: 30, WAFLogDays: 90, AccessLogDays: 90,
		AlarmMetrics: 28, Secrets: 2, KMSKeys: 4,
		LLM: []cost.LLMModel{{Name: "gpt-4o", TokensPerRun: 3000, USDPer1KToken: 0.005}, {Name: "gpt-4o-mini", TokensPerRun: 10000, USDPer1KToken: 0.00015}},
	}
}

func line(t *testing.T, e cost.Estimate, prefix string) cost.Line {
	t.Helper()
	for _, l := range e.Lines {
		if strings.HasPrefix(l.Item, prefix) {
			return l
		}
	}
	t.Fatalf("no line %q", prefix)
	return cost.Line{}
}

func TestEveryLineIsItsUnitPriceTimesItsQuantity(t *testing.T) {
	e, err := cost.Model(in())
	require.NoError(t, err)
	var idle, load, expected float64
	for _, l := range e.Lines {
		assert.InDelta(t, l.UnitUSD*l.QtyIdle, l.Idle, 1e-6, l.Item)
		assert.InDelta(t, l.UnitUSD*l.QtyLoad, l.Load, 1e-6, l.Item)
		share := 10.0 / 24
		assert.InDelta(t, l.UnitUSD*(l.QtyIdle*(1-share)+l.QtyLoad*share), l.Expected, 1e-6, l.Item)
		assert.NotEmpty(t, l.Source, l.Item)
		assert.Equal(t, cost.PricesRecorded, l.Priced, l.Item)
		assert.Greater(t, l.UnitUSD, 0.0, l.Item)
		idle, load, expected = idle+l.Idle, load+l.Load, expected+l.Expected
	}
	assert.InDelta(t, idle, e.Idle, 1e-6)
	assert.InDelta(t, load, e.Load, 1e-6)
	assert.InDelta(t, expected, e.Expected, 1e-6)
	assert.Less(t, e.Idle, e.Expected)
	assert.Less(t, e.Expected, e.Load)
}

func TestLinesPriceWhatAWSCharges(t *testing.T) {
	e, err := cost.Model(in())
	require.NoError(t, err)
	// db.r7g.2xlarge $0.956/h, twice for Multi-AZ, 730 h.
	assert.InDelta(t, 0.956*2*730, line(t, e, "RDS primary db.r7g.2xlarge (Multi-AZ)").Idle, 1e-6)
	assert.InDelta(t, 0.956*2*730, line(t, e, "RDS read replicas 2 x").Idle, 1e-6)
	// gp3: primary, standby and two replicas of 200 GB.
	assert.InDelta(t, 0.115*4*200, line(t, e, "RDS gp3 storage").Idle, 1e-6)
	// Valkey is 20 % below Redis OSS's $0.219.
	assert.InDelta(t, 0.1752*3*730, line(t, e, "ElastiCache valkey 3 x cache.r7g.large").Idle, 1e-6)
	// 6 pods of 1 CPU / 2 GiB fit an m7g.2xlarge (8 x 0.85 = 6.8 CPUs): 10 pods on 2 nodes, 49 on 9.
	pods := line(t, e, "API pods on m7g.2xlarge")
	assert.Equal(t, 2.0*730, pods.QtyIdle)
	assert.Equal(t, 9.0*730, pods.QtyLoad)
	assert.InDelta(t, 0.3264, pods.UnitUSD, 1e-9)
	assert.InDelta(t, 5.0, line(t, e, "WAF web ACL").Idle, 1e-9)
	assert.InDelta(t, 6.0, line(t, e, "WAF rules").Idle, 1e-9)
	assert.InDelta(t, 0.4*2, line(t, e, "Secrets Manager").Idle, 1e-9)
	assert.InDelta(t, 1.0*4, line(t, e, "KMS keys").Idle, 1e-9)
	assert.InDelta(t, 0.1*28, line(t, e, "CloudWatch alarms").Idle, 1e-9)
	// Traffic lines are zero idle.
	for _, prefix := range []string{"WAF requests", "ALB capacity units", "CloudWatch Logs ingestion", "S3 ALB access logs"} {
		assert.Zero(t, line(t, e, prefix).Idle, prefix)
		assert.Positive(t, line(t, e, prefix).Load, prefix)
	}
	// 20.8 runs/s x 4 requests x 3,600 x 730 = 218.6 million WAF requests at $0.60.
	assert.InDelta(t, 20.8*4*3600*730/1e6*0.6, line(t, e, "WAF requests").Load, 1e-6)
	// Logs: 150 GB of containers kept 30 days, WAF records kept 90.
	waf := 20.8 * 4 * 3600 * 730 * 1500 / 1e9
	assert.InDelta(t, (150+waf)*0.5, line(t, e, "CloudWatch Logs ingestion").Load, 1e-6)
	assert.InDelta(t, (150+waf*3)*0.03, line(t, e, "CloudWatch Logs storage").Load, 1e-6)
	// LLM: 3,000 tokens of gpt-4o and 10,000 of gpt-4o-mini a run.
	assert.InDelta(t, 3*0.005+10*0.00015, e.LLMPerRun, 1e-12)
	assert.InDelta(t, 20.8*3600*10*365/12, e.RunsPerMonth, 1e-6)
	assert.InDelta(t, e.LLMMonthly/5000, e.LLMPerUserMonth, 1e-9)
	assert.NotContains(t, strings.Join(itemNames(e), "|"), "NAT", "no NAT line without cost.natGbPerMonth")
	withNAT := in()
	withNAT.NATGBMonth = 1000
	e2, err := cost.Model(withNAT)
	require.NoError(t, err)
	assert.InDelta(t, 45.0, line(t, e2, "NAT gateway").Load, 1e-9)
}

func itemNames(e cost.Estimate) []string {
	var out []string
	for _, l := range e.Lines {
		out = append(out, l.Item)
	}
	return out
}

// An unknown region, class, node type or model price is an error, never a guess.
func TestUnknownsAreErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		change func(*cost.Inputs)
		want   string
	}{
		"region":     {func(i *cost.Inputs) { i.Region = "eu-west-1" }, `no price table for region "eu-west-1"`},
		"db class":   {func(i *cost.Inputs) { i.DBClass = "db.x2g.large" }, `no RDS instance price for "db.x2g.large"`},
		"cache node": {func(i *cost.Inputs) { i.CacheNodeType = "cache.r5.large" }, `no valkey node price for "cache.r5.large"`},
		"node type":  {func(i *cost.Inputs) { i.NodeType = "p5.48xlarge" }, `no EC2 instance price for "p5.48xlarge"`},
		"tokens":     {func(i *cost.Inputs) { i.LLM[0].TokensPerRun = 0 }, `model "gpt-4o" needs tokens per run and a price above 0`},
		"price":      {func(i *cost.Inputs) { i.LLM[1].USDPer1KToken = -1 }, `model "gpt-4o-mini" needs tokens per run and a price above 0`},
	} {
		i := in()
		tc.change(&i)
		_, err := cost.Model(i)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), tc.want, name)
	}
}

func TestTableShowsEveryLineAndTheTotals(t *testing.T) {
	e, err := cost.Model(in())
	require.NoError(t, err)
	table := e.Table()
	for _, l := range e.Lines {
		assert.Contains(t, table, l.Item)
	}
	assert.Contains(t, table, "**AWS total**")
	assert.Contains(t, table, "LLM: $0.02 per run")
	assert.Len(t, e.Biggest(3), 3)
	assert.GreaterOrEqual(t, e.Biggest(3)[0].Expected, e.Biggest(3)[1].Expected)
	assert.False(t, math.IsNaN(e.InfraPerUserMonth))
}

// The model prices a stack in microseconds: well under the 10 ms the issue asks.
func BenchmarkModel(b *testing.B) {
	i := in()
	for b.Loop() {
		if _, err := cost.Model(i); err != nil {
			b.Fatal(err)
		}
	}
}

// Headroom is priced as the nodes the placeholders add to the tier's own: 10 pods take two of
// the 6-pod nodes with room for 2 more, so 6 placeholders add one node idle (10 + 6 = 16: three
// nodes) and one beside the 49 pods at load (nine nodes; 55: ten).
func TestHeadroomIsPricedAsTheNodesItAdds(t *testing.T) {
	withHeadroom := in()
	withHeadroom.Tiers[0].Headroom = 6
	e, err := cost.Model(withHeadroom)
	require.NoError(t, err)
	l := line(t, e, "Headroom for 6 API pods on m7g.2xlarge")
	assert.Equal(t, 1.0*730, l.QtyIdle)
	assert.Equal(t, 1.0*730, l.QtyLoad)
	assert.Equal(t, "instance-hour", l.Unit)
	base, err := cost.Model(in())
	require.NoError(t, err)
	assert.InDelta(t, base.Idle+l.Idle, e.Idle, 1e-6, "the line is the whole difference")
	for _, b := range base.Lines {
		assert.NotContains(t, b.Item, "Headroom", "no headroom, no line")
	}
}
