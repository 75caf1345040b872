package server

import (
	"context"
	"sync"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/hearth-dev/hearth/internal/engine"
	"github.com/hearth-dev/hearth/llm"
	"github.com/hearth-dev/hearth/protocol"
	"github.com/hearth-dev/hearth/settings"
	"github.com/hearth-dev/hearth/vram"
)

// Poll intervals of the monitor: often while a turn runs, since memory and
// context change with every request, slowly when idle.
const (
	pollBusy = 2 * time.Second
	pollIdle = 15 * time.Second
	pollWait = 3 * time.Second // how long one poll may take
)

// monitor keeps the latest GPU and Ollama readings for the status item and
// the context-size choice. Its probes are read-only.
type monitor struct {
	w      *workspace
	prober *vram.Prober
	pokeCh chan struct{}

	mu        sync.Mutex // guards the fields below
	polled    bool       // at least one poll has finished
	reading   vram.Reading
	loaded    []vram.Loaded
	ollamaErr error
	specs     map[string]*vram.ModelSpec // by model name; nil when unknown
}

func newMonitor(w *workspace) *monitor {
	return &monitor{w: w, prober: &vram.Prober{Log: w.s.log}, pokeCh: make(chan struct{}, 1), specs: map[string]*vram.ModelSpec{}}
}

// poke asks for a poll now.
func (m *monitor) poke() {
	select {
	case m.pokeCh <- struct{}{}:
	default:
	}
}

func (m *monitor) run(ctx context.Context) {
	for {
		m.poll(ctx)
		m.w.refreshStatus(ctx)
		wait := pollIdle
		if e := m.w.agent.current(); e != nil && e.Busy() {
			wait = pollBusy
		}
		select {
		case <-ctx.Done():
			return
		case <-m.pokeCh:
		case <-time.After(wait):
		}
	}
}

func (m *monitor) close() { m.prober.Close() }

// client returns a short-lived client for read-only queries.
func (m *monitor) client(cfg settings.Settings) (*llm.Client, error) {
	return llm.New(llm.Config{BaseURL: cfg.OllamaURL(), Logger: m.w.s.log})
}

// poll reads the GPU and Ollama's loaded models, and the metadata of the
// session's model the first time it is seen.
func (m *monitor) poll(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, pollWait)
	defer cancel()
	reading := m.prober.Probe(ctx)
	var loaded []vram.Loaded
	c, err := m.client(m.w.s.currentSettings())
	if err == nil {
		var ps *api.ProcessResponse
		if ps, err = c.ListRunning(ctx); err == nil {
			loaded = vram.Residency(ps)
		}
	}
	if err != nil {
		err = llm.Classify(err)
	}
	reading = vram.WithOllama(reading, loaded)
	name := m.w.modelName()
	m.mu.Lock()
	m.polled, m.reading, m.loaded, m.ollamaErr = true, reading, loaded, err
	_, known := m.specs[name]
	m.mu.Unlock()
	if name != "" && !known && err == nil {
		spec := engine.ModelSpec(ctx, c, name, nil)
		m.mu.Lock()
		m.specs[name] = spec
		m.mu.Unlock()
	}
}

// snapshot returns the latest readings.
func (m *monitor) latest() (polled bool, r vram.Reading, loaded []vram.Loaded, ollamaErr error, spec *vram.ModelSpec) {
	name := m.w.modelName()
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.polled, m.reading, m.loaded, m.ollamaErr, m.specs[name]
}

// modelName is the model the workspace's sessions use: the engine's once
// built, else the configured Plan model.
func (w *workspace) modelName() string {
	w.agent.mu.Lock()
	name := w.agent.model
	w.agent.mu.Unlock()
	if name == "" {
		name = w.s.currentSettings().Models.Plan
	}
	return name
}

// fillStatus adds the engines' and the monitor's part of the status.
func (w *workspace) fillStatus(st *protocol.Status) {
	cfg := w.s.currentSettings()
	h := w.agent
	h.mu.Lock()
	engine, loading, numCtx, used := h.engine, h.loading, h.numCtx, h.lastUsed
	st.Model, st.Mode = h.model, protocol.Mode(h.lastMode)
	h.mu.Unlock()
	if st.Mode == "" {
		st.Mode = protocol.ModePlan
	}
	if st.Model == "" {
		st.Model = cfg.Models.Plan
	}
	st.Busy = engine != nil && engine.Busy()
	st.Loading = loading

	polled, reading, loaded, ollamaErr, spec := w.monitor.latest()
	st.GPU.Source = string(reading.Source)
	if st.GPU.Source == "" {
		st.GPU.Source = protocol.GPUSourceNone
	}
	for _, d := range reading.Devices {
		st.GPU.Devices = append(st.GPU.Devices, protocol.GPUDevice{Name: d.Name, TotalBytes: d.TotalBytes, UsedBytes: d.UsedBytes})
	}
	for _, l := range loaded {
		exp := ""
		if !l.ExpiresAt.IsZero() {
			exp = l.ExpiresAt.UTC().Format(time.RFC3339)
		}
		st.Models = append(st.Models, protocol.LoadedModel{Name: l.Name, SizeBytes: l.SizeBytes, VRAMBytes: l.VRAMBytes, ContextLength: l.ContextLength, ExpiresAt: exp})
	}
	st.Context.RequestedTokens = numCtx
	st.Context.UsedTokens = used.ContextTokens
	st.Context.LimitTokens = numCtx
	if !polled {
		st.Message = "checking the GPU and Ollama…"
		return
	}
	cache, _ := vram.ParseCacheType(cfg.VRAM.KVCacheType)
	a := vram.Assess(vram.Observation{
		GPU: reading, OllamaURL: cfg.OllamaURL(), OllamaErr: ollamaErr, Loaded: loaded,
		Model: spec, ModelName: st.Model, RequestedNumCtx: numCtx, UsedTokens: used.ContextTokens,
		CacheType: cache, FlashAttention: cfg.VRAM.FlashAttention,
	})
	st.Health, st.Message = string(a.Health), a.Message
	if a.ContextLimit > 0 {
		st.Context.LimitTokens = a.ContextLimit
	}
	st.Headroom = protocol.Headroom{Bytes: a.HeadroomBytes, MaxContextTokens: a.MaxContextTokens}
	if loading && st.Health == protocol.HealthOK {
		st.Message = "loading model " + st.Model + "…"
	}
}
