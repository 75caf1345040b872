package planact

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ollama/ollama/api"
)

// tool is one thing the model can do. Each lives in its own file and is
// registered once in toolTable.
type tool interface {
	spec() toolSpec
	run(ctx context.Context, c *call) result
}

// toolSpec describes a tool to the model.
type toolSpec struct {
	Name string
	// Short is the description used in small windows; Long, when set, in
	// larger ones.
	Short, Long string
	Params      []param
}

type param struct {
	Name, Type, Doc string
	Required        bool
}

// call is one execution of a tool.
type call struct {
	ID   string
	Args map[string]any
	// gate asks for approvals, takes snapshots and writes; the turn
	// provides it.
	gate gate
	// progress streams output so far (run_command).
	progress func(output string)
}

// result is what a tool reports: Output goes to the model, Summary is one
// line for the user and for compacted transcripts.
type result struct {
	Status  string
	Output  string
	Summary string
	// Done marks attempt_completion.
	Done bool
}

func okResult(out, summary string) result {
	return result{Status: StatusOK, Output: out, Summary: summary}
}
func errResult(format string, a ...any) result {
	msg := fmt.Sprintf(format, a...)
	return result{Status: StatusError, Output: "Error: " + msg, Summary: msg}
}

// toolDeps are what tools are built from; each constructor takes only the
// fields it uses.
type toolDeps struct {
	root      string
	resolve   Resolver
	files     FileSource
	editor    Editor
	runner    commandRunner
	readChars int
}

// toolTable is every tool, in the order the model sees them. plan marks
// those Plan mode offers.
var toolTable = []struct {
	plan  bool
	build func(d toolDeps) tool
}{
	{true, func(d toolDeps) tool { return newReadFile(d.root, d.resolve, d.files, d.readChars) }},
	{true, func(d toolDeps) tool { return newListFiles(d.root, d.resolve) }},
	{true, func(d toolDeps) tool { return newSearchFiles(d.root, d.resolve, d.files) }},
	{false, func(d toolDeps) tool { return newEditFile(d.root, d.resolve, d.files, d.editor) }},
	{false, func(d toolDeps) tool { return newWriteFile(d.root, d.resolve, d.files, d.editor) }},
	{false, func(d toolDeps) tool { return newRunCommand(d.runner) }},
	{true, func(d toolDeps) tool { return attemptCompletion{} }},
}

// apiTools renders specs as Ollama tool schemas.
func apiTools(tools []tool, long bool) api.Tools {
	var out api.Tools
	for _, t := range tools {
		s := t.spec()
		props := api.NewToolPropertiesMap()
		var req []string
		for _, p := range s.Params {
			props.Set(p.Name, api.ToolProperty{Type: api.PropertyType{p.Type}, Description: p.Doc})
			if p.Required {
				req = append(req, p.Name)
			}
		}
		desc := s.Short
		if long && s.Long != "" {
			desc = s.Long
		}
		out = append(out, api.Tool{Type: "function", Function: api.ToolFunction{
			Name: s.Name, Description: desc,
			Parameters: api.ToolFunctionParameters{Type: "object", Required: req, Properties: props},
		}})
	}
	return out
}

// checkArgs coerces arguments to their declared types (small models send
// "12" for 12 and "true" for true) and reports a missing or unknown one
// precisely.
func checkArgs(s toolSpec, args map[string]any) (map[string]any, error) {
	out := map[string]any{}
	declared := map[string]param{}
	for _, p := range s.Params {
		declared[p.Name] = p
	}
	var unknown []string
	for k, v := range args {
		p, ok := declared[k]
		if !ok {
			unknown = append(unknown, k)
			continue
		}
		if v == nil {
			continue
		}
		cv, err := coerce(p.Type, v)
		if err != nil {
			return nil, fmt.Errorf("argument %q of %s: %v", k, s.Name, err)
		}
		out[k] = cv
	}
	for _, p := range s.Params {
		if _, ok := out[p.Name]; p.Required && !ok {
			return nil, fmt.Errorf("%s needs the argument %q (%s)%s", s.Name, p.Name, p.Doc, unknownNote(unknown))
		}
	}
	return out, nil
}

func unknownNote(unknown []string) string {
	if len(unknown) == 0 {
		return ""
	}
	sort.Strings(unknown)
	return "; it got unknown arguments " + strings.Join(unknown, ", ")
}

func coerce(typ string, v any) (any, error) {
	switch typ {
	case "integer":
		switch t := v.(type) {
		case float64:
			return int(t), nil
		case int:
			return t, nil
		case string:
			n, err := strconv.Atoi(strings.TrimSpace(t))
			if err != nil {
				return nil, fmt.Errorf("want a whole number, got %q", t)
			}
			return n, nil
		}
		return nil, fmt.Errorf("want a whole number, got %v", v)
	case "boolean":
		switch t := v.(type) {
		case bool:
			return t, nil
		case string:
			b, err := strconv.ParseBool(strings.TrimSpace(t))
			if err != nil {
				return nil, fmt.Errorf("want true or false, got %q", t)
			}
			return b, nil
		}
		return nil, fmt.Errorf("want true or false, got %v", v)
	default:
		switch t := v.(type) {
		case string:
			return t, nil
		case float64, bool:
			return fmt.Sprint(t), nil
		}
		return nil, fmt.Errorf("want text, got %T", v)
	}
}

func argString(a map[string]any, k string) string { s, _ := a[k].(string); return s }
func argInt(a map[string]any, k string) int       { n, _ := a[k].(int); return n }
func argBool(a map[string]any, k string) bool     { b, _ := a[k].(bool); return b }
