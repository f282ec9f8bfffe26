package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/langgraph-platform/infra/catalog"
)

// Values computed from the settings: catalog lookups, percentages as fractions, the created
// network's subnet layout. Nothing here validates; validate*.go refuses what these cannot compute.

// MaxConnections is the database's max_connections: the configured value, or AWS's default
// formula applied to the instance class's memory.
func (d Database) MaxConnections() int {
	if d.MaxConnectionsOverride > 0 {
		return d.MaxConnectionsOverride
	}
	n := int(catalog.RDSInstanceMemoryGiB[d.InstanceClass] * catalog.GiB / catalog.RDSBytesPerConnection)
	return min(n, catalog.RDSMaxConnectionsCap)
}

// postgresMajor is the running engine's major version ("17" of "17.6"): the upgrade's target
// while one is set.
func (d Database) postgresMajor() string {
	major, _, _ := strings.Cut(d.RunningVersion(), ".")
	return major
}

// MajorUpgrade reports whether the upgrade crosses a major version.
func (d Database) MajorUpgrade() bool {
	from, _, _ := strings.Cut(d.EngineVersion, ".")
	return d.Upgrading() && from != d.postgresMajor()
}

// ParameterGroupFamily is the RDS parameter group family of the running engine version.
func (d Database) ParameterGroupFamily() string { return "postgres" + d.postgresMajor() }

// ParameterGroupFamily is the ElastiCache parameter group family of the engine and version.
func (c Cache) ParameterGroupFamily() string {
	return catalog.CacheEngineVersions[c.Engine][c.EngineVersion]
}

// LLMPrice is the model's price per 1,000 tokens: the configured one, else the seed's.
func (m LLMModel) LLMPrice() float64 {
	if m.PricePer1KTokens > 0 {
		return m.PricePer1KTokens
	}
	return catalog.LLMPricePer1KTokens[m.Model]
}

// LLMPrice is model's price per 1,000 tokens in cost.llm, and whether cost.llm lists it: the one
// price the cost model and the LLM gateway's spend both use.
func (k Cost) LLMPrice(model string) (float64, bool) {
	for _, m := range k.LLM {
		if m.Model == model {
			return m.LLMPrice(), true
		}
	}
	return 0, false
}

// NodeAutoscaler is what adds nodes when the HPA adds pods: create mode and the Karpenter add-on
// mean Karpenter; otherwise what cluster.nodeAutoscaler declares, none when it declares nothing.
func (c *Config) NodeAutoscaler() string {
	switch {
	case c.Cluster.Mode == ModeCreate || c.Addons.Karpenter.Enabled:
		return catalog.NodeAutoscalerKarpenter
	case c.Cluster.NodeAutoscaler == "":
		return catalog.NodeAutoscalerNone
	}
	return c.Cluster.NodeAutoscaler
}

// Layout is the VPC's subnets: explicit lists where given, else carved from the VPC CIDR. The
// error says what does not fit; Validate reports it against the keys.
func (k ClusterCreate) Layout() (Subnets, error) {
	vpc, err := netip.ParsePrefix(k.VPCCIDR)
	if err != nil {
		return Subnets{}, fmt.Errorf("cluster.create.vpcCidr=%q is not a CIDR block", k.VPCCIDR)
	}
	vpc = vpc.Masked()
	s := k.Subnets
	tiers := []struct {
		explicit []string
		bits     int
	}{{s.PrivateCIDRs, s.PrivatePrefixLength}, {s.PublicCIDRs, s.PublicPrefixLength}, {s.IsolatedCIDRs, s.IsolatedPrefixLength}}
	out := make([][]string, len(tiers))
	next := vpc.Addr()
	var need uint64
	for i, t := range tiers {
		if len(t.explicit) > 0 {
			out[i] = t.explicit
			continue
		}
		for range k.AvailabilityZones {
			p, after, ok := carve(vpc, next, t.bits)
			need += 1 << (32 - t.bits)
			if !ok {
				return Subnets{}, fmt.Errorf("cluster.create.vpcCidr=%q is too small for %d AZs of /%d private, /%d public and /%d isolated subnets (%d addresses needed, the VPC has %d)",
					k.VPCCIDR, k.AvailabilityZones, s.PrivatePrefixLength, s.PublicPrefixLength, s.IsolatedPrefixLength, totalAddresses(k), uint64(1)<<(32-vpc.Bits()))
			}
			out[i] = append(out[i], p.String())
			next = after
		}
	}
	return Subnets{Private: out[0], Public: out[1], Isolated: out[2]}, nil
}

func totalAddresses(k ClusterCreate) uint64 {
	s := k.Subnets
	var n uint64
	for _, b := range []int{s.PrivatePrefixLength, s.PublicPrefixLength, s.IsolatedPrefixLength} {
		if b > 0 && b <= 32 {
			n += uint64(k.AvailabilityZones) << (32 - b)
		}
	}
	return n
}

// carve is the first /bits block at or after from, aligned to its size, if it lies inside vpc;
// and the address after it.
func carve(vpc netip.Prefix, from netip.Addr, bits int) (netip.Prefix, netip.Addr, bool) {
	if bits < vpc.Bits() || bits > 28 || !from.IsValid() || !vpc.Contains(from) {
		return netip.Prefix{}, netip.Addr{}, false
	}
	size := uint32(1) << (32 - bits)
	a := from.As4()
	n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	n = (n + size - 1) / size * size
	start := netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
	p := netip.PrefixFrom(start, bits)
	last := n + size - 1
	if !vpc.Contains(start) || !vpc.Contains(netip.AddrFrom4([4]byte{byte(last >> 24), byte(last >> 16), byte(last >> 8), byte(last)})) {
		return netip.Prefix{}, netip.Addr{}, false
	}
	return p, netip.AddrFrom4([4]byte{byte((last + 1) >> 24), byte((last + 1) >> 16), byte((last + 1) >> 8), byte(last + 1)}), true
}

var stackReference = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

// Config keys are percentages (what people write: 5 for 5 %); the rules, alarms and capacity
// model compare with fractions. This file is the one place a percentage becomes a fraction.

// ratio is percent as a fraction.
func ratio(percent float64) float64 { return percent / 100 }

// AlertRatios are the alerts.* percentages as fractions.
type AlertRatios struct {
	Error, PodResource, DBPool, CacheMemory, DataTierCPU, DatabaseFreeStorage, DatabaseFreeMemory float64
}

// Ratios are the alert thresholds given as percentages, as fractions.
func (a Alerts) Ratios() AlertRatios {
	return AlertRatios{
		Error: ratio(a.ErrorRatePercent), PodResource: ratio(a.PodResourcePercent), DBPool: ratio(a.DBPoolPercent),
		CacheMemory: ratio(a.CacheMemoryPercent), DataTierCPU: ratio(a.DataTierCPUPercent),
		DatabaseFreeStorage: ratio(a.DatabaseFreeStoragePercent), DatabaseFreeMemory: ratio(a.DatabaseFreeMemoryPercent),
	}
}

// KPIRatios are the kpi.* percentages as fractions.
type KPIRatios struct {
	Success, Error, CPU, Memory float64
}

// Ratios are the KPI targets given as percentages, as fractions.
func (k KPI) Ratios() KPIRatios {
	return KPIRatios{Success: ratio(k.SuccessRatePercent), Error: ratio(k.ErrorRatePercent), CPU: ratio(k.CPUPercent), Memory: ratio(k.MemoryPercent)}
}

// CPUAtFullLoadRatio is capacity.cpuAtFullLoadPercent as a fraction.
func (c Capacity) CPUAtFullLoadRatio() float64 { return ratio(c.CPUAtFullLoadPercent) }
