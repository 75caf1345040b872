package vram

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ollama/ollama/api"
)

// Weights says where a model's weights go when Ollama loads every layer on
// the GPU. A GGUF file is not all GPU memory: llama.cpp and Ollama keep the
// token-embedding table in system RAM (a lookup needs no matrix work) and
// offload the repeating layers and the output layer. For Qwen2.5-Coder-7B at
// Q8_0 the table is 552 MiB of the 7,718 MiB file, which a GPU never holds;
// models with tied embeddings (the small Qwen2.5s) put a copy of it on the
// GPU as their output layer instead.
type Weights struct {
	// GPUBytes are the repeating layers plus the output layer and its norm:
	// what the GPU holds with every layer offloaded.
	GPUBytes int64 `json:"gpuBytes"`
	// InputBytes is the token-embedding table (and any other input
	// tensors), which stays in system RAM.
	InputBytes int64 `json:"inputBytes"`
	// LayerBytes is the first repeating layer: Ollama keeps that much free
	// (with one layer's KV cache) as a margin before it places layers.
	LayerBytes int64 `json:"layerBytes"`
	// Exact is true when the split was summed from the model's tensors, and
	// false when it was estimated from the file size and shape.
	Exact bool `json:"exact"`
}

// ggmlBlock is how a ggml tensor type packs numbers: elems values in bytes
// bytes. The K-quants work on super-blocks of 256.
type ggmlBlock struct{ elems, bytes int64 }

// ggmlBlocks are the tensor types by the names /api/show reports (ggml's own
// names). Ollama 0.17.4 reports the IQ types as "unknown"; a model with one
// falls back to the estimate.
var ggmlBlocks = map[string]ggmlBlock{
	"F64": {1, 8}, "F32": {1, 4}, "F16": {1, 2}, "BF16": {1, 2},
	"Q4_0": {32, 18}, "Q4_1": {32, 20}, "Q5_0": {32, 22}, "Q5_1": {32, 24},
	"Q8_0": {32, 34}, "Q8_1": {32, 36}, "MXFP4": {32, 17},
	"Q2_K": {256, 84}, "Q3_K": {256, 110}, "Q4_K": {256, 144},
	"Q5_K": {256, 176}, "Q6_K": {256, 210}, "Q8_K": {256, 292},
}

// TensorBytes is the size of one tensor's data.
func TensorBytes(t api.Tensor) (int64, error) {
	b, ok := ggmlBlocks[strings.ToUpper(t.Type)]
	if !ok {
		return 0, fmt.Errorf("tensor %s: unknown type %q", t.Name, t.Type)
	}
	n := int64(1)
	for _, d := range t.Shape {
		n *= int64(d)
	}
	if n%b.elems != 0 {
		return 0, fmt.Errorf("tensor %s: %d values are not whole %s blocks of %d", t.Name, n, t.Type, b.elems)
	}
	return n / b.elems * b.bytes, nil
}

// WeightsFromTensors sums a model's tensors (from /api/show) the way
// Ollama 0.17's scheduler groups them: "blk.N.*" are the repeating layers,
// "output" and "output_norm" the output layer, and "token_embd" the input,
// which also serves as the output layer when the model has none of its own.
// Tensors of other groups (rope_freqs, a vision tower) are counted nowhere,
// as Ollama does not count them either.
func WeightsFromTensors(ts []api.Tensor) (Weights, error) {
	if len(ts) == 0 {
		return Weights{}, fmt.Errorf("no tensors")
	}
	var w Weights
	var blocks, output, embd int64
	hasOutput := false
	for _, t := range ts {
		n, err := TensorBytes(t)
		if err != nil {
			return Weights{}, err
		}
		group, _, _ := strings.Cut(t.Name, ".")
		switch group {
		case "blk":
			blocks += n
			if layerIndex(t.Name) == 0 {
				w.LayerBytes += n
			}
		case "output":
			output += n
			hasOutput = true
		case "output_norm":
			output += n
		case "token_embd":
			embd += n
			w.InputBytes += n
		case "position_embd", "token_types", "token_norm_embd":
			w.InputBytes += n
		}
	}
	if !hasOutput {
		output += embd
	}
	w.GPUBytes = blocks + output
	w.Exact = true
	return w, nil
}

// layerIndex is N of "blk.N.name", or -1.
func layerIndex(name string) int {
	rest, ok := strings.CutPrefix(name, "blk.")
	if !ok {
		return -1
	}
	num, _, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(num)
	if err != nil {
		return -1
	}
	return n
}

// EstimateWeights splits a model's file size without its tensor list (a
// model not installed yet, or an Ollama that does not list tensors): the
// token-embedding table is vocabulary × width numbers at the file's average
// bytes per parameter, and leaves the GPU unless the shape says the output
// reuses it. Without a parameter count or vocabulary the whole file counts
// as GPU memory, which errs on the safe side.
func EstimateWeights(s Shape, fileBytes int64) Weights {
	w := Weights{GPUBytes: fileBytes}
	if s.ParameterCount > 0 && s.VocabSize > 0 && s.Embedding > 0 {
		embd := int64(float64(s.VocabSize) * float64(s.Embedding) * float64(fileBytes) / float64(s.ParameterCount))
		w.InputBytes = embd
		if !s.TiedEmbeddings {
			w.GPUBytes = fileBytes - embd
		}
	}
	if s.Layers > 0 {
		// The output layer is as large as the embedding table.
		w.LayerBytes = max(w.GPUBytes-w.InputBytes, 0) / int64(s.Layers)
	}
	return w
}
