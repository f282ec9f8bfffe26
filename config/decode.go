package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
)

// decodeObject decodes a JSON object into dst (a pointer to a struct that already holds the
// defaults), so fields the user did not set keep their defaults. Every error names the full
// key path, the offending value and what is allowed; unknown fields get a did-you-mean.
func decodeObject(path, raw string, dst any) []error {
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return []error{fmt.Errorf("%s: %q is not an object; set its fields with `pulumi config set --path %s.<field> <value>`", path, truncate(raw), path)}
	}
	return decodeValue(path, v, reflect.ValueOf(dst).Elem())
}

func decodeValue(path string, v any, dst reflect.Value) []error {
	if v == nil {
		return nil // an explicit null keeps the default
	}
	switch dst.Kind() {
	case reflect.Pointer:
		if dst.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
		}
		return decodeValue(path, v, dst.Elem())
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return []error{fmt.Errorf("%s: %s is not an object; allowed fields: %s", path, show(v), strings.Join(fieldNames(dst.Type()), ", "))}
		}
		fields := fieldIndex(dst.Type())
		var errs []error
		for _, name := range slices.Sorted(maps.Keys(m)) {
			idx, ok := fields[name]
			if !ok {
				errs = append(errs, unknownKeyError(path+"."+name, name, fieldNames(dst.Type())))
				continue
			}
			errs = append(errs, decodeValue(path+"."+name, m[name], dst.Field(idx))...)
		}
		return errs
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return []error{fmt.Errorf("%s: %s is not a string", path, show(v))}
		}
		dst.SetString(s)
	case reflect.Int:
		n, ok := asInt(v)
		if !ok {
			return []error{fmt.Errorf("%s: %s is not an integer", path, show(v))}
		}
		dst.SetInt(n)
	case reflect.Float64:
		f, ok := asFloat(v)
		if !ok {
			return []error{fmt.Errorf("%s: %s is not a number", path, show(v))}
		}
		dst.SetFloat(f)
	case reflect.Bool:
		b, ok := asBool(v)
		if !ok {
			return []error{fmt.Errorf("%s: %s is not a boolean (true or false)", path, show(v))}
		}
		dst.SetBool(b)
	case reflect.Slice:
		items, ok := v.([]any)
		if !ok {
			return []error{fmt.Errorf("%s: %s is not a list", path, show(v))}
		}
		out := reflect.MakeSlice(dst.Type(), len(items), len(items))
		var errs []error
		for i, item := range items {
			errs = append(errs, decodeValue(fmt.Sprintf("%s[%d]", path, i), item, out.Index(i))...)
		}
		dst.Set(out)
		return errs
	default:
		return []error{fmt.Errorf("%s: unsupported field kind %s", path, dst.Kind())}
	}
	return nil
}

// Numbers and booleans may arrive as strings: `pulumi config set --path` stores some values that way.
func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
	case string:
		var n int64
		if _, err := fmt.Sscanf(x, "%d", &n); err == nil && fmt.Sprint(n) == x {
			return n, true
		}
	}
	return 0, false
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		var f float64
		if _, err := fmt.Sscanf(x, "%g", &f); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f, true
		}
	}
	return 0, false
}

func asBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch x {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

func fieldIndex(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		if name := jsonName(t.Field(i)); name != "" {
			m[name] = i
		}
	}
	return m
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		if name := jsonName(t.Field(i)); name != "" {
			names = append(names, name)
		}
	}
	return names
}

func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	if tag == "" || tag == "-" {
		return ""
	}
	return strings.Split(tag, ",")[0]
}

func show(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("%q", truncate(x))
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

func unknownKeyError(path, name string, known []string) error {
	if guess := closest(name, known); guess != "" {
		return fmt.Errorf("%s: unknown key; did you mean %q? (allowed: %s)", path, guess, strings.Join(known, ", "))
	}
	return fmt.Errorf("%s: unknown key (allowed: %s)", path, strings.Join(known, ", "))
}

// closest returns the known name nearest to name by edit distance (case-insensitive), if it is
// near enough to be a plausible typo.
func closest(name string, known []string) string {
	best, bestDist := "", math.MaxInt
	for _, k := range known {
		if d := levenshtein(strings.ToLower(name), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	limit := len(name) / 3
	if limit < 2 {
		limit = 2
	}
	if bestDist <= limit {
		return best
	}
	return ""
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
