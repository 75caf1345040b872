package vram

// This file is the one place where Hearth guesses the GPU memory a loaded
// model needs beyond its weights and KV cache. The constants follow what
// Ollama 0.17 sets aside when it decides how many layers go on the GPU; they
// are to be calibrated against real loads (Ollama's "memory" log lines and
// NVML) and changed here only.

// RuntimeReserveBytes is the memory Ollama keeps free on each CUDA card for
// the CUDA context and library workspaces (457 MiB in Ollama 0.17, its
// MinimumMemory for every non-Metal GPU).
const RuntimeReserveBytes int64 = 457 << 20

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

// Overhead is the allowance beyond weights and KV cache, in three parts.
type Overhead struct {
	// Runtime is RuntimeReserveBytes once per card.
	Runtime int64 `json:"runtimeBytes"`
	// LayerBuffer is one layer's weights and KV cache:
	// (weights + KV(numCtx)) / layers. Ollama keeps that much free as a
	// margin before placing layers.
	LayerBuffer int64 `json:"layerBufferBytes"`
	// Graph is the compute buffer, 4-byte floats for ComputeBatch tokens:
	//
	//	4 × ComputeBatch × max(embedding + vocab, numCtx × (heads + 1))
	//
	// The first term holds the hidden states and output logits; the second
	// the attention scores (every cached token against every head of every
	// batch token), which grows with the context and dominates past a few
	// thousand tokens. The two are not alive at once, hence the max. With
	// flash attention on a model that runs on Ollama's engine the scores
	// are never materialized and only the first term counts.
	Graph int64 `json:"graphBytes"`
}

// Total is the whole allowance.
func (o Overhead) Total() int64 { return o.Runtime + o.LayerBuffer + o.Graph }

// OverheadFor is the allowance for model s with the given weights at a
// context of numCtx tokens, on cards GPUs (at least one).
func OverheadFor(s Shape, weightsBytes int64, numCtx int, cache CacheType, flashAttention bool, cards int) Overhead {
	cards = max(cards, 1)
	kv := s.KVBytesPerToken(cache) * int64(numCtx)
	o := Overhead{Runtime: RuntimeReserveBytes * int64(cards)}
	if s.Layers > 0 {
		o.LayerBuffer = (weightsBytes + kv) / int64(s.Layers)
	}
	vocab := s.VocabSize
	if vocab <= 0 {
		vocab = DefaultVocabSize
	}
	hidden := int64(s.Embedding + vocab)
	scores := int64(numCtx) * int64(s.Heads+1)
	if flashAttention && s.SupportsFlashAttention() && ollamaEngineArchitectures[s.Architecture] {
		scores = 0
	}
	o.Graph = 4 * ComputeBatch * max(hidden, scores)
	return o
}
