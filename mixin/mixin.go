// Package mixin is the dataplane's monitoring as plain data, in the kubernetes-mixin shape: one
// Config in; the recorded series, the recording and alerting rules with their SLOs, the
// Alertmanager routing and the Grafana dashboard out. It imports no Pulumi package (the
// architecture test checks): components/monitoring deploys what it returns, cmd/synth writes it
// and promtool tests it, so the monitoring can be read, reviewed and tested without an engine.
package mixin

import (
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/prometheus/model/rulefmt"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Config is everything the mixin is made from: what it watches and the numbers it compares with.
type Config struct {
	Scope      Scope
	Thresholds Thresholds
}

// Groups are the rule groups (recording, SLO, alerting).
func (c Config) Groups() []rulefmt.RuleGroup { return Groups(c.Scope, c.Thresholds) }

// RuleFile is the plain Prometheus rule file (what promtool reads).
func (c Config) RuleFile() ([]byte, error) { return RuleFile(c.Scope, c.Thresholds) }

// Dashboards are the Grafana dashboards' JSON by file name.
func (c Config) Dashboards() (map[string][]byte, error) {
	dataplane, err := DataplaneJSON(c.Thresholds)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{DataplaneFile: dataplane}, nil
}

// PrometheusRuleSpec is the PrometheusRule spec made from the same groups as the plain rule file.
func (c Config) PrometheusRuleSpec() monitoringv1.PrometheusRuleSpec {
	var spec monitoringv1.PrometheusRuleSpec
	for _, g := range c.Groups() {
		interval := monitoringv1.Duration(g.Interval.String())
		group := monitoringv1.RuleGroup{Name: g.Name, Interval: &interval}
		for _, r := range g.Rules {
			rule := monitoringv1.Rule{Record: r.Record, Alert: r.Alert, Expr: intstr.FromString(r.Expr), Labels: r.Labels, Annotations: r.Annotations}
			if r.For != 0 {
				d := monitoringv1.Duration(r.For.String())
				rule.For = &d
			}
			group.Rules = append(group.Rules, rule)
		}
		spec.Groups = append(spec.Groups, group)
	}
	return spec
}
