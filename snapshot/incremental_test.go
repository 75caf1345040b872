package snapshot

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// sameEntries describes how two scans differ in what a snapshot keeps.
func sameEntries(got, want []entry) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d entries, want %d: %v vs %v", len(got), len(want), paths(got), paths(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.path != w.path || g.kind != w.kind || g.hash != w.hash || g.mode != w.mode || g.link != w.link || g.size != w.size {
			return fmt.Sprintf("entry %d: %+v, want %+v", i, g, w)
		}
	}
	return ""
}

func paths(es []entry) []string {
	var ps []string
	for _, e := range es {
		ps = append(ps, e.path)
	}
	return ps
}

// TestWatchedSnapshotsMatchFullWalks checks every incremental snapshot made
// from the watcher's dirty directories against a walk of everything.
func TestWatchedSnapshotsMatchFullWalks(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the watcher is Linux-only")
	}
	ctx := context.Background()
	s, root := newStore(t, baseTree)
	mustFull(t, s, Meta{})
	steps := append([]struct {
		name   string
		change func(root string)
	}{}, changes...)
	steps = append(steps,
		struct {
			name   string
			change func(root string)
		}{"new tree", func(r string) {
			write(r, "fresh/a/b/c.txt", "c\n", 0o644)
			write(r, "fresh/a/d.txt", "d\n", 0o644)
		}},
		struct {
			name   string
			change func(root string)
		}{"edit in new tree", func(r string) { write(r, "fresh/a/b/c.txt", "c2\n", 0o644) }},
		struct {
			name   string
			change func(root string)
		}{"remove and recreate a dir", func(r string) {
			rm(r, "fresh/a")
			write(r, "fresh/a/other.txt", "o\n", 0o644)
		}},
		struct {
			name   string
			change func(root string)
		}{"nothing", func(r string) {}},
		// Changes in place only: the watcher states the files, not their
		// directories, and must still see content, size and mode changes,
		// and must not pick up an ignored file written in place.
		struct {
			name   string
			change func(root string)
		}{"in place only", func(r string) {
			for _, p := range []string{"deep/a/b/c/d/leaf.md", "sub/lib.c", "debug.log"} {
				f, err := os.OpenFile(filepath.Join(r, p), os.O_WRONLY|os.O_APPEND, 0)
				if err == nil {
					f.WriteString("appended\n")
					f.Close()
				}
			}
			os.Chmod(filepath.Join(r, "fresh/a/other.txt"), 0o600)
		}},
		struct {
			name   string
			change func(root string)
		}{"same size in place", func(r string) {
			if f, err := os.OpenFile(filepath.Join(r, "sub/lib.c"), os.O_WRONLY, 0); err == nil {
				f.WriteString("INT")
				f.Close()
			}
		}},
	)
	// Run twice: the order in which dirty directories are re-listed varies.
	steps = append(steps, steps...)
	for _, st := range steps {
		walks := fullWalks.Load()
		st.change(root)
		info, err := s.Full(ctx, Meta{Label: st.name})
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.loadManifest(info.ID)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.scanAll(ctx, nil, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		if d := sameEntries(m.entries, want); d != "" {
			t.Fatalf("after %q: %s", st.name, d)
		}
		if fullWalks.Load() != walks {
			t.Errorf("%q: the snapshot walked everything instead of using the watcher", st.name)
		}
	}
	// A changed ignore file sends the next snapshot back to a full walk.
	walks := fullWalks.Load()
	os.WriteFile(filepath.Join(root, ".gitignore"), []byte("*.md\n"), 0o644)
	info := mustFull(t, s, Meta{})
	if fullWalks.Load() != walks+1 {
		t.Error("an ignore file changed and the snapshot trusted the watcher")
	}
	m, _ := s.loadManifest(info.ID)
	want, _ := s.scanAll(ctx, nil, false, nil)
	if d := sameEntries(m.entries, want); d != "" {
		t.Fatal(d)
	}
}
