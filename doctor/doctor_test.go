package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	goldenfile "github.com/hearth-dev/hearth/internal/golden"
	"github.com/hearth-dev/hearth/vram"
	"github.com/ollama/ollama/api"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fakeOllama answers from recorded JSON in testdata.
type fakeOllama struct {
	down  bool
	tags  string
	ps    string
	shows map[string]string // model name -> show file
}

var errRefused = errors.New(`Post "http://127.0.0.1:11434/api/version": dial tcp 127.0.0.1:11434: connect: connection refused`)

func readJSON[T any](file string) (*T, error) {
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		return nil, err
	}
	var v T
	return &v, json.Unmarshal(b, &v)
}

func (f *fakeOllama) Version(context.Context) (string, error) {
	if f.down {
		return "", errRefused
	}
	return "0.17.4", nil
}

func (f *fakeOllama) List(context.Context) (*api.ListResponse, error) {
	if f.down {
		return nil, errRefused
	}
	return readJSON[api.ListResponse](f.tags)
}

func (f *fakeOllama) ListRunning(context.Context) (*api.ProcessResponse, error) {
	if f.down {
		return nil, errRefused
	}
	if f.ps == "" {
		return &api.ProcessResponse{}, nil
	}
	return readJSON[api.ProcessResponse](f.ps)
}

func (f *fakeOllama) Show(_ context.Context, req *api.ShowRequest) (*api.ShowResponse, error) {
	if f.down {
		return nil, errRefused
	}
	file, ok := f.shows[req.Model]
	if !ok {
		return nil, fmt.Errorf("model %q not found", req.Model)
	}
	return readJSON[api.ShowResponse](file)
}

// fixedGPU is a prober that returns one reading.
type fixedGPU vram.Reading

func (g fixedGPU) Probe(context.Context) vram.Reading { return vram.Reading(g) }

const gib = 1 << 30

// rtx3060 is a 12 GiB card driving a desktop (600 MiB) with the 7B Q8_0
// model of ps_7b_gpu.json loaded.
func rtx3060(t *testing.T) fixedGPU {
	ps, err := readJSON[api.ProcessResponse]("ps_7b_gpu.json")
	if err != nil {
		t.Fatal(err)
	}
	used := ps.Models[0].SizeVRAM + 600<<20
	const reserved = 254 << 20
	return fixedGPU{Source: vram.SourceNVML, Devices: []vram.Device{{
		Name: "NVIDIA GeForce RTX 3060", TotalBytes: 12 * gib, ReservedBytes: reserved,
		UsedBytes: used, FreeBytes: 12*gib - reserved - used,
	}}}
}

func shows3060() map[string]string {
	return map[string]string{
		"qwen2.5-coder:7b-instruct-q8_0": "show_qwen2.5-coder-7b-q8_0.json",
		"qwen2.5-coder:7b":               "show_qwen2.5-coder-7b.json",
		"deepseek-coder-v2:16b":          "show_deepseek-coder-v2-lite.json",
		"nomic-embed-text:latest":        "show_nomic-embed-text.json",
	}
}

func TestDoctorGolden(t *testing.T) {
	tests := []struct {
		name string
		opts func(t *testing.T) Options
	}{
		{"rtx3060", func(t *testing.T) Options {
			return Options{
				Ollama:    &fakeOllama{tags: "tags_3060.json", ps: "ps_7b_gpu.json", shows: shows3060()},
				OllamaURL: "http://127.0.0.1:11434", GPU: rtx3060(t), CacheType: vram.CacheF16,
			}
		}},
		{"rtx3060_at_32k", func(t *testing.T) Options {
			return Options{
				Ollama:    &fakeOllama{tags: "tags_3060.json", ps: "ps_7b_gpu.json", shows: shows3060()},
				OllamaURL: "http://127.0.0.1:11434", GPU: rtx3060(t), CacheType: vram.CacheF16, NumCtx: 32768,
			}
		}},
		{"override_ollama_down", func(t *testing.T) Options {
			return Options{
				Ollama: &fakeOllama{down: true}, OllamaURL: "http://127.0.0.1:11434",
				GPU: fixedGPU{Source: vram.SourceNone}, VRAMBytes: 12 * gib, CacheType: vram.CacheQ8_0, FlashAttention: true,
			}
		}},
		{"no_gpu_rig", func(t *testing.T) Options {
			return Options{
				Ollama: &fakeOllama{tags: "tags_rig.json", ps: "ps_rig.json", shows: map[string]string{
					"tiny-qwen:latest": "show_tiny-qwen.json", "tiny-qwen-jsontools:latest": "show_tiny-qwen.json",
				}},
				OllamaURL: "http://127.0.0.1:11500", GPU: fixedGPU{Source: vram.SourceNone},
			}
		}},
		{"partial_offload_12gb", func(t *testing.T) Options {
			return Options{
				Ollama: &fakeOllama{down: true}, OllamaURL: "http://127.0.0.1:11434",
				VRAMBytes: 12 * gib, PartialOffload: true,
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Run(context.Background(), tt.opts(t))
			js, err := json.MarshalIndent(rep, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			var text bytes.Buffer
			if err := rep.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name+".golden.json", append(js, '\n'))
			golden(t, tt.name+".golden.txt", text.Bytes())
		})
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got, *update)
}

// TestDoctorJSONShape holds the fields other tools read, whatever the
// golden files say.
func TestDoctorJSONShape(t *testing.T) {
	rep := Run(context.Background(), Options{
		Ollama:    &fakeOllama{tags: "tags_3060.json", ps: "ps_7b_gpu.json", shows: shows3060()},
		OllamaURL: "http://127.0.0.1:11434", GPU: rtx3060(t),
	})
	b, _ := json.Marshal(rep)
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	gpus, _ := doc["gpus"].(map[string]any)
	if gpus["source"] != "nvml" {
		t.Errorf("gpus.source = %v", gpus["source"])
	}
	if devs, _ := gpus["devices"].([]any); len(devs) != 1 {
		t.Errorf("gpus.devices = %v", gpus["devices"])
	}
	models, _ := doc["models"].([]any)
	if len(models) != 4 {
		t.Errorf("models = %v", models)
	}
	plan, _ := doc["plan"].([]any)
	if len(plan) < len(catalog)*len(quantizations) {
		t.Fatalf("plan has %d entries", len(plan))
	}
	for _, e := range plan {
		m := e.(map[string]any)
		for _, k := range []string{"model", "quantization", "fits", "kvBytesPerToken", "maxContext", "recommendedNumCtx", "byCacheType", "arithmetic"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("plan entry %v lacks %s", m["model"], k)
			}
		}
	}
}

func find(t *testing.T, r Report, model string) Candidate {
	t.Helper()
	for _, c := range r.Plan {
		if c.Model == model {
			return c
		}
	}
	t.Fatalf("no plan entry %s", model)
	return Candidate{}
}

// TestRecommendationFollowsTheSeedGuide checks the picks the seed document
// asks for on common cards.
func TestRecommendationFollowsTheSeedGuide(t *testing.T) {
	plan := func(size int64, partial bool) Report {
		return Run(context.Background(), Options{Ollama: &fakeOllama{down: true}, VRAMBytes: size, PartialOffload: partial})
	}
	r12 := plan(12*gib, false)
	if r12.Best == nil || r12.Best.Name != "Qwen2.5-Coder 7B" || (r12.Best.Quantization != "Q8_0" && r12.Best.Quantization != "Q6_K") {
		t.Fatalf("12 GiB: recommendation %+v, want Qwen2.5-Coder 7B at Q8_0 or Q6_K", r12.Best)
	}
	q14 := find(t, r12, "qwen2.5-coder:14b-instruct-q4_K_M")
	if !q14.Fits {
		t.Fatalf("a 14B at Q4_K_M should fit 12 GiB whole (with little context): %+v", q14)
	}
	if !strings.Contains(r12.Best.Reason, "Qwen2.5-Coder 14B fits only at Q") {
		t.Errorf("reason should name the 14B passed over: %q", r12.Best.Reason)
	}
	if r12.Best.Pull != "ollama pull "+r12.Best.Model || r12.Best.NumCtx < MinUsefulContext || r12.Best.NumCtx%vram.Bucket != 0 {
		t.Errorf("12 GiB pick: %+v", r12.Best)
	}

	// Asked for partial offload, a 12 GiB card may run the 14B at Q6_K or
	// better with most layers on the GPU.
	p12 := plan(12*gib, true)
	if p12.Best == nil || p12.Best.PartialOffload == nil || p12.Best.Name != "Qwen2.5-Coder 14B" ||
		p12.Best.PartialOffload.GPUPercent < minHybridGPUPercent || p12.Best.NumCtx != hybridContext {
		t.Errorf("12 GiB with partial offload: %+v", p12.Best)
	}

	// 24 GiB holds the 14B whole at Q8_0 or Q6_K; the 32B only at Q4.
	r24 := plan(24*gib, false)
	if r24.Best == nil || r24.Best.Name != "Qwen2.5-Coder 14B" || r24.Best.PartialOffload != nil {
		t.Errorf("24 GiB: %+v", r24.Best)
	}

	// 6 GiB: nothing of tier 1 but small models; the pick must still fit.
	r6 := plan(6*gib, false)
	if r6.Best == nil {
		t.Fatal("6 GiB: no recommendation")
	}
	if c := find(t, r6, r6.Best.Model); !c.Fits {
		t.Errorf("6 GiB pick does not fit: %+v", c)
	}

	// 2 GiB: nothing useful fits; the recommendation is empty, not wrong.
	if r2 := plan(2*gib, false); r2.Best != nil {
		if c := find(t, r2, r2.Best.Model); !c.Fits {
			t.Errorf("2 GiB pick does not fit: %+v", c)
		}
	}
}

func TestCacheTypeColumns(t *testing.T) {
	r := Run(context.Background(), Options{Ollama: &fakeOllama{down: true}, VRAMBytes: 12 * gib})
	q7 := find(t, r, "qwen2.5-coder:7b-instruct-q6_K")
	if len(q7.ByCacheType) != 3 || q7.ByCacheType[0].KVBytesPerToken != 57344 || q7.ByCacheType[1].KVBytesPerToken != 30464 ||
		q7.ByCacheType[2].KVBytesPerToken != 16128 {
		t.Fatalf("7B cache fits = %+v", q7.ByCacheType)
	}
	if q7.ByCacheType[1].Note == "" || !strings.Contains(q7.ByCacheType[1].Note, "OLLAMA_FLASH_ATTENTION=1") {
		t.Errorf("q8_0 note with flash attention off: %q", q7.ByCacheType[1].Note)
	}
	ds := find(t, r, "deepseek-coder-v2:16b-lite-instruct-q4_K_M")
	if ds.KVBytesPerToken != 276480 || ds.ByCacheType[2].KVBytesPerToken != 276480 || !strings.Contains(ds.ByCacheType[2].Note, "keeps f16") {
		t.Errorf("deepseek2 cannot quantize its cache: %+v", ds.ByCacheType)
	}
	l8 := find(t, r, "llama3.1:8b-instruct-q8_0")
	if l8.KVBytesPerToken != 131072 {
		t.Errorf("Llama 3.1 8B: %d B/token", l8.KVBytesPerToken)
	}
}

func TestInstalledModelsJoinThePlan(t *testing.T) {
	r := Run(context.Background(), Options{
		Ollama:    &fakeOllama{tags: "tags_3060.json", ps: "ps_7b_gpu.json", shows: shows3060()},
		OllamaURL: "http://127.0.0.1:11434", GPU: rtx3060(t),
	})
	q8 := find(t, r, "qwen2.5-coder:7b-instruct-q8_0")
	if !q8.Installed || q8.WeightsBytes != 8098525888 {
		t.Errorf("catalog entry should take the installed size: %+v", q8)
	}
	def := find(t, r, "qwen2.5-coder:7b")
	if !def.Installed || def.Name != "Qwen2.5-Coder 7B" || def.Quantization != "Q4_K_M" {
		t.Errorf("the default tag should be recognised by shape: %+v", def)
	}
	for _, m := range r.Models {
		if m.Name == "nomic-embed-text:latest" && !strings.Contains(m.Problem, "embedding") {
			t.Errorf("embedding model: %+v", m)
		}
	}
	for _, c := range r.Plan {
		if c.Model == "nomic-embed-text:latest" {
			t.Error("an embedding model is no candidate")
		}
	}
	if len(r.Loaded) != 1 || r.Loaded[0].VRAMPercent != 100 {
		t.Errorf("loaded = %+v", r.Loaded)
	}
	// The budget adds the loaded model back: the plan does not shrink
	// because Hearth's own model is in memory.
	if r.GPUs.BudgetBytes != r.GPUs.FreeBytes+r.Loaded[0].VRAMBytes {
		t.Errorf("budget %d, free %d", r.GPUs.BudgetBytes, r.GPUs.FreeBytes)
	}
}

func TestOllamaDownIsReportedNotFatal(t *testing.T) {
	r := Run(context.Background(), Options{Ollama: &fakeOllama{down: true}, OllamaURL: "http://127.0.0.1:11434", GPU: fixedGPU{Source: vram.SourceNone}})
	if r.Ollama.Reachable || !strings.Contains(r.Ollama.Error, "connection refused") || r.Best != nil {
		t.Fatalf("report = %+v", r.Ollama)
	}
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NOT REACHABLE", "ollama serve", "--vram"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
}

func TestRemoteOllamaNote(t *testing.T) {
	for url, remote := range map[string]bool{
		"http://127.0.0.1:11434": false, "http://localhost:11434": false, "http://[::1]:11434": false,
		"http://0.0.0.0:11434": false, "http://gpu-box.lan:11434": true, "http://10.0.0.7:11434": true,
	} {
		r := Run(context.Background(), Options{Ollama: &fakeOllama{down: true}, OllamaURL: url, GPU: rtx3060(t)})
		got := len(r.GPUs.Notes) == 1 && strings.Contains(r.GPUs.Notes[0], "not the server's")
		if got != remote {
			t.Errorf("%s: notes %q", url, r.GPUs.Notes)
		}
	}
}
