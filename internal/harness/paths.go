package harness

import (
	"regexp"
	"strconv"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

var segment = regexp.MustCompile(`\["([^"]+)"\]|([^.\[\]]+)|\[(\d+)\]`)

// Lookup walks a property path such as "spec.template.spec.containers[0].image" (a key with dots
// or slashes in brackets and quotes: metadata.labels["app.kubernetes.io/name"]) through a
// property map. It returns the value (secrets unwrapped), whether any step was secret, and
// whether the path exists.
func Lookup(m resource.PropertyMap, path string) (value any, secret bool, ok bool) {
	cur := resource.NewProperty(m)
	for _, part := range segment.FindAllStringSubmatch(path, -1) {
		for cur.IsSecret() {
			secret = true
			cur = cur.SecretValue().Element
		}
		key := part[1] + part[2]
		if part[3] != "" {
			i, _ := strconv.Atoi(part[3])
			if !cur.IsArray() || i >= len(cur.ArrayValue()) {
				return nil, secret, false
			}
			cur = cur.ArrayValue()[i]
			continue
		}
		if !cur.IsObject() {
			return nil, secret, false
		}
		next, found := cur.ObjectValue()[resource.PropertyKey(key)]
		if !found {
			return nil, secret, false
		}
		cur = next
	}
	for cur.IsSecret() {
		secret = true
		cur = cur.SecretValue().Element
	}
	return unwrap(cur), secret, true
}

// unwrap converts a property value to plain Go data, revealing secrets (for assertions only).
func unwrap(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return unwrap(v.SecretValue().Element)
	case v.IsOutput():
		return unwrap(v.OutputValue().Element)
	case v.IsArray():
		out := make([]any, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			out[i] = unwrap(e)
		}
		return out
	case v.IsObject():
		out := map[string]any{}
		for k, e := range v.ObjectValue() {
			out[string(k)] = unwrap(e)
		}
		return out
	case v.IsNull() || v.IsComputed():
		return nil
	}
	return v.V
}

// In returns the input at path (nil when absent).
func (r *Resource) In(path string) any {
	v, _, _ := Lookup(r.Inputs, path)
	return v
}

// Has reports whether the input path exists.
func (r *Resource) Has(path string) bool {
	_, _, ok := Lookup(r.Inputs, path)
	return ok
}

// SecretIn reports whether the input at path is (or sits inside) a secret.
func (r *Resource) SecretIn(path string) bool {
	_, s, _ := Lookup(r.Inputs, path)
	return s
}

// Out returns the output at path (nil when absent).
func (r *Resource) Out(path string) any {
	v, _, _ := Lookup(r.Outputs, path)
	return v
}

// SecretOut reports whether the output at path is (or sits inside) a secret.
func (r *Resource) SecretOut(path string) bool {
	_, s, _ := Lookup(r.Outputs, path)
	return s
}
