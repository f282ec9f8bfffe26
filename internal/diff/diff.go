// Package diff compares two synth renderings (base and head) and reports, per stack, the
// resources added, removed and changed, with the changed properties of each. It reads only the
// renderings' resources.json, where secrets are already masked ("<secret>", or "<secret:...>"
// fingerprints that show a changed secret without its value), and their cost.json: the monthly
// cost delta, line by line.
package diff

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Change is one changed property.
type Change struct {
	Path       string
	Base, Head string // JSON of the values; "" when absent
}

// Resource is a resource present on both sides with changed properties.
type Resource struct {
	URN, Type, Name string
	Changes         []Change
}

// Stack is the comparison of one stack.
type Stack struct {
	Name             string
	Added, Removed   []Ref
	Changed          []Resource
	BaseMissing, New bool
	// Cost is the monthly cost delta, when both renderings have the cost model's estimate.
	Cost *CostDelta
}

// CostDelta compares the cost model's expected month (cost.json), line by line.
type CostDelta struct {
	Base, Head float64
	Lines      []CostLine // lines whose monthly figure changed, appeared or went away
}

// CostLine is one changed line of the bill.
type CostLine struct {
	Item       string
	Base, Head float64
}

// costFile is the part of a rendering's cost.json the diff reads (package cost's Estimate).
type costFile struct {
	Expected float64 `json:"monthlyExpectedUsd"`
	Lines    []struct {
		Item     string  `json:"item"`
		Expected float64 `json:"monthlyExpectedUsd"`
	} `json:"lines"`
}

func loadCost(dir string) (*costFile, error) {
	b, err := os.ReadFile(filepath.Join(dir, "cost.json"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var c costFile
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s/cost.json: %w", dir, err)
	}
	return &c, nil
}

// compareCost lines up two estimates by item; a line whose item changed (a new instance class)
// shows as one going away and one appearing.
func compareCost(base, head *costFile) *CostDelta {
	if base == nil || head == nil {
		return nil
	}
	d := &CostDelta{Base: base.Expected, Head: head.Expected}
	b, h := map[string]float64{}, map[string]float64{}
	var order []string
	for _, l := range base.Lines {
		b[l.Item] = l.Expected
		order = append(order, l.Item)
	}
	for _, l := range head.Lines {
		h[l.Item] = l.Expected
		if _, ok := b[l.Item]; !ok {
			order = append(order, l.Item)
		}
	}
	for _, item := range order {
		if b[item] != h[item] {
			d.Lines = append(d.Lines, CostLine{Item: item, Base: b[item], Head: h[item]})
		}
	}
	return d
}

// Ref names a resource.
type Ref struct{ URN, Type, Name string }

// Stacks lists the stacks of a rendering root: its subdirectories holding resources.json, or the
// root itself when it holds one.
func Stacks(root string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(root, "resources.json")); err == nil {
		return []string{""}, nil
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(root, e.Name(), "resources.json")); e.IsDir() && err == nil {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

func load(dir string) (map[string]map[string]any, error) {
	b, err := os.ReadFile(filepath.Join(dir, "resources.json"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var docs []map[string]any
	if err := json.Unmarshal(b, &docs); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	out := map[string]map[string]any{}
	for _, d := range docs {
		urn, _ := d["__urn"].(string)
		out[urn] = d
	}
	return out, nil
}

// Compare diffs every stack found in base or head.
func Compare(base, head string) ([]Stack, error) {
	names := map[string]bool{}
	for _, root := range []string{base, head} {
		stacks, err := Stacks(root)
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		for _, s := range stacks {
			names[s] = true
		}
	}
	var out []Stack
	for _, name := range slices.Sorted(maps.Keys(names)) {
		b, err := load(filepath.Join(base, name))
		if err != nil {
			return nil, err
		}
		h, err := load(filepath.Join(head, name))
		if err != nil {
			return nil, err
		}
		label := name
		if label == "" {
			label = filepath.Base(head)
		}
		s := compareStack(label, b, h)
		bc, err := loadCost(filepath.Join(base, name))
		if err != nil {
			return nil, err
		}
		hc, err := loadCost(filepath.Join(head, name))
		if err != nil {
			return nil, err
		}
		s.Cost = compareCost(bc, hc)
		out = append(out, s)
	}
	return out, nil
}

func ref(d map[string]any) Ref {
	urn, _ := d["__urn"].(string)
	typ, _ := d["__type"].(string)
	name, _ := d["__name"].(string)
	return Ref{urn, typ, name}
}

func compareStack(name string, base, head map[string]map[string]any) Stack {
	s := Stack{Name: name, BaseMissing: base == nil}
	for _, urn := range slices.Sorted(maps.Keys(head)) {
		if _, ok := base[urn]; !ok {
			s.Added = append(s.Added, ref(head[urn]))
		}
	}
	for _, urn := range slices.Sorted(maps.Keys(base)) {
		h, ok := head[urn]
		if !ok {
			s.Removed = append(s.Removed, ref(base[urn]))
			continue
		}
		bp, hp := flatten("", base[urn]["__properties"]), flatten("", h["__properties"])
		var changes []Change
		for _, p := range slices.Sorted(maps.Keys(union(bp, hp))) {
			if bp[p] != hp[p] {
				changes = append(changes, Change{Path: p, Base: bp[p], Head: hp[p]})
			}
		}
		if len(changes) > 0 {
			r := ref(h)
			s.Changed = append(s.Changed, Resource{URN: r.URN, Type: r.Type, Name: r.Name, Changes: changes})
		}
	}
	return s
}

// flatten turns nested properties into path -> JSON value.
func flatten(prefix string, v any) map[string]string {
	out := map[string]string{}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			for kk, vv := range flatten(p, e) {
				out[kk] = vv
			}
		}
		if len(x) == 0 && prefix != "" {
			out[prefix] = "{}"
		}
	case []any:
		for i, e := range x {
			for kk, vv := range flatten(fmt.Sprintf("%s[%d]", prefix, i), e) {
				out[kk] = vv
			}
		}
		if len(x) == 0 && prefix != "" {
			out[prefix] = "[]"
		}
	default:
		out[prefix] = jsonText(x)
	}
	return out
}

// jsonText encodes without HTML escaping, so "<secret>" stays recognisable.
func jsonText(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}

func union(a, b map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// Markdown renders the comparison as a pull-request comment: one collapsed section per stack,
// cut at maxBytes with a note that the full rendering is in the artifact.
func Markdown(stacks []Stack, maxBytes int) string {
	var b strings.Builder
	b.WriteString("## Offline diff of the desired state\n\n")
	for _, s := range stacks {
		costNote := ""
		if c := s.Cost; c != nil {
			costNote = fmt.Sprintf("; AWS cost %s a month (expected)", signed(c.Head-c.Base))
		}
		fmt.Fprintf(&b, "<details><summary>Stack <b>%s</b>: %d added, %d removed, %d changed%s</summary>\n\n", s.Name, len(s.Added), len(s.Removed), len(s.Changed), costNote)
		if c := s.Cost; c != nil && len(c.Lines) > 0 {
			fmt.Fprintf(&b, "### Monthly cost (expected month, `go run ./cmd/cost`)\n\n$%.0f → $%.0f (%s)\n\n| line | base | head | delta |\n| --- | --- | --- | --- |\n", c.Base, c.Head, signed(c.Head-c.Base))
			for _, l := range c.Lines {
				fmt.Fprintf(&b, "| %s | $%.2f | $%.2f | %s |\n", cell(l.Item), l.Base, l.Head, signed(l.Head-l.Base))
			}
			b.WriteString("\n")
		}
		if len(s.Added)+len(s.Removed)+len(s.Changed) == 0 {
			b.WriteString("No changes.\n")
		}
		if len(s.Added) > 0 {
			b.WriteString("### Added\n\n")
			for _, r := range s.Added {
				fmt.Fprintf(&b, "- `%s` **%s**\n", r.Type, r.Name)
			}
			b.WriteString("\n")
		}
		if len(s.Removed) > 0 {
			b.WriteString("### Removed\n\n")
			for _, r := range s.Removed {
				fmt.Fprintf(&b, "- `%s` **%s**\n", r.Type, r.Name)
			}
			b.WriteString("\n")
		}
		if len(s.Changed) > 0 {
			b.WriteString("### Changed\n\n")
			for _, r := range s.Changed {
				fmt.Fprintf(&b, "#### `%s` **%s**\n\n| property | base | head |\n| --- | --- | --- |\n", r.Type, r.Name)
				for _, c := range r.Changes {
					fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.Path, cell(c.Base), cell(c.Head))
				}
				b.WriteString("\n")
			}
		}
		b.WriteString("</details>\n\n")
	}
	out := b.String()
	if maxBytes > 0 && len(out) > maxBytes {
		const note = "\n\n…the diff is longer than a comment allows; the full renderings are in the workflow's artifact.\n</details>\n"
		cut := strings.LastIndex(out[:maxBytes-len(note)], "\n")
		out = out[:cut] + note
	}
	return out
}

// signed is a dollar delta with its sign.
func signed(v float64) string {
	if v < 0 {
		return fmt.Sprintf("-$%.2f", -v)
	}
	return fmt.Sprintf("+$%.2f", v)
}

// cell shows a value in a table cell; secrets are already masked in the renderings.
func cell(v string) string {
	if v == "" {
		return "_(absent)_"
	}
	if strings.HasPrefix(v, `"<secret`) {
		return "`<secret>` (value hidden)"
	}
	v = strings.ReplaceAll(v, "|", `\|`)
	if len(v) > 120 {
		v = v[:117] + "..."
	}
	return "`" + v + "`"
}
