package vram

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ollama/ollama/api"
)

func loadShow(t *testing.T, file string) *api.ShowResponse {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	var resp api.ShowResponse
	if err := json.Unmarshal(b, &resp); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return &resp
}

func TestKVBytesPerToken(t *testing.T) {
	tests := []struct {
		file                  string
		arch                  string
		f16, q8, q4           int64
		layers, kvHeads, k, v int
		ctxLen                int
	}{
		// 28 × 4 × (128 + 128) × 2: the Ollama rig's runner log agrees.
		{"show_qwen2.5-coder-7b.json", "qwen2", 57344, 30464, 16128, 28, 4, 128, 128, 32768},
		// 48 × 8 × 256 × 2.
		{"show_qwen2.5-14b.json", "qwen2", 196608, 104448, 55296, 48, 8, 128, 128, 32768},
		// 32 × 8 × 256 × 2.
		{"show_llama3.1-8b.json", "llama", 131072, 69632, 36864, 32, 8, 128, 128, 131072},
		// Decompressed MLA heads as Ollama's library GGUF stores them:
		// 27 × 16 × (192 + 128) × 2.
		{"show_deepseek-coder-v2-lite.json", "deepseek2", 276480, 146880, 77760, 27, 16, 192, 128, 163840},
		// The latent of an MLA-converted GGUF: 27 × 1 × (576 + 512) × 2.
		{"show_deepseek-v2-lite-mla.json", "deepseek2", 58752, 31212, 16524, 27, 1, 576, 512, 163840},
		// The rig's recording: 2 × 2 × (16 + 16) × 2 = 256 B, 2 MiB at 8192
		// as its runner logged.
		{"show_tiny-qwen.json", "qwen2", 256, 136, 72, 2, 2, 16, 16, 32768},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, err := ShapeFromModelInfo(loadShow(t, tt.file).ModelInfo)
			if err != nil {
				t.Fatal(err)
			}
			if s.Architecture != tt.arch || s.Layers != tt.layers || s.KVHeads != tt.kvHeads ||
				s.KeyLength != tt.k || s.ValueLength != tt.v || s.ContextLength != tt.ctxLen {
				t.Fatalf("shape = %+v", s)
			}
			for c, want := range map[CacheType]int64{CacheF16: tt.f16, CacheQ8_0: tt.q8, CacheQ4_0: tt.q4} {
				if got := s.KVBytesPerToken(c); got != want {
					t.Errorf("KVBytesPerToken(%s) = %d, want %d", c, got, want)
				}
			}
		})
	}
}

func TestEffectiveCacheType(t *testing.T) {
	qwen, _ := ShapeFromModelInfo(loadShow(t, "show_qwen2.5-coder-7b.json").ModelInfo)
	ds, _ := ShapeFromModelInfo(loadShow(t, "show_deepseek-coder-v2-lite.json").ModelInfo)
	tests := []struct {
		s    Shape
		req  CacheType
		fa   bool
		want CacheType
	}{
		{qwen, CacheQ8_0, true, CacheQ8_0},
		{qwen, CacheQ4_0, true, CacheQ4_0},
		{qwen, CacheQ8_0, false, CacheF16}, // Ollama needs flash attention to quantize
		{qwen, "", true, CacheF16},
		{ds, CacheQ8_0, true, CacheF16}, // keys 192 ≠ values 128: no flash attention
	}
	for _, tt := range tests {
		if got := EffectiveCacheType(tt.s, tt.req, tt.fa); got != tt.want {
			t.Errorf("EffectiveCacheType(%s, %s, fa=%v) = %s, want %s", tt.s.Architecture, tt.req, tt.fa, got, tt.want)
		}
	}
}

func TestShapeFromModelInfoErrors(t *testing.T) {
	if _, err := ShapeFromModelInfo(map[string]any{"qwen2.block_count": 28.0}); err == nil {
		t.Error("no architecture: want an error")
	}
	_, err := ShapeFromModelInfo(map[string]any{"general.architecture": "bert"})
	if err == nil {
		t.Fatal("no layers or heads: want an error")
	}
	for _, want := range []string{"block_count", "head_count_kv"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q should name %s", err, want)
		}
	}
	// A per-layer head count array counts as its largest element; missing
	// KV heads mean plain multi-head attention.
	s, err := ShapeFromModelInfo(map[string]any{
		"general.architecture": "x", "x.block_count": 2.0, "x.embedding_length": 64.0,
		"x.attention.head_count": []any{2.0, 4.0},
	})
	if err != nil || s.KVHeads != 4 || s.KeyLength != 16 {
		t.Errorf("shape = %+v, %v", s, err)
	}
}

func TestParseCacheType(t *testing.T) {
	for in, want := range map[string]CacheType{"": CacheF16, "F16": CacheF16, " q8_0": CacheQ8_0, "q4_0": CacheQ4_0} {
		if got, err := ParseCacheType(in); err != nil || got != want {
			t.Errorf("ParseCacheType(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseCacheType("q5_1"); err == nil {
		t.Error("q5_1: want an error")
	}
}

func TestSpecFromShow(t *testing.T) {
	show := loadShow(t, "show_qwen2.5-coder-7b.json")
	s, err := SpecFromShow("qwen2.5-coder:7b", show, 0)
	// 7,615,616,512 parameters × 4.85 bits (Q4_K_M) / 8 = 4,616,967,510.
	if err != nil || s.Quantization != "Q4_K_M" || s.WeightsBytes != 4616967510 || s.Shape.Layers != 28 {
		t.Fatalf("SpecFromShow = %+v, %v", s, err)
	}
	if s, _ := SpecFromShow("x", show, 4683087332); s.WeightsBytes != 4683087332 {
		t.Errorf("a known size must win: %d", s.WeightsBytes)
	}
	if _, err := SpecFromShow("x", &api.ShowResponse{}, 0); err == nil {
		t.Error("empty model_info: want an error")
	}
}
