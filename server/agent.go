package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/hearth-dev/hearth/actions"
	"github.com/hearth-dev/hearth/llm"
	"github.com/hearth-dev/hearth/planact"
	"github.com/hearth-dev/hearth/settings"
	"github.com/hearth-dev/hearth/snapshot"
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
	client   *llm.Client
	model    string // the Plan model
	numCtx   int    // the window of every request of the engine's sessions
	modeOf   map[string]planact.Mode
	loading  bool // waiting for a model to load
	lastUsed planact.Usage
	lastMode planact.Mode // the mode of the most recent turn
}

func newAgentHost(w *workspace) *agentHost {
	return &agentHost{w: w, modeOf: map[string]planact.Mode{}}
}

// engineFor returns the engine, building it if needed. note receives a line
// for the chat (which model was chosen and why).
func (h *agentHost) engineFor(ctx context.Context, note func(string)) (*planact.Engine, error) {
	h.buildMu.Lock()
	defer h.buildMu.Unlock()
	if e := h.current(); e != nil {
		return e, nil
	}
	if h.w.root == "" {
		return nil, errors.New("open a folder first: Hearth works inside a workspace folder")
	}
	cfg := h.w.s.currentSettings()
	base, err := llm.New(llm.Config{
		BaseURL:           cfg.OllamaURL(),
		KeepAlive:         settings.Duration(cfg.Ollama.KeepAlive, 30*time.Minute),
		Temperature:       &cfg.Model.Temperature,
		FirstTokenTimeout: settings.Duration(cfg.Ollama.FirstTokenTimeout, 5*time.Minute),
		StallTimeout:      settings.Duration(cfg.Ollama.StallTimeout, 90*time.Second),
		OnWait:            h.onWait,
		Logger:            h.w.s.log,
	})
	if err != nil {
		return nil, err
	}
	plan := cfg.Models.Plan
	if plan == "" {
		choice, err := base.ChooseModel(ctx, h.w.gpuBytes())
		if err != nil {
			return nil, err
		}
		plan = choice.Model
		note(fmt.Sprintf("Using %s, the best coding model installed (%s). Set `hearth.models.plan` to choose another.\n\n", plan, choice.Reason))
	}
	planCaps, err := base.Capabilities(ctx, plan)
	if err != nil {
		return nil, err
	}
	actCaps := planCaps
	if cfg.Models.Act != "" && cfg.Models.Act != plan {
		if actCaps, err = base.Capabilities(ctx, cfg.Models.Act); err != nil {
			return nil, err
		}
	}
	numCtx := h.w.chooseNumCtx(ctx, cfg, planCaps)
	client, err := base.WithNumCtx(numCtx)
	if err != nil {
		return nil, err
	}
	engine, err := planact.NewEngine(planact.Config{
		Root:           h.w.root,
		Model:          modelAdapter{client},
		Plan:           planact.ModelChoice{Name: plan, Tools: planCaps.Tools},
		Act:            planact.ModelChoice{Name: actCaps.Model, Tools: actCaps.Tools},
		NumCtx:         numCtx,
		Temperature:    cfg.Model.Temperature,
		AutoApprove:    h.w.autoApprove(cfg),
		CommandTimeout: settings.Duration(cfg.Commands.Timeout, 2*time.Minute),
		OutputLimit:    cfg.Commands.OutputLimit,
		Editor:         actionsEditor{root: h.w.root},
		Snapshots:      snapshotAdapter{h.w},
		Files:          h.w.s.docs,
		Writer:         editorWriter{h.w},
		Resolve:        resolveExisting,
		OnEvent:        h.w.onEvent,
		Logger:         h.w.s.log,
	})
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.engine, h.client, h.model, h.numCtx = engine, client, plan, numCtx
	h.mu.Unlock()
	return engine, nil
}

// current returns the engine if it has been built.
func (h *agentHost) current() *planact.Engine {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engine
}

// reset drops the engine after a settings change that needs a new one (a
// model or the context size); running turns finish on the old one.
func (h *agentHost) reset() {
	h.mu.Lock()
	e := h.engine
	h.engine = nil
	h.mu.Unlock()
	if e != nil && !e.Busy() {
		e.Close()
	}
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

// modelAdapter gives planact the llm client, with failures in the shape
// planact recognises (retryable, a message, context exceeded).
type modelAdapter struct{ c *llm.Client }

func (m modelAdapter) Chat(ctx context.Context, req *api.ChatRequest, fn api.ChatResponseFunc) error {
	err := m.c.Chat(ctx, req, fn)
	if err == nil {
		return nil
	}
	if e := llm.Classify(err); e != nil && e.Kind != llm.KindCancelled {
		return modelError{e}
	}
	return err
}

// Warm loads a model ahead of a mode switch.
func (m modelAdapter) Warm(ctx context.Context, model string) error {
	return m.c.Prewarm(ctx, model, 0)
}

type modelError struct{ e *llm.Error }

func (m modelError) Error() string         { return m.e.Message }
func (m modelError) Unwrap() error         { return m.e }
func (m modelError) Retryable() bool       { return m.e.Retryable }
func (m modelError) UserMessage() string   { return m.e.Message }
func (m modelError) ContextExceeded() bool { return m.e.Kind == llm.KindContextExceeded }

// resolveExisting resolves a model's path inside the workspace with the
// actions package's rules (symlinks, near-miss names when unambiguous).
func resolveExisting(root, p string) (string, error) {
	_, abs, err := actions.ResolvePath(root, p)
	return abs, err
}

// actionsEditor computes edits with the actions package's forgiving matcher.
type actionsEditor struct{ root string }

// single is a FileSource that serves one file's current content (the
// editor's buffer as planact read it) and the disk for anything else.
type single struct {
	path    string
	content []byte
	exists  bool
}

func (s single) ReadFile(p string) ([]byte, error) {
	if p == s.path {
		if !s.exists {
			return nil, os.ErrNotExist
		}
		return s.content, nil
	}
	return os.ReadFile(p)
}

func (a actionsEditor) Replace(path, current, search, replace string) (planact.Change, error) {
	rel, err := filepath.Rel(a.root, path)
	if err != nil {
		return planact.Change{}, err
	}
	edit := actions.Edit{Path: filepath.ToSlash(rel), Search: search, Replace: replace, Block: 1}
	res, err := actions.Prepare(a.root, single{path, []byte(current), true}, []actions.Edit{edit})
	if err != nil {
		return planact.Change{}, errors.New(res.Feedback())
	}
	if len(res.Changes) != 1 {
		return planact.Change{}, fmt.Errorf("the edit changed %d files, expected 1", len(res.Changes))
	}
	return a.change(path, current, string(res.Changes[0].New), false), nil
}

func (a actionsEditor) Compare(path, current, proposed string) (planact.Change, error) {
	_, err := os.Lstat(path)
	created := errors.Is(err, os.ErrNotExist)
	return a.change(path, current, proposed, created), nil
}

func (a actionsEditor) ApplyHunks(c planact.Change, accepted []int) (string, error) {
	return string(actions.ApplyHunks([]byte(c.Old), []byte(c.New), accepted)), nil
}

func (a actionsEditor) change(path, old, new string, created bool) planact.Change {
	rel, _ := filepath.Rel(a.root, path)
	ch := planact.Change{Path: path, Old: old, New: new, Created: created,
		Diff: actions.UnifiedDiff(filepath.ToSlash(rel), []byte(old), []byte(new))}
	for _, h := range actions.Hunks([]byte(old), []byte(new)) {
		ch.Hunks = append(ch.Hunks, planact.Hunk{StartLine: h.OldStart, EndLine: h.OldStart + h.OldLines, Diff: h.Diff})
	}
	return ch
}

// snapshotAdapter takes planact's snapshots in the workspace's store.
type snapshotAdapter struct{ w *workspace }

func (s snapshotAdapter) Checkpoint(ctx context.Context, paths []string, m planact.SnapshotMeta) (string, error) {
	store, err := s.w.snapshots()
	if err != nil {
		return "", err
	}
	rels := make([]string, 0, len(paths))
	for _, p := range paths {
		rel, err := filepath.Rel(s.w.root, p)
		if err != nil {
			return "", err
		}
		rels = append(rels, filepath.ToSlash(rel))
	}
	info, err := store.Checkpoint(ctx, rels, snapshot.Meta{Label: m.Label, SessionID: m.SessionID})
	return info.ID, err
}

func (s snapshotAdapter) Full(ctx context.Context, m planact.SnapshotMeta) (string, error) {
	store, err := s.w.snapshots()
	if err != nil {
		return "", err
	}
	info, err := store.Full(ctx, snapshot.Meta{Label: m.Label, SessionID: m.SessionID})
	return info.ID, err
}
