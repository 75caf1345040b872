package planact

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ollama/ollama/api"
)

// session is one conversation: its transcript, mode and events.
type session struct {
	e  *Engine
	id string
	// rules are the project rules read when the session started; they are
	// not re-read, so the system prompt stays the same all session long.
	rules string

	// emitMu serialises emit, so OnEvent sees events in seq order.
	emitMu sync.Mutex

	mu   sync.Mutex // Guards the fields below.
	mode Mode
	// switched is the mode the user switched to since the last message,
	// told to the model with the next one.
	switched   Mode
	transcript []entry
	events     []Event
	seq        int64
	turns      int
	seqIDs     int // Numbers approval and proposal ids.
	current    *turn
}

// entry is one message of the transcript, with what compaction needs.
type entry struct {
	msg api.Message
	// summary is the one line a tool output shrinks to.
	summary string
	// tool is the name of the tool whose output msg is, "" otherwise.
	tool string
	// user marks a message the user wrote.
	user bool
	// shortened marks content compaction already cut.
	shortened bool
}

func newSession(e *Engine, id string) *session {
	return &session{e: e, id: id, mode: ModePlan, rules: readRules(e.cfg.Files, e.cfg.Root, maxRulesChars(e.cfg.NumCtx))}
}

// readRules reads AGENTS.md and .hearthrules at the workspace root.
func readRules(files FileSource, root string, limit int) string {
	var parts []string
	for _, name := range []string{"AGENTS.md", ".hearthrules"} {
		data, err := files.ReadFile(filepath.Join(root, name))
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				parts = append(parts, fmt.Sprintf("(%s could not be read: %v)", name, err))
			}
			continue
		}
		if s := strings.TrimSpace(string(data)); s != "" {
			parts = append(parts, s)
		}
	}
	s := strings.Join(parts, "\n\n")
	if len(s) > limit {
		s = s[:limit] + "\n(rules truncated)"
	}
	return s
}

// setMode reports whether the mode changed.
func (s *session) setMode(m Mode) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mode == m {
		return false
	}
	s.mode = m
	if len(s.transcript) > 0 {
		s.switched = m
	}
	return true
}

func (s *session) running() *turn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

func (s *session) startTurn(req ChatRequest) (*turn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current != nil {
		return nil, fmt.Errorf("%w: session %s is still working on turn %s; wait for it to finish or cancel it", ErrBusy, s.id, s.current.id)
	}
	s.turns++
	ctx, cancel := context.WithCancel(context.Background())
	t := &turn{
		s: s, e: s.e, id: fmt.Sprintf("t%d", s.turns), ctx: ctx, cancel: cancel,
		finished: make(chan struct{}),
		mode:     s.mode, text: req.Text,
		userContent: strings.TrimSpace(req.Text) + volatileContext(req.Context, s.switched),
	}
	s.switched = ""
	s.current = t
	return t, nil
}

func (s *session) endTurn(t *turn) {
	s.release(t)
	t.cancel()
	close(t.finished)
}

// release marks the session idle if t is its running turn.
func (s *session) release(t *turn) {
	s.mu.Lock()
	if s.current == t {
		s.current = nil
	}
	s.mu.Unlock()
}

// emit numbers an event, records it and hands it to OnEvent.
func (s *session) emit(turnID string, ev Event) {
	s.emitMu.Lock()
	defer s.emitMu.Unlock()
	s.mu.Lock()
	s.seq++
	ev.SessionID, ev.TurnID, ev.Seq, ev.Time = s.id, turnID, s.seq, s.e.cfg.Now()
	s.events = append(s.events, ev)
	s.mu.Unlock()
	s.e.cfg.OnEvent(ev)
}

func (s *session) appendEntry(en entry) {
	s.mu.Lock()
	s.transcript = append(s.transcript, en)
	s.mu.Unlock()
}

func (s *session) messages() []entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]entry(nil), s.transcript...)
}

func (s *session) setTranscript(t []entry) {
	s.mu.Lock()
	s.transcript = t
	s.mu.Unlock()
}
