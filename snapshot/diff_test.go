package snapshot

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func numbered(n int, edit map[int]string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if v, ok := edit[i]; ok {
			b.WriteString(v)
			continue
		}
		fmt.Fprintf(&b, "line %d\n", i)
	}
	return b.String()
}

var diffBefore = tree{
	"long.txt":     numbered(30, nil),
	"gone.txt":     "bye\n",
	"run.sh":       "echo hi\n",
	"noeol.txt":    "a\nb",
	"image.bin":    "PNG\x00\x01\x02",
	"link":         "link:long.txt",
	"same.txt":     "unchanged\n",
	"dir/inner.go": "package dir\n",
	"ignored.log":  "x\n",
	".gitignore":   "*.log\n",
}

// diffChange edits two distant regions of long.txt (two hunks), adds,
// deletes, chmods, drops a final newline's absence, retargets a link and
// changes a binary file.
func diffChange(root string) {
	write(root, "long.txt", numbered(30, map[int]string{3: "line three\n", 4: "", 25: "line 25\nadded\n"}), 0o644)
	rm(root, "gone.txt")
	write(root, "new.txt", "fresh\n", 0o644)
	os.Chmod(filepath.Join(root, "run.sh"), 0o755)
	write(root, "noeol.txt", "a\nb\nc\n", 0o644)
	write(root, "image.bin", "PNG\x00\x09", 0o644)
	symlink(root, "same.txt", "link")
	write(root, "ignored.log", "changed but ignored\n", 0o644)
}

func TestDiffGolden(t *testing.T) {
	ctx := context.Background()
	s, root := newStore(t, diffBefore)
	from := mustFull(t, s, Meta{})
	diffChange(root)
	toWorkspace, err := s.Diff(ctx, from.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	to := mustFull(t, s, Meta{})
	between, err := s.Diff(ctx, from.ID, to.ID)
	if err != nil {
		t.Fatal(err)
	}
	if between != toWorkspace {
		t.Errorf("snapshot-to-snapshot and snapshot-to-workspace diffs differ:\n%s\n---\n%s", between, toWorkspace)
	}
	golden := filepath.Join("testdata", "diff.golden")
	if *update {
		os.WriteFile(golden, []byte(between), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if between != string(want) {
		t.Errorf("diff:\n%s\nwant (%s):\n%s", between, golden, want)
	}
	if same, _ := s.Diff(ctx, to.ID, ""); same != "" {
		t.Errorf("diff of the workspace against its own snapshot:\n%s", same)
	}
}

// TestDiffAppliesWithGit checks the text hunks are right by letting git
// apply them to the old tree.
func TestDiffAppliesWithGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	ctx := context.Background()
	before := copyTree(diffBefore)
	delete(before, "image.bin") // git cannot apply "Binary files differ"
	s, root := newStore(t, before)
	from := mustFull(t, s, Meta{})
	diffChange(root)
	rm(root, "image.bin")
	patch, err := s.Diff(ctx, from.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	writeTree(t, other, before)
	cmd := exec.Command("git", "apply", "-")
	cmd.Dir, cmd.Stdin = other, strings.NewReader(patch)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git apply: %v\n%s\npatch:\n%s", err, out, patch)
	}
	got, want := readTree(t, other), readTree(t, root)
	got["ignored.log"] = want["ignored.log"]
	if d := diffTrees(got, want); d != "" {
		t.Fatal(d)
	}
}

func TestDiffOfCheckpointShowsRecordedFilesOnly(t *testing.T) {
	ctx := context.Background()
	s, root := newStore(t, diffBefore)
	cp, err := s.Checkpoint(ctx, []string{"same.txt", "planned.txt"}, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	diffChange(root)
	write(root, "same.txt", "agent edit\n", 0o644)
	write(root, "planned.txt", "agent file\n", 0o644)
	d, err := s.Diff(ctx, cp.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	want := "diff --git a/planned.txt b/planned.txt\nnew file mode 100644\n--- /dev/null\n+++ b/planned.txt\n@@ -0,0 +1 @@\n+agent file\n" +
		"diff --git a/same.txt b/same.txt\n--- a/same.txt\n+++ b/same.txt\n@@ -1 +1 @@\n-unchanged\n+agent edit\n"
	if d != want {
		t.Errorf("diff:\n%s\nwant:\n%s", d, want)
	}
}
