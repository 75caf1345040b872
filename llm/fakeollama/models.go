package fakeollama

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Model is one model the fake knows, installed or pullable.
type Model struct {
	Name          string `json:"name"`
	Family        string `json:"family,omitempty"`
	ParameterSize string `json:"parameter_size,omitempty"`
	Quantization  string `json:"quantization_level,omitempty"`
	// Size is the file size in bytes, as /api/tags reports it.
	Size int64 `json:"size,omitempty"`
	// ContextLength is the trained context (model_info <arch>.context_length).
	ContextLength int `json:"context_length,omitempty"`
	// NumCtx is the Modelfile's PARAMETER num_ctx; 0 means unset.
	NumCtx int `json:"num_ctx,omitempty"`
	// Capabilities default to completion and tools.
	Capabilities []string `json:"capabilities,omitempty"`
	// The attention shape reported in model_info.
	BlockCount      int `json:"block_count,omitempty"`
	HeadCount       int `json:"head_count,omitempty"`
	HeadCountKV     int `json:"head_count_kv,omitempty"`
	EmbeddingLength int `json:"embedding_length,omitempty"`
	// SpillBytes of a loaded model sit in system RAM rather than VRAM
	// (/api/ps size minus size_vram).
	SpillBytes int64 `json:"spill_bytes,omitempty"`
	// NotInstalled models are missing from /api/tags until pulled.
	NotInstalled bool `json:"not_installed,omitempty"`
}

// DefaultModels is the catalogue when none is given: a 7B coder that
// supports tools, shaped like the real qwen2.5-coder:7b.
func DefaultModels() []Model {
	return []Model{{
		Name: "qwen2.5-coder:7b", Family: "qwen2", ParameterSize: "7.6B", Quantization: "Q4_K_M",
		Size: 4683087332, ContextLength: 32768,
		Capabilities: []string{"completion", "tools", "insert"},
		BlockCount:   28, HeadCount: 28, HeadCountKV: 4, EmbeddingLength: 3584,
	}}
}

// ParseModels reads a catalogue: {"models": [Model...]}.
func ParseModels(data []byte) ([]Model, error) {
	var doc struct {
		Models []Model `json:"models"`
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("fakeollama: models: %w", err)
	}
	for i, m := range doc.Models {
		if m.Name == "" {
			return nil, fmt.Errorf("fakeollama: models: entry %d has no name", i)
		}
	}
	return doc.Models, nil
}

// LoadModels reads a catalogue file.
func LoadModels(path string) ([]Model, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ms, err := ParseModels(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ms, nil
}

// withDefaults fills what a catalogue entry left out.
func (m Model) withDefaults() Model {
	m.Name = fullName(m.Name)
	if m.Family == "" {
		m.Family = "qwen2"
	}
	if m.Capabilities == nil {
		m.Capabilities = []string{"completion", "tools"}
	}
	if m.ContextLength == 0 {
		m.ContextLength = 32768
	}
	if m.Size == 0 {
		m.Size = 1 << 30
	}
	return m
}

// digest is a stable fake sha256 per model name.
func (m Model) digest() string {
	sum := sha256.Sum256([]byte(m.Name))
	return hex.EncodeToString(sum[:])
}

// kvBytes is the f16 KV cache of numCtx tokens for this shape.
func (m Model) kvBytes(numCtx int) int64 {
	if m.HeadCount == 0 {
		return 0
	}
	kv := m.HeadCountKV
	if kv == 0 {
		kv = m.HeadCount
	}
	return 2 * int64(m.BlockCount) * int64(kv) * int64(m.EmbeddingLength/m.HeadCount) * 2 * int64(numCtx)
}

func (m Model) has(capability string) bool {
	for _, c := range m.Capabilities {
		if c == capability {
			return true
		}
	}
	return false
}

// fullName adds ":latest" to an untagged name, as Ollama does.
func fullName(name string) string {
	last := name[strings.LastIndex(name, "/")+1:]
	if name != "" && !strings.Contains(last, ":") {
		return name + ":latest"
	}
	return name
}
