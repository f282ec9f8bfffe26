//go:build tools

// Package tools pins promtool, which the rule tests build and run. Each tool has a module of its
// own: their dependency graphs conflict (actionlint and Prometheus need different go.yaml.in/yaml/v4
// releases), and none of it enters the program's module.
package tools

import _ "github.com/prometheus/prometheus/cmd/promtool"
