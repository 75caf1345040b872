package doctor

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/hearth-dev/hearth/vram"
	"github.com/ollama/ollama/api"
)

// Ollama is the part of Ollama's client the doctor uses; *api.Client
// satisfies it, and tests use a fake.
type Ollama interface {
	Version(ctx context.Context) (string, error)
	List(ctx context.Context) (*api.ListResponse, error)
	ListRunning(ctx context.Context) (*api.ProcessResponse, error)
	Show(ctx context.Context, req *api.ShowRequest) (*api.ShowResponse, error)
}

// GPUProber reads the GPUs; *vram.Prober satisfies it.
type GPUProber interface {
	Probe(ctx context.Context) vram.Reading
}

// Options is what `hearth doctor` was asked.
type Options struct {
	Ollama    Ollama
	OllamaURL string
	// GPU reads the cards; nil means a vram.Prober with the real library.
	GPU GPUProber
	// VRAMBytes plans for a card of this size instead of the one present
	// (--vram SIZE); zero means the card present.
	VRAMBytes int64
	// CacheType and FlashAttention are the Ollama server's settings, as
	// Hearth's vram.* settings describe them.
	CacheType      vram.CacheType
	FlashAttention bool
	// PartialOffload also considers models that only fit with some layers
	// in system RAM (--partial-offload); by default the plan wants the
	// whole model on the GPU, since a spilled model runs several times
	// slower.
	PartialOffload bool
	// NumCtx predicts each model's footprint at this context (--num-ctx)
	// instead of at its recommended one; zero means the recommended one.
	NumCtx int
	// Timeout bounds each Ollama call; zero means ten seconds.
	Timeout time.Duration
}

// Report is everything `hearth doctor` says, as JSON or text.
type Report struct {
	Ollama   OllamaState     `json:"ollama"`
	GPUs     GPUs            `json:"gpus"`
	Settings Settings        `json:"settings"`
	Models   []Model         `json:"models"`
	Loaded   []LoadedModel   `json:"loaded"`
	Plan     []Candidate     `json:"plan"`
	Best     *Recommendation `json:"recommendation"`
}

// OllamaState is whether Ollama answered.
type OllamaState struct {
	URL       string `json:"url"`
	Reachable bool   `json:"reachable"`
	Version   string `json:"version,omitempty"`
	// Error is why Ollama, or one of its lists, could not be read.
	Error string `json:"error,omitempty"`
}

// GPUs is the reading the plan used, with its sums.
type GPUs struct {
	Source     vram.Source   `json:"source"`
	Devices    []vram.Device `json:"devices"`
	TotalBytes int64         `json:"totalBytes"`
	FreeBytes  int64         `json:"freeBytes"`
	// BudgetBytes is what a model may use: free memory plus what Ollama's
	// loaded models hold (vram.Budget), or the whole --vram size.
	BudgetBytes int64    `json:"budgetBytes"`
	Notes       []string `json:"notes,omitempty"`
}

// Settings are the server settings the plan assumed.
type Settings struct {
	CacheType      vram.CacheType `json:"cacheType"`
	FlashAttention bool           `json:"flashAttention"`
	PartialOffload bool           `json:"partialOffload"`
	// NumCtx is the context the footprints were predicted at (--num-ctx);
	// zero means each model's recommended one.
	NumCtx int `json:"numCtx,omitempty"`
}

// Model is one installed model, from /api/tags and /api/show.
type Model struct {
	Name          string `json:"name"`
	Family        string `json:"family"`
	Parameters    string `json:"parameters"`
	Quantization  string `json:"quantization"`
	SizeBytes     int64  `json:"sizeBytes"`
	ContextLength int    `json:"contextLength,omitempty"`
	// Problem says why the model has no plan entry (an embedding model,
	// metadata Hearth cannot read).
	Problem string `json:"problem,omitempty"`
}

// LoadedModel is one model in memory and where it sits.
type LoadedModel struct {
	Name          string    `json:"name"`
	SizeBytes     int64     `json:"sizeBytes"`
	VRAMBytes     int64     `json:"vramBytes"`
	VRAMPercent   int       `json:"vramPercent"`
	ContextLength int       `json:"contextLength"`
	ExpiresAt     time.Time `json:"expiresAt"`
}

// Run gathers the report. Nothing is fatal: an unreachable Ollama or a
// missing GPU is reported, and the plan is made with what is known.
func Run(ctx context.Context, o Options) Report {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	call := func() (context.Context, context.CancelFunc) { return context.WithTimeout(ctx, timeout) }

	r := Report{
		Ollama:   OllamaState{URL: o.OllamaURL},
		Settings: Settings{CacheType: o.CacheType, FlashAttention: o.FlashAttention, PartialOffload: o.PartialOffload, NumCtx: o.NumCtx},
		Models:   []Model{},
		Loaded:   []LoadedModel{},
		Plan:     []Candidate{},
	}
	if r.Settings.CacheType == "" {
		r.Settings.CacheType = vram.CacheF16
	}

	var loaded []vram.Loaded
	var installed []installedModel
	if o.Ollama != nil {
		c, cancel := call()
		v, err := o.Ollama.Version(c)
		cancel()
		if err != nil {
			r.Ollama.Error = err.Error()
		} else {
			r.Ollama.Reachable, r.Ollama.Version = true, v
		}
	} else {
		r.Ollama.Error = "no Ollama client"
	}
	if r.Ollama.Reachable {
		c, cancel := call()
		ps, err := o.Ollama.ListRunning(c)
		cancel()
		if err != nil {
			r.Ollama.Error = "listing loaded models: " + err.Error()
		}
		loaded = vram.Residency(ps)
		for _, m := range loaded {
			r.Loaded = append(r.Loaded, LoadedModel{
				Name: m.Name, SizeBytes: m.SizeBytes, VRAMBytes: m.VRAMBytes,
				VRAMPercent: percent(m.VRAMBytes, m.SizeBytes), ContextLength: m.ContextLength, ExpiresAt: m.ExpiresAt,
			})
		}
		installed = listInstalled(ctx, o.Ollama, call, &r)
	}

	var reading vram.Reading
	if o.VRAMBytes > 0 {
		reading = vram.Override(o.VRAMBytes)
	} else {
		p := o.GPU
		if p == nil {
			p = &vram.Prober{}
		}
		reading = vram.WithOllama(p.Probe(ctx), loaded)
	}
	if host := remoteHost(o.OllamaURL); host != "" && o.VRAMBytes <= 0 {
		reading.Notes = append(reading.Notes, "Ollama runs on "+host+": these are this machine's GPUs, not the server's; plan with --vram SIZE")
	}
	r.GPUs = GPUs{
		Source: reading.Source, Devices: reading.Devices, Notes: reading.Notes,
		TotalBytes: reading.Total(), FreeBytes: reading.Free(), BudgetBytes: vram.Budget(reading, loaded),
	}
	if r.GPUs.Devices == nil {
		r.GPUs.Devices = []vram.Device{}
	}

	r.Plan = plan(o, r.GPUs.BudgetBytes, max(len(reading.Devices), 1), installed)
	r.Best = recommend(r.Plan, o)
	return r
}

// installedModel is an installed model whose shape is known.
type installedModel struct {
	Name         string
	Quantization string
	SizeBytes    int64
	Shape        vram.Shape
	// Weights is the GPU/RAM split from the model's tensors; zero when
	// Ollama listed none.
	Weights vram.Weights
}

func listInstalled(ctx context.Context, ol Ollama, call func() (context.Context, context.CancelFunc), r *Report) []installedModel {
	c, cancel := call()
	list, err := ol.List(c)
	cancel()
	if err != nil {
		r.Ollama.Error = "listing installed models: " + err.Error()
		return nil
	}
	models := append([]api.ListModelResponse(nil), list.Models...)
	sort.Slice(models, func(i, j int) bool { return models[i].Name < models[j].Name })
	var out []installedModel
	for _, m := range models {
		name := m.Name
		if name == "" {
			name = m.Model
		}
		e := Model{
			Name: name, Family: m.Details.Family, Parameters: m.Details.ParameterSize,
			Quantization: m.Details.QuantizationLevel, SizeBytes: m.Size,
		}
		if m.RemoteHost != "" {
			e.Problem = "a cloud model: it runs elsewhere"
			r.Models = append(r.Models, e)
			continue
		}
		c, cancel := call()
		show, err := ol.Show(c, &api.ShowRequest{Model: name})
		cancel()
		if err != nil {
			e.Problem = fmt.Sprintf("no metadata: %v", err)
			r.Models = append(r.Models, e)
			continue
		}
		shape, err := vram.ShapeFromModelInfo(show.ModelInfo)
		vram.ShapeFromTensors(&shape, show.Tensors)
		e.ContextLength = shape.ContextLength
		if _, embed := show.ModelInfo[shape.Architecture+".pooling_type"]; embed {
			e.Problem = "an embedding model, not for chat"
		} else if err != nil {
			e.Problem = err.Error()
		} else {
			w, _ := vram.WeightsFromTensors(show.Tensors)
			out = append(out, installedModel{Name: name, Quantization: m.Details.QuantizationLevel, SizeBytes: m.Size, Shape: shape, Weights: w})
		}
		r.Models = append(r.Models, e)
	}
	return out
}

// remoteHost is the host of an Ollama URL that is not this machine, or "".
func remoteHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	h := u.Hostname()
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return ""
	}
	if ip := net.ParseIP(h); ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		return ""
	}
	return h
}

func percent(part, whole int64) int {
	if whole <= 0 {
		return 0
	}
	return int((part*100 + whole/2) / whole)
}
