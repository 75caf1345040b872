package vram

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"strings"
)

// CacheType is the element type of Ollama's KV cache (OLLAMA_KV_CACHE_TYPE).
type CacheType string

// The KV cache types Ollama supports.
const (
	CacheF16  CacheType = "f16"
	CacheQ8_0 CacheType = "q8_0"
	CacheQ4_0 CacheType = "q4_0"
)

// CacheTypes are the supported types, largest first.
var CacheTypes = []CacheType{CacheF16, CacheQ8_0, CacheQ4_0}

// ParseCacheType reads a KV cache type; empty means f16, Ollama's default.
func ParseCacheType(s string) (CacheType, error) {
	switch c := CacheType(strings.ToLower(strings.TrimSpace(s))); c {
	case "":
		return CacheF16, nil
	case CacheF16, CacheQ8_0, CacheQ4_0:
		return c, nil
	}
	return "", fmt.Errorf("KV cache type %q: want f16, q8_0 or q4_0", s)
}

// BytesPerElement is what one cached number costs. The quantized types are
// ggml blocks of 32 numbers: q8_0 is 32 int8 plus an f16 scale (34 bytes),
// q4_0 is 32 nibbles plus an f16 scale (18 bytes).
func (c CacheType) BytesPerElement() float64 {
	switch c {
	case CacheQ8_0:
		return 34.0 / 32
	case CacheQ4_0:
		return 18.0 / 32
	}
	return 2
}

// Shape is what the memory arithmetic needs to know about a model, read
// from the GGUF metadata that /api/show returns as model_info.
type Shape struct {
	Architecture string `json:"architecture"`
	Layers       int    `json:"layers"`
	Heads        int    `json:"heads"`
	KVHeads      int    `json:"kvHeads"`
	Embedding    int    `json:"embedding"`
	// KeyLength and ValueLength are the per-head sizes of what the cache
	// stores; for most models both are Embedding / Heads.
	KeyLength   int `json:"keyLength"`
	ValueLength int `json:"valueLength"`
	// ContextLength is the longest context the model was trained for;
	// Ollama never allocates more.
	ContextLength int `json:"contextLength"`
	// VocabSize sizes the output logits in the compute buffer; zero means
	// unknown (DefaultVocabSize is assumed).
	VocabSize int `json:"vocabSize,omitempty"`
	// KVLoRARank is DeepSeek-V2's compressed KV width (MLA); see
	// KVBytesPerToken for why it does not enter the arithmetic.
	KVLoRARank     int   `json:"kvLoraRank,omitempty"`
	ParameterCount int64 `json:"parameterCount,omitempty"`
	// TiedEmbeddings is true for a model without an output layer of its
	// own, whose output reuses the token-embedding table (the small
	// Qwen2.5s); the GPU then holds a copy of that table.
	TiedEmbeddings bool `json:"tiedEmbeddings,omitempty"`
}

// ollamaBytesPerElement is what Ollama 0.17's scheduler counts for one
// cached number: it takes q8_0 as one byte and q4_0 as half of one,
// leaving out the blocks' scales that the real cache holds (BytesPerElement).
// Its /api/ps size and its decision whether a model fits use this figure.
func (c CacheType) ollamaBytesPerElement() float64 {
	switch c {
	case CacheQ8_0:
		return 1
	case CacheQ4_0:
		return 0.5
	}
	return 2
}

// KVBytesPerToken is the KV cache one token of context costs:
//
//	layers × KV heads × (key length + value length) × bytes per element
//
// This is exact for grouped-query attention (Qwen2.5-Coder-7B at f16:
// 28 × 4 × (128 + 128) × 2 = 57,344 bytes), as llama.cpp sizes each
// layer's K and V rows as head length × KV heads.
//
// DeepSeek-V2 (architecture deepseek2) uses multi-head latent attention,
// which could cache only the compressed latent (kv_lora_rank 512 plus the
// 64 RoPE dimensions, 576 numbers per layer). Whether it does depends on how
// the GGUF was converted, and the GGUF says which in the same keys:
//   - GGUFs converted before llama.cpp's MLA support (Ollama's
//     deepseek-coder-v2 library models) store decompressed heads: 16 KV
//     heads, key length 192 (128 + 64 RoPE), value length 128. Ollama 0.17
//     runs deepseek2 on its own engine, which then caches K and V per head
//     exactly like that: 27 × 16 × (192 + 128) × 2 = 276,480 bytes a token
//     at f16 for DeepSeek-Coder-V2-Lite.
//   - GGUFs with attention.key_length_mla set store the latent: 1 KV head,
//     key length 576, value length 512, and both engines cache those:
//     27 × 1 × (576 + 512) × 2 = 58,752 bytes a token.
//
// So reading head_count_kv, key_length and value_length from the GGUF and
// applying the one formula is right for both; kv_lora_rank is kept only for
// the record.
func (s Shape) KVBytesPerToken(c CacheType) int64 {
	return int64(math.Ceil(s.kvElementsPerToken() * c.BytesPerElement()))
}

func (s Shape) kvElementsPerToken() float64 {
	return float64(s.Layers) * float64(s.KVHeads) * float64(s.KeyLength+s.ValueLength)
}

// SupportsFlashAttention is Ollama's test: flash attention needs keys and
// values of one length (DeepSeek-V2's 192/128 do not qualify).
func (s Shape) SupportsFlashAttention() bool {
	return s.KeyLength > 0 && s.KeyLength == s.ValueLength
}

// FlashAttentionOn says whether Ollama 0.17 runs the model with flash
// attention for the quantized-cache and scheduling decisions: when the user
// turned it on (OLLAMA_FLASH_ATTENTION=1, Hearth's vram.flashAttention), or
// by default for the architectures Ollama's own engine enables it for
// (qwen3, gemma3, mistral3 and others), and only for a model that supports
// it. (Models on the llama.cpp runner get "auto" otherwise, which the card
// decides at load; see computeAllocated.)
func (s Shape) FlashAttentionOn(userSet bool) bool {
	return (userSet || flashAttentionByDefault[s.Architecture]) && s.SupportsFlashAttention()
}

// flashAttentionByDefault are the architectures Ollama 0.17 runs with
// flash attention unless OLLAMA_FLASH_ATTENTION=0 (GGML.FlashAttention).
var flashAttentionByDefault = map[string]bool{
	"bert": true, "gemma3": true, "glm4moelite": true, "glmocr": true,
	"gptoss": true, "gpt-oss": true, "lfm2": true, "lfm2moe": true,
	"mistral3": true, "nemotron_h": true, "nemotron_h_moe": true,
	"olmo3": true, "qwen3": true, "qwen3moe": true, "qwen35": true,
	"qwen35moe": true, "qwen3next": true, "qwen3vl": true, "qwen3vlmoe": true,
}

// EffectiveCacheType is the cache type Ollama really uses. It quantizes the
// cache only when flash attention is on (see FlashAttentionOn); otherwise
// it logs a warning and keeps f16.
func EffectiveCacheType(s Shape, requested CacheType, flashAttention bool) CacheType {
	if requested == "" || requested == CacheF16 {
		return CacheF16
	}
	if !s.FlashAttentionOn(flashAttention) {
		return CacheF16
	}
	return requested
}

// Validate says what is missing for the arithmetic.
func (s Shape) Validate() error {
	var missing []string
	if s.Layers <= 0 {
		missing = append(missing, "block_count")
	}
	if s.KVHeads <= 0 {
		missing = append(missing, "attention.head_count_kv")
	}
	if s.KeyLength <= 0 || s.ValueLength <= 0 {
		missing = append(missing, "attention.key_length/value_length (or embedding_length and head_count)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("model %s: metadata lacks %s", cmp.Or(s.Architecture, "of unknown architecture"), strings.Join(missing, ", "))
	}
	return nil
}

// ShapeFromModelInfo reads a Shape from /api/show's model_info. Keys are
// prefixed with the architecture named in general.architecture. Where
// key_length/value_length are absent (qwen2, llama) the head length is
// embedding_length / head_count; where head_count_kv is absent the model
// has no grouped-query attention and it equals head_count. A per-layer
// array counts as its largest value.
func ShapeFromModelInfo(info map[string]any) (Shape, error) {
	arch, _ := info["general.architecture"].(string)
	if arch == "" {
		return Shape{}, errors.New("model_info has no general.architecture")
	}
	get := func(key string) int64 { return infoInt(info[arch+"."+key]) }
	s := Shape{
		Architecture:   arch,
		Layers:         int(get("block_count")),
		Heads:          int(get("attention.head_count")),
		KVHeads:        int(get("attention.head_count_kv")),
		Embedding:      int(get("embedding_length")),
		KeyLength:      int(get("attention.key_length")),
		ValueLength:    int(get("attention.value_length")),
		ContextLength:  int(get("context_length")),
		VocabSize:      int(get("vocab_size")),
		KVLoRARank:     int(get("attention.kv_lora_rank")),
		ParameterCount: infoInt(info["general.parameter_count"]),
	}
	if s.KVHeads == 0 {
		s.KVHeads = s.Heads
	}
	if s.Heads > 0 && s.Embedding > 0 {
		if s.KeyLength == 0 {
			s.KeyLength = s.Embedding / s.Heads
		}
		if s.ValueLength == 0 {
			s.ValueLength = s.Embedding / s.Heads
		}
	}
	if s.VocabSize == 0 {
		// Without verbose, /api/show nulls the token list, so the vocabulary
		// is known only where the GGUF also carries vocab_size.
		if toks, ok := info["tokenizer.ggml.tokens"].([]any); ok {
			s.VocabSize = len(toks)
		}
	}
	return s, s.Validate()
}

// infoInt reads a number from decoded JSON: a float64, an integer type, or
// a per-layer array (its largest element).
func infoInt(v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case float32:
		return int64(x)
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	case uint32:
		return int64(x)
	case uint64:
		return int64(x)
	case []any:
		var m int64
		for _, e := range x {
			m = max(m, infoInt(e))
		}
		return m
	}
	return 0
}
