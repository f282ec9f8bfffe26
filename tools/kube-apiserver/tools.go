//go:build tools

// Package tools pins the kube-apiserver that the end-to-end tests deploy to. k8s.io/kubernetes
// requires its staging repositories at v0.0.0 (it builds them from its own tree); the replace
// lines in go.mod point each at its published release of the same Kubernetes version.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
