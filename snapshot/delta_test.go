package snapshot

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// deltaTree is a workspace large enough that a change to a few files is
// written as a delta manifest.
func deltaTree() tree {
	t := tree{"keep/link": "link:../a/f00.txt", "run.sh": "x:#!/bin/sh\n"}
	for i := 0; i < 40; i++ {
		t[fmt.Sprintf("%c/f%02d.txt", 'a'+i%4, i)] = fmt.Sprintf("file %d\n", i)
	}
	return t
}

func isDelta(t *testing.T, s *Store, id string) bool {
	t.Helper()
	b, err := os.ReadFile(s.manifestPath(id))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.HasPrefix(b, []byte(manifestDeltaMagic))
}

// TestDeltaChainRestoresLikeWholeManifest takes more snapshots than a chain
// may hold, each after a few edits, creations and deletions, and checks that
// every one reads back as the workspace it recorded and restores it exactly,
// from a fresh Store that has nothing cached.
func TestDeltaChainRestoresLikeWholeManifest(t *testing.T) {
	for _, watch := range []bool{true, false} {
		t.Run(map[bool]string{true: "watch", false: "nowatch"}[watch], func(t *testing.T) {
			ctx := context.Background()
			s, root := newStore(t, deltaTree())
			s.noWatch = !watch
			type shot struct {
				id      string
				want    tree
				entries []entry
			}
			var shots []shot
			deltas := 0
			for i := 0; i < 2*maxDeltaDepth+3; i++ {
				switch i % 3 {
				case 0:
					write(root, fmt.Sprintf("a/f%02d.txt", i%40), fmt.Sprintf("edit %d\n", i), 0o644)
				case 1:
					write(root, fmt.Sprintf("new/n%02d.txt", i), "new\n", 0o755)
				case 2:
					rm(root, fmt.Sprintf("new/n%02d.txt", i-1))
					rm(root, fmt.Sprintf("b/f%02d.txt", (i*4+1)%40))
				}
				info := mustFull(t, s, Meta{Label: fmt.Sprint(i)})
				want, err := s.scanAll(ctx, nil, false, nil)
				if err != nil {
					t.Fatal(err)
				}
				if isDelta(t, s, info.ID) {
					deltas++
				}
				shots = append(shots, shot{info.ID, filesOf(readTree(t, root)), want})
			}
			if deltas == 0 || deltas == len(shots) {
				t.Fatalf("%d of %d manifests are deltas: want most, and whole ones to bound the chain", deltas, len(shots))
			}
			s2, err := Open(s.dir, root, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			for _, sh := range shots {
				m, err := s2.loadManifest(sh.id)
				if err != nil {
					t.Fatal(err)
				}
				if m.depth > maxDeltaDepth {
					t.Errorf("%s: chain of %d deltas, want at most %d", sh.id, m.depth, maxDeltaDepth)
				}
				if d := sameEntries(m.entries, sh.entries); d != "" {
					t.Fatalf("%s reads back differently: %s", sh.id, d)
				}
			}
			for _, k := range []int{1, maxDeltaDepth, len(shots) - 2} {
				if _, err := s2.Restore(ctx, shots[k].id, nil); err != nil {
					t.Fatal(err)
				}
				if d := diffTrees(filesOf(readTree(t, root)), shots[k].want); d != "" {
					t.Fatalf("restore of %s:\n%s", shots[k].id, d)
				}
			}
			if err := s2.Verify(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestPruneRewritesDeltasWhoseBaseGoes drops the snapshots a kept delta was
// written against, by session and by budget, and checks that what is kept
// still reads and restores.
func TestPruneRewritesDeltasWhoseBaseGoes(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	writeTree(t, root, deltaTree())
	s, err := Open(t.TempDir(), root, Options{KeepSessions: 1, MaxStoreBytes: -1, Now: fakeClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mustFull(t, s, Meta{SessionID: "old"})
	write(root, "a/f00.txt", "old session\n", 0o644)
	mustFull(t, s, Meta{SessionID: "old"})
	write(root, "a/f00.txt", "new session\n", 0o644)
	keep := mustFull(t, s, Meta{SessionID: "new"})
	want := readTree(t, root)
	if !isDelta(t, s, keep.ID) {
		t.Fatal("the snapshot after a one-file change is not a delta")
	}
	res, err := s.Prune(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Removed) != 2 {
		t.Fatalf("prune removed %v, want both snapshots of the old session", res.Removed)
	}
	if isDelta(t, s, keep.ID) {
		t.Error("the kept snapshot is still a delta against a removed base")
	}
	if err := s.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	write(root, "a/f00.txt", "after\n", 0o644)
	rm(root, "b")
	if _, err := s.Restore(ctx, keep.ID, nil); err != nil {
		t.Fatal(err)
	}
	if d := diffTrees(readTree(t, root), want); d != "" {
		t.Fatal(d)
	}

	// A budget that drops the oldest snapshots rewrites the deltas on them.
	root2 := t.TempDir()
	writeTree(t, root2, deltaTree())
	s2, err := Open(t.TempDir(), root2, Options{KeepSessions: -1, MaxStoreBytes: 1, Now: fakeClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	var made []string
	var wants []tree
	for i := 0; i < 4; i++ {
		write(root2, "c/f02.txt", fmt.Sprintf("v%d\n", i), 0o644)
		made = append(made, mustFull(t, s2, Meta{}).ID)
		wants = append(wants, readTree(t, root2))
	}
	if _, err := s2.Prune(ctx); err != nil {
		t.Fatal(err)
	}
	list, _ := s2.List()
	if len(list) != 1 || list[0].ID != made[3] {
		t.Fatalf("kept %+v, want only the newest", list)
	}
	if err := s2.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	write(root2, "c/f02.txt", "later\n", 0o644)
	if _, err := s2.Restore(ctx, made[3], nil); err != nil {
		t.Fatal(err)
	}
	if d := diffTrees(readTree(t, root2), wants[3]); d != "" {
		t.Fatal(d)
	}
}

// TestCorruptDeltaIsAnErrorNamingTheSnapshot breaks the base a delta needs,
// then the delta itself, and checks that restoring the delta fails with an
// error that names it, changing nothing.
func TestCorruptDeltaIsAnErrorNamingTheSnapshot(t *testing.T) {
	ctx := context.Background()
	for _, what := range []string{"base corrupt", "base missing", "delta corrupt"} {
		t.Run(what, func(t *testing.T) {
			s, root := newStore(t, deltaTree())
			s.noWatch = true
			base := mustFull(t, s, Meta{})
			write(root, "a/f00.txt", "changed\n", 0o644)
			delta := mustFull(t, s, Meta{})
			if !isDelta(t, s, delta.ID) {
				t.Fatal("the snapshot after a one-file change is not a delta")
			}
			switch what {
			case "base corrupt":
				flipMiddleByte(t, s.manifestPath(base.ID))
			case "base missing":
				os.Remove(s.manifestPath(base.ID))
			case "delta corrupt":
				flipMiddleByte(t, s.manifestPath(delta.ID))
			}
			write(root, "a/f00.txt", "unsaved work\n", 0o644)
			before := readTree(t, root)
			s2, err := Open(s.dir, root, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s2.Close()
			_, err = s2.Restore(ctx, delta.ID, nil)
			if err == nil || !strings.Contains(err.Error(), delta.ID) {
				t.Fatalf("restore of a broken delta: %v, want an error naming %s", err, delta.ID)
			}
			if d := diffTrees(readTree(t, root), before); d != "" {
				t.Errorf("a failed restore changed the workspace:\n%s", d)
			}
			if err := s2.Verify(ctx); err == nil || !strings.Contains(err.Error(), delta.ID) {
				t.Errorf("verify: %v, want an error naming %s", err, delta.ID)
			}
		})
	}
}

func flipMiddleByte(t *testing.T, p string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// filesOf drops empty directories, which snapshots do not record.
func filesOf(t tree) tree {
	out := tree{}
	for p, v := range t {
		if v != "dir:" {
			out[p] = v
		}
	}
	return out
}
