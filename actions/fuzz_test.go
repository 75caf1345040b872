package actions

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// corpusMessages seeds the fuzzers with every recorded model output.
func corpusMessages(f *testing.F) []string {
	files, _ := filepath.Glob("testdata/corpus/*.txt")
	var out []string
	for _, p := range files {
		data, _ := os.ReadFile(p)
		if msg, ok := parseCase(string(data)).section("message"); ok {
			out = append(out, msg)
		}
	}
	return out
}

// FuzzParse checks that no message makes Parse panic, that blocks are
// numbered in order, that block text is whole lines, and that parsing is
// deterministic.
func FuzzParse(f *testing.F) {
	for _, m := range corpusMessages(f) {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		edits, err := Parse(msg)
		again, err2 := Parse(msg)
		if !reflect.DeepEqual(edits, again) || (err == nil) != (err2 == nil) {
			t.Fatal("Parse is not deterministic")
		}
		for i, e := range edits {
			if e.Block != i+1 {
				t.Fatalf("block %d numbered %d", i+1, e.Block)
			}
			if i > 0 && e.Line < edits[i-1].Line {
				t.Fatalf("blocks out of message order")
			}
			if e.Problem == "" && e.Search != "" && !strings.HasSuffix(e.Search, "\n") {
				t.Fatalf("SEARCH of block %d is not whole lines: %q", e.Block, e.Search)
			}
		}
	})
}

// FuzzApply drives the matcher with arbitrary files and blocks: it must not
// panic, must be deterministic, must leave Changes empty on failure, and on
// success must keep CRLF files CRLF and the final-newline state.
func FuzzApply(f *testing.F) {
	f.Add("a\nb\nc\n", "b\n", "B\n")
	f.Add("\tif x {\n\t\ty()\n\t}\n", "if x {\n    y()\n}\n", "if x {\n    z()\n}\n")
	f.Add("one\r\ntwo\r\nthree\r\n", "two\n", "2\n")
	f.Add("x = 1\nx = 1\n", "x = 1\n", "x = 2\n")
	f.Add("a\n...\nb\n", "a\n...\nb\n", "A\n...\nB\n")
	f.Add("  1 | a\n", "   1 | a\n", "b\n")
	root := f.TempDir()
	abs := filepath.Join(root, "f.txt")
	f.Fuzz(func(t *testing.T, content, search, replace string) {
		src := overlay{abs: content}
		edits := []Edit{{Path: "f.txt", Search: search, Replace: replace, Block: 1}}
		res, err := Prepare(root, src, edits)
		res2, err2 := Prepare(root, src, edits)
		if !reflect.DeepEqual(res, res2) || fmt.Sprint(err) != fmt.Sprint(err2) {
			t.Fatal("Prepare is not deterministic")
		}
		if err != nil {
			if res.Changes != nil {
				t.Fatal("a failed apply returned changes")
			}
			return
		}
		if len(res.Changes) == 0 {
			return
		}
		nw := res.Changes[0].New
		lineMode := strings.HasSuffix(search, "\n") && (replace == "" || strings.HasSuffix(replace, "\n"))
		if !lineMode || len(nw) == 0 || !strings.Contains(content, "\n") {
			return
		}
		if strings.HasSuffix(content, "\n") != bytes.HasSuffix(nw, []byte("\n")) {
			t.Fatalf("final newline state changed: %q -> %q", content, nw)
		}
		crlfOnly := strings.Count(content, "\n") == strings.Count(content, "\r\n") && strings.HasSuffix(strings.SplitAfter(content, "\n")[0], "\r\n")
		if crlfOnly && !strings.ContainsRune(search+replace, '\r') && bytes.Count(nw, []byte("\n")) != bytes.Count(nw, []byte("\r\n")) {
			t.Fatalf("CRLF file got bare LF: %q", nw)
		}
	})
}

// FuzzHunks checks that taking every hunk gives the new text, taking none
// gives the old, and ranges stay inside the files.
func FuzzHunks(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nB\nc\nd")
	f.Add("", "x\n")
	f.Add("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n3\n4\n5\nfive\n6\n7\n9\n10\n")
	f.Fuzz(func(t *testing.T, old, new string) {
		hs := Hunks([]byte(old), []byte(new))
		var all []int
		oldN, newN := len(splitKeep(old)), len(splitKeep(new))
		for _, h := range hs {
			all = append(all, h.Index)
			if h.OldStart+h.OldLines > oldN || h.NewStart+h.NewLines > newN {
				t.Fatalf("hunk %+v out of range (%d, %d lines)", h, oldN, newN)
			}
		}
		if g := ApplyHunks([]byte(old), []byte(new), all); string(g) != new {
			t.Fatalf("all hunks: %q, want %q", g, new)
		}
		if g := ApplyHunks([]byte(old), []byte(new), nil); string(g) != old {
			t.Fatalf("no hunks: %q, want %q", g, old)
		}
	})
}
