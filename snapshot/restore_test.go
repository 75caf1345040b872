package snapshot

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// baseTree is the workspace every restore test starts from.
var baseTree = tree{
	".gitignore":           "*.log\nbuild/\n",
	"README.md":            "hello\n",
	"src/main.go":          "package main\n\nfunc main() {}\n",
	"src/util/strings.go":  "package util\n",
	"run.sh":               "x:#!/bin/sh\necho hi\n",
	"empty.txt":            "",
	"debug.log":            "ignored log\n",
	"build/out.bin":        "binary\x00data",
	".git/HEAD":            "ref: refs/heads/main\n",
	"sub/.git":             "gitdir: ../.git/modules/sub\n",
	"sub/lib.c":            "int x;\n",
	"caf\xe9.txt":          "a latin-1 name\n",
	"link-to-readme":       "link:README.md",
	"link-out":             "link:/etc/passwd",
	"deep/a/b/c/d/leaf.md": "leaf\n",
}

// untouchable is what no snapshot records and no restore changes: ignored
// files and git's own.
func untouchable(p string) bool {
	return strings.HasSuffix(p, ".log") || strings.HasPrefix(p, "build/") || p == "build" ||
		p == ".git" || strings.HasPrefix(p, ".git/") || p == "sub/.git"
}

func write(root, p, data string, mode os.FileMode) {
	full := filepath.Join(root, filepath.FromSlash(p))
	os.MkdirAll(filepath.Dir(full), 0o755)
	os.WriteFile(full, []byte(data), mode)
	os.Chmod(full, mode)
}

func rm(root, p string) { os.RemoveAll(filepath.Join(root, filepath.FromSlash(p))) }

func symlink(root, target, p string) {
	full := filepath.Join(root, filepath.FromSlash(p))
	os.Remove(full)
	os.Symlink(target, full)
}

// changes are the kinds of change a restore must undo exactly.
var changes = []struct {
	name   string
	change func(root string)
}{
	{"edit", func(r string) { write(r, "src/main.go", "package main\n// edited\n", 0o644) }},
	{"create nested", func(r string) { write(r, "new/deep/dir/file.go", "package dir\n", 0o644) }},
	{"delete file", func(r string) { rm(r, "src/util/strings.go") }},
	{"delete tree", func(r string) { rm(r, "src"); rm(r, "deep") }},
	{"mode change", func(r string) {
		os.Chmod(filepath.Join(r, "run.sh"), 0o644)
		os.Chmod(filepath.Join(r, "README.md"), 0o755)
	}},
	{"empty files", func(r string) {
		write(r, "README.md", "", 0o644)
		write(r, "empty.txt", "now with content\n", 0o644)
		write(r, "new-empty", "", 0o644)
	}},
	{"non-UTF-8 names", func(r string) {
		os.Rename(filepath.Join(r, "caf\xe9.txt"), filepath.Join(r, "renamed.txt"))
		write(r, "\xff\xfe.bin", "bytes\n", 0o644)
	}},
	{"symlinks", func(r string) {
		symlink(r, "src/main.go", "link-to-readme")
		rm(r, "README.md")
		symlink(r, "/etc/hostname", "README.md")
		symlink(r, "../../outside", "src/escape")
	}},
	{"ignored and git files change too", func(r string) {
		write(r, "src/main.go", "changed\n", 0o644)
		write(r, "debug.log", "more log\n", 0o644)
		write(r, "build/new.o", "obj", 0o644)
		write(r, "src/x.log", "new ignored\n", 0o644)
		write(r, ".git/HEAD", "ref: refs/heads/other\n", 0o644)
		write(r, "sub/.git", "gitdir: elsewhere\n", 0o644)
	}},
	{"file becomes directory and back", func(r string) {
		rm(r, "src/main.go")
		write(r, "src/main.go/inner.go", "package inner\n", 0o644)
		rm(r, "src/util")
		write(r, "src/util", "now a file\n", 0o644)
	}},
}

func withoutDirs(t tree) tree {
	c := tree{}
	for k, v := range t {
		if v != "dir:" {
			c[k] = v
		}
	}
	return c
}

func TestRestoreUndoesEveryKindOfChange(t *testing.T) {
	for _, packed := range []bool{false, true} {
		t.Run(map[bool]string{false: "loose", true: "packed"}[packed], func(t *testing.T) {
			defer setPackThreshold(packed)()
			testRestoreUndoesEveryKindOfChange(t)
		})
	}
}

// setPackThreshold makes every scan pack its objects (or none) until the
// returned function restores the default.
func setPackThreshold(packed bool) func() {
	old := packThreshold
	packThreshold = 1 << 30
	if packed {
		packThreshold = 1
	}
	return func() { packThreshold = old }
}

func testRestoreUndoesEveryKindOfChange(t *testing.T) {
	ctx := context.Background()
	for _, tc := range changes {
		t.Run(tc.name, func(t *testing.T) {
			s, root := newStore(t, baseTree)
			before := readTree(t, root)
			snap := mustFull(t, s, Meta{Label: "before"})
			tc.change(root)
			after := readTree(t, root)
			if diffTrees(after, before) == "" {
				t.Fatal("the change changed nothing")
			}
			res, err := s.Restore(ctx, snap.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := tree{}
			for p, v := range before {
				if !untouchable(p) {
					want[p] = v
				}
			}
			for p, v := range after {
				if untouchable(p) {
					want[p] = v
				}
			}
			if d := diffTrees(readTree(t, root), want); d != "" {
				t.Fatalf("after restore:\n%s", d)
			}
			if len(res.Restored)+len(res.Deleted) == 0 {
				t.Error("restore reported no change")
			}
			// The safety snapshot undoes the restore.
			if _, err := s.Restore(ctx, res.SafetyID, nil); err != nil {
				t.Fatal(err)
			}
			if d := diffTrees(withoutDirs(readTree(t, root)), withoutDirs(after)); d != "" {
				t.Fatalf("after undoing the restore:\n%s", d)
			}
		})
	}
}

func TestRestoreChosenPaths(t *testing.T) {
	ctx := context.Background()
	s, root := newStore(t, baseTree)
	snap := mustFull(t, s, Meta{})
	write(root, "README.md", "changed\n", 0o644)
	write(root, "src/main.go", "changed\n", 0o644)
	write(root, "src/new.go", "new\n", 0o644)
	write(root, "deep/a/b/c/d/leaf.md", "changed\n", 0o644)
	write(root, "deep/a/extra.md", "new\n", 0o644)
	rm(root, "run.sh")

	res, err := s.Restore(ctx, snap.ID, []string{"src/main.go", "deep/a", "run.sh"})
	if err != nil {
		t.Fatal(err)
	}
	want := copyTree(readTree(t, root))
	want["src/main.go"] = baseTree["src/main.go"]
	want["deep/a/b/c/d/leaf.md"] = baseTree["deep/a/b/c/d/leaf.md"]
	delete(want, "deep/a/extra.md")
	want["run.sh"] = baseTree["run.sh"]
	got := readTree(t, root)
	// Only the chosen paths changed: README.md and src/new.go stay as edited.
	want["README.md"], want["src/new.go"] = "changed\n", "new\n"
	if d := diffTrees(got, want); d != "" {
		t.Fatal(d)
	}
	if strings.Join(res.Deleted, ",") != "deep/a/extra.md" {
		t.Errorf("deleted %v, want [deep/a/extra.md]", res.Deleted)
	}
	safety, err := s.Get(res.SafetyID)
	if err != nil {
		t.Fatal(err)
	}
	if safety.Kind != KindRestore || strings.Join(safety.Scope, ",") != "deep/a,run.sh,src/main.go" {
		t.Errorf("safety snapshot %+v, want kind restore with the restore's scope", safety)
	}
	if _, err := s.Restore(ctx, snap.ID, []string{"../etc"}); err == nil {
		t.Error("a path outside the workspace was accepted")
	}
	if _, err := s.Restore(ctx, snap.ID, []string{".git/HEAD"}); err == nil {
		t.Error("a path inside .git was accepted")
	}
}

func TestCheckpointRecordsPreImageOnly(t *testing.T) {
	ctx := context.Background()
	s, root := newStore(t, baseTree)
	info, err := s.Checkpoint(ctx, []string{"src/main.go", "src/created.go", filepath.Join(root, "run.sh")}, Meta{SessionID: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	if info.Kind != KindEdit || info.Files != 2 {
		t.Fatalf("checkpoint %+v, want an edit checkpoint of 2 files", info)
	}
	// The agent edits, creates and chmods; the user edits something else.
	write(root, "src/main.go", "agent edit\n", 0o644)
	write(root, "src/created.go", "agent file\n", 0o644)
	os.Chmod(filepath.Join(root, "run.sh"), 0o600)
	write(root, "README.md", "user edit\n", 0o644)
	write(root, "src/user.go", "user file\n", 0o644)
	want := readTree(t, root)
	want["src/main.go"] = baseTree["src/main.go"]
	delete(want, "src/created.go")
	want["run.sh"] = baseTree["run.sh"]

	res, err := s.Restore(ctx, info.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffTrees(readTree(t, root), want); d != "" {
		t.Fatal(d)
	}
	if strings.Join(res.Deleted, ",") != "src/created.go" || strings.Join(res.Restored, ",") != "run.sh,src/main.go" {
		t.Errorf("result %+v", res)
	}
	if _, err := s.Checkpoint(ctx, []string{"link-out/x"}, Meta{}); err == nil {
		t.Error("a checkpoint through a symlink was accepted")
	}
}

func TestCorruptObjectStopsRestoreBeforeAnyWrite(t *testing.T) {
	ctx := context.Background()
	defer setPackThreshold(false)()
	s, root := newStore(t, baseTree)
	snap := mustFull(t, s, Meta{})
	write(root, "README.md", "changed\n", 0o644)
	write(root, "src/main.go", "changed\n", 0o644)
	rm(root, "sub/lib.c")
	before := readTree(t, root)

	m, err := s.loadManifest(snap.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Corrupt the object of the file that sorts last, so that a restore
	// writing as it verifies would already have written the others.
	e := m.find("src/main.go")
	p := s.objectPath(e.hash)
	data, _ := os.ReadFile(p)
	data[len(data)-1] ^= 0xff
	os.WriteFile(p, data, 0o644)

	_, err = s.Restore(ctx, snap.ID, nil)
	if err == nil || !errors.Is(err, errCorrupt) || !strings.Contains(err.Error(), "src/main.go") {
		t.Fatalf("restore error %v, want a corrupt object error naming src/main.go", err)
	}
	if d := diffTrees(readTree(t, root), before); d != "" {
		t.Fatalf("the workspace changed:\n%s", d)
	}
	if err := s.Verify(ctx); err == nil || !strings.Contains(err.Error(), "src/main.go") {
		t.Errorf("Verify = %v, want the corrupt object reported", err)
	}
}

func TestOpenRefusesStateDirInWorkspaceOrGit(t *testing.T) {
	root := t.TempDir()
	for _, dir := range []string{
		filepath.Join(root, ".hearth"),
		root,
		filepath.Join(t.TempDir(), "repo", ".git", "hearth"),
	} {
		if _, err := Open(dir, root, Options{}); err == nil {
			t.Errorf("Open(%s) succeeded", dir)
		}
	}
	state := t.TempDir()
	if _, err := Open(state, root, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(state, t.TempDir(), Options{}); err == nil {
		t.Error("a state directory was shared by two workspaces")
	}
}

func TestCorruptPackedObjectIsDetected(t *testing.T) {
	ctx := context.Background()
	defer setPackThreshold(true)()
	s, root := newStore(t, baseTree)
	snap := mustFull(t, s, Meta{})
	write(root, "src/main.go", "changed\n", 0o644)
	packs, _ := filepath.Glob(filepath.Join(s.dir, "objects", "pack", "*.pack"))
	if len(packs) != 1 {
		t.Fatalf("%d packs, want 1", len(packs))
	}
	m, _ := s.loadManifest(snap.ID)
	loc, ok := s.lookupPacked(m.find("src/main.go").hash, true)
	if !ok {
		t.Fatal("src/main.go is not in the pack")
	}
	f, _ := os.OpenFile(packs[0], os.O_RDWR, 0)
	// Damage the object's own bytes in a raw chunk, the checksum of a
	// compressed one.
	tag := make([]byte, 1)
	f.ReadAt(tag, loc.chunkOff)
	at := loc.chunkOff + int64(loc.chunkLen) - 2
	if tag[0] == objRaw {
		at = loc.chunkOff + 1 + int64(loc.objOff)
	}
	f.WriteAt([]byte("XX"), at)
	f.Close()
	_, err := s.Restore(ctx, snap.ID, nil)
	if !errors.Is(err, errCorrupt) || !strings.Contains(err.Error(), "src/main.go") {
		t.Fatalf("restore error %v, want a corrupt object error naming src/main.go", err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "src/main.go")); string(b) != "changed\n" {
		t.Errorf("src/main.go was written: %q", b)
	}
}

func TestTamperedManifestCannotEscapeTheWorkspace(t *testing.T) {
	ctx := context.Background()
	s, root := newStore(t, tree{"a.txt": "a\n"})
	for _, bad := range []string{"../escape.txt", ".git/config", "a/../../x", "/etc/x"} {
		data := []byte("evil\n")
		h := hash(sha256.Sum256(data))
		if err := s.putObject(h, data); err != nil {
			t.Fatal(err)
		}
		m := &manifest{info: Info{ID: "20260101T000000Z-bad" + fmt.Sprint(len(bad)), Kind: KindFull, Scope: []string{""}},
			entries: []entry{{path: bad, kind: kindFile, mode: 0o644, size: 5, hash: h}}}
		if err := s.writeManifest(m); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Restore(ctx, m.info.ID, nil); err == nil {
			t.Errorf("restore of a manifest holding %q succeeded", bad)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(root), "escape.txt")); err == nil {
		t.Fatal("a file was written outside the workspace")
	}
}
