package actions

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiffGolden checks UnifiedDiff and Hunks against golden sections of
// testdata/diff (refreshed with -update), and checks for every case that
// taking all hunks gives new, none gives old, each hunk alone changes only
// its own lines, and the unified diff applies back through Parse and
// Prepare.
func TestDiffGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/diff/*.txt")
	if len(files) == 0 {
		t.Fatal("no diff cases")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			data, _ := os.ReadFile(f)
			c := parseCase(string(data))
			oldS, _ := c.section("old")
			newS, _ := c.section("new")
			old, new := []byte(c.content("old", oldS)), []byte(c.content("new", newS))

			hs := Hunks(old, new)
			var got strings.Builder
			got.WriteString(UnifiedDiff("f.txt", old, new))
			got.WriteString("~~~ hunks\n")
			for _, h := range hs {
				fmt.Fprintf(&got, "hunk %d: old %d+%d new %d+%d\n%s", h.Index, h.OldStart, h.OldLines, h.NewStart, h.NewLines, h.Diff)
			}
			golden, has := c.section("golden")
			if *update {
				if !has {
					c.sections = append(c.sections, section{name: "golden"})
				}
				for i := range c.sections {
					if c.sections[i].name == "golden" {
						c.sections[i].body = got.String()
					}
				}
				os.WriteFile(f, []byte(c.format()), 0o644)
			} else if golden != got.String() {
				t.Errorf("diff differs from golden (run with -update if intended):\ngot:\n%s\nwant:\n%s", got.String(), golden)
			}

			var joined strings.Builder
			for _, h := range hs {
				joined.WriteString(h.Diff)
			}
			if u := UnifiedDiff("f.txt", old, new); u != "" && !strings.HasSuffix(u, "+++ b/f.txt\n"+joined.String()) {
				t.Errorf("hunks are not the @@ sections of UnifiedDiff:\n%s\nvs\n%s", joined.String(), u)
			}
			all := make([]int, len(hs))
			for i := range hs {
				all[i] = i
			}
			if g := ApplyHunks(old, new, all); string(g) != string(new) {
				t.Errorf("all hunks give %q, want %q", g, new)
			}
			if g := ApplyHunks(old, new, nil); string(g) != string(old) {
				t.Errorf("no hunks give %q, want %q", g, old)
			}
			for _, h := range hs {
				part := ApplyHunks(old, new, []int{h.Index})
				ph := Hunks(old, part)
				if len(ph) != 1 || ph[0].OldStart != h.OldStart || ph[0].OldLines != h.OldLines || ph[0].NewLines != h.NewLines {
					t.Errorf("hunk %d alone gives hunks %+v, want just itself %+v", h.Index, ph, h)
				}
			}
			roundTrip(t, old, new)
		})
	}
}

// roundTrip applies our own unified diff to the old file through the
// parser and the matcher, as a model echoing it would.
func roundTrip(t *testing.T, old, new []byte) {
	t.Helper()
	// Edits keep a file's final-newline state by design, so a diff that
	// only changes it cannot round-trip.
	if len(old) == 0 || string(old) == string(new) || strings.HasSuffix(string(old), "\n") != strings.HasSuffix(string(new), "\n") {
		return
	}
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "f.txt"), old, 0o644)
	edits, err := Parse(UnifiedDiff("f.txt", old, new))
	if err != nil {
		t.Fatalf("our own diff does not parse: %v", err)
	}
	res, err := Prepare(root, OSFiles{}, edits)
	if err != nil {
		t.Fatalf("our own diff does not apply: %v\n%s", err, res.Feedback())
	}
	if len(res.Changes) != 1 || string(res.Changes[0].New) != string(new) {
		t.Fatalf("round trip gives %+v, want %q", res.Changes, new)
	}
}

func TestFileChangeDiffNamesDevNull(t *testing.T) {
	d := FileChange{Path: "n.txt", New: []byte("x\n")}.Diff()
	if !strings.HasPrefix(d, "--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1 @@\n+x\n") {
		t.Fatalf("new-file diff:\n%s", d)
	}
}
