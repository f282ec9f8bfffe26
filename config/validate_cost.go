package config

import (
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"strings"

	"github.com/langgraph-platform/infra/catalog"
)

func validateCost(c *checker, cfg *Config) {
	k := cfg.Cost
	if _, ok := catalog.EC2NodeSizes[k.NodeInstanceType]; !ok {
		c.failf("cost.nodeInstanceType", k.NodeInstanceType, "is not an instance type the cost model knows; allowed: %s", strings.Join(slices.Sorted(maps.Keys(catalog.EC2NodeSizes)), ", "))
	}
	if k.LoadHoursPerDay < 0 || k.LoadHoursPerDay > 24 {
		c.failf("cost.loadHoursPerDay", k.LoadHoursPerDay, "must be between 0 and 24")
	}
	c.positive("cost.requestsPerRun", k.RequestsPerRun)
	if k.ContainerLogGBPerDay < 0 || k.NATGBPerMonth < 0 {
		c.failf("cost.containerLogGbPerDay/natGbPerMonth", fmt.Sprint(k.ContainerLogGBPerDay, "/", k.NATGBPerMonth), "must be >= 0")
	}
	if len(k.LLM) == 0 {
		c.errs = append(c.errs, fmt.Errorf("cost.llm is empty: list the models the graphs call, each {model, tokensPerRun}"))
	}
	for i, m := range k.LLM {
		key := fmt.Sprintf("cost.llm[%d]", i)
		if m.Model == "" {
			c.failf(key+".model", m.Model, "is required")
		}
		if m.TokensPerRun <= 0 {
			c.failf(key+".tokensPerRun", m.TokensPerRun, "must be > 0")
		}
		switch _, known := catalog.LLMPricePer1KTokens[m.Model]; {
		case m.PricePer1KTokens < 0:
			c.failf(key+".pricePer1kTokens", m.PricePer1KTokens, "must be > 0")
		case m.PricePer1KTokens == 0 && !known:
			c.failf(key+".model", m.Model, "has no price: set %s.pricePer1kTokens (the seed prices only %s)", key, strings.Join(slices.Sorted(maps.Keys(catalog.LLMPricePer1KTokens)), ", "))
		}
	}
	b := k.Budget
	if b.MonthlyUSD <= 0 {
		c.failf("cost.budget.monthlyUsd", b.MonthlyUSD, "must be > 0: the stack's monthly AWS budget in US dollars (`go run ./cmd/cost` estimates it)")
	}
	if len(b.Emails) == 0 {
		c.errs = append(c.errs, fmt.Errorf("cost.budget.emails is empty: the budget and the cost anomaly alerts need at least one address"))
	}
	for i, e := range b.Emails {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			c.failf(fmt.Sprintf("cost.budget.emails[%d]", i), e, "is not an e-mail address")
		}
	}
	c.positive("cost.budget.anomalyThresholdUsd", b.AnomalyThresholdUSD)
}
