package vram

import (
	"strings"
	"time"

	"github.com/ollama/ollama/api"
)

// Loaded is one model Ollama holds in memory, from /api/ps.
type Loaded struct {
	Name string `json:"name"`
	// SizeBytes is the whole footprint (weights, KV cache, compute
	// buffers); VRAMBytes the part on the GPU. The rest sits in system RAM.
	SizeBytes int64 `json:"sizeBytes"`
	VRAMBytes int64 `json:"vramBytes"`
	// ContextLength is the context window Ollama allocated (num_ctx).
	ContextLength int       `json:"contextLength"`
	ExpiresAt     time.Time `json:"expiresAt"`
	Family        string    `json:"family,omitempty"`
	ParameterSize string    `json:"parameterSize,omitempty"`
	Quantization  string    `json:"quantization,omitempty"`
}

// SpilledBytes is the part of the model in system RAM.
func (l Loaded) SpilledBytes() int64 { return max(l.SizeBytes-l.VRAMBytes, 0) }

// SpilledFraction is the share of the model in system RAM, 0 to 1.
func (l Loaded) SpilledFraction() float64 {
	if l.SizeBytes <= 0 {
		return 0
	}
	return float64(l.SpilledBytes()) / float64(l.SizeBytes)
}

// Residency turns Ollama's /api/ps answer into Loaded models; nil gives
// none.
func Residency(ps *api.ProcessResponse) []Loaded {
	if ps == nil {
		return nil
	}
	out := make([]Loaded, 0, len(ps.Models))
	for _, m := range ps.Models {
		name := m.Name
		if name == "" {
			name = m.Model
		}
		out = append(out, Loaded{
			Name:          name,
			SizeBytes:     m.Size,
			VRAMBytes:     m.SizeVRAM,
			ContextLength: m.ContextLength,
			ExpiresAt:     m.ExpiresAt,
			Family:        m.Details.Family,
			ParameterSize: m.Details.ParameterSize,
			Quantization:  m.Details.QuantizationLevel,
		})
	}
	return out
}

// FindLoaded returns the loaded model of the given name. Case is ignored and
// a name without a tag means its ":latest", as in Ollama.
func FindLoaded(loaded []Loaded, name string) (Loaded, bool) {
	want := normalizeModelName(name)
	for _, m := range loaded {
		if normalizeModelName(m.Name) == want {
			return m, true
		}
	}
	return Loaded{}, false
}

func normalizeModelName(n string) string {
	n = strings.ToLower(strings.TrimSpace(n))
	if i := strings.LastIndex(n, "/"); !strings.Contains(n[max(i, 0):], ":") {
		n += ":latest"
	}
	return n
}

// OllamaVRAM is what Ollama's loaded models hold on the GPU.
func OllamaVRAM(loaded []Loaded) int64 {
	var n int64
	for _, m := range loaded {
		n += m.VRAMBytes
	}
	return n
}
