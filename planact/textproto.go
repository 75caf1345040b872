package planact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/ollama/ollama/api"
)

// toolCall is one call the model made, after its name and arguments were
// normalised.
type toolCall struct {
	ID   string
	Name string
	Args map[string]any
}

// nameAliases maps names small models use for our tools (often learnt from
// other agents) to ours.
var nameAliases = map[string]string{
	"write_to_file":   "write_file",
	"create_file":     "write_file",
	"replace_in_file": "edit_file",
	"str_replace":     "edit_file",
	"execute_command": "run_command",
	"run_shell":       "run_command",
	"shell":           "run_command",
	"bash":            "run_command",
	"list_dir":        "list_files",
	"ls":              "list_files",
	"grep":            "search_files",
	"search":          "search_files",
	"open_file":       "read_file",
	"cat":             "read_file",
	"complete":        "attempt_completion",
	"finish":          "attempt_completion",
	"done":            "attempt_completion",
}

// normalizeName turns "Read-File", "readFile" or "read file" into
// "read_file", then applies nameAliases.
func normalizeName(s string) string {
	n := snakeCase(s)
	if a, ok := nameAliases[n]; ok {
		return a
	}
	return n
}

// snakeCase turns "Start-Line", "startLine" or "start line" into
// "start_line".
func snakeCase(s string) string {
	var b strings.Builder
	prevLower := false
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r == '-' || r == ' ' || r == '.' || r == '_':
			b.WriteByte('_')
			prevLower = false
		case unicode.IsUpper(r):
			if prevLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			prevLower = false
		default:
			b.WriteRune(r)
			prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
		}
	}
	return strings.Trim(b.String(), "_")
}

// argAliases maps argument names small models use to ours, per tool ("" is
// every tool).
var argAliases = map[string]map[string]string{
	"":                   {"file": "path", "file_path": "path", "filepath": "path", "filename": "path", "dir": "path", "directory": "path"},
	"run_command":        {"cmd": "command"},
	"search_files":       {"query": "pattern", "regex": "pattern"},
	"edit_file":          {"old": "search", "old_str": "search", "old_string": "search", "find": "search", "new": "replace", "new_str": "replace", "new_string": "replace", "replacement": "replace"},
	"write_file":         {"text": "content", "contents": "content", "file_text": "content"},
	"attempt_completion": {"result": "summary", "message": "summary", "text": "summary"},
	"read_file":          {"start": "start_line", "end": "end_line", "from": "start_line", "to": "end_line"},
}

func normalizeArgs(name string, in map[string]any) map[string]any {
	// Some models wrap the arguments once more, or send them as a JSON
	// string.
	if len(in) == 1 {
		for k, v := range in {
			if k == "arguments" || k == "args" || k == "parameters" || k == "input" || k == "params" {
				if m := asObject(v); m != nil {
					in = m
				}
			}
		}
	}
	out := make(map[string]any, len(in))
	for k, v := range in {
		nk := snakeCase(k)
		if a, ok := argAliases[name][nk]; ok {
			nk = a
		} else if a, ok := argAliases[""][nk]; ok {
			nk = a
		}
		if _, dup := out[nk]; dup && nk != k {
			continue // The exact name wins over an alias.
		}
		out[nk] = v
	}
	return out
}

// asObject returns v as a JSON object, decoding it when it is a string.
func asObject(v any) map[string]any {
	switch t := v.(type) {
	case map[string]any:
		return t
	case string:
		var m map[string]any
		if json.Unmarshal([]byte(strings.TrimSpace(t)), &m) == nil {
			return m
		}
	}
	return nil
}

// fromNative converts Ollama's tool calls.
func fromNative(calls []api.ToolCall) []toolCall {
	var out []toolCall
	for _, c := range calls {
		name := normalizeName(c.Function.Name)
		args := c.Function.Arguments.ToMap()
		if args == nil {
			args = map[string]any{}
		}
		out = append(out, toolCall{ID: c.ID, Name: name, Args: normalizeArgs(name, args)})
	}
	return out
}

var (
	fenceRe   = regexp.MustCompile("(?s)```[a-zA-Z_]*[ \t]*\n?(.*?)```")
	tagOpenRe = regexp.MustCompile(`<([A-Za-z][A-Za-z0-9_\-]*)>`)
)

// parseTextCalls finds tool calls written in the text of an answer, in any
// of the forms small models produce: <tool_call>{json}</tool_call>, a JSON
// object in a fenced block or bare, or XML-ish tags such as
// <read_file><path>x</path></read_file>. known says which (normalised)
// names are tools. When the text plainly tries to call a tool but cannot
// be read, the error says precisely why, for the model.
func parseTextCalls(text string, known func(string) bool) ([]toolCall, error) {
	var calls []toolCall
	var problems []string

	// 1. <tool_call> blocks (Qwen and Hermes-style templates).
	rest := text
	for {
		i := strings.Index(rest, "<tool_call>")
		if i < 0 {
			break
		}
		body := rest[i+len("<tool_call>"):]
		j := strings.Index(body, "</tool_call>")
		if j >= 0 {
			rest = body[j+len("</tool_call>"):]
			body = body[:j]
		} else {
			rest = ""
		}
		c, err := callFromJSON(body, known)
		if err != nil {
			problems = append(problems, "the JSON in <tool_call> "+err.Error())
			continue
		}
		calls = append(calls, c)
	}
	if len(calls) > 0 || len(problems) > 0 {
		return calls, joinProblems(problems)
	}

	// 2. XML-ish tags named after a tool. A tag inside an earlier call's
	// body (a file's content, say) is part of that call.
	consumed := 0
	for _, m := range tagOpenRe.FindAllStringSubmatchIndex(text, -1) {
		raw := text[m[2]:m[3]]
		name := normalizeName(raw)
		if !known(name) {
			continue
		}
		if m[0] < consumed {
			continue
		}
		body := text[m[1]:]
		end := strings.Index(body, "</"+raw+">")
		if end < 0 {
			problems = append(problems, fmt.Sprintf("found <%s> but no closing </%s>", raw, raw))
			break
		}
		calls = append(calls, toolCall{Name: name, Args: normalizeArgs(name, xmlArgs(body[:end]))})
		consumed = m[1] + end
	}
	if len(calls) > 0 || len(problems) > 0 {
		return calls, joinProblems(problems)
	}

	// 3. JSON in fenced blocks, then bare JSON objects.
	for _, m := range fenceRe.FindAllStringSubmatch(text, -1) {
		body := strings.TrimSpace(m[1])
		if !strings.HasPrefix(body, "{") && !strings.HasPrefix(body, "[") {
			continue
		}
		cs, err := callsFromJSONBlock(body, known)
		if err != nil {
			if looksLikeCall(body, known) {
				problems = append(problems, "the JSON block "+err.Error())
			}
			continue
		}
		calls = append(calls, cs...)
	}
	if len(calls) > 0 || len(problems) > 0 {
		return calls, joinProblems(problems)
	}
	// Bare JSON: only objects that start with a key are tried, and only a
	// bounded number of them, so an answer full of code stays cheap.
	tries := 0
	for i := 0; i < len(text) && tries < maxBareTries; i++ {
		if text[i] != '{' || !strings.HasPrefix(strings.TrimLeft(text[i+1:], " \t\r\n"), `"`) {
			continue
		}
		tries++
		dec := json.NewDecoder(strings.NewReader(text[i:]))
		var obj map[string]any
		if dec.Decode(&obj) != nil {
			continue
		}
		if c, ok := callFromObject(obj, known); ok {
			calls = append(calls, c)
			i += int(dec.InputOffset()) - 1
		}
	}
	return calls, nil
}

func joinProblems(p []string) error {
	if len(p) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(p, "; "))
}

// looksLikeCall reports whether a block that failed to parse was meant as a
// tool call, so the model hears about its mistake instead of silence.
func looksLikeCall(body string, known func(string) bool) bool {
	for _, w := range wordRe.FindAllString(body, 40) {
		if known(normalizeName(w)) {
			return true
		}
	}
	return false
}

const maxBareTries = 20

var wordRe = regexp.MustCompile(`[A-Za-z_\-]+`)

var trailingComma = regexp.MustCompile(`,\s*([}\]])`)

// decodeLenient decodes JSON, forgiving trailing commas.
func decodeLenient(s string, v any) error {
	s = strings.TrimSpace(s)
	err := json.Unmarshal([]byte(s), v)
	if err == nil {
		return nil
	}
	if json.Unmarshal([]byte(trailingComma.ReplaceAllString(s, "$1")), v) == nil {
		return nil
	}
	// A decoder accepts a valid object followed by chatter.
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	if dec.Decode(v) == nil {
		return nil
	}
	return fmt.Errorf("is not valid JSON (%v)", err)
}

func callsFromJSONBlock(body string, known func(string) bool) ([]toolCall, error) {
	if strings.HasPrefix(body, "[") {
		var arr []map[string]any
		if err := decodeLenient(body, &arr); err != nil {
			return nil, err
		}
		var out []toolCall
		for _, o := range arr {
			c, ok := callFromObject(o, known)
			if !ok {
				return nil, fmt.Errorf("has an element that is not a tool call")
			}
			out = append(out, c)
		}
		return out, nil
	}
	c, err := callFromJSON(body, known)
	if err != nil {
		return nil, err
	}
	return []toolCall{c}, nil
}

func callFromJSON(body string, known func(string) bool) (toolCall, error) {
	var obj map[string]any
	if err := decodeLenient(body, &obj); err != nil {
		return toolCall{}, err
	}
	c, ok := callFromObject(obj, known)
	if !ok {
		if n := objectName(obj); n != "" {
			return toolCall{}, fmt.Errorf("names an unknown tool %q", n)
		}
		return toolCall{}, fmt.Errorf(`has no tool name (write {"name": "read_file", "arguments": {...}})`)
	}
	return c, nil
}

func objectName(obj map[string]any) string {
	for _, k := range []string{"name", "tool", "tool_name", "function", "action"} {
		if s, ok := obj[k].(string); ok {
			return s
		}
		if f, ok := obj[k].(map[string]any); ok {
			if s, ok := f["name"].(string); ok {
				return s
			}
		}
	}
	return ""
}

// callFromObject reads {"name"|"tool": N, "arguments"|"args": {...}},
// {"function": {"name": N, "arguments": ...}}, {"read_file": {...}} and
// {"tool": N, "path": ...} (flat arguments).
func callFromObject(obj map[string]any, known func(string) bool) (toolCall, bool) {
	if f, ok := obj["function"].(map[string]any); ok {
		obj = f
	}
	if raw := objectName(obj); raw != "" {
		name := normalizeName(raw)
		if !known(name) {
			return toolCall{}, false
		}
		for _, k := range []string{"arguments", "args", "parameters", "input", "params"} {
			if v, ok := obj[k]; ok {
				m := asObject(v)
				if m == nil {
					m = map[string]any{}
				}
				return toolCall{Name: name, Args: normalizeArgs(name, m)}, true
			}
		}
		flat := map[string]any{}
		for k, v := range obj {
			switch k {
			case "name", "tool", "tool_name", "function", "action", "type", "id":
			default:
				flat[k] = v
			}
		}
		return toolCall{Name: name, Args: normalizeArgs(name, flat)}, true
	}
	if len(obj) == 1 {
		for k, v := range obj {
			name := normalizeName(k)
			if m := asObject(v); known(name) && m != nil {
				return toolCall{Name: name, Args: normalizeArgs(name, m)}, true
			}
		}
	}
	return toolCall{}, false
}

// xmlArgs reads <key>value</key> children. Values keep their inner text
// verbatim except one leading and one trailing newline, so code survives.
func xmlArgs(body string) map[string]any {
	args := map[string]any{}
	for {
		m := tagOpenRe.FindStringSubmatchIndex(body)
		if m == nil {
			return args
		}
		key := body[m[2]:m[3]]
		after := body[m[1]:]
		end := strings.Index(after, "</"+key+">")
		if end < 0 {
			return args
		}
		v := after[:end]
		v = strings.TrimPrefix(v, "\r")
		v = strings.TrimPrefix(v, "\n")
		v = strings.TrimSuffix(v, "\n")
		args[key] = v
		body = after[end+len("</"+key+">"):]
	}
}
