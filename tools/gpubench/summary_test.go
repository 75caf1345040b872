package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	goldenfile "github.com/hearth-dev/hearth/internal/golden"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestSummaryGolden renders the fixture (a GPU run with a failed load, fit
// results that agree and disagree with Hearth, a skipped fit, runs with a
// killed one, and a last line cut short by a kill) and compares it with
// testdata/summary.golden.md; -update rewrites the golden file.
func TestSummaryGolden(t *testing.T) {
	lines := readFixture(t)
	goldenfile.Check(t, filepath.Join("testdata", "summary.golden.md"), []byte(Summary(lines)), *update)
}

// TestSummaryVerdicts checks the figures a reader acts on, independent of
// the golden file's layout.
func TestSummaryVerdicts(t *testing.T) {
	lines := readFixture(t)
	if len(lines) != 11 {
		t.Fatalf("read %d lines, want 11 (the cut-short last line skipped)", len(lines))
	}
	md := Summary(lines)
	for _, want := range []string{
		// NVML Δ loaded 8425 − 520 MiB; Hearth's need 8992 MiB.
		"| f16 | m-q8_0 | 4096 | 7,693 MiB | 7,693 MiB (29/29) | 7,905 MiB | 7,970 MiB | 7,970 MiB | 7,693 MiB / 8,431 MiB / 8,992 MiB | 3502 of 3481 |",
		// The cold turn said nothing: its first chunk, starred.
		"40 ms / 311 ms*",
		"| m-q8_0 | 4096 | 8,992 MiB | 143,000 MiB | all on GPU (29/29) | spilled (27/29) | yes |",
		"| m-q8_0 | 32768 | 12,168 MiB | 143,000 MiB | all on GPU (29/29) | all on GPU (29/29) | no |",
		"skipped: no NVML",
		"(1 errors)",
		// Runs 1 and 2 only: the warm-up and the killed run are left out.
		// (50 + 60) ms over 2 turns, of 5000 ms of chat.
		"Over 2 runs (warm-up left out): 2 turns, overhead 55 ms per turn, 2.2 % of the model's time.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %q:\n%s", want, md)
		}
	}
}

func TestReadResultsRejectsBadMiddleLine(t *testing.T) {
	_, err := ReadResults(strings.NewReader("{\"phase\":\"end\"}\nnot json\n{\"phase\":\"end\"}\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("err = %v, want one naming line 2", err)
	}
}

// readFixture reads testdata/results.jsonl.
func readFixture(t *testing.T) []Line {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines, err := ReadResults(f)
	if err != nil {
		t.Fatal(err)
	}
	return lines
}
