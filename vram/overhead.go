package vram

// This file is the one place where Hearth models the GPU memory a loaded
// model takes beyond its weights and KV cache. The figures follow Ollama
// 0.17.4's scheduler and were checked against real loads on an H200 (issue
// 9, docs/gpu-measurements.md): Ollama's own "kv cache" and "compute graph"
// log lines, /api/ps, llama.cpp's buffer sizes and NVML.

// RuntimeReserveBytes is the memory Ollama keeps free on each CUDA card for
// the CUDA context and library workspaces (457 MiB in Ollama 0.17, its
// MinimumMemory for every non-Metal GPU). It is part of what must be free
// for a load, not part of what the runner takes.
const RuntimeReserveBytes int64 = 457 << 20

// CUDARuntimeBytes is what the runner process takes on the card beyond its
// weights, KV cache and compute buffers: the CUDA context, cuBLAS's
// workspace and ggml's scratch pool. Measured at 730-735 MiB on an H200
// and an H100 (CUDA 13.0, driver 580) after long prompts; cards with fewer
// multiprocessors should need less (not measured), so there the figure
// errs on the safe side.
const CUDARuntimeBytes int64 = 730 << 20

// ComputeBatch is the number of tokens the compute buffers are sized for:
// Ollama's default num_batch.
const ComputeBatch = 512

// DefaultVocabSize stands in for a vocabulary /api/show does not report;
// it is Qwen2.5's padded vocabulary, the largest of the common coding
// models, so the guess errs on the safe side.
const DefaultVocabSize = 152064

// ollamaEngineArchitectures run on Ollama's own engine in Ollama 0.17
// rather than on its llama.cpp runner (OllamaEngineRequired). Only there
// does flash attention shrink what the scheduler sets aside: for llama.cpp
// models it budgets the full attention-score buffer whatever the setting.
var ollamaEngineArchitectures = map[string]bool{
	"bert": true, "deepseek2": true, "deepseekocr": true, "gemma3": true,
	"gemma3n": true, "gptoss": true, "gpt-oss": true, "llama4": true,
	"mistral3": true, "mllama": true, "nemotron_h": true,
	"nemotron_h_moe": true, "nomic-bert": true, "olmo3": true,
	"qwen25vl": true, "qwen3": true, "qwen3moe": true, "qwen35": true,
	"qwen35moe": true, "qwen3next": true, "qwen3vl": true,
	"qwen3vlmoe": true, "glm4moelite": true, "glmocr": true, "lfm2": true,
	"lfm2moe": true,
}

// Overhead is what Ollama's scheduler wants free beyond weights and KV
// cache before it puts every layer on the GPU, in three parts.
type Overhead struct {
	// Runtime is RuntimeReserveBytes once per card.
	Runtime int64 `json:"runtimeBytes"`
	// LayerBuffer is the first layer's weights plus one layer's KV cache,
	// which Ollama subtracts from free memory as a margin.
	LayerBuffer int64 `json:"layerBufferBytes"`
	// Graph is the compute graph the scheduler reserves while it places
	// layers: for models on the llama.cpp runner the larger of its
	// partial-offload and full-offload estimates (see graphEstimate).
	Graph int64 `json:"graphBytes"`
}

// Total is the whole allowance.
func (o Overhead) Total() int64 { return o.Runtime + o.LayerBuffer + o.Graph }

// graphEstimate is Ollama's estimate of a model's compute graph for a
// batch of ComputeBatch tokens (at most numCtx) at a context of numCtx:
// full is what it reports (and /api/ps counts) with every layer on the
// GPU; partial what a split load needs, which also holds a dequantized copy
// of the output matrix. The scheduler reserves the larger of the two while
// deciding the split. ollamaKV is Ollama's figure for the whole KV cache.
//
// Ollama keeps a formula per architecture. Hearth follows the two that
// cover the coding models it recommends, qwen2 and llama, and Ollama's
// fallback for models on the llama.cpp runner that have none (starcoder2,
// phi3, granite): the grouped-query factor × KV cache / 6. For models on
// Ollama's own engine, and the few llama.cpp architectures with formulas
// of their own (gemma2, command-r, phi2), it uses the general shape of
// those formulas: the hidden state and output logits (4 × batch × (width +
// vocab)) against the attention scores (4 × batch × numCtx × (heads + 1)),
// the scores left out when flash attention is on for an engine model.
func graphEstimate(s Shape, numCtx int, ollamaKV int64, flashAttention bool) (partial, full int64) {
	b, c := int64(min(ComputeBatch, max(numCtx, 1))), int64(numCtx)
	e, h := int64(s.Embedding), int64(s.Heads)
	v := int64(s.VocabSize)
	if v <= 0 {
		v = DefaultVocabSize
	}
	logits := 4 * b * (e + v)
	outputCopy := e * v * 105 / 128 // the output matrix dequantized for a split load
	switch {
	case s.Architecture == "qwen2":
		full = max(logits, 4*b*(1+2*e+c+c*h))
		partial = max(logits+outputCopy, 4*(b*(1+2*e+c*(1+h))+e*(1+c)))
		return partial, full
	case s.Architecture == "llama":
		full = max(logits, 4*b*(1+4*e+c*(1+h)))
		kvHeads, headLen := int64(s.KVHeads), int64(s.KeyLength)
		partial = 4*b*e + max(
			4*b*(1+e+max(c, e))+e*e*9/16+4*c*(b*h+headLen*kvHeads),
			logits+outputCopy)
		return partial, full
	case !ollamaEngineArchitectures[s.Architecture] && !ollamaGraphFormulas[s.Architecture] && s.KVHeads > 0:
		gqa := h / int64(s.KVHeads)
		full = gqa * ollamaKV / 6
		return full, full
	}
	scores := c * (h + 1)
	if ollamaEngineArchitectures[s.Architecture] && s.FlashAttentionOn(flashAttention) {
		scores = 0
	}
	full = 4 * b * max(e+v, scores)
	return full, full
}

// ollamaGraphFormulas are the llama.cpp-runner architectures besides qwen2
// and llama for which Ollama 0.17.4 has a graph formula of its own.
var ollamaGraphFormulas = map[string]bool{
	"gemma": true, "gemma2": true, "command-r": true, "phi2": true,
	"stablelm": true, "chatglm": true,
}

// computeAllocated is the compute buffer the runner really allocates, plus
// the scratch memory that grows with the context. On the llama.cpp runner
// Ollama 0.17 leaves flash attention on "auto", which
// llama.cpp turns on for a CUDA or Metal card whenever the model allows
// it; then the attention scores are never materialized and the buffer is
// the hidden state and logits plus the attention mask, whatever Ollama's
// estimate says (382 MiB at 32K for Qwen2.5-Coder-7B, where Ollama
// reports 1.8 GiB). With a quantized cache, flash attention also converts
// one layer's keys and values to f16 in ggml's scratch pool (64 MiB at 32K
// for that model, measured). Models on Ollama's own engine allocate what
// Ollama measured, which its estimate stands for.
func computeAllocated(s Shape, numCtx int, ollamaKV int64, cache CacheType, flashAttention bool) int64 {
	_, full := graphEstimate(s, numCtx, ollamaKV, flashAttention)
	if ollamaEngineArchitectures[s.Architecture] || !s.SupportsFlashAttention() {
		return full
	}
	b := int64(min(ComputeBatch, max(numCtx, 1)))
	v := int64(s.VocabSize)
	if v <= 0 {
		v = DefaultVocabSize
	}
	n := min(full, 4*b*(int64(s.Embedding)+v)+4*b*int64(numCtx))
	if cache != CacheF16 {
		n += int64(numCtx) * int64(s.KVHeads) * int64(s.KeyLength+s.ValueLength) * 2
	}
	return n
}
