package actions

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pathWorkspace builds a workspace with a file, a link inside it, a link to
// a directory outside it and a file outside it.
func pathWorkspace(t *testing.T) (root, outside string) {
	t.Helper()
	tmp := t.TempDir()
	root, outside = filepath.Join(tmp, "ws"), filepath.Join(tmp, "out")
	for _, d := range []string{filepath.Join(root, "src", "app"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(root, "src", "app", "Main.go"), []byte("package app\n"), 0o644)
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("s\n"), 0o644)
	must(t, os.Symlink(filepath.Join(root, "src"), filepath.Join(root, "srclink")))
	must(t, os.Symlink(outside, filepath.Join(root, "escape")))
	must(t, os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(root, "secret.txt")))
	return root, outside
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestResolvePath(t *testing.T) {
	root, outside := pathWorkspace(t)
	tests := []struct {
		in, rel, errHas string
	}{
		{in: "src/app/Main.go", rel: "src/app/Main.go"},
		{in: "./src//app/../app/Main.go", rel: "src/app/Main.go"},
		{in: "`src/app/Main.go`", rel: "src/app/Main.go"},
		{in: filepath.Join(root, "src/app/Main.go"), rel: "src/app/Main.go"},
		{in: "srclink/app/Main.go", rel: "srclink/app/Main.go"},
		{in: "src/app/main.go", rel: "src/app/Main.go"},           // wrong case, unique
		{in: "app/Main.go", rel: "src/app/Main.go"},               // dropped src/
		{in: "repo/src/app/Main.go", rel: "src/app/Main.go"},      // extra leading directory
		{in: "src/app/New.go", rel: "src/app/New.go"},             // missing, nothing close: returned as is
		{in: "../out/secret.txt", errHas: "leaves the workspace"}, // .. escape
		{in: "src/../../out/x", errHas: "leaves the workspace"},   // .. escape after a real part
		{in: filepath.Join(outside, "x"), errHas: "is outside the workspace"},
		{in: "escape/secret.txt", errHas: "points outside the workspace"},
		{in: "escape/new/deep.txt", errHas: "points outside the workspace"},
		{in: "secret.txt", errHas: "points outside the workspace"},
		{in: "", errHas: "is empty"},
		{in: ".", errHas: "names the workspace itself"},
	}
	for _, tc := range tests {
		rel, abs, err := ResolvePath(root, tc.in)
		if tc.errHas != "" {
			var pe *PathError
			if err == nil || !strings.Contains(err.Error(), tc.errHas) || !errors.As(err, &pe) {
				t.Errorf("ResolvePath(%q) = %q, %v; want a PathError with %q", tc.in, rel, err, tc.errHas)
			}
			continue
		}
		if err != nil || rel != tc.rel || abs != filepath.Join(root, filepath.FromSlash(tc.rel)) {
			t.Errorf("ResolvePath(%q) = %q, %q, %v; want %q", tc.in, rel, abs, err, tc.rel)
		}
	}
}

func TestResolveNewPathNeverGuesses(t *testing.T) {
	root, _ := pathWorkspace(t)
	rel, _, err := ResolveNewPath(root, "app/Main.go")
	if err != nil || rel != "app/Main.go" {
		t.Fatalf("ResolveNewPath redirected a new file: %q, %v", rel, err)
	}
}

func TestResolvePathLooseAmbiguous(t *testing.T) {
	root, _ := pathWorkspace(t)
	os.MkdirAll(filepath.Join(root, "lib", "app"), 0o755)
	os.WriteFile(filepath.Join(root, "lib", "app", "Main.go"), []byte("package app\n"), 0o644)
	_, _, err := ResolvePath(root, "app/Main.go")
	if err == nil || !strings.Contains(err.Error(), "lib/app/Main.go, src/app/Main.go") {
		t.Fatalf("want both candidates named, got %v", err)
	}
}
