package config

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
