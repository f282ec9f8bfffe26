package harness

import (
	"encoding/json"
	"strings"
)

// WithPrimary is opts with, for a warm standby's stack (dr.role standby), the primary's outputs
// as its StackReference reads them: the primary (the stack part of dr.primaryStack, in the same
// project directory) rendered first on the mock engine. Other stacks come back unchanged.
func WithPrimary(build Program, opts Options) (Options, error) {
	sc, err := LoadStackConfig(opts)
	if err != nil {
		return opts, err
	}
	raw, ok := sc.Values[sc.Project+":dr"]
	if !ok {
		return opts, nil
	}
	var dr struct {
		Role         string `json:"role"`
		PrimaryStack string `json:"primaryStack"`
	}
	if json.Unmarshal([]byte(raw), &dr) != nil || dr.Role != "standby" || dr.PrimaryStack == "" {
		return opts, nil // config validation names the problem
	}
	primary := opts
	primary.Stack = dr.PrimaryStack[strings.LastIndex(dr.PrimaryStack, "/")+1:]
	primary.Set, primary.ReferencedStacks = nil, nil
	res, err := Run(build, primary)
	if err != nil {
		return opts, err
	}
	outputs := map[string]any{}
	for name, o := range res.Outputs {
		outputs[name] = o.Value
	}
	out := opts
	out.ReferencedStacks = map[string]map[string]any{dr.PrimaryStack: outputs}
	for k, v := range opts.ReferencedStacks {
		out.ReferencedStacks[k] = v
	}
	return out, nil
}
