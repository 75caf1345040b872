package snapshot

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// A tree spec maps a workspace-relative path to what is there:
//   - "text"           a file with mode 0644
//   - "x:text"         an executable file (0755)
//   - "link:target"    a symlink
//   - "dir:"           an (empty) directory
//
// readTree returns the same form, so a test compares whole workspaces, .git
// and ignored files included.
type tree map[string]string

func writeTree(t *testing.T, root string, spec tree) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	for p, v := range spec {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasPrefix(v, "link:"):
			if err := os.Symlink(strings.TrimPrefix(v, "link:"), full); err != nil {
				t.Fatal(err)
			}
			continue
		case v == "dir:":
			if err := os.MkdirAll(full, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		mode := fs.FileMode(0o644)
		if strings.HasPrefix(v, "x:") {
			mode, v = 0o755, strings.TrimPrefix(v, "x:")
		}
		if err := os.WriteFile(full, []byte(v), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(full, mode); err != nil {
			t.Fatal(err)
		}
		// Old mtimes keep the files out of the racy window, as in real use.
		os.Chtimes(full, old, old)
	}
}

func readTree(t *testing.T, root string) tree {
	t.Helper()
	got := tree{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel := filepath.ToSlash(p[len(root)+1:])
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			got[rel] = "link:" + target
		case fi.IsDir():
			ents, _ := os.ReadDir(p)
			if len(ents) == 0 {
				got[rel] = "dir:"
			}
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			v := string(data)
			if fi.Mode().Perm()&0o100 != 0 {
				v = "x:" + v
			}
			got[rel] = v
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// diffTrees describes how got differs from want, or "" when they are equal.
func diffTrees(got, want tree) string {
	var lines []string
	for p, w := range want {
		if g, ok := got[p]; !ok {
			lines = append(lines, fmt.Sprintf("missing %q (want %q)", p, w))
		} else if g != w {
			lines = append(lines, fmt.Sprintf("%q is %q, want %q", p, g, w))
		}
	}
	for p, g := range got {
		if _, ok := want[p]; !ok {
			lines = append(lines, fmt.Sprintf("extra %q = %q", p, g))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func copyTree(t tree) tree {
	c := tree{}
	for k, v := range t {
		c[k] = v
	}
	return c
}

// newStore makes a workspace from spec and opens a store for it in a state
// directory outside the workspace.
func newStore(t *testing.T, spec tree) (*Store, string) {
	t.Helper()
	root := t.TempDir()
	writeTree(t, root, spec)
	s, err := Open(filepath.Join(t.TempDir(), "state"), root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, s.Root()
}

func mustFull(t *testing.T, s *Store, m Meta) Info {
	t.Helper()
	info, err := s.Full(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return info
}
