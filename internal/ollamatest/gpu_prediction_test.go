package ollamatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
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

// benchRecord is the part of a tools/gpubench results line the checks
// below read.
type benchRecord struct {
	Phase  string `json:"phase"`
	KV     string `json:"kv"`
	Flash  bool   `json:"flashAttention"`
	Model  string `json:"model"`
	NumCtx int    `json:"numCtx"`
	PS     *struct {
		Size     int64 `json:"size"`
		SizeVRAM int64 `json:"sizeVram"`
	} `json:"ps"`
	Baseline    struct{ NVMLUsedBytes int64 } `json:"baseline"`
	AfterPrompt struct{ NVMLUsedBytes int64 } `json:"afterPrompt"`
	FreeBytes   int64                         `json:"freeBytes"`
	Attempts    []struct {
		Factor        float64 `json:"factor"`
		FreeBytes     int64   `json:"freeBytes"` // zero in runs before it was recorded per attempt
		OverheadBytes int64   `json:"overheadBytes"`
		AllOnGPU      bool    `json:"allOnGpu"`
		Layers        string  `json:"layers"`
	} `json:"attempts"`
}

func readBench(t *testing.T, paths ...string) []benchRecord {
	t.Helper()
	var out []benchRecord
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range bytes.Split(b, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			var r benchRecord
			if err := json.Unmarshal(line, &r); err != nil {
				t.Fatalf("%s:%d: %v", p, i+1, err)
			}
			out = append(out, r)
		}
	}
	return out
}

// predictFor is Hearth's footprint for a gpubench model (m-q8_0,
// m-q4_k_m: mkgguf's Qwen2.5-Coder-7B shape).
func predictFor(t *testing.T, model, kv string, flash bool, numCtx int) vram.Footprint {
	t.Helper()
	show := plannedShow(t, "qwen2.5-coder-7b", qwengguf.Weights(strings.TrimPrefix(model, "m-")))
	spec, err := vram.SpecFromShow(model, show, 0)
	if err != nil {
		t.Fatal(err)
	}
	cache, err := vram.ParseCacheType(kv)
	if err != nil {
		t.Fatal(err)
	}
	return vram.Predict(vram.FitInput{Shape: spec.Shape, WeightsBytes: spec.WeightsBytes, Weights: spec.Weights,
		CacheType: cache, FlashAttention: flash, Cards: 1}, numCtx)
}

var h200Runs = []string{"testdata/gpu/h200-vram-f16.jsonl", "testdata/gpu/h200-vram-q8_0-fit-run.jsonl"}

// TestPredictionMatchesGPULoads holds the prediction to 20 real loads, 16
// on an H200 and 4 on an H100 (tools/gpubench, issue 9): /api/ps's size to
// the byte, and the GPU memory NVML showed after a prompt of 85 % of the
// context within 0.5 % (the goal is 5 %), for f16 and q8_0 KV
// caches at 4K to 32K.
func TestPredictionMatchesGPULoads(t *testing.T) {
	n := 0
	for _, r := range readBench(t, append(h200Runs, "testdata/gpu/h100-vram-f16-run.jsonl")...) {
		if r.Phase != "vram" || r.PS == nil {
			continue
		}
		n++
		p := predictFor(t, r.Model, r.KV, r.Flash, r.NumCtx)
		name := fmt.Sprintf("%s %s KV @%s", r.Model, r.KV, vram.FormatTokens(r.NumCtx))
		if p.OllamaBytes != r.PS.Size {
			t.Errorf("%s: /api/ps size predicted %d, measured %d (%+d)", name, p.OllamaBytes, r.PS.Size, p.OllamaBytes-r.PS.Size)
		}
		used := r.AfterPrompt.NVMLUsedBytes - r.Baseline.NVMLUsedBytes
		off := float64(p.UsedBytes-used) / float64(used)
		t.Logf("%s: /api/ps %d = %d; NVML %.0f MiB, predicted %.0f MiB (%+.2f %%)", name, r.PS.Size, p.OllamaBytes, float64(used)/mib, float64(p.UsedBytes)/mib, 100*off)
		if math.Abs(off) > 0.005 {
			t.Errorf("%s: GPU use predicted %.0f MiB, NVML showed %.0f MiB (%+.1f %%)", name, float64(p.UsedBytes)/mib, float64(used)/mib, 100*off)
		}
	}
	if n != 20 {
		t.Errorf("%d loads read, want 20", n)
	}
}

// TestNeedMatchesOllamaScheduler: with OLLAMA_GPU_OVERHEAD leaving Ollama
// 1 % more than Hearth's need (as computed then) it put every layer on the
// GPU, and with 1 % less it spilled one, at every size, on an H200 and an
// H100. So Ollama's
// threshold lies within ±1 % of that need, and this holds today's need to
// the same bracket: Hearth's "fits" is Ollama's, to ±1 % (60-120 MiB).
func TestNeedMatchesOllamaScheduler(t *testing.T) {
	n := 0
	for _, r := range readBench(t, append(h200Runs, "testdata/gpu/h100-fit-run.jsonl")...) {
		if r.Phase != "fit" {
			continue
		}
		need := predictFor(t, r.Model, "f16", false, r.NumCtx).NeedBytes
		for _, a := range r.Attempts {
			n++
			free := a.FreeBytes
			if free == 0 {
				free = r.FreeBytes
			}
			avail := free - a.OverheadBytes
			if fits := need <= avail; fits != a.AllOnGPU {
				t.Errorf("%s @%s with %d bytes for Ollama: Hearth needs %d (fits %v), Ollama offloaded %s",
					r.Model, vram.FormatTokens(r.NumCtx), avail, need, fits, a.Layers)
			}
		}
	}
	if n != 32 {
		t.Errorf("%d fit attempts read, want 32", n)
	}
}
