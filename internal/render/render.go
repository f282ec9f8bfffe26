// Package render turns a mock-engine run into a deterministic, reviewable rendering of a stack's
// desired state: Kubernetes objects as YAML, AWS and other resources as JSON, every resource in
// pulumi-policy-opa's input format (resources.json), the stack outputs and a summary. Secret
// values never appear: they are written as "<secret>".
package render

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"gopkg.in/yaml.v3"

	"github.com/langgraph-platform/infra/internal/harness"
)

// Secret is how a secret value is written.
const Secret = "<secret>"

// Unknown is how a value unknown at render time is written (the mock engine rarely has one).
const Unknown = "<computed>"

// Renderer renders a run. With a FingerprintKey, secrets are written as "<secret:...>" with a
// keyed hash of the value, so two renderings made with the same key show which secrets changed;
// without the key (and between keys) the fingerprint reveals nothing.
type Renderer struct {
	FingerprintKey []byte
}

// FingerprintKeyEnv names the environment variable cmd/synth reads the key from (hex).
const FingerprintKeyEnv = "SYNTH_SECRET_FINGERPRINT_KEY"

func (rd Renderer) secret(v resource.PropertyValue) string {
	if len(rd.FingerprintKey) == 0 {
		return Secret
	}
	mac := hmac.New(sha256.New, rd.FingerprintKey)
	b, _ := json.Marshal(Renderer{}.plainUnmasked(v))
	mac.Write(b)
	return fmt.Sprintf("<secret:%x>", mac.Sum(nil)[:6])
}

// plainUnmasked reveals secrets; it only feeds the fingerprint.
func (rd Renderer) plainUnmasked(v resource.PropertyValue) any {
	if v.IsSecret() {
		return rd.plainUnmasked(v.SecretValue().Element)
	}
	if v.IsObject() {
		out := map[string]any{}
		for k, e := range v.ObjectValue() {
			out[string(k)] = rd.plainUnmasked(e)
		}
		return out
	}
	if v.IsArray() {
		out := []any{}
		for _, e := range v.ArrayValue() {
			out = append(out, rd.plainUnmasked(e))
		}
		return out
	}
	return Renderer{}.Plain(v)
}

// Plain converts a property value to plain data, masking secrets.
func Plain(v resource.PropertyValue) any { return Renderer{}.Plain(v) }

// Plain converts a property value to plain data, masking secrets.
func (rd Renderer) Plain(v resource.PropertyValue) any {
	switch {
	case v.IsSecret():
		return rd.secret(v)
	case v.IsComputed():
		return Unknown
	case v.IsOutput():
		o := v.OutputValue()
		if o.Secret {
			return rd.secret(o.Element)
		}
		if !o.Known {
			return Unknown
		}
		return rd.Plain(o.Element)
	case v.IsNull():
		return nil
	case v.IsBool():
		return v.BoolValue()
	case v.IsNumber():
		return v.NumberValue()
	case v.IsString():
		return v.StringValue()
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = rd.Plain(e)
		}
		return out
	case v.IsObject():
		return rd.PlainMap(v.ObjectValue())
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsAsset(), v.IsArchive():
		return "<asset>"
	}
	return fmt.Sprint(v)
}

// PlainMap converts a property map to plain data, masking secrets.
func (rd Renderer) PlainMap(m resource.PropertyMap) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[string(k)] = rd.Plain(v)
	}
	return out
}

// AnalyzerDocument is one resource as pulumi-policy-opa gives it to Rego: metadata, options,
// provider, the input properties both nested and overlaid at the top level, the collision-safe
// "__" copies, and (as in the stack input) dependencies.
func (rd Renderer) AnalyzerDocument(res *harness.Result, r *harness.Resource) map[string]any {
	props := rd.PlainMap(r.Inputs)
	aliases := r.AliasURNs
	if aliases == nil {
		aliases = []string{}
	}
	opts := map[string]any{
		"protect":                 r.Protect,
		"ignoreChanges":           nonNil(r.IgnoreChanges),
		"deleteBeforeReplace":     r.DeleteBeforeReplace,
		"additionalSecretOutputs": nonNil(r.AdditionalSecretOutputs),
		"aliasURNs":               aliases,
		"aliases":                 []any{},
		"customTimeouts":          map[string]any{"create": timeout(r, "create"), "update": timeout(r, "update"), "delete": timeout(r, "delete")},
		"parent":                  r.Parent,
	}
	provider := map[string]any{}
	// A provider reference is "<provider URN>::<provider ID>".
	if i := strings.LastIndex(r.Provider, "::"); i > 0 {
		if p := res.ByURN(r.Provider[:i]); p != nil {
			provider = map[string]any{"type": p.Type, "name": p.Name, "urn": p.URN, "properties": rd.PlainMap(p.Inputs)}
		}
	}
	doc := map[string]any{
		"type": r.Type, "urn": r.URN, "name": r.Name, "__name": r.Name,
		"options": opts, "provider": provider, "properties": props,
	}
	for k, v := range props {
		doc[k] = v
	}
	doc["__type"] = r.Type
	doc["__urn"] = r.URN
	doc["__name"] = r.Name
	doc["__options"] = opts
	doc["__properties"] = props
	doc["__provider"] = provider
	deps := nonNil(r.Dependencies)
	sort.Strings(deps)
	doc["dependencies"] = deps
	propDeps := map[string]any{}
	for k, v := range r.PropertyDependencies {
		s := append([]string(nil), v...)
		sort.Strings(s)
		propDeps[k] = s
	}
	doc["propertyDependencies"] = propDeps
	return doc
}

func timeout(r *harness.Resource, op string) string {
	if r.CustomTimeouts == nil {
		return ""
	}
	return r.CustomTimeouts[op]
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string(nil), s...)
}

// AnalyzerDocuments renders every resource, sorted by URN, secrets masked.
func AnalyzerDocuments(res *harness.Result) []map[string]any {
	return Renderer{}.AnalyzerDocuments(res)
}

// AnalyzerDocuments renders every resource, sorted by URN.
func (rd Renderer) AnalyzerDocuments(res *harness.Result) []map[string]any {
	var docs []map[string]any
	for _, r := range res.Sorted() {
		if r.Read { // the engine analyzes registrations, not reads
			continue
		}
		docs = append(docs, rd.AnalyzerDocument(res, r))
	}
	return docs
}

var unsafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func slug(s string) string { return strings.Trim(unsafe.ReplaceAllString(s, "_"), "_") }

// KubernetesObject reports whether r is an object the program sends to the API server as is
// (a Helm release is rendered by Helm at deploy time instead).
func KubernetesObject(r *harness.Resource) bool {
	return strings.HasPrefix(r.Type, "kubernetes:") && !strings.HasPrefix(r.Type, "kubernetes:helm")
}

// Files renders a run as file contents keyed by relative path.
func (rd Renderer) Files(res *harness.Result, extra map[string][]byte) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, r := range res.Sorted() {
		if !r.Custom || r.Read {
			continue
		}
		body := rd.PlainMap(r.Inputs)
		if KubernetesObject(r) {
			b, err := marshalYAML(body)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", r.URN, err)
			}
			files[filepath.Join("kubernetes", slug(r.Type)+"--"+slug(r.Name)+".yaml")] = b
			continue
		}
		pkg, _, _ := strings.Cut(r.Type, ":")
		b, err := marshalJSON(map[string]any{"type": r.Type, "name": r.Name, "urn": r.URN, "protect": r.Protect, "inputs": body})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.URN, err)
		}
		files[filepath.Join(slug(pkg), slug(r.Type)+"--"+slug(r.Name)+".json")] = b
	}
	docs, err := marshalJSON(rd.AnalyzerDocuments(res))
	if err != nil {
		return nil, err
	}
	files["resources.json"] = docs
	outputs := map[string]any{}
	for k, o := range res.Outputs {
		if o.Secret {
			outputs[k] = rd.secret(resource.NewProperty(fmt.Sprint(o.Value)))
		} else {
			outputs[k] = o.Value
		}
	}
	if files["outputs.json"], err = marshalJSON(outputs); err != nil {
		return nil, err
	}
	files["summary.md"] = []byte(Summary(res))
	for k, v := range extra {
		files[k] = v
	}
	return files, nil
}

// Summary counts resources per type and per component.
func Summary(res *harness.Result) string {
	perType := map[string]int{}
	perComponent := map[string]int{}
	for _, r := range res.Resources {
		perType[r.Type]++
		top := r
		for top.Parent != "" && res.ByURN(top.Parent) != nil {
			top = res.ByURN(top.Parent)
		}
		if top != r {
			perComponent[top.Type+" "+top.Name]++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Stack %s: %d resources\n\n## Per component (descendants)\n\n| component | resources |\n| --- | --- |\n", res.Stack, len(res.Resources))
	for _, k := range slices.Sorted(maps.Keys(perComponent)) {
		fmt.Fprintf(&b, "| %s | %d |\n", k, perComponent[k])
	}
	var reads []string
	for _, r := range res.Sorted() {
		if r.Read {
			reads = append(reads, fmt.Sprintf("| %s | %s |\n", r.Type, r.ID))
		}
	}
	if len(reads) > 0 {
		b.WriteString("\n## Preflight reads (must exist in the cluster)\n\n| type | id |\n| --- | --- |\n" + strings.Join(reads, ""))
	}
	b.WriteString("\n## Per type\n\n| type | count |\n| --- | --- |\n")
	for _, k := range slices.Sorted(maps.Keys(perType)) {
		fmt.Fprintf(&b, "| %s | %d |\n", k, perType[k])
	}
	return b.String()
}

// Write replaces dir with the rendered files: it builds the new tree beside dir and swaps it in,
// so a failed run leaves the previous rendering intact and stale files never linger.
func Write(dir string, files map[string][]byte) error {
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, ".synth-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, p := range slices.Sorted(maps.Keys(files)) {
		full := filepath.Join(tmp, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, files[p], 0o644); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.Rename(tmp, dir)
}

func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(v)
	return buf.Bytes(), err
}

func marshalYAML(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	err := enc.Close()
	return buf.Bytes(), err
}
