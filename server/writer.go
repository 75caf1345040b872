package server

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
	"unicode/utf16"

	lsp "go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/hearth-dev/hearth/internal/atomicfile"
	"github.com/hearth-dev/hearth/protocol"
)

// editorWriter writes the agent's accepted changes. A file open in the
// editor is changed through workspace/applyEdit, so the user can undo it
// and unsaved work is merged rather than clobbered, and then saved by the
// editor on hearth/saveDocuments. Any other file is replaced atomically on
// disk.
type editorWriter struct{ w *workspace }

// saveWait is how long the writer waits for the editor to save a file it
// changed through applyEdit before writing the same content itself, so the
// agent's next command sees it on disk.
const saveWait = 3 * time.Second

func (e editorWriter) WriteFile(ctx context.Context, path string, content []byte) error {
	s := e.w.s
	text, _, open := s.docs.get(path)
	if !open {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		return atomicfile.WriteFile(path, content, 0)
	}
	params := lsp.ApplyWorkspaceEditParams{
		Label: "Hearth: " + filepath.Base(path),
		Edit: lsp.WorkspaceEdit{Changes: map[uri.URI][]lsp.TextEdit{
			uri.File(path): {{Range: lsp.Range{End: endOf(text)}, NewText: string(content)}},
		}},
	}
	var res lsp.ApplyWorkspaceEditResponse
	callCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := s.conn.Call(callCtx, lsp.MethodWorkspaceApplyEdit, params, &res); err != nil {
		return fmt.Errorf("the editor did not apply the edit: %v", err)
	}
	if !res.Applied {
		reason := res.FailureReason
		if reason == "" {
			reason = "no reason given"
		}
		return fmt.Errorf("the editor refused the edit: %s", reason)
	}
	// Ask the editor to save what it now holds; an editor that does not
	// know hearth/saveDocuments may still save on its own, so wait a
	// little for the disk either way.
	var saved protocol.SaveDocumentsResult
	if _, err := s.conn.Call(callCtx, protocol.MethodSaveDocuments, protocol.SaveDocumentsParams{URIs: []lsp.DocumentURI{uri.File(path)}}, &saved); err != nil {
		s.log.Debug("the editor did not save on request", "path", path, "error", err)
	}
	deadline := time.Now().Add(saveWait)
	for time.Now().Before(deadline) {
		if disk, err := os.ReadFile(path); err == nil && bytes.Equal(disk, content) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.log.Warn("the editor did not save an applied edit in time; writing it to disk", "path", path)
	return atomicfile.WriteFile(path, content, 0)
}

// endOf is the position just past the end of text, in UTF-16 columns.
func endOf(text string) lsp.Position {
	line, col := uint32(0), uint32(0)
	for _, r := range text {
		if r == '\n' {
			line++
			col = 0
			continue
		}
		col += uint32(utf16.RuneLen(r))
	}
	return lsp.Position{Line: line, Character: col}
}
