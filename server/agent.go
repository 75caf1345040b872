package server

import (
	"context"
	"sync"

	"github.com/hearth-dev/hearth/internal/engine"
	"github.com/hearth-dev/hearth/llm"
	"github.com/hearth-dev/hearth/planact"
	"github.com/hearth-dev/hearth/vram"
)

// agentHost owns the planact engine of a workspace. The engine is built on
// the first turn, when the model, its capabilities and the context size are
// known; if Ollama is not reachable then, the turn fails with a clear error
// and the next turn tries again.
type agentHost struct {
	w *workspace

	// buildMu serialises building the engine; it is held across network
	// calls, so nothing else takes it.
	buildMu sync.Mutex

	mu       sync.Mutex // guards the fields below
	engine   *planact.Engine
	stale    bool   // the settings changed: rebuild the engine once it is idle
	model    string // the Plan model
	numCtx   int    // the window of every request of the engine's sessions
	loading  bool   // waiting for a model to load
	lastUsed planact.Usage
	lastMode planact.Mode // the mode of the most recent turn
}

func newAgentHost(w *workspace) *agentHost { return &agentHost{w: w} }

// engineFor returns the engine, building it if needed. note receives a line
// for the chat (which model was chosen and why).
func (h *agentHost) engineFor(ctx context.Context, note func(string)) (*planact.Engine, error) {
	h.buildMu.Lock()
	defer h.buildMu.Unlock()
	h.mu.Lock()
	old, stale := h.engine, h.stale
	h.mu.Unlock()
	if old != nil && (!stale || old.Busy()) {
		return old, nil
	}
	w := h.w
	b, err := engine.Build(ctx, engine.Options{
		Root:     w.root,
		Settings: w.s.currentSettings(),
		Store:    w.snapshots,
		Files:    w.s.docs,
		Writer:   editorWriter{w},
		GPU: func(ctx context.Context) vram.Reading {
			w.monitor.poll(ctx)
			_, r, _, _, _ := w.monitor.latest()
			return r
		},
		OnEvent: w.onEvent,
		OnWait:  h.onWait,
		Note:    note,
	})
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.engine, h.stale, h.model, h.numCtx = b.Engine, false, b.Model, b.NumCtx
	h.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return b.Engine, nil
}

// current returns the engine if it has been built.
func (h *agentHost) current() *planact.Engine {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engine
}

// reset marks the engine for rebuilding after a settings change that needs
// a new one (a model or the context size). A running turn finishes on the
// old engine, which keeps answering its approvals until then; the next turn
// after it gets the new one.
func (h *agentHost) reset() {
	h.mu.Lock()
	h.stale = true
	h.mu.Unlock()
}

func (h *agentHost) close() {
	h.mu.Lock()
	e := h.engine
	h.engine = nil
	h.mu.Unlock()
	if e != nil {
		e.Close()
	}
}

// onWait shows "loading model…" while the first token is slow to come.
func (h *agentHost) onWait(ev llm.WaitEvent) {
	h.mu.Lock()
	h.loading = ev.Phase == llm.WaitLoading
	h.mu.Unlock()
	h.w.refreshStatus(context.Background())
}
