package server

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"go.lsp.dev/jsonrpc2"

	"github.com/hearth-dev/hearth/llm"
	"github.com/hearth-dev/hearth/planact"
	"github.com/hearth-dev/hearth/protocol"
)

func errUnknownSession(id string) error {
	return jsonrpc2.Errorf(codeRequestFailed, "unknown session %q", id)
}

// failed turns a domain error into a RequestFailed answer.
func failed(err error) error {
	var rpcErr *jsonrpc2.Error
	if errors.As(err, &rpcErr) {
		return err
	}
	return jsonrpc2.Errorf(codeRequestFailed, "%v", err)
}

// chat starts a turn. When the engine cannot be built (Ollama down, no
// model), the turn still exists: it reports the error as events, so the chat
// shows it where the user looks, and the next message tries again.
func (s *Server) chat(ctx context.Context, p *protocol.ChatParams) (*protocol.ChatResult, error) {
	ws, err := s.workspace()
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(p.Text) == "" {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: text is empty")
	}
	if p.Mode != "" && p.Mode != protocol.ModePlan && p.Mode != protocol.ModeAct {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: mode %q is not plan or act", p.Mode)
	}
	return ws.startTurn(ctx, planact.ChatRequest{
		SessionID: p.SessionID, Text: p.Text, Mode: planact.Mode(p.Mode), Context: ws.chatContext(p.Context),
	})
}

func (w *workspace) startTurn(ctx context.Context, req planact.ChatRequest) (*protocol.ChatResult, error) {
	var notes []string
	engine, err := w.agent.engineFor(ctx, func(s string) { notes = append(notes, s) })
	if err != nil {
		return w.failedTurn(req, err)
	}
	if req.SessionID != "" {
		if _, err := engine.Mode(req.SessionID); errors.Is(err, planact.ErrUnknownSession) {
			w.sessions.continueSession(req.SessionID)
		}
	}
	sid, tid, err := engine.Chat(req)
	if err != nil {
		return nil, failed(err)
	}
	_, prefix := w.sessions.wire(sid)
	tid = prefix + tid
	for _, n := range notes {
		// Said once, live: not journaled, since it has no place in the
		// session's seq order.
		w.s.notify(ctx, protocol.MethodEvent, protocol.Event{SessionID: sid, TurnID: tid, Kind: protocol.EventText, Delta: n, Time: time.Now().UTC().Format(time.RFC3339Nano)})
	}
	return &protocol.ChatResult{SessionID: sid, TurnID: tid}, nil
}

// failedTurn reports a turn that could not start: the user's message, an
// error event and done, all journaled like any turn.
func (w *workspace) failedTurn(req planact.ChatRequest, cause error) (*protocol.ChatResult, error) {
	sid := req.SessionID
	if sid == "" {
		sid = "s-" + time.Now().UTC().Format("20060102-150405") + fmt.Sprintf("-%06x", time.Now().UnixNano()&0xffffff)
	}
	w.sessions.continueSession(sid)
	msg, retryable := cause.Error(), false
	var me interface {
		Retryable() bool
		UserMessage() string
	}
	if errors.As(cause, &me) {
		msg, retryable = me.UserMessage(), me.Retryable()
	} else if e := llm.Classify(cause); e != nil {
		msg, retryable = e.Message, e.Retryable
	}
	now := time.Now()
	const tid = "t1" // unique: continueSession prefixes it when the session has a past
	for i, ev := range []planact.Event{
		{Kind: planact.EventUser, Text: req.Text},
		{Kind: planact.EventError, Message: msg, Retryable: retryable},
		{Kind: planact.EventDone, Reason: planact.DoneError, Summary: msg},
	} {
		ev.SessionID, ev.TurnID, ev.Seq, ev.Time = sid, tid, int64(i+1), now
		w.onEvent(ev)
	}
	_, prefix := w.sessions.wire(sid)
	return &protocol.ChatResult{SessionID: sid, TurnID: prefix + tid}, nil
}

// chatContext converts what the user attached.
func (w *workspace) chatContext(c *protocol.ChatContext) *planact.ChatContext {
	out := &planact.ChatContext{Time: time.Now()}
	for path := range w.s.docs.openPaths() {
		if rel, err := filepath.Rel(w.root, path); err == nil && !strings.HasPrefix(rel, "..") {
			out.OpenFiles = append(out.OpenFiles, filepath.ToSlash(rel))
		}
	}
	if c == nil {
		return out
	}
	for _, u := range c.URIs {
		if p, err := filePath(u); err == nil {
			if rel, err := filepath.Rel(w.root, p); err == nil && !strings.HasPrefix(rel, "..") {
				out.OpenFiles = append(out.OpenFiles, filepath.ToSlash(rel))
			}
		}
	}
	if c.Selection != nil {
		if p, err := filePath(c.Selection.URI); err == nil {
			out.Selection = w.selection(p, int(c.Selection.Range.Start.Line), int(c.Selection.Range.End.Line))
		}
	}
	return out
}

// selection reads lines [start, end] (0-based) of path for the model.
func (w *workspace) selection(path string, start, end int) *planact.Selection {
	rel, err := filepath.Rel(w.root, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return nil
	}
	data, err := w.s.docs.ReadFile(path)
	if err != nil {
		return nil
	}
	lines := strings.Split(string(data), "\n")
	if start < 0 || start >= len(lines) {
		return nil
	}
	if end >= len(lines) {
		end = len(lines) - 1
	}
	if end < start {
		end = start
	}
	return &planact.Selection{Path: filepath.ToSlash(rel), StartLine: start + 1, EndLine: end + 1, Text: strings.Join(lines[start:end+1], "\n")}
}

func (s *Server) engine() (*planact.Engine, error) {
	ws, err := s.workspace()
	if err != nil {
		return nil, err
	}
	e := ws.agent.current()
	if e == nil {
		return nil, jsonrpc2.Errorf(codeRequestFailed, "no turn has run yet")
	}
	return e, nil
}

func (s *Server) approve(ctx context.Context, p *protocol.ApproveParams) (*protocol.Empty, error) {
	if p.RequestID == "" {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: requestId is missing")
	}
	e, err := s.engine()
	if err != nil {
		return nil, err
	}
	if err := e.Approve(p.RequestID, p.Approved, p.Feedback); err != nil {
		return nil, failed(err)
	}
	return &protocol.Empty{}, nil
}

func (s *Server) cancel(ctx context.Context, p *protocol.CancelParams) (*protocol.Empty, error) {
	if p.SessionID == "" {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: sessionId is missing")
	}
	e, err := s.engine()
	if err != nil {
		return &protocol.Empty{}, nil // nothing has run, so nothing to cancel
	}
	if err := e.Cancel(p.SessionID); err != nil && !errors.Is(err, planact.ErrUnknownSession) {
		return nil, failed(err)
	}
	return &protocol.Empty{}, nil
}

func (s *Server) setMode(ctx context.Context, p *protocol.SetModeParams) (*protocol.Empty, error) {
	if p.Mode != protocol.ModePlan && p.Mode != protocol.ModeAct {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: mode %q is not plan or act", p.Mode)
	}
	ws, err := s.workspace()
	if err != nil {
		return nil, err
	}
	e, err := ws.agent.engineFor(ctx, func(string) {})
	if err != nil {
		return nil, failed(err)
	}
	if err := e.SetMode(p.SessionID, planact.Mode(p.Mode)); err != nil {
		return nil, failed(err)
	}
	ws.agent.mu.Lock()
	ws.agent.lastMode = planact.Mode(p.Mode)
	ws.agent.mu.Unlock()
	ws.refreshStatus(ctx)
	return &protocol.Empty{}, nil
}

func (s *Server) history(ctx context.Context, p *protocol.HistoryParams) (*protocol.HistoryResult, error) {
	ws, err := s.workspace()
	if err != nil {
		return nil, err
	}
	if p.SessionID == "" {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: sessionId is missing")
	}
	events, err := ws.readHistory(p.SessionID)
	if err != nil {
		return nil, failed(err)
	}
	return &protocol.HistoryResult{Events: events}, nil
}

func (s *Server) sessions(ctx context.Context, _ *protocol.Empty) (*protocol.SessionsResult, error) {
	ws, err := s.workspace()
	if err != nil {
		return nil, err
	}
	list, err := ws.journal.Sessions()
	if err != nil {
		return nil, failed(err)
	}
	out := &protocol.SessionsResult{Sessions: []protocol.SessionInfo{}}
	for i, sess := range list {
		if i == 100 {
			break
		}
		info := protocol.SessionInfo{ID: sess.ID, Mode: protocol.ModePlan, UpdatedAt: sess.UpdatedAt.UTC().Format(time.RFC3339)}
		if events, err := ws.readHistory(sess.ID); err == nil {
			for _, ev := range events {
				if ev.Kind == protocol.EventUser && info.Title == "" {
					info.Title = shorten(ev.Text, 80)
				}
			}
		}
		if e := ws.agent.current(); e != nil {
			if m, err := e.Mode(sess.ID); err == nil {
				info.Mode = protocol.Mode(m)
			}
		}
		out.Sessions = append(out.Sessions, info)
	}
	return out, nil
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
