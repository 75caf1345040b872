package actions

import (
	"errors"
	"testing"
)

func TestPathFromLine(t *testing.T) {
	tests := map[string]string{
		"src/a.ts":                     "src/a.ts",
		"**src/a.ts**":                 "src/a.ts",
		"`src/a.ts`:":                  "src/a.ts",
		"### File: `web/index.html`":   "web/index.html",
		"<path>pkg/x.go</path>":        "pkg/x.go",
		"- Makefile":                   "Makefile",
		"Now change `cmd/main.go`:":    "cmd/main.go",
		"Here is the fix.":             "",
		"Done.":                        "",
		"...":                          "",
		"func main() {":                "",
		"I changed `x` in the loop":    "",
		"=======":                      "",
		"Update the file `a.py` to do": "",
	}
	for in, want := range tests {
		if got := pathFromLine(in); got != want {
			t.Errorf("pathFromLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPathFromFence(t *testing.T) {
	tests := map[string]string{
		"ts src/a.ts":       "src/a.ts",
		"src/a.ts":          "src/a.ts",
		"python:src/app.py": "src/app.py",
		"go":                "",
		"":                  "",
	}
	for in, want := range tests {
		if got := pathFromFence(in); got != want {
			t.Errorf("pathFromFence(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseProseIsNotAnError(t *testing.T) {
	edits, err := Parse("Sure. The function `add` returns a + b.\n\n```go\nx := 1\n```\n")
	if err != nil || len(edits) != 0 {
		t.Fatalf("got %v, %v", edits, err)
	}
}

func TestParseBrokenAttemptIsAnError(t *testing.T) {
	edits, err := Parse("a.go\n<<<<<<< SEARCH\nx\n")
	if !errors.Is(err, ErrNoEdits) || len(edits) != 1 || edits[0].Problem == "" {
		t.Fatalf("got %+v, %v", edits, err)
	}
}

// TestParseKeepsMalformedBlocks checks that a malformed block among good
// ones is returned with its problem, so that Prepare refuses the message
// instead of applying it partly.
func TestParseKeepsMalformedBlocks(t *testing.T) {
	msg := "a.go\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n\n<<<<<<< SEARCH\nz\n>>>>>>> REPLACE\n"
	edits, err := Parse(msg)
	if err != nil || len(edits) != 2 || edits[0].Problem != "" || edits[1].Problem == "" || edits[1].Path != "a.go" {
		t.Fatalf("got %+v, %v", edits, err)
	}
}
