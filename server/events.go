package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"

	lsp "go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/hearth-dev/hearth/planact"
	"github.com/hearth-dev/hearth/protocol"
)

// sessionLog turns the engine's events into hearth/event notifications and
// keeps every one in the session's journal, so hearth/history survives a
// restart.
type sessionLog struct {
	w *workspace

	mu   sync.Mutex        // guards base and turn
	base map[string]int64  // seq offset of sessions continued after a restart
	turn map[string]string // turn id prefix of those sessions
}

func newSessionLog(w *workspace) *sessionLog {
	return &sessionLog{w: w, base: map[string]int64{}, turn: map[string]string{}}
}

// continueSession prepares for a session the engine does not know: when its
// journal exists (a chat from before a restart), its events go on from the
// journal's last seq, and its turn ids get a prefix, so neither repeats
// within a session.
func (l *sessionLog) continueSession(id string) {
	lines, err := l.w.journal.Read(id)
	if err != nil {
		return
	}
	var last int64
	for _, line := range lines {
		var ev struct{ Seq int64 }
		if json.Unmarshal(line, &ev) == nil && ev.Seq > last {
			last = ev.Seq
		}
	}
	l.mu.Lock()
	l.base[id] = last
	if last > 0 {
		l.turn[id] = fmt.Sprintf("c%d-", last)
	}
	l.mu.Unlock()
}

// wire returns a session's seq offset and turn id prefix.
func (l *sessionLog) wire(sessionID string) (int64, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.base[sessionID], l.turn[sessionID]
}

// onEvent is the engine's event sink: it runs on the turn's goroutine.
func (w *workspace) onEvent(ev planact.Event) {
	h := w.agent
	h.mu.Lock()
	switch ev.Kind {
	case planact.EventUsage:
		h.lastUsed = ev.Usage
	case planact.EventDone:
		h.loading = false // a turn that ended before any token came
	case planact.EventUser:
		if h.engine != nil {
			if m, err := h.engine.Mode(ev.SessionID); err == nil {
				h.lastMode = m
			}
		}
	}
	h.mu.Unlock()

	base, prefix := w.sessions.wire(ev.SessionID)
	ev.TurnID = prefix + ev.TurnID
	wire := WireEvent(ev, base)
	if err := w.journal.Append(ev.SessionID, wire); err != nil {
		w.s.log.Warn("could not journal an event", "session", ev.SessionID, "error", err)
	}
	ctx := context.Background()
	w.s.notify(ctx, protocol.MethodEvent, wire)
	switch ev.Kind {
	case planact.EventUser, planact.EventDone, planact.EventApproval, planact.EventUsage:
		w.monitor.poke()
		w.refreshStatus(ctx)
	}
}

// WireEvent converts an engine event to hearth/event's params, its seq
// offset by seqBase. `hearth run --json` prints the same form.
func WireEvent(ev planact.Event, seqBase int64) protocol.Event {
	out := protocol.Event{
		SessionID: ev.SessionID, TurnID: ev.TurnID, Seq: seqBase + ev.Seq, Kind: protocol.EventKind(ev.Kind),
		Text: ev.Text, Delta: ev.Delta,
		CallID: ev.CallID, Name: ev.Name, Args: ev.Args, Status: ev.Status, Output: ev.Output, Summary: ev.Summary,
		RequestID: ev.RequestID, Action: ev.Action, Title: ev.Title, Diff: ev.Diff, Command: ev.Command,
		ProposalID: ev.ProposalID, SnapshotID: ev.SnapshotID, Reason: ev.Reason, Message: ev.Message,
	}
	if !ev.Time.IsZero() {
		out.Time = ev.Time.UTC().Format(time.RFC3339Nano)
	}
	switch ev.Kind {
	case planact.EventTool:
		if len(out.Args) == 0 {
			out.Args = json.RawMessage("{}")
		}
	case planact.EventProposal:
		out.Files = toWireFiles(ev.Files)
	case planact.EventUsage:
		u := ev.Usage
		out.PromptTokens, out.CompletionTokens = ptr(u.PromptTokens), ptr(u.CompletionTokens)
		out.ContextTokens, out.ContextLimit = ptr(u.ContextTokens), ptr(u.ContextLimit)
	case planact.EventError:
		out.Retryable = ptr(ev.Retryable)
	}
	return out
}

func toWireFiles(files []planact.ProposalFile) []protocol.ProposalFile {
	out := make([]protocol.ProposalFile, 0, len(files))
	for _, f := range files {
		pf := protocol.ProposalFile{URI: uri.File(f.Path), Diff: f.Diff, Status: f.Status, Hunks: []protocol.ProposalHunk{}}
		for _, h := range f.Hunks {
			pf.Hunks = append(pf.Hunks, protocol.ProposalHunk{Index: h.Index, Range: lineRange(h.StartLine, h.EndLine), Diff: h.Diff, Status: h.Status})
		}
		out = append(out, pf)
	}
	return out
}

// lineRange is the LSP range of whole lines [start, end).
func lineRange(start, end int) lsp.Range {
	return lsp.Range{Start: lsp.Position{Line: uint32(start)}, End: lsp.Position{Line: uint32(end)}}
}

func ptr[T any](v T) *T { return &v }

// readHistory returns a session's journaled events.
func (w *workspace) readHistory(id string) ([]protocol.Event, error) {
	lines, err := w.journal.Read(id)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errUnknownSession(id)
	}
	if err != nil {
		return nil, err
	}
	events := make([]protocol.Event, 0, len(lines))
	for _, line := range lines {
		var ev protocol.Event
		if json.Unmarshal(line, &ev) == nil {
			events = append(events, ev)
		}
	}
	return events, nil
}
