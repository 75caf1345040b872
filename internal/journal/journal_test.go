package journal

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestAppendReadSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := j.Append("s1", map[string]int{"seq": i}); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	j2, _ := Open(dir)
	lines, err := j2.Read("s1")
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3", len(lines))
	}
	var last struct{ Seq int }
	json.Unmarshal(lines[2], &last)
	if last.Seq != 2 {
		t.Fatalf("last seq %d, want 2", last.Seq)
	}
	ss, _ := j2.Sessions()
	if len(ss) != 1 || ss[0].ID != "s1" {
		t.Fatalf("sessions %+v, want [s1]", ss)
	}
}

func TestReadSkipsTornLine(t *testing.T) {
	dir := t.TempDir()
	j, _ := Open(dir)
	j.Append("s", map[string]int{"a": 1})
	j.Close()
	f, _ := os.OpenFile(filepath.Join(dir, "sessions", "s.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"a": 2, "tor`) // a crash in the middle of a write
	f.Close()
	lines, err := j.Read("s")
	if err != nil || len(lines) != 1 {
		t.Fatalf("got %d lines, %v; want the 1 whole line", len(lines), err)
	}
}

func TestRejectsUnsafeIDsAndMissing(t *testing.T) {
	j, _ := Open(t.TempDir())
	if err := j.Append("../escape", 1); err == nil {
		t.Fatal("a path-like session id was accepted")
	}
	if _, err := j.Read("nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing session: got %v, want ErrNotExist", err)
	}
}
