package doctor

import "github.com/hearth-dev/hearth/vram"

// catalogModel is a common coding model with its shape, so the plan can
// cover models that are not installed yet.
type catalogModel struct {
	Name string
	// Tag is the Ollama library tag without the quantization suffix; the
	// candidate's tag is Tag + "-" + lower-cased quantization (with _K
	// kept), as the library names them.
	Tag   string
	Shape vram.Shape
	// Quality orders models of the same quantization tier for code, from
	// their published coding benchmarks (HumanEval, MBPP, LiveCodeBench):
	// higher is better.
	Quality int
	Coder   bool
}

// quantizations are the builds the plan considers. Weights are
// parameters × vram.BitsPerWeight / 8; installed models use their real size
// instead.
var quantizations = []struct {
	Name string
	// Tier follows the seed guide for code: Q8_0 and Q6_K lose little
	// (tier 1), Q5_K_M some (2), Q4_K_M noticeably (3). A lower tier is
	// preferred over a bigger model: a 7B at Q8_0 before a 14B at Q4_K_M.
	Tier int
}{
	{"Q8_0", 1},
	{"Q6_K", 1},
	{"Q5_K_M", 2},
	{"Q4_K_M", 3},
}

// quantTier is the tier of an Ollama quantization_level; unknown or
// smaller ones rank last.
func quantTier(q string) int {
	switch q {
	case "F16", "BF16", "F32", "Q8_0", "Q6_K":
		return 1
	case "Q5_K_M", "Q5_K_S", "Q5_0", "Q5_1":
		return 2
	case "Q4_K_M", "Q4_K_S", "Q4_0", "Q4_1":
		return 3
	}
	return 4
}

func qwen(layers, heads, kvHeads, embedding, vocab int, params int64) vram.Shape {
	return vram.Shape{
		Architecture: "qwen2", Layers: layers, Heads: heads, KVHeads: kvHeads,
		Embedding: embedding, KeyLength: embedding / heads, ValueLength: embedding / heads,
		ContextLength: 32768, VocabSize: vocab, ParameterCount: params,
		// Qwen2.5 up to 3B reuses the embedding table as its output layer.
		TiedEmbeddings: params < 4e9,
	}
}

// catalog lists the models the plan always covers, with shapes from their
// published configurations.
var catalog = []catalogModel{
	{Name: "Qwen2.5-Coder 1.5B", Tag: "qwen2.5-coder:1.5b-instruct", Quality: 20, Coder: true,
		Shape: qwen(28, 12, 2, 1536, 151936, 1543714304)},
	{Name: "Qwen2.5-Coder 3B", Tag: "qwen2.5-coder:3b-instruct", Quality: 30, Coder: true,
		Shape: qwen(36, 16, 2, 2048, 151936, 3085938688)},
	{Name: "Qwen2.5-Coder 7B", Tag: "qwen2.5-coder:7b-instruct", Quality: 70, Coder: true,
		Shape: qwen(28, 28, 4, 3584, 152064, 7615616512)},
	{Name: "Qwen2.5-Coder 14B", Tag: "qwen2.5-coder:14b-instruct", Quality: 90, Coder: true,
		Shape: qwen(48, 40, 8, 5120, 152064, 14770033664)},
	{Name: "Qwen2.5-Coder 32B", Tag: "qwen2.5-coder:32b-instruct", Quality: 100, Coder: true,
		Shape: qwen(64, 40, 8, 5120, 152064, 32763876352)},
	{Name: "DeepSeek-Coder-V2-Lite 16B", Tag: "deepseek-coder-v2:16b-lite-instruct", Quality: 60, Coder: true,
		Shape: vram.Shape{Architecture: "deepseek2", Layers: 27, Heads: 16, KVHeads: 16, Embedding: 2048,
			KeyLength: 192, ValueLength: 128, ContextLength: 163840, VocabSize: 102400, KVLoRARank: 512,
			ParameterCount: 15706484224}},
	{Name: "Llama 3.1 8B", Tag: "llama3.1:8b-instruct", Quality: 40,
		Shape: vram.Shape{Architecture: "llama", Layers: 32, Heads: 32, KVHeads: 8, Embedding: 4096,
			KeyLength: 128, ValueLength: 128, ContextLength: 131072, VocabSize: 128256, ParameterCount: 8030261248}},
	{Name: "Codestral 22B", Tag: "codestral:22b-v0.1", Quality: 80, Coder: true,
		Shape: vram.Shape{Architecture: "llama", Layers: 56, Heads: 48, KVHeads: 8, Embedding: 6144,
			KeyLength: 128, ValueLength: 128, ContextLength: 32768, VocabSize: 32768, ParameterCount: 22247282688}},
}

// sameShape reports whether an installed model has a catalog model's
// architecture, so it inherits its name and quality (a fine-tune or
// another tag of the same weights).
func sameShape(a, b vram.Shape) bool {
	return a.Architecture == b.Architecture && a.Layers == b.Layers && a.Embedding == b.Embedding &&
		a.Heads == b.Heads && a.KVHeads == b.KVHeads
}
