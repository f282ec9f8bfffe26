// Package helmvalues turns typed Helm values (Go structs with the charts' own JSON names) into
// the plain data a helm Release or a Kubernetes object carries.
package helmvalues

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Plain turns a typed value into JSON-shaped data (maps, slices, strings, float64s, bools).
func Plain(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, json.Unmarshal(b, &out)
}

// Map turns typed Helm values into the map a Release takes.
func Map(v any) (pulumi.Map, error) {
	plain, err := Plain(v)
	if err != nil {
		return nil, err
	}
	m, ok := plain.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("helm values must be an object, got %T", plain)
	}
	return pulumi.ToMap(m), nil
}

// Resources are a container's requests and limits as charts take them.
type Resources struct {
	Requests map[string]string `json:"requests,omitempty"`
	Limits   map[string]string `json:"limits,omitempty"`
}

// PathProbe replaces only the path of a chart's HTTP probe: Helm merges the rest (port, scheme,
// timing) from the chart's defaults.
type PathProbe struct {
	HTTPGet struct {
		Path string `json:"path"`
	} `json:"httpGet"`
}

// ProbeAt is a PathProbe on path.
func ProbeAt(path string) PathProbe {
	var p PathProbe
	p.HTTPGet.Path = path
	return p
}

// MaxUnavailable is a chart's podDisruptionBudget as most charts take it.
type MaxUnavailable struct {
	MaxUnavailable int `json:"maxUnavailable"`
}

// Sized are chart containers' resources by their catalog name (catalog.ChartContainers).
type Sized map[string]Resources

// Check reports, for the component named, every container of names that has no memory request
// or limit: a container without them is BestEffort or unbounded, the first evicted or the one
// that takes its node down.
func (s Sized) Check(component string, names ...string) error {
	var errs []error
	for _, n := range names {
		r, ok := s[n]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("%s.Args.Resources[%q]: missing; every chart container needs its requests and limits", component, n))
		case r.Requests["memory"] == "" || r.Limits["memory"] == "":
			errs = append(errs, fmt.Errorf("%s.Args.Resources[%q]=%v: a memory request and a memory limit are required", component, n, r))
		}
	}
	return errors.Join(errs...)
}

// Restricted security contexts, in the shape the charts take them (podSecurityContext,
// securityContext and their variants).
type Seccomp struct {
	Type string `json:"type"`
}

// PodSecurityContext is a pod's restricted context.
type PodSecurityContext struct {
	RunAsNonRoot   bool    `json:"runAsNonRoot"`
	RunAsUser      int     `json:"runAsUser"`
	RunAsGroup     int     `json:"runAsGroup"`
	FSGroup        int     `json:"fsGroup"`
	SeccompProfile Seccomp `json:"seccompProfile"`
}

// Capabilities a container drops.
type Capabilities struct {
	Drop []string `json:"drop"`
}

// ContainerSecurityContext is a container's restricted context; RunAsNonRoot is set where the
// chart passes the pod's context to no container.
type ContainerSecurityContext struct {
	AllowPrivilegeEscalation bool         `json:"allowPrivilegeEscalation"`
	ReadOnlyRootFilesystem   bool         `json:"readOnlyRootFilesystem"`
	RunAsNonRoot             bool         `json:"runAsNonRoot,omitempty"`
	Capabilities             Capabilities `json:"capabilities"`
	SeccompProfile           Seccomp      `json:"seccompProfile"`
}

// RestrictedPod runs a pod as uid and gid under RuntimeDefault seccomp.
func RestrictedPod(uid, gid int) PodSecurityContext {
	return PodSecurityContext{RunAsNonRoot: true, RunAsUser: uid, RunAsGroup: gid, FSGroup: gid, SeccompProfile: Seccomp{"RuntimeDefault"}}
}

// RestrictedContainer drops every capability and privilege escalation; readOnlyRoot where the
// image writes only to its volumes.
func RestrictedContainer(readOnlyRoot bool) ContainerSecurityContext {
	return ContainerSecurityContext{ReadOnlyRootFilesystem: readOnlyRoot, Capabilities: Capabilities{Drop: []string{"ALL"}}, SeccompProfile: Seccomp{"RuntimeDefault"}}
}
