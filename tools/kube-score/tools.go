//go:build tools

// Package tools pins kube-score, which the tests build and run over every Kubernetes object the
// program renders (tests/kubescore_test.go).
package tools

import _ "github.com/zegl/kube-score/cmd/kube-score"
