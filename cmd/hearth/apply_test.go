package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLIStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	return dispatch(context.Background(), e, args), out.String(), errb.String()
}

func TestApplyCommand(t *testing.T) {
	ws := t.TempDir()
	main := filepath.Join(ws, "main.go")
	other := filepath.Join(ws, "other.go")
	os.WriteFile(main, []byte("package main\n\nfunc main() {\n\tprintln(\"hi\")\n}\n"), 0o644)
	os.WriteFile(other, []byte("package main\n"), 0o644)

	good := "main.go\n```go\n<<<<<<< SEARCH\n    println(\"hi\")\n=======\n    println(\"hello\")\n>>>>>>> REPLACE\n```\n"
	bad := "other.go\n```go\n<<<<<<< SEARCH\nfunc nothing() {}\n=======\nfunc something() {}\n>>>>>>> REPLACE\n```\n"

	t.Run("dry run writes nothing", func(t *testing.T) {
		code, out, _ := runCLIStdin(t, good, "apply", "--workspace", ws, "--dry-run")
		if code != 0 || !strings.Contains(out, "+\tprintln(\"hello\")") {
			t.Fatalf("exit %d, output:\n%s", code, out)
		}
		if got, _ := os.ReadFile(main); strings.Contains(string(got), "hello") {
			t.Fatal("dry run changed the file")
		}
	})
	t.Run("one failing block writes nothing", func(t *testing.T) {
		code, out, _ := runCLIStdin(t, good+"\n"+bad, "apply", "--workspace", ws)
		if code != 1 || !strings.Contains(out, "nothing was written") {
			t.Fatalf("exit %d, output:\n%s", code, out)
		}
		if got, _ := os.ReadFile(main); strings.Contains(string(got), "hello") {
			t.Fatal("main.go changed although another block failed")
		}
	})
	t.Run("applies with tabs kept", func(t *testing.T) {
		code, out, _ := runCLIStdin(t, good, "apply", "--workspace", ws, "-")
		if code != 0 {
			t.Fatalf("exit %d, output:\n%s", code, out)
		}
		if got, _ := os.ReadFile(main); !strings.Contains(string(got), "\tprintln(\"hello\")") {
			t.Fatalf("main.go is now:\n%s", got)
		}
	})
	t.Run("path outside the workspace", func(t *testing.T) {
		escape := "../evil.go\n```go\n<<<<<<< SEARCH\n=======\npackage evil\n>>>>>>> REPLACE\n```\n"
		code, _, _ := runCLIStdin(t, escape, "apply", "--workspace", ws)
		if code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(ws), "evil.go")); err == nil {
			t.Fatal("a file was written outside the workspace")
		}
	})
	t.Run("usage", func(t *testing.T) {
		if code, _, _ := runCLIStdin(t, "", "apply", "a", "b"); code != 2 {
			t.Fatalf("two inputs: exit %d, want 2", code)
		}
		if code, _, _ := runCLIStdin(t, "", "apply", "--workspace", filepath.Join(ws, "nope")); code != 2 {
			t.Fatalf("missing workspace: exit %d, want 2", code)
		}
		if code, _, errOut := runCLIStdin(t, "just prose", "apply", "--workspace", ws); code != 1 || !strings.Contains(errOut, "no edit blocks") {
			t.Fatalf("no blocks: exit %d, %q", code, errOut)
		}
	})
}
