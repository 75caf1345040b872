package planact

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveInWorkspace(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "src"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "src", "a.go"), nil, 0o644))
	must(t, os.Symlink(outside, filepath.Join(root, "out")))
	must(t, os.Symlink(filepath.Join(root, "src"), filepath.Join(root, "in")))
	must(t, os.Symlink("/etc/passwd", filepath.Join(root, "passwd")))
	for _, c := range []struct {
		path string
		want string // "" means refused.
	}{
		{"src/a.go", "src/a.go"},
		{"./src/../src/a.go", "src/a.go"},
		{"", "."},
		{".", "."},
		{"new/dir/file.go", "new/dir/file.go"},
		{filepath.Join(root, "src/a.go"), "src/a.go"},
		{"in/a.go", "src/a.go"}, // The real path: a write replaces the file, not the link.
		{"../x", ""},
		{"src/../../x", ""},
		{"/etc/passwd", ""},
		{"out/secret", ""},
		{"out/new/file", ""},
		{"passwd", ""},
		{"a\x00b", ""},
	} {
		got, err := ResolveInWorkspace(root, c.path)
		if c.want == "" {
			if err == nil || !errors.Is(err, ErrOutsideWorkspace) {
				t.Errorf("%q: got %q, %v; want a refusal", c.path, got, err)
			}
			continue
		}
		if err != nil || got != filepath.Join(root, c.want) {
			t.Errorf("%q: got %q, %v; want %s", c.path, got, err, c.want)
		}
	}
}

// TestListHonoursGitignore lists testdata/listing.txt's workspace and
// compares with its want/list sections (want/list DIR lists DIR).
func TestListHonoursGitignore(t *testing.T) {
	raw, err := os.ReadFile("testdata/listing.txt")
	must(t, err)
	ar := parseArchive(string(raw))
	root := t.TempDir()
	for _, n := range ar.names {
		if p, ok := strings.CutPrefix(n, "ws/"); ok {
			full := filepath.Join(root, p)
			must(t, os.MkdirAll(filepath.Dir(full), 0o755))
			must(t, os.WriteFile(full, []byte(ar.files[n]), 0o644))
		}
	}
	lf := newListFiles(root, ResolveInWorkspace)
	for _, n := range ar.names {
		rest, ok := strings.CutPrefix(n, "want/list")
		if !ok {
			continue
		}
		dir := strings.TrimSpace(rest)
		res := lf.run(context.Background(), &call{Args: map[string]any{"path": dir, "recursive": dir == ""}})
		if res.Status != StatusOK || res.Output != strings.TrimSpace(ar.files[n]) {
			t.Errorf("list %q: status %s\n%s\nwant:\n%s", dir, res.Status, res.Output, ar.files[n])
		}
	}
	// search_files honours the same rules: the ignored app.log never
	// matches, keep.log does.
	must(t, os.WriteFile(filepath.Join(root, "app.log"), []byte("needle\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "keep.log"), []byte("a needle here\n"), 0o644))
	sf := newSearchFiles(root, ResolveInWorkspace, DiskFiles{})
	res := sf.run(context.Background(), &call{Args: map[string]any{"pattern": "need(le"}})
	if res.Output != "(\"need(le\" is not a valid regexp, so it was searched as plain text)\nNo matches." {
		t.Errorf("invalid regexp: %q", res.Output)
	}
	res = sf.run(context.Background(), &call{Args: map[string]any{"pattern": "ne+dle"}})
	if res.Output != "keep.log:1: a needle here" {
		t.Errorf("search: %q", res.Output)
	}
}

func TestReadFilePages(t *testing.T) {
	root := t.TempDir()
	var b strings.Builder
	for i := 1; i <= 1000; i++ {
		b.WriteString("line\n")
	}
	must(t, os.WriteFile(filepath.Join(root, "big.txt"), []byte(b.String()), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "bin"), []byte("a\x00b"), 0o644))
	rf := newReadFile(root, ResolveInWorkspace, DiskFiles{}, 1<<20)
	res := rf.run(context.Background(), &call{Args: map[string]any{"path": "big.txt"}})
	if !strings.Contains(res.Output, " 400 | line\n(lines 1-400 of 1000; call read_file with start_line=401 to read more)") || strings.Contains(res.Output, " 401 |") {
		t.Errorf("first page:\n%s", res.Output[len(res.Output)-200:])
	}
	res = rf.run(context.Background(), &call{Args: map[string]any{"path": "big.txt", "start_line": 990}})
	if !strings.HasSuffix(res.Output, "1000 | line\n") {
		t.Errorf("last page:\n%s", res.Output)
	}
	// A small window gets smaller pages.
	small := newReadFile(root, ResolveInWorkspace, DiskFiles{}, 100)
	res = small.run(context.Background(), &call{Args: map[string]any{"path": "big.txt"}})
	if !strings.Contains(res.Output, "start_line=10 to read more") {
		t.Errorf("small page:\n%s", res.Output)
	}
	res = rf.run(context.Background(), &call{Args: map[string]any{"path": "bin"}})
	if !strings.Contains(res.Output, "binary file") {
		t.Errorf("binary: %s", res.Output)
	}
}

func TestHeadTailKeepsBothEnds(t *testing.T) {
	var last string
	h := &headTail{limit: 20, progress: func(s string) { last = s }}
	for _, s := range []string{"0123456789", "abcdefghij", "ABCDEFGHIJ", "klmnopqrst"} {
		h.Write([]byte(s))
	}
	want := "0123456789\n[... 20 bytes omitted ...]\nklmnopqrst"
	if h.String() != want || last != want {
		t.Fatalf("got %q (streamed %q), want %q", h.String(), last, want)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
