// Package helmvalues turns typed Helm values (Go structs with the charts' own JSON names) into
// the plain data a helm Release or a Kubernetes object carries.
package helmvalues

import (
	"encoding/json"
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
