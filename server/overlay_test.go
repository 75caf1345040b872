package server

import (
	"os"
	"path/filepath"
	"testing"

	lsp "go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

func TestOffsetOfCountsUTF16(t *testing.T) {
	text := "a😀b\nsecond\n"
	cases := []struct {
		pos  lsp.Position
		want int
	}{
		{lsp.Position{Line: 0, Character: 0}, 0},
		{lsp.Position{Line: 0, Character: 1}, 1},
		{lsp.Position{Line: 0, Character: 3}, 5}, // the emoji is two UTF-16 units, four bytes
		{lsp.Position{Line: 0, Character: 4}, 6},
		{lsp.Position{Line: 0, Character: 99}, 6}, // past the end of the line clamps
		{lsp.Position{Line: 1, Character: 2}, 9},
		{lsp.Position{Line: 2, Character: 0}, len(text)},
	}
	for _, c := range cases {
		got, err := offsetOf(text, c.pos)
		if err != nil || got != c.want {
			t.Errorf("offsetOf(%v) = %d, %v; want %d", c.pos, got, err, c.want)
		}
	}
	if _, err := offsetOf(text, lsp.Position{Line: 5}); err == nil {
		t.Error("a line past the end was accepted")
	}
}

// TestIncrementalChangesReachTheAgent: the agent reads what the editor
// holds, unsaved incremental edits included.
func TestIncrementalChangesReachTheAgent(t *testing.T) {
	ts := startServer(t, nil)
	ts.initialize(t, nil)
	p := filepath.Join(ts.root, "f.txt")
	os.WriteFile(p, []byte("héllo wörld\nline two\n"), 0o644)
	if err := ts.OpenFile(p); err != nil {
		t.Fatal(err)
	}
	change := map[string]any{
		"textDocument": map[string]any{"uri": uri.File(p), "version": 2},
		"contentChanges": []map[string]any{
			{"range": lsp.Range{Start: lsp.Position{Line: 0, Character: 6}, End: lsp.Position{Line: 0, Character: 11}}, "text": "there"},
			{"range": lsp.Range{Start: lsp.Position{Line: 1, Character: 0}, End: lsp.Position{Line: 1, Character: 4}}, "text": "LINE"},
		},
	}
	if err := ts.Notify(ctx(t), lsp.MethodTextDocumentDidChange, change); err != nil {
		t.Fatal(err)
	}
	// Notifications are handled in order, so a request after it sees it.
	ts.Call(ctx(t), "hearth/status", struct{}{}, nil)
	got, err := ts.s.docs.ReadFile(p)
	if err != nil || string(got) != "héllo there\nLINE two\n" {
		t.Fatalf("overlay holds %q, %v", got, err)
	}
	if disk, _ := os.ReadFile(p); string(disk) != "héllo wörld\nline two\n" {
		t.Fatal("the overlay wrote to disk")
	}
	ts.Notify(ctx(t), lsp.MethodTextDocumentDidClose, lsp.DidCloseTextDocumentParams{TextDocument: lsp.TextDocumentIdentifier{URI: uri.File(p)}})
	ts.Call(ctx(t), "hearth/status", struct{}{}, nil)
	if got, _ := ts.s.docs.ReadFile(p); string(got) != "héllo wörld\nline two\n" {
		t.Fatalf("after close the agent reads %q, want the disk", got)
	}
}
