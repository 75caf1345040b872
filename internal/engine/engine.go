// Package engine assembles a planact engine from the settings and the
// domain packages (llm, actions, snapshot, vram), for both `hearth serve`
// and `hearth run`; it holds wiring only, no agent logic and no LSP.
package engine

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
	"github.com/hearth-dev/hearth/vram"
)

// Options are what Build needs besides the settings.
type Options struct {
	Root     string
	Settings settings.Settings
	// Store opens the workspace's snapshot store when first needed.
	Store func() (*snapshot.Store, error)
	// Files and Writer default to the disk (planact's defaults).
	Files  planact.FileSource
	Writer planact.Writer
	// GPU reads the GPU for choosing a model and sizing the context; nil
	// means no GPU is known.
	GPU     func(ctx context.Context) vram.Reading
	OnEvent func(planact.Event)
	// OnWait reports a slow first token ("loading model…").
	OnWait func(llm.WaitEvent)
	// Note receives a line for the user, such as which model was chosen.
	Note func(string)
}

// Built is an engine with what it was built from.
type Built struct {
	Engine *planact.Engine
	Client *llm.Client
	// Model is the Plan model; ActModel the Act one (often the same).
	Model, ActModel string
	// NumCtx is the context window of every request.
	NumCtx int
}

// Client returns an Ollama client configured from the settings.
func Client(cfg settings.Settings, onWait func(llm.WaitEvent)) (*llm.Client, error) {
	return llm.New(llm.Config{
		BaseURL:           cfg.OllamaURL(),
		KeepAlive:         settings.Duration(cfg.Ollama.KeepAlive, 30*time.Minute),
		Temperature:       &cfg.Model.Temperature,
		FirstTokenTimeout: settings.Duration(cfg.Ollama.FirstTokenTimeout, 5*time.Minute),
		StallTimeout:      settings.Duration(cfg.Ollama.StallTimeout, 90*time.Second),
		OnWait:            onWait,
	})
}

// Build chooses the model (the configured one, else the best coding model
// installed), reads its capabilities, fixes the context window for the
// engine's life, and builds the engine. Ollama must be reachable.
func Build(ctx context.Context, o Options) (*Built, error) {
	if o.Root == "" {
		return nil, errors.New("open a folder first: Hearth works inside a workspace folder")
	}
	if o.Note == nil {
		o.Note = func(string) {}
	}
	if o.GPU == nil {
		o.GPU = func(context.Context) vram.Reading { return vram.Reading{Source: vram.SourceNone} }
	}
	cfg := o.Settings
	base, err := Client(cfg, o.OnWait)
	if err != nil {
		return nil, err
	}
	// Reading the GPU starts NVML (about 19 ms of a `hearth run` on an
	// H100, issue 9); it runs while Ollama answers /api/show and is
	// waited for only where the reading is used.
	probed := make(chan vram.Reading, 1)
	go func() {
		// A panic in the GPU library must not take the server down from
		// a goroutine no handler recovers: it counts as no GPU.
		defer func() {
			if v := recover(); v != nil {
				probed <- vram.Reading{Source: vram.SourceNone, Notes: []string{fmt.Sprintf("reading the GPU failed: %v", v)}}
			}
		}()
		probed <- o.GPU(ctx)
	}()
	var reading vram.Reading
	readGPU := sync.OnceFunc(func() { reading = <-probed })
	plan := cfg.Models.Plan
	if plan == "" {
		readGPU()
		choice, err := base.ChooseModel(ctx, reading.Total())
		if err != nil {
			return nil, err
		}
		plan = choice.Model
		o.Note(fmt.Sprintf("Using %s, the best coding model installed (%s). Set `hearth.models.plan` to choose another.\n\n", plan, choice.Reason))
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
	readGPU()
	numCtx := NumCtx(ctx, cfg, base, planCaps, reading)
	client, err := base.WithNumCtx(numCtx)
	if err != nil {
		return nil, err
	}
	e, err := planact.NewEngine(planact.Config{
		Root:           o.Root,
		Model:          modelAdapter{client},
		Plan:           planact.ModelChoice{Name: plan, Tools: planCaps.Tools},
		Act:            planact.ModelChoice{Name: actCaps.Model, Tools: actCaps.Tools},
		NumCtx:         numCtx,
		Temperature:    cfg.Model.Temperature,
		AutoApprove:    cfg.AutoApprove,
		CommandTimeout: settings.Duration(cfg.Commands.Timeout, 2*time.Minute),
		OutputLimit:    cfg.Commands.OutputLimit,
		Editor:         Editor{Root: o.Root},
		Snapshots:      snapshots{o.Root, o.Store},
		Files:          o.Files,
		Writer:         o.Writer,
		Resolve:        ResolveExisting,
		OnEvent:        o.OnEvent,
	})
	if err != nil {
		return nil, err
	}
	return &Built{Engine: e, Client: client, Model: plan, ActModel: actCaps.Model, NumCtx: numCtx}, nil
}

// NumCtx picks the context window: the setting when set; else the largest
// stable size that fits in VRAM beside the model (vram's estimate); else the
// model's Modelfile num_ctx, else 8192. Never above what the model was
// trained for. It is decided once per engine, so Ollama never reloads the
// model for a new size mid-session.
func NumCtx(ctx context.Context, cfg settings.Settings, c *llm.Client, caps llm.Capabilities, reading vram.Reading) int {
	n := cfg.Model.NumCtx
	if n <= 0 && reading.Total() > 0 {
		var loaded []vram.Loaded
		if ps, err := c.ListRunning(ctx); err == nil {
			loaded = vram.Residency(ps)
		}
		if spec := ModelSpec(ctx, c, caps.Model, caps.Show); spec != nil {
			cache, _ := vram.ParseCacheType(cfg.VRAM.KVCacheType)
			fit := vram.Estimate(vram.FitInput{Shape: spec.Shape, WeightsBytes: spec.WeightsBytes, Weights: spec.Weights, CacheType: cache,
				FlashAttention: cfg.VRAM.FlashAttention, BudgetBytes: vram.Budget(reading, loaded), Cards: len(reading.Devices)})
			n = fit.RecommendedNumCtx
		}
	}
	if n <= 0 {
		n = caps.ModelfileNumCtx
	}
	if n <= 0 {
		n = 8192
	}
	if caps.ContextLength > 0 && n > caps.ContextLength {
		n = caps.ContextLength
	}
	return n
}

// ModelSpec reads a model's shape and size; nil when Ollama does not know
// it. show is its /api/show answer when the caller has one already; nil
// asks for it.
func ModelSpec(ctx context.Context, c *llm.Client, name string, show *api.ShowResponse) *vram.ModelSpec {
	if show == nil {
		var err error
		if show, err = c.Show(ctx, &api.ShowRequest{Model: name}); err != nil {
			return nil
		}
	}
	var size int64
	if list, err := c.List(ctx); err == nil {
		for _, m := range list.Models {
			if m.Name == name || m.Model == name {
				size = m.Size
			}
		}
	}
	spec, err := vram.SpecFromShow(name, show, size)
	if err != nil {
		return nil
	}
	return &spec
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
		return ModelError{e}
	}
	return err
}

// Warm loads a model ahead of a mode switch.
func (m modelAdapter) Warm(ctx context.Context, model string) error {
	return m.c.Prewarm(ctx, model, 0)
}

// ModelError is an llm failure as planact and the server read it.
type ModelError struct{ E *llm.Error }

func (m ModelError) Error() string         { return m.E.Message }
func (m ModelError) Unwrap() error         { return m.E }
func (m ModelError) Retryable() bool       { return m.E.Retryable }
func (m ModelError) UserMessage() string   { return m.E.Message }
func (m ModelError) ContextExceeded() bool { return m.E.Kind == llm.KindContextExceeded }

// ResolveExisting resolves a model's path inside the workspace with the
// actions package's rules (symlinks, near-miss names when unambiguous).
func ResolveExisting(root, p string) (string, error) {
	_, abs, err := actions.ResolvePath(root, p)
	return abs, err
}

// Editor computes edits with the actions package's forgiving matcher.
type Editor struct{ Root string }

// single is a FileSource that serves one file's current content (the
// editor's buffer as planact read it) and the disk for anything else.
type single struct {
	path    string
	content []byte
}

func (s single) ReadFile(p string) ([]byte, error) {
	if p == s.path {
		return s.content, nil
	}
	return os.ReadFile(p)
}

// Replace applies one search/replace through the matcher; a failure's
// error is the feedback the model reads.
func (a Editor) Replace(path, current, search, replace string) (planact.Change, error) {
	rel, err := filepath.Rel(a.Root, path)
	if err != nil {
		return planact.Change{}, err
	}
	edit := actions.Edit{Path: filepath.ToSlash(rel), Search: search, Replace: replace, Block: 1}
	res, err := actions.Prepare(a.Root, single{path, []byte(current)}, []actions.Edit{edit})
	if err != nil {
		return planact.Change{}, errors.New(res.Feedback())
	}
	if len(res.Changes) != 1 {
		return planact.Change{}, fmt.Errorf("the edit changed %d files, expected 1", len(res.Changes))
	}
	return a.change(path, current, string(res.Changes[0].New), false), nil
}

// Compare builds the change from current to proposed content.
func (a Editor) Compare(path, current, proposed string) (planact.Change, error) {
	_, err := os.Lstat(path)
	return a.change(path, current, proposed, errors.Is(err, os.ErrNotExist)), nil
}

// ApplyHunks keeps only the accepted hunks of a change.
func (a Editor) ApplyHunks(c planact.Change, accepted []int) (string, error) {
	return string(actions.ApplyHunks([]byte(c.Old), []byte(c.New), accepted)), nil
}

func (a Editor) change(path, old, new string, created bool) planact.Change {
	rel, _ := filepath.Rel(a.Root, path)
	ch := planact.Change{Path: path, Old: old, New: new, Created: created,
		Diff: actions.UnifiedDiff(filepath.ToSlash(rel), []byte(old), []byte(new))}
	for _, h := range actions.Hunks([]byte(old), []byte(new)) {
		ch.Hunks = append(ch.Hunks, planact.Hunk{StartLine: h.OldStart, EndLine: h.OldStart + h.OldLines, Diff: h.Diff})
	}
	return ch
}

// snapshots takes planact's snapshots in the workspace's store.
type snapshots struct {
	root  string
	store func() (*snapshot.Store, error)
}

func (s snapshots) Checkpoint(ctx context.Context, paths []string, m planact.SnapshotMeta) (string, error) {
	store, err := s.store()
	if err != nil {
		return "", err
	}
	rels := make([]string, 0, len(paths))
	for _, p := range paths {
		rel, err := filepath.Rel(s.root, p)
		if err != nil {
			return "", err
		}
		rels = append(rels, filepath.ToSlash(rel))
	}
	info, err := store.Checkpoint(ctx, rels, snapshot.Meta{Label: m.Label, SessionID: m.SessionID})
	return info.ID, err
}

func (s snapshots) Full(ctx context.Context, m planact.SnapshotMeta) (string, error) {
	store, err := s.store()
	if err != nil {
		return "", err
	}
	info, err := store.Full(ctx, snapshot.Meta{Label: m.Label, SessionID: m.SessionID})
	return info.ID, err
}
