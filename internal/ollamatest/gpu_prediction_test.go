package ollamatest

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/hearth-dev/hearth/internal/ollamatest/qwengguf"
	"github.com/hearth-dev/hearth/vram"
	"github.com/ollama/ollama/api"
)

// gpuLoad is one model load measured on a real GPU (testdata/gpu).
type gpuLoad struct {
	Quant          string  `json:"quant"`
	NumCtx         int     `json:"numCtx"`
	CUDAModelMiB   float64 `json:"cudaModelMiB"`
	CPUMappedMiB   float64 `json:"cpuMappedMiB"`
	KVMiB          float64 `json:"kvMiB"`
	OllamaGraphMiB float64 `json:"ollamaGraphMiB"`
	ComputeMiB     float64 `json:"computeMiB"`
	PSSize         int64   `json:"psSize"`
	SMIUsedMiB     float64 `json:"smiUsedMiB"`
}

func readGPULoads(t *testing.T, path string) []gpuLoad {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Loads []gpuLoad `json:"loads"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f.Loads
}

// plannedShow is what /api/show reports for a model mkgguf writes: the
// same tensor list and shape keys, from the generator's own plan, so the
// 8 GB file need not exist.
func plannedShow(t *testing.T, preset string, weights qwengguf.Weights) *api.ShowResponse {
	t.Helper()
	kvs, ts, _, err := qwengguf.Plan(&qwengguf.Tokenizer{}, qwengguf.Options{Shape: qwengguf.Presets[preset], Weights: weights})
	if err != nil {
		t.Fatal(err)
	}
	show := &api.ShowResponse{ModelInfo: map[string]any{}}
	for _, kv := range kvs {
		switch v := kv.Value.(type) {
		case uint32:
			show.ModelInfo[kv.Key] = float64(v)
		case string:
			show.ModelInfo[kv.Key] = v
		}
	}
	for _, x := range ts {
		show.Tensors = append(show.Tensors, api.Tensor{Name: x.Name, Type: x.Type.String(), Shape: x.Shape})
	}
	return show
}

const mib = 1 << 20

// TestPredictionMatchesH200 holds Hearth's VRAM arithmetic to what Ollama
// v0.17.4 and llama.cpp allocated on a real H200 for a model of
// Qwen2.5-Coder-7B's exact shape (issue 9): the weights llama.cpp put on
// the GPU and left in system RAM, the KV cache, Ollama's compute-graph
// figure, /api/ps's size to the byte, and the compute buffer the runner
// really allocated with flash attention on "auto".
func TestPredictionMatchesH200(t *testing.T) {
	for _, l := range readGPULoads(t, "testdata/gpu/h200-first-pass.json") {
		show := plannedShow(t, "qwen2.5-coder-7b", qwengguf.Weights(l.Quant))
		spec, err := vram.SpecFromShow("m-"+l.Quant, show, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !spec.Weights.Exact || spec.Shape.TiedEmbeddings || spec.Shape.VocabSize != 152064 {
			t.Fatalf("%s: spec from tensors = %+v", l.Quant, spec)
		}
		in := vram.FitInput{Shape: spec.Shape, WeightsBytes: spec.WeightsBytes, Weights: spec.Weights, CacheType: vram.CacheF16, Cards: 1}
		p := vram.Predict(in, l.NumCtx)
		name := l.Quant + "@" + vram.FormatTokens(l.NumCtx)

		// llama.cpp logs buffer sizes in MiB to two decimals.
		near := func(what string, got int64, wantMiB float64) {
			if math.Abs(float64(got)/mib-wantMiB) > 0.005 {
				t.Errorf("%s: %s %.2f MiB, measured %.2f MiB", name, what, float64(got)/mib, wantMiB)
			}
		}
		near("GPU weights", p.GPUWeightsBytes, l.CUDAModelMiB)
		near("weights left in RAM", spec.Weights.InputBytes, l.CPUMappedMiB)
		near("KV cache", p.KVBytes, l.KVMiB)
		if l.OllamaGraphMiB > 0 {
			near("Ollama's graph", p.GraphBytes, l.OllamaGraphMiB)
		}
		if p.OllamaBytes != l.PSSize {
			t.Errorf("%s: /api/ps size predicted %d, measured %d (%+d)", name, p.OllamaBytes, l.PSSize, p.OllamaBytes-l.PSSize)
		}
		// The runner's real compute buffer grows with the attention mask;
		// the arithmetic is within 16 MiB of it at every size.
		if d := float64(p.ComputeBytes)/mib - l.ComputeMiB; math.Abs(d) > 16 {
			t.Errorf("%s: compute buffer %.0f MiB, allocated %.2f MiB", name, float64(p.ComputeBytes)/mib, l.ComputeMiB)
		}
	}
}
