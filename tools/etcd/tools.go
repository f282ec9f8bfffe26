//go:build tools

// Package tools pins the etcd server that backs the end-to-end tests' local kube-apiserver.
package tools

import _ "go.etcd.io/etcd/server/v3"
