//go:build tools

// Package tools pins the command-line tools the tests build and run (promtool, actionlint).
// It is a module of its own so their dependencies never enter the program's module.
package tools

import (
	_ "github.com/prometheus/prometheus/cmd/promtool"
	_ "github.com/rhysd/actionlint/cmd/actionlint"
)
