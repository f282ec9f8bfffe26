//go:build tools

// Package tools pins actionlint, which the workflow tests build and run.
package tools

import _ "github.com/rhysd/actionlint/cmd/actionlint"
