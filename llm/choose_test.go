package llm_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-dev/hearth/llm"
	"github.com/hearth-dev/hearth/llm/fakeollama"
	"github.com/ollama/ollama/api"
)

func TestChooseModel(t *testing.T) {
	data, err := os.ReadFile("testdata/choose.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name     string                  `json:"name"`
		Models   []api.ListModelResponse `json:"models"`
		MaxBytes int64                   `json:"max_bytes"`
		Want     string                  `json:"want"`
		Coder    bool                    `json:"coder"`
		Reason   []string                `json:"reason"`
		Error    string                  `json:"error"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			// The order Ollama lists models in must not matter.
			for _, models := range [][]api.ListModelResponse{tc.Models, reversed(tc.Models)} {
				got, err := llm.ChooseModel(models, tc.MaxBytes)
				if tc.Error != "" {
					if err == nil || !strings.Contains(err.Error(), tc.Error) || !llm.Classify(err).OfferPull {
						t.Fatalf("err = %v, want one offering %q", err, tc.Error)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if got.Model != tc.Want || got.Coder != tc.Coder {
					t.Errorf("chose %s (coder %v), want %s (coder %v); reason: %s", got.Model, got.Coder, tc.Want, tc.Coder, got.Reason)
				}
				for _, r := range tc.Reason {
					if !strings.Contains(got.Reason, r) {
						t.Errorf("reason %q lacks %q", got.Reason, r)
					}
				}
			}
		})
	}
}

func reversed[T any](s []T) []T {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// The recorded tags of the real rig parse into a choice too.
func TestChooseFromRecordedTags(t *testing.T) {
	var tags api.ListResponse
	readJSON(t, "testdata/tags.json", &tags)
	got, err := llm.ChooseModel(tags.Models, 0)
	if err != nil || got.Model != "rand-1.5b:latest" {
		t.Errorf("chose %+v, %v", got, err)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

// testdata/show.json is a real /api/show answer of Ollama 0.17.4.
func TestCapabilitiesFromRecordedShow(t *testing.T) {
	var show api.ShowResponse
	readJSON(t, "testdata/show.json", &show)
	c := llm.ParseCapabilities("tiny-qwen", &show)
	if !c.Tools || !c.Completion || c.Architecture != "qwen2" {
		t.Errorf("tools %v completion %v arch %q", c.Tools, c.Completion, c.Architecture)
	}
	if c.ContextLength != 32768 || c.ModelfileNumCtx != 8192 {
		t.Errorf("trained context %d, Modelfile num_ctx %d", c.ContextLength, c.ModelfileNumCtx)
	}
	// The runner logged a 2.00 MiB KV cache at 8192 tokens: 256 B per token.
	if got := c.KVBytesPerToken(); got != 256 {
		t.Errorf("KV bytes per token = %d, want 256", got)
	}
	if c.Quantization != "F16" || c.ParameterSize != "9.86M" {
		t.Errorf("details %q %q", c.Quantization, c.ParameterSize)
	}
	stops := llm.ParseParameters(show.Parameters)["stop"]
	if !slices.Equal(stops, []string{"<|im_start|>", "<|im_end|>", "<|endoftext|>"}) {
		t.Errorf("stops = %q", stops)
	}
}

func TestCapabilitiesThroughClient(t *testing.T) {
	_, c := start(t, fakeollama.Config{Models: []fakeollama.Model{
		fakeollama.DefaultModels()[0],
		{Name: "starcoder2:3b", Capabilities: []string{"completion", "insert"}, NumCtx: 16384, ContextLength: 16384},
	}}, nil)
	ctx := context.Background()
	qwen, err := c.Capabilities(ctx, model)
	if err != nil {
		t.Fatal(err)
	}
	// Qwen2.5-7B: 28 layers × 4 KV heads × 128 × 2 (K,V) × 2 bytes.
	if !qwen.Tools || qwen.ContextLength != 32768 || qwen.ModelfileNumCtx != 0 || qwen.KVBytesPerToken() != 57344 {
		t.Errorf("qwen = %+v, kv %d", qwen, qwen.KVBytesPerToken())
	}
	star, err := c.Capabilities(ctx, "starcoder2:3b")
	if err != nil {
		t.Fatal(err)
	}
	if star.Tools || star.ModelfileNumCtx != 16384 {
		t.Errorf("starcoder2 = %+v", star)
	}
	_, err = c.Capabilities(ctx, "missing")
	checkError(t, err, llm.KindModelNotFound, false, "ollama pull missing")
}
