// Package crds turns the CRD copies a component embeds (one directory per upstream version,
// copied from the upstream Go module by `go run ./cmd/crds -write`, checked by internal/crdsync)
// into one manifest stream the Kubernetes provider applies server-side. Helm installs a chart's
// CRDs only on its first install and never upgrades them; applied by the program, a chart bump
// upgrades them in the same update.
package crds

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// PatchForceAnnotation makes the Kubernetes provider's server-side apply take the CRDs' fields
// over from another field manager: on a cluster where Helm installed them (the chart's first
// install), the upgrade would otherwise stop at a conflict.
const PatchForceAnnotation = "pulumi.com/patchForce"

// Manifests returns the CRDs under dir of fsys as one YAML stream, in file order, each taking
// ownership (PatchForceAnnotation), and the CRD names. where names the copies in errors.
func Manifests(fsys fs.FS, dir, where string) (string, []string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil || len(entries) == 0 {
		return "", nil, fmt.Errorf("no CRDs for %s in %s: run `go run ./cmd/crds -write`", path.Base(dir), where)
	}
	var docs, names []string
	for _, e := range entries {
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return "", nil, err
		}
		doc, err := forceOwnership(strings.TrimPrefix(string(b), "---\n"), where+"/"+e.Name())
		if err != nil {
			return "", nil, err
		}
		docs = append(docs, doc)
		// <group>_<plural>.yaml -> <plural>.<group>
		group, plural, _ := strings.Cut(strings.TrimSuffix(e.Name(), ".yaml"), "_")
		names = append(names, plural+"."+group)
	}
	slices.Sort(names)
	return strings.Join(docs, "---\n"), names, nil
}

// forceOwnership adds PatchForceAnnotation to a CRD manifest as controller-gen writes it
// (metadata, then annotations, first).
func forceOwnership(doc, file string) (string, error) {
	const anchor = "metadata:\n  annotations:\n"
	if !strings.Contains(doc, anchor) {
		return "", fmt.Errorf("%s has no metadata.annotations block where controller-gen writes it", file)
	}
	return strings.Replace(doc, anchor, anchor+"    "+PatchForceAnnotation+": \"true\"\n", 1), nil
}
