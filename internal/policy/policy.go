// Package policy evaluates the Rego policy pack in policies/ with the OPA Go library, the way
// pulumi-policy-opa does: all .rego files compiled as one package (Rego v0 with `import rego.v1`);
// deny_/violation_ rules mandatory, warn_ rules advisory, stack_ rules evaluated once over
// {resources: [...]}, the others once per resource; per-rule configuration from the pack config
// file available as data.config.<rule>.<key>, enforcement levels overridden per rule or for "all".
// Tests and cmd/synth use it on the mock-engine rendering, so the pack is proven against the real
// program.
package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

// AnalyzerVersion is the pulumi-policy-opa release the pack is written for and the workflows
// install before every preview and update: v1.1.0 builds the documented input (metadata keys,
// properties overlaid, __ copies), accepts digits in rule names, runs stack_ rules and passes
// per-policy config as data.config. Releases from 2025 silently skip most of this pack.
const AnalyzerVersion = "v1.1.0"

// ConfigDir holds the per-stack pack configs (<stack>.json), beside the pack folder: the
// analyzer loads every file under the pack, so nothing but the pack lives there.
const ConfigDir = "policy-config"

// Level is an enforcement level.
type Level string

// Enforcement levels.
const (
	Mandatory Level = "mandatory"
	Advisory  Level = "advisory"
	Disabled  Level = "disabled"
)

// The analyzer's rule-name prefixes.
var (
	denyRule      = regexp.MustCompile(`^(deny|violation)(_[a-zA-Z0-9]+)*$`)
	warnRule      = regexp.MustCompile(`^warn(_[a-zA-Z0-9]+)*$`)
	stackDenyRule = regexp.MustCompile(`^stack_(deny|violation)(_[a-zA-Z0-9]+)*$`)
	stackWarnRule = regexp.MustCompile(`^stack_warn(_[a-zA-Z0-9]+)*$`)
)

// Rule is one policy of the pack.
type Rule struct {
	Name        string
	Stack       bool
	Level       Level // from the name
	Title       string
	Description string
	Message     string // custom.message: the remediation
}

// Pack is a compiled policy pack.
type Pack struct {
	Package  string
	Rules    []Rule
	compiler *ast.Compiler
}

// Only is the pack with the rules keep selects, sharing the compiled modules: tests that look at
// one rule, or at per-resource rules on a few resources, evaluate no more than that.
func (p *Pack) Only(keep func(Rule) bool) *Pack {
	out := &Pack{Package: p.Package, compiler: p.compiler}
	for _, r := range p.Rules {
		if keep(r) {
			out.Rules = append(out.Rules, r)
		}
	}
	return out
}

// Load compiles every .rego file under dir as the analyzer does.
func Load(dir string) (*Pack, error) {
	modules := map[string]string{}
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || filepath.Ext(path) != ".rego" {
			return err
		}
		b, err := os.ReadFile(path)
		modules[path] = string(b)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(modules) == 0 {
		return nil, fmt.Errorf("no .rego files under %s", dir)
	}
	compiler, err := ast.CompileModulesWithOpt(modules, ast.CompileOpts{
		ParserOptions: ast.ParserOptions{RegoVersion: ast.RegoV0, ProcessAnnotation: true},
	})
	if err != nil {
		return nil, fmt.Errorf("compiling the policy pack: %w", err)
	}
	p := &Pack{compiler: compiler}
	meta := map[string]*ast.Annotations{}
	for _, ref := range compiler.GetAnnotationSet().Flatten() {
		if r := ref.GetRule(); r != nil && ref.Annotations != nil {
			meta[r.Head.Name.String()] = ref.Annotations
		}
	}
	seen := map[string]bool{}
	for _, m := range compiler.Modules {
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if p.Package == "" {
			p.Package = pkg
		} else if p.Package != pkg {
			return nil, fmt.Errorf("the pack must be one package: found %s and %s", p.Package, pkg)
		}
		for _, r := range m.Rules {
			name := r.Head.Name.String()
			rule := Rule{Name: name}
			switch {
			case stackDenyRule.MatchString(name):
				rule.Stack, rule.Level = true, Mandatory
			case stackWarnRule.MatchString(name):
				rule.Stack, rule.Level = true, Advisory
			case denyRule.MatchString(name):
				rule.Level = Mandatory
			case warnRule.MatchString(name):
				rule.Level = Advisory
			default:
				continue
			}
			if seen[name] {
				continue
			}
			seen[name] = true
			if a := meta[name]; a != nil {
				rule.Title, rule.Description = a.Title, a.Description
				if msg, ok := a.Custom["message"].(string); ok {
					rule.Message = msg
				}
			}
			p.Rules = append(p.Rules, rule)
		}
	}
	sort.Slice(p.Rules, func(i, j int) bool { return p.Rules[i].Name < p.Rules[j].Name })
	return p, nil
}

// RuleConfig is one entry of a --policy-pack-config file.
type RuleConfig struct {
	Level      Level
	Properties map[string]any
}

// Config is a --policy-pack-config file: rule name (or "all") to a level, or to an object with
// "enforcementLevel" and the rule's properties.
type Config map[string]RuleConfig

// LoadConfig reads a policy pack config file.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cfg := Config{}
	for name, v := range raw {
		switch x := v.(type) {
		case string:
			cfg[name] = RuleConfig{Level: Level(x)}
		case map[string]any:
			rc := RuleConfig{Properties: map[string]any{}}
			for k, val := range x {
				if k == "enforcementLevel" {
					s, _ := val.(string)
					rc.Level = Level(s)
					continue
				}
				rc.Properties[k] = val
			}
			cfg[name] = rc
		default:
			return nil, fmt.Errorf("%s: %s: want a level or an object, got %T", path, name, v)
		}
		if l := cfg[name].Level; l != "" && l != Mandatory && l != Advisory && l != Disabled {
			return nil, fmt.Errorf("%s: %s: invalid enforcement level %q (allowed: mandatory, advisory, disabled)", path, name, l)
		}
	}
	return cfg, nil
}

// level is a rule's effective enforcement level: its own override, then "all", then its name's.
func (c Config) level(r Rule) Level {
	if rc, ok := c[r.Name]; ok && rc.Level != "" {
		return rc.Level
	}
	if rc, ok := c["all"]; ok && rc.Level != "" {
		return rc.Level
	}
	return r.Level
}

func (c Config) store() storage.Store {
	data := map[string]any{}
	for name, rc := range c {
		if len(rc.Properties) > 0 {
			data[name] = rc.Properties
		}
	}
	return inmem.NewFromObject(map[string]any{"config": data})
}

// Violation is one message of one rule.
type Violation struct {
	Rule    string
	Level   Level
	URN     string // the resource; empty for stack rules
	Message string
}

func (v Violation) String() string {
	where := v.URN
	if where == "" {
		where = "stack"
	}
	return fmt.Sprintf("[%s] %s (%s): %s", v.Level, v.Rule, where, v.Message)
}

// Evaluate runs every enabled rule: resource rules on each document, stack rules on all of them.
// The enabled rules of each kind are one prepared query (rule i's messages bound to r<i>) and each
// document is converted to Rego once, so a rendering costs one evaluation per document, not one
// per rule and document. Where that query fails or is undefined for a document, its rules are
// evaluated one by one, so an error names its rule exactly as the analyzer's would.
func (p *Pack) Evaluate(ctx context.Context, docs []map[string]any, cfg Config) ([]Violation, error) {
	store := cfg.store()
	var resourceRules, stackRules []Rule
	for _, r := range p.Rules {
		if cfg.level(r) == Disabled {
			continue
		}
		if r.Stack {
			stackRules = append(stackRules, r)
		} else {
			resourceRules = append(resourceRules, r)
		}
	}
	var out []Violation
	evaluate := func(rules []Rule, inputs []any, urns []string) error {
		if len(rules) == 0 {
			return nil
		}
		batch, err := p.prepare(ctx, store, rules)
		if err != nil {
			return err
		}
		for k, input := range inputs {
			parsed, err := ast.InterfaceToValue(input)
			if err != nil {
				return fmt.Errorf("the analyzer input of %s: %w", urns[k], err)
			}
			rs, err := batch.Eval(ctx, rego.EvalParsedInput(parsed))
			if err == nil && len(rs) == 1 {
				for i, r := range rules {
					out = appendMessages(out, r, cfg.level(r), urns[k], rs[0].Bindings[fmt.Sprintf("r%d", i)])
				}
				continue
			}
			for _, r := range rules { // find the rule that fails, or is undefined, on its own
				one, err := p.prepare(ctx, store, []Rule{r})
				if err != nil {
					return err
				}
				rs, err := one.Eval(ctx, rego.EvalParsedInput(parsed))
				if err != nil {
					return fmt.Errorf("evaluating %s on %s: %w", r.Name, urns[k], err)
				}
				if len(rs) == 1 {
					out = appendMessages(out, r, cfg.level(r), urns[k], rs[0].Bindings["r0"])
				}
			}
		}
		return nil
	}
	inputs, urns := make([]any, len(docs)), make([]string, len(docs))
	for i, d := range docs {
		inputs[i] = d
		urns[i], _ = d["__urn"].(string)
	}
	if err := evaluate(resourceRules, inputs, urns); err != nil {
		return nil, err
	}
	if err := evaluate(stackRules, []any{map[string]any{"resources": inputs}}, []string{""}); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Rule != out[j].Rule {
			return out[i].Rule < out[j].Rule
		}
		if out[i].URN != out[j].URN {
			return out[i].URN < out[j].URN
		}
		return out[i].Message < out[j].Message
	})
	return out, nil
}

// prepare is one query binding each rule's value to r<i>.
func (p *Pack) prepare(ctx context.Context, store storage.Store, rules []Rule) (rego.PreparedEvalQuery, error) {
	parts := make([]string, len(rules))
	for i, r := range rules {
		parts[i] = fmt.Sprintf("r%d = data.%s.%s", i, p.Package, r.Name)
	}
	q, err := rego.New(
		rego.Query(strings.Join(parts, "; ")),
		rego.Compiler(p.compiler),
		rego.Store(store),
		rego.SetRegoVersion(ast.RegoV0),
	).PrepareForEval(ctx)
	if err != nil {
		return q, fmt.Errorf("preparing %d rules: %w", len(rules), err)
	}
	return q, nil
}

// appendMessages adds a rule's messages (a set: a list here) as violations.
func appendMessages(out []Violation, r Rule, level Level, urn string, value any) []Violation {
	msgs, _ := value.([]any)
	for _, m := range msgs {
		text, ok := m.(string)
		if !ok {
			text = fmt.Sprint(m)
		}
		out = append(out, Violation{Rule: r.Name, Level: level, URN: urn, Message: text})
	}
	return out
}

// MandatoryViolations returns the mandatory violations.
func MandatoryViolations(vs []Violation) []Violation {
	var out []Violation
	for _, v := range vs {
		if v.Level == Mandatory {
			out = append(out, v)
		}
	}
	return out
}

// Query evaluates a Rego expression against the pack (for library values such as
// untaggable_types), returning its value.
func (p *Pack) Query(ctx context.Context, expr string) (any, error) {
	rs, err := rego.New(rego.Query(fmt.Sprintf("data.%s.%s", p.Package, expr)), rego.Compiler(p.compiler), rego.SetRegoVersion(ast.RegoV0)).Eval(ctx)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, fmt.Errorf("%s is undefined", expr)
	}
	return rs[0].Expressions[0].Value, nil
}
