package actions

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteRefusesBeforeTouchingAnything makes the second of two files
// unwritable: the first must stay as it was.
func TestWriteRefusesBeforeTouchingAnything(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores file permissions")
	}
	root := t.TempDir()
	a, b := filepath.Join(root, "a.txt"), filepath.Join(root, "ro", "b.txt")
	os.MkdirAll(filepath.Dir(b), 0o755)
	os.WriteFile(a, []byte("a\n"), 0o644)
	os.WriteFile(b, []byte("b\n"), 0o444)
	err := Write(root, []FileChange{
		{Path: "a.txt", Old: []byte("a\n"), New: []byte("A\n"), OldExists: true},
		{Path: "ro/b.txt", Old: []byte("b\n"), New: []byte("B\n"), OldExists: true},
	})
	if err == nil || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("want refusal, got %v", err)
	}
	if got, _ := os.ReadFile(a); string(got) != "a\n" {
		t.Fatalf("a.txt was written: %q", got)
	}
}

// TestWriteRefusesWhenAPathIsNotAFile works even as root: the second change
// targets a directory, so the first file must not be touched.
func TestWriteRefusesWhenAPathIsNotAFile(t *testing.T) {
	root := t.TempDir()
	a := filepath.Join(root, "a.txt")
	os.WriteFile(a, []byte("a\n"), 0o644)
	os.MkdirAll(filepath.Join(root, "dir.txt"), 0o755)
	err := Write(root, []FileChange{
		{Path: "a.txt", Old: []byte("a\n"), New: []byte("A\n"), OldExists: true},
		{Path: "dir.txt", Old: []byte("d\n"), New: []byte("D\n"), OldExists: true},
	})
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("want refusal, got %v", err)
	}
	if got, _ := os.ReadFile(a); string(got) != "a\n" {
		t.Fatalf("a.txt was written: %q", got)
	}
}

func TestWriteRefusesFileThatAppeared(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "n.txt"), []byte("mine\n"), 0o644)
	err := Write(root, []FileChange{{Path: "n.txt", New: []byte("theirs\n"), Mode: 0o644}})
	if err == nil {
		t.Fatal("a file created meanwhile was overwritten")
	}
	if got, _ := os.ReadFile(filepath.Join(root, "n.txt")); string(got) != "mine\n" {
		t.Fatalf("got %q", got)
	}
}

func TestWriteCreatesDirectoriesAndKeepsMode(t *testing.T) {
	root := t.TempDir()
	x := filepath.Join(root, "x.sh")
	os.WriteFile(x, []byte("echo\n"), 0o750)
	err := Write(root, []FileChange{
		{Path: "x.sh", Old: []byte("echo\n"), New: []byte("echo hi\n"), OldExists: true, Mode: 0o750},
		{Path: "deep/er/n.txt", New: []byte("n\n"), Mode: 0o644},
	})
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(x)
	got, _ := os.ReadFile(filepath.Join(root, "deep/er/n.txt"))
	if fi.Mode().Perm() != 0o750 || string(got) != "n\n" {
		t.Fatalf("mode %v, new file %q", fi.Mode().Perm(), got)
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Fatalf("temporary file left behind: %s", e.Name())
		}
	}
}

// overlay serves unsaved editor buffers before disk.
type overlay map[string]string

func (o overlay) ReadFile(p string) ([]byte, error) {
	if s, ok := o[p]; ok {
		return []byte(s), nil
	}
	return os.ReadFile(p)
}

func TestPrepareReadsThroughFileSource(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "a.txt")
	os.WriteFile(p, []byte("on disk\n"), 0o644)
	edits, _ := Parse("a.txt\n<<<<<<< SEARCH\nin buffer\n=======\nedited\n>>>>>>> REPLACE\n")
	res, err := Prepare(root, overlay{p: "in buffer\n"}, edits)
	if err != nil {
		t.Fatalf("%v\n%s", err, res.Feedback())
	}
	if string(res.Changes[0].Old) != "in buffer\n" || string(res.Changes[0].New) != "edited\n" {
		t.Fatalf("got %+v", res.Changes[0])
	}
	if got, _ := os.ReadFile(p); string(got) != "on disk\n" {
		t.Fatal("Prepare wrote to disk")
	}
}

func TestNumberLinesRoundTrip(t *testing.T) {
	lines := []string{"func a() {", "", "\treturn 1 | 2", "}"}
	numbered := strings.Split(strings.TrimSuffix(NumberLines(lines, 9), "\n"), "\n")
	if numbered[0] != "   9 | func a() {" || numbered[1] != "  10 | " {
		t.Fatalf("format changed: %q", numbered)
	}
	got, ok := stripLineNumbers(numbered)
	if !ok || strings.Join(got, "\n") != strings.Join(lines, "\n") {
		t.Fatalf("strip gives %q, %v", got, ok)
	}
	if _, ok := stripLineNumbers([]string{"  1 | x", "y"}); ok {
		t.Fatal("stripped numbers although one line has none")
	}
}
