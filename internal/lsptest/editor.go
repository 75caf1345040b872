// Package lsptest is a fake editor for driving a real Hearth server in
// tests: a JSON-RPC client over a pipe that opens files, sends requests,
// answers the server's requests as VS Code would, and records every
// notification so a test can await what it expects. It holds no assertions
// about Hearth itself.
package lsptest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	lsp "go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/hearth-dev/hearth/protocol"
)

// Notification is one server → client notification.
type Notification struct {
	Method string
	Params json.RawMessage
}

// Editor is the client end of one connection.
type Editor struct {
	t    testing.TB
	conn jsonrpc2.Conn

	mu       sync.Mutex      // guards the fields below
	notes    []Notification  // every notification, in arrival order
	changed  chan struct{}   // closed and replaced when notes grows
	buffers  map[string]*doc // open documents by absolute path
	applied  []json.RawMessage
	rejectFn func(json.RawMessage) bool // when set and true, applyEdit answers applied:false
}

type doc struct {
	version int32
	text    string
}

// rwc joins a reader and a writer into the ReadWriteCloser jsonrpc2 wants.
type rwc struct {
	io.Reader
	io.Writer
	closers []io.Closer
}

func (c rwc) Close() error {
	for _, cl := range c.closers {
		cl.Close()
	}
	return nil
}

// Connect runs an editor on the client ends of a connection: r carries the
// server's output, w the server's input.
func Connect(t testing.TB, r io.ReadCloser, w io.WriteCloser) *Editor {
	e := &Editor{t: t, changed: make(chan struct{}), buffers: map[string]*doc{}}
	e.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(rwc{r, w, []io.Closer{r, w}}))
	e.conn.Go(context.Background(), e.handle)
	return e
}

// Conn is the raw connection, for tests that send what no editor would.
func (e *Editor) Conn() jsonrpc2.Conn { return e.conn }

// Close closes the connection.
func (e *Editor) Close() { e.conn.Close() }

// handle answers what the server sends: notifications are recorded;
// requests get the answers VS Code would give.
func (e *Editor) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	if _, isCall := req.(*jsonrpc2.Call); !isCall {
		e.mu.Lock()
		e.notes = append(e.notes, Notification{req.Method(), append(json.RawMessage(nil), req.Params()...)})
		close(e.changed)
		e.changed = make(chan struct{})
		e.mu.Unlock()
		return nil
	}
	switch req.Method() {
	case lsp.MethodWorkspaceApplyEdit:
		return reply(ctx, e.applyEdit(req.Params()), nil)
	case lsp.MethodWorkDoneProgressCreate, "client/registerCapability":
		return reply(ctx, nil, nil)
	case lsp.MethodWorkspaceConfiguration:
		return reply(ctx, []any{nil}, nil)
	case protocol.MethodSaveDocuments:
		return reply(ctx, e.saveDocuments(req.Params()), nil)
	}
	return reply(ctx, nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "fake editor: %s", req.Method()))
}

// applyEdit applies a WorkspaceEdit's text edits to open buffers and tells
// the server through didChange before answering, like VS Code; saving is
// left to hearth/saveDocuments.
func (e *Editor) applyEdit(raw json.RawMessage) any {
	var p lsp.ApplyWorkspaceEditParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return lsp.ApplyWorkspaceEditResponse{Applied: false, FailureReason: err.Error()}
	}
	e.mu.Lock()
	e.applied = append(e.applied, raw)
	reject := e.rejectFn != nil && e.rejectFn(raw)
	e.mu.Unlock()
	if reject {
		return lsp.ApplyWorkspaceEditResponse{Applied: false, FailureReason: "rejected by the test"}
	}
	for u, edits := range p.Edit.Changes {
		path := uri.URI(u).Filename()
		e.mu.Lock()
		d, ok := e.buffers[path]
		e.mu.Unlock()
		if !ok {
			return lsp.ApplyWorkspaceEditResponse{Applied: false, FailureReason: "not open: " + path}
		}
		text := d.text
		// Apply from the end so earlier offsets stay valid.
		for i := len(edits) - 1; i >= 0; i-- {
			start, end := Offset(text, edits[i].Range.Start), Offset(text, edits[i].Range.End)
			text = text[:start] + edits[i].NewText + text[end:]
		}
		if err := e.ChangeFile(path, text, false); err != nil {
			return lsp.ApplyWorkspaceEditResponse{Applied: false, FailureReason: err.Error()}
		}
	}
	return lsp.ApplyWorkspaceEditResponse{Applied: true}
}

// saveDocuments writes the named open buffers to disk and sends didSave,
// as the Hearth extension does on hearth/saveDocuments.
func (e *Editor) saveDocuments(raw json.RawMessage) protocol.SaveDocumentsResult {
	var p protocol.SaveDocumentsParams
	res := protocol.SaveDocumentsResult{Saved: []lsp.DocumentURI{}}
	if json.Unmarshal(raw, &p) != nil {
		return res
	}
	for _, u := range p.URIs {
		path := uri.URI(u).Filename()
		text, ok := e.Buffer(path)
		if !ok || os.WriteFile(path, []byte(text), 0o644) != nil {
			continue
		}
		e.Notify(context.Background(), lsp.MethodTextDocumentDidSave, lsp.DidSaveTextDocumentParams{TextDocument: lsp.TextDocumentIdentifier{URI: u}})
		res.Saved = append(res.Saved, u)
	}
	return res
}

// RejectEdits makes applyEdit refuse edits for which f is true.
func (e *Editor) RejectEdits(f func(json.RawMessage) bool) {
	e.mu.Lock()
	e.rejectFn = f
	e.mu.Unlock()
}

// AppliedEdits returns every workspace/applyEdit the server sent.
func (e *Editor) AppliedEdits() []json.RawMessage {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]json.RawMessage(nil), e.applied...)
}

// Call sends a request and decodes its result into result (when non-nil).
func (e *Editor) Call(ctx context.Context, method string, params, result any) error {
	_, err := e.conn.Call(ctx, method, params, result)
	return err
}

// Notify sends a notification.
func (e *Editor) Notify(ctx context.Context, method string, params any) error {
	return e.conn.Notify(ctx, method, params)
}

// Initialize sends initialize for root with the given initializationOptions
// and then initialized.
func (e *Editor) Initialize(ctx context.Context, root string, options any) (*lsp.InitializeResult, error) {
	var res lsp.InitializeResult
	params := lsp.InitializeParams{
		ProcessID:             int32(os.Getpid()),
		RootURI:               uri.File(root),
		InitializationOptions: options,
		WorkspaceFolders:      []lsp.WorkspaceFolder{{URI: string(uri.File(root)), Name: filepath.Base(root)}},
	}
	if err := e.Call(ctx, lsp.MethodInitialize, params, &res); err != nil {
		return nil, err
	}
	return &res, e.Notify(ctx, lsp.MethodInitialized, lsp.InitializedParams{})
}

// OpenFile opens path (absolute) with its content on disk.
func (e *Editor) OpenFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.buffers[path] = &doc{version: 1, text: string(data)}
	e.mu.Unlock()
	return e.Notify(context.Background(), lsp.MethodTextDocumentDidOpen, lsp.DidOpenTextDocumentParams{
		TextDocument: lsp.TextDocumentItem{URI: uri.File(path), LanguageID: "plaintext", Version: 1, Text: string(data)},
	})
}

// ChangeFile replaces an open buffer's text (a full-text change) and, when
// save is true, writes it to disk and sends didSave.
func (e *Editor) ChangeFile(path, text string, save bool) error {
	e.mu.Lock()
	d, ok := e.buffers[path]
	if !ok {
		e.mu.Unlock()
		return fmt.Errorf("not open: %s", path)
	}
	d.version++
	d.text = text
	version := d.version
	e.mu.Unlock()
	err := e.Notify(context.Background(), lsp.MethodTextDocumentDidChange, map[string]any{
		"textDocument":   map[string]any{"uri": uri.File(path), "version": version},
		"contentChanges": []map[string]any{{"text": text}},
	})
	if err != nil || !save {
		return err
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return err
	}
	return e.Notify(context.Background(), lsp.MethodTextDocumentDidSave, lsp.DidSaveTextDocumentParams{TextDocument: lsp.TextDocumentIdentifier{URI: uri.File(path)}})
}

// Buffer returns an open buffer's text.
func (e *Editor) Buffer(path string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	d, ok := e.buffers[path]
	if !ok {
		return "", false
	}
	return d.text, true
}

// Notifications returns every notification received so far.
func (e *Editor) Notifications() []Notification {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Notification(nil), e.notes...)
}

// Await waits until match is true of some notification received so far (or
// later) and returns it; it fails the test after timeout.
func (e *Editor) Await(timeout time.Duration, what string, match func(Notification) bool) Notification {
	e.t.Helper()
	deadline := time.After(timeout)
	seen := 0
	for {
		e.mu.Lock()
		notes, changed := e.notes, e.changed
		e.mu.Unlock()
		for ; seen < len(notes); seen++ {
			if match(notes[seen]) {
				return notes[seen]
			}
		}
		select {
		case <-changed:
		case <-deadline:
			e.t.Fatalf("timed out after %v waiting for %s; got %d notifications:\n%s", timeout, what, len(notes), summarize(notes))
			return Notification{}
		}
	}
}

func summarize(notes []Notification) string {
	out := ""
	for i, n := range notes {
		if i >= 40 {
			out += fmt.Sprintf("… and %d more\n", len(notes)-i)
			break
		}
		p := string(n.Params)
		if len(p) > 300 {
			p = p[:300] + "…"
		}
		out += n.Method + " " + p + "\n"
	}
	return out
}

// Offset converts an LSP position (UTF-16 columns) to a byte offset.
func Offset(text string, pos lsp.Position) int {
	off := 0
	for line := uint32(0); line < pos.Line && off <= len(text); line++ {
		i := indexOf(text[off:], '\n')
		if i < 0 {
			return len(text)
		}
		off += i + 1
	}
	units := uint32(0)
	for _, r := range text[off:] {
		if units >= pos.Character || r == '\n' {
			break
		}
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		off += len(string(r))
	}
	return off
}

func indexOf(s string, b byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return i
		}
	}
	return -1
}
