package vram

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ollama/ollama/api"
)

func loadPS(t *testing.T, file string) []Loaded {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	var ps api.ProcessResponse
	if err := json.Unmarshal(b, &ps); err != nil {
		t.Fatal(err)
	}
	return Residency(&ps)
}

// card is an NVML reading of one card of total bytes with used held by
// programs (Ollama's models included) and 250 MiB reserved.
func card(total, used int64) Reading {
	const reserved = 250 << 20
	return Reading{Source: SourceNVML, Devices: []Device{{
		Name: "NVIDIA GeForce RTX", TotalBytes: total, ReservedBytes: reserved,
		UsedBytes: used, FreeBytes: total - reserved - used,
	}}}
}

func spec(t *testing.T, name, show, quant string, weights int64) *ModelSpec {
	s, err := ShapeFromModelInfo(loadShow(t, show).ModelInfo)
	if err != nil {
		t.Fatal(err)
	}
	return &ModelSpec{Name: name, Shape: s, WeightsBytes: weights, Quantization: quant}
}

func TestResidencyFromRecording(t *testing.T) {
	l := loadPS(t, "ps_tiny_cpu.json")
	if len(l) != 1 || l[0].Name != "tiny-qwen:latest" || l[0].ContextLength != 8192 || l[0].SizeBytes != 21809408 ||
		l[0].VRAMBytes != 0 || l[0].ExpiresAt.IsZero() || l[0].Quantization != "F16" {
		t.Fatalf("Residency = %+v", l)
	}
	if l[0].SpilledFraction() != 1 {
		t.Errorf("a CPU model is all in system RAM: %v", l[0].SpilledFraction())
	}
	s := loadPS(t, "ps_14b_spilled.json")
	if got := s[0].SpilledFraction(); got < 0.229 || got > 0.231 {
		t.Errorf("spilled fraction %v, want 0.23", got)
	}
	if _, ok := FindLoaded(l, "Tiny-Qwen"); !ok {
		t.Error("FindLoaded should read a bare name as :latest, ignoring case")
	}
	if Residency(nil) != nil {
		t.Error("Residency(nil) should be empty")
	}
}

func TestAssess(t *testing.T) {
	const q8 = 7615616512 * 85 / 80 // Qwen2.5-Coder-7B Q8_0
	q7 := spec(t, "qwen2.5-coder:7b-instruct-q8_0", "show_qwen2.5-coder-7b.json", "Q8_0", q8)
	q14 := spec(t, "qwen2.5-coder:14b-instruct-q8_0", "show_qwen2.5-14b.json", "Q8_0", 14770033664*85/80)
	gpu7 := loadPS(t, "ps_7b_gpu.json")
	resident := gpu7[0].VRAMBytes
	// A card with 16 MiB more free than Ollama wants for q7 at 4K: the
	// model loads whole, and then little is left.
	need4K := Predict(FitInput{Shape: q7.Shape, WeightsBytes: q7.WeightsBytes, Weights: q7.Weights, CacheType: CacheF16}, 4096).NeedBytes
	barely := card(12*gib, 12*gib-250<<20-need4K-16<<20)

	tests := []struct {
		name   string
		obs    Observation
		health Health
		want   []string // substrings of Message, in order
		probs  int
	}{{
		name:   "Ollama down",
		obs:    Observation{OllamaURL: "http://127.0.0.1:11434", OllamaErr: errors.New("connection refused"), GPU: card(12*gib, 0)},
		health: HealthError,
		want:   []string{"not reachable at http://127.0.0.1:11434", "connection refused", "ollama serve"},
		probs:  1,
	}, {
		name:   "all well",
		obs:    Observation{GPU: card(12*gib, resident+300<<20), Loaded: gpu7, Model: q7, RequestedNumCtx: 16384, UsedTokens: 3000},
		health: HealthOK,
		want:   []string{"qwen2.5-coder:7b-instruct-q8_0 loaded", "16K context", "GiB VRAM headroom"},
	}, {
		name:   "spilled, no context small enough",
		obs:    Observation{GPU: card(16*gib, 15800<<20), Loaded: loadPS(t, "ps_14b_spilled.json"), Model: q14, RequestedNumCtx: 16384},
		health: HealthWarning,
		want:   []string{"qwen2.5-coder:14b-instruct-q8_0 is 23 % in system RAM: use the Q6_K build"},
	}, {
		name: "spilled, a smaller context fits",
		obs: Observation{
			GPU:    card(12*gib, 11900<<20),
			Loaded: []Loaded{{Name: q7.Name, SizeBytes: 13 * gib, VRAMBytes: 11 * gib, ContextLength: 32768, Quantization: "Q8_0"}},
			Model:  q7, RequestedNumCtx: 32768,
		},
		health: HealthWarning,
		want:   []string{"is 15 % in system RAM: lower the context to ", "K or use the Q6_K build"},
	}, {
		name:   "Ollama allocated less than asked",
		obs:    Observation{GPU: card(12*gib, 9200000000+300<<20), Loaded: loadPS(t, "ps_7b_short_ctx.json"), Model: q7, RequestedNumCtx: 16384},
		health: HealthWarning,
		want:   []string{"Ollama allocated 8K of context", "not the 16K Hearth asked for", "numCtx to 8K or less"},
	}, {
		name:   "low headroom, loaded",
		obs:    Observation{GPU: card(12*gib, 12*gib-250<<20-300<<20), Loaded: gpu7, Model: q7, RequestedNumCtx: 16384},
		health: HealthWarning,
		want:   []string{"only 300 MiB of VRAM left: "},
	}, {
		name:   "will spill once loaded",
		obs:    Observation{GPU: card(12*gib, 2*gib), Model: q7, RequestedNumCtx: 32768},
		health: HealthWarning,
		want:   []string{"qwen2.5-coder:7b-instruct-q8_0 will not fit whole on the GPU with 32K of context: Ollama wants ", " free and ", "lower the context to "},
	}, {
		name:   "little left once loaded",
		obs:    Observation{GPU: barely, Model: q7, RequestedNumCtx: 4096},
		health: HealthWarning,
		want:   []string{"only ", " MiB of VRAM left once qwen2.5-coder:7b-instruct-q8_0 loads: "},
	}, {
		name:   "nothing fits, no context asked for yet",
		obs:    Observation{GPU: card(8*gib, 0), Model: q14},
		health: HealthWarning,
		want:   []string{"will not fit whole on the GPU with 2K of context", "use the Q6_K build"},
	}, {
		name:   "context nearly full",
		obs:    Observation{GPU: card(12*gib, resident+300<<20), Loaded: gpu7, Model: q7, RequestedNumCtx: 16384, UsedTokens: 15100},
		health: HealthWarning,
		want:   []string{"context 92 % full (14.7K of 16K tokens)"},
	}, {
		name:   "CPU only machine",
		obs:    Observation{GPU: Reading{Source: SourceNone}, Loaded: loadPS(t, "ps_tiny_cpu.json"), ModelName: "tiny-qwen", RequestedNumCtx: 8192},
		health: HealthOK,
		want:   []string{"tiny-qwen runs on the CPU", "8K context", "no NVIDIA GPU seen"},
	}, {
		name: "several problems",
		obs: Observation{GPU: card(12*gib, 12*gib-250<<20-100<<20), Loaded: loadPS(t, "ps_7b_short_ctx.json"),
			Model: q7, RequestedNumCtx: 16384, UsedTokens: 8000},
		health: HealthWarning,
		want:   []string{"Ollama allocated 8K", "(and 2 more)"},
		probs:  3,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Assess(tt.obs)
			t.Logf("%s: %s", a.Health, a.Message)
			if a.Health != tt.health {
				t.Errorf("health %s, want %s (message %q)", a.Health, tt.health, a.Message)
			}
			rest := a.Message
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("message %q lacks %q", a.Message, w)
				}
				rest = rest[i+len(w):]
			}
			if tt.probs > 0 && len(a.Problems) != tt.probs {
				t.Errorf("problems = %q, want %d", a.Problems, tt.probs)
			}
			if tt.health == HealthOK && len(a.Problems) != 0 {
				t.Errorf("ok with problems %q", a.Problems)
			}
		})
	}
}

func TestAssessReportsHeadroomAndLimit(t *testing.T) {
	q7 := spec(t, "qwen2.5-coder:7b-instruct-q8_0", "show_qwen2.5-coder-7b.json", "Q8_0", 7615616512*85/80)
	gpu7 := loadPS(t, "ps_7b_gpu.json")
	g := card(12*gib, gpu7[0].VRAMBytes+300<<20)
	a := Assess(Observation{GPU: g, Loaded: gpu7, Model: q7, RequestedNumCtx: 16384})
	if a.HeadroomBytes != g.Free() || a.ContextLimit != 16384 || a.Fit == nil || a.MaxContextTokens != a.Fit.MaxContext || a.MaxContextTokens < 16384 {
		t.Errorf("assessment = %+v", a)
	}
}

func TestSmallerQuantization(t *testing.T) {
	for in, want := range map[string]string{"Q8_0": "Q6_K", "q6_k": "Q5_K_M", "Q5_K_M": "Q4_K_M", "Q4_K_M": "", "BF16": "Q8_0", "IQ2_XS": ""} {
		if got := SmallerQuantization(in); got != want {
			t.Errorf("SmallerQuantization(%q) = %q, want %q", in, got, want)
		}
	}
}
