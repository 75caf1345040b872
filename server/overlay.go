package server

import (
	"context"
	"fmt"
	"os"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	lsp "go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// overlay holds the editor's open documents, so the agent reads what the
// user sees, unsaved changes included, rather than what is on disk.
type overlay struct {
	mu   sync.RWMutex       // guards docs
	docs map[string]*buffer // by absolute file path
}

type buffer struct {
	version int32
	text    string
}

func newOverlay() *overlay { return &overlay{docs: map[string]*buffer{}} }

func (o *overlay) open(path string, version int32, text string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.docs[path] = &buffer{version: version, text: text}
}

func (o *overlay) close(path string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.docs, path)
}

// get returns an open document's text and version.
func (o *overlay) get(path string) (text string, version int32, ok bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	b, ok := o.docs[path]
	if !ok {
		return "", 0, false
	}
	return b.text, b.version, true
}

// ReadFile reads path from the overlay when it is open, else from disk.
func (o *overlay) ReadFile(path string) ([]byte, error) {
	if text, _, ok := o.get(path); ok {
		return []byte(text), nil
	}
	return os.ReadFile(path)
}

// IsOpen reports whether the editor has path open.
func (o *overlay) IsOpen(path string) bool {
	_, _, ok := o.get(path)
	return ok
}

// change applies content changes in order. A change without a range
// replaces the whole text. A change that does not fit the document is an
// error and leaves the document as it was, so the overlay never holds a
// guess; the editor's next full sync (didOpen) repairs it.
func (o *overlay) change(path string, version int32, changes []contentChange) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	b, ok := o.docs[path]
	if !ok {
		return fmt.Errorf("didChange for %s, which is not open", path)
	}
	text := b.text
	for i, c := range changes {
		if c.Range == nil {
			text = c.Text
			continue
		}
		start, err := offsetOf(text, c.Range.Start)
		if err != nil {
			return fmt.Errorf("change %d: start: %w", i, err)
		}
		end, err := offsetOf(text, c.Range.End)
		if err != nil {
			return fmt.Errorf("change %d: end: %w", i, err)
		}
		if end < start {
			return fmt.Errorf("change %d: range ends before it starts", i)
		}
		text = text[:start] + c.Text + text[end:]
	}
	b.text, b.version = text, version
	return nil
}

// offsetOf converts an LSP position (line, UTF-16 code units) to a byte
// offset in text. A character past the end of its line clamps to the line's
// end, as LSP allows; a line past the end of the text is an error, except
// the line just after a final newline.
func offsetOf(text string, pos lsp.Position) (int, error) {
	off := 0
	for line := uint32(0); line < pos.Line; line++ {
		i := indexByte(text[off:], '\n')
		if i < 0 {
			return 0, fmt.Errorf("line %d is past the end of the document (%d lines)", pos.Line, line+1)
		}
		off += i + 1
	}
	units := uint32(0)
	for off < len(text) && units < pos.Character {
		r, size := utf8.DecodeRuneInString(text[off:])
		if r == '\n' || (r == '\r' && off+1 < len(text) && text[off+1] == '\n') {
			break
		}
		units += uint32(utf16.RuneLen(r))
		off += size
	}
	return off, nil
}

func indexByte(s string, b byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return i
		}
	}
	return -1
}

// contentChange is a TextDocumentContentChangeEvent whose range may be
// absent (a full-text change).
type contentChange struct {
	Range *lsp.Range `json:"range,omitempty"`
	Text  string     `json:"text"`
}

type didChangeParams struct {
	TextDocument   lsp.VersionedTextDocumentIdentifier `json:"textDocument"`
	ContentChanges []contentChange                     `json:"contentChanges"`
}

func (s *Server) didChange(ctx context.Context, p *didChangeParams) (any, error) {
	path, err := filePath(p.TextDocument.URI)
	if err != nil {
		return nil, err
	}
	if err := s.docs.change(path, p.TextDocument.Version, p.ContentChanges); err != nil {
		s.log.Warn("could not apply didChange", "error", err)
		return nil, err
	}
	return nil, nil
}

func (l lspServer) DidOpen(ctx context.Context, p *lsp.DidOpenTextDocumentParams) error {
	path, err := filePath(p.TextDocument.URI)
	if err != nil {
		return nil // untitled: and other schemes are not files the agent can read
	}
	l.s.docs.open(path, p.TextDocument.Version, p.TextDocument.Text)
	return nil
}

func (l lspServer) DidClose(ctx context.Context, p *lsp.DidCloseTextDocumentParams) error {
	if path, err := filePath(p.TextDocument.URI); err == nil {
		l.s.docs.close(path)
	}
	return nil
}

// DidSave needs nothing: the overlay already holds what was saved.
func (l lspServer) DidSave(ctx context.Context, p *lsp.DidSaveTextDocumentParams) error {
	return nil
}

// filePath turns a file: URI into an absolute path.
func filePath(u lsp.DocumentURI) (string, error) {
	if u == "" {
		return "", fmt.Errorf("missing uri")
	}
	parsed, err := uri.Parse(string(u))
	if err != nil {
		return "", fmt.Errorf("invalid uri %q: %v", u, err)
	}
	if !isFileURI(string(u)) {
		return "", fmt.Errorf("uri %q is not a file: URI", u)
	}
	return parsed.Filename(), nil
}

func isFileURI(u string) bool { return len(u) > 7 && u[:7] == "file://" }

// openPaths returns the paths of the open documents.
func (o *overlay) openPaths() map[string]struct{} {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make(map[string]struct{}, len(o.docs))
	for p := range o.docs {
		out[p] = struct{}{}
	}
	return out
}

// reload replaces an open document's text with the file on disk; a deleted
// file keeps its buffer, as the editor does.
func (o *overlay) reload(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if b, ok := o.docs[path]; ok {
		b.text = string(data)
	}
}
