package vram

import "testing"

// Ollama never allocates more context than the model was trained for, so
// neither does the prediction: asking a 32K model for 128K predicts 32K.
func TestPredictClampsToTheTrainedContext(t *testing.T) {
	s := qwen7B(t)
	in := FitInput{Shape: s, WeightsBytes: q8Weights, CacheType: CacheF16}
	long, trained := Predict(in, 131072), Predict(in, s.ContextLength)
	if long != trained || long.NumCtx != 32768 {
		t.Errorf("128K: %+v\nwant the 32K footprint %+v", long, trained)
	}
}

// Each card Ollama spreads a model over keeps its own minimum, layer
// buffer and compute graph, and runs its own CUDA context.
func TestPredictCountsEveryCard(t *testing.T) {
	in := FitInput{Shape: qwen7B(t), WeightsBytes: q8Weights, CacheType: CacheF16}
	one := Predict(in, 16384)
	in.Cards = 2
	two := Predict(in, 16384)
	o := one.Overhead
	if two.NeedBytes != one.NeedBytes+o.Runtime+o.LayerBuffer+o.Graph {
		t.Errorf("two cards need %d, want one card's %d plus its overhead %d", two.NeedBytes, one.NeedBytes, o.Total())
	}
	if two.UsedBytes != one.UsedBytes+one.ComputeBytes+CUDARuntimeBytes {
		t.Errorf("two cards use %d, want one card's %d plus a compute buffer and a CUDA context", two.UsedBytes, one.UsedBytes)
	}
	if two.OllamaBytes != one.OllamaBytes || two.KVBytes != one.KVBytes {
		t.Error("weights, KV cache and Ollama's own figure do not depend on the number of cards")
	}
}

// A llama.cpp-runner architecture without a formula in Ollama (starcoder2)
// gets Ollama's fallback: the grouped-query factor times the KV cache over
// six. StarCoder2-15B: 40 layers, 48 heads, 4 KV heads of 128.
func TestGraphFallbackForArchitecturesWithoutAFormula(t *testing.T) {
	s := Shape{Architecture: "starcoder2", Layers: 40, Heads: 48, KVHeads: 4, Embedding: 6144,
		KeyLength: 128, ValueLength: 128, ContextLength: 16384, VocabSize: 49152}
	p := Predict(FitInput{Shape: s, WeightsBytes: 16e9, CacheType: CacheF16}, 16384)
	kv := int64(40 * 4 * 256 * 2 * 16384)
	if want := 12 * kv / 6; p.GraphBytes != want || p.Overhead.Graph != want {
		t.Errorf("graph %d, reserved %d; want 12 × %d / 6 = %d", p.GraphBytes, p.Overhead.Graph, kv, want)
	}
}

// Ollama's engine runs qwen3 and gemma3 with flash attention unless told
// not to, so a quantized cache takes effect without OLLAMA_FLASH_ATTENTION
// and the attention scores drop out of the graph; qwen2 needs the setting.
func TestFlashAttentionByDefault(t *testing.T) {
	qwen3 := Shape{Architecture: "qwen3", Layers: 36, Heads: 32, KVHeads: 8, Embedding: 4096,
		KeyLength: 128, ValueLength: 128, ContextLength: 40960, VocabSize: 151936}
	if !qwen3.FlashAttentionOn(false) || EffectiveCacheType(qwen3, CacheQ8_0, false) != CacheQ8_0 {
		t.Error("qwen3: flash attention and a q8_0 cache should be on by default")
	}
	if p := Predict(FitInput{Shape: qwen3, WeightsBytes: 8e9, CacheType: CacheF16}, 32768); p.GraphBytes != 4*ComputeBatch*(4096+151936) {
		t.Errorf("qwen3 graph %d: want only the logits, no attention scores", p.GraphBytes)
	}
	qwen2 := qwen7B(t)
	if qwen2.FlashAttentionOn(false) || EffectiveCacheType(qwen2, CacheQ8_0, false) != CacheF16 {
		t.Error("qwen2: a quantized cache needs OLLAMA_FLASH_ATTENTION=1")
	}
}
