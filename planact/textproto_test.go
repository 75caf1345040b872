package planact

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func knownTools(name string) bool {
	for _, row := range toolTable {
		if row.build(toolDeps{}).spec().Name == name {
			return true
		}
	}
	return false
}

// TestParseTextCalls reads raw model outputs from testdata/toolcalls.txt
// (in/NAME) with the calls or the error wanted (want/NAME).
func TestParseTextCalls(t *testing.T) {
	raw, err := os.ReadFile("testdata/toolcalls.txt")
	if err != nil {
		t.Fatal(err)
	}
	ar := parseArchive(string(raw))
	n := 0
	for _, name := range ar.names {
		c, ok := strings.CutPrefix(name, "in/")
		if !ok {
			continue
		}
		n++
		want := strings.TrimSpace(ar.files["want/"+c])
		t.Run(c, func(t *testing.T) {
			calls, err := parseTextCalls(strings.TrimSuffix(ar.files[name], "\n"), knownTools)
			if e, ok := strings.CutPrefix(want, "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), e) {
					t.Fatalf("got error %v, calls %v; want error containing %q", err, calls, e)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			type jc struct {
				Name string         `json:"name"`
				Args map[string]any `json:"args"`
			}
			out := []jc{}
			for _, c := range calls {
				out = append(out, jc{c.Name, c.Args})
			}
			got, _ := json.Marshal(out)
			if string(got) != want {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
	if n < 15 {
		t.Fatalf("only %d cases", n)
	}
}

// FuzzParseTextCalls checks that no model output makes the parser panic,
// and that a call written in the documented XML form always comes back
// with the same arguments, whatever text surrounds it.
func FuzzParseTextCalls(f *testing.F) {
	f.Add("intro ", "src/a.go", "\treturn 1\n", "x")
	f.Add("", "", "", "")
	f.Add("<tool_call>{", "a", "{\"name\":", "```")
	f.Add("```json\n{", "<path>", "</search>", "<edit_file>")
	f.Fuzz(func(t *testing.T, prefix, path, search, replace string) {
		_, _ = parseTextCalls(prefix+path+search+replace, knownTools)
		for _, s := range []string{prefix, path, search, replace} {
			if strings.ContainsAny(s, "<>") || strings.Contains(s, "```") || strings.Contains(s, "{") {
				return // Text that itself looks like markup may legitimately change the parse.
			}
		}
		if strings.HasPrefix(search, "\n") || strings.HasSuffix(search, "\n") || strings.HasPrefix(replace, "\n") || strings.HasSuffix(replace, "\n") || strings.HasPrefix(path, "\n") || strings.HasSuffix(path, "\n") || strings.Contains(path+search+replace, "\r") {
			return // One newline at each end is trimmed by design.
		}
		text := prefix + "\n<edit_file>\n<path>" + path + "</path>\n<search>\n" + search + "\n</search>\n<replace>\n" + replace + "\n</replace>\n</edit_file>"
		calls, err := parseTextCalls(text, knownTools)
		if err != nil || len(calls) != 1 {
			t.Fatalf("parse of %q: %v %v", text, calls, err)
		}
		a := calls[0].Args
		if calls[0].Name != "edit_file" || a["path"] != path || a["search"] != search || a["replace"] != replace {
			t.Fatalf("round trip of %q gave %v", text, a)
		}
	})
}

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{
		"read_file": "read_file", "ReadFile": "read_file", "read-file": "read_file", "Read File": "read_file",
		"readFile": "read_file", "write_to_file": "write_file", "execute_command": "run_command", "EDIT_FILE": "edit_file",
	} {
		if got := normalizeName(in); got != want {
			t.Errorf("normalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}
