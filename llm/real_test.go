package llm_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hearth-dev/hearth/llm"
	"github.com/ollama/ollama/api"
)

// Environment of the opt-in tests against a real Ollama, such as the rig in
// /work/shared/ollama-rig (tiny-qwen on 127.0.0.1:11500).
const (
	envRealURL   = "HEARTH_TEST_OLLAMA_URL"
	envRealModel = "HEARTH_TEST_OLLAMA_MODEL"
)

// TestRealOllama checks the client's assumptions against a real server:
// the pinned num_ctx is what /api/ps reports, counts come back, and an
// over-long prompt is refused (not truncated) and classified.
func TestRealOllama(t *testing.T) {
	url, model := os.Getenv(envRealURL), os.Getenv(envRealModel)
	if url == "" || model == "" {
		t.Skipf("set %s and %s to run against a real Ollama", envRealURL, envRealModel)
	}
	const numCtx = 1024
	c, err := llm.New(llm.Config{BaseURL: url, NumCtx: numCtx, KeepAlive: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	caps, err := c.Capabilities(ctx, model)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("capabilities: %+v", caps)
	if caps.ContextLength == 0 {
		t.Error("no trained context length in model_info")
	}

	req := &api.ChatRequest{Model: model, Messages: []api.Message{{Role: "user", Content: "Say hi."}},
		Options: map[string]any{"num_predict": 8, "seed": 1}}
	res, err := c.ChatWith(ctx, req, llm.ChatOptions{EstimatedPromptTokens: 10}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.PromptEvalCount == 0 || res.EvalCount == 0 || res.DoneReason == "" {
		t.Errorf("result lacks counts: %+v", res)
	}
	t.Logf("prompt_eval_count %d (estimate 10), eval_count %d, load %v", res.PromptEvalCount, res.EvalCount, res.LoadDuration)

	ps, err := c.ListRunning(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range ps.Models {
		if strings.HasPrefix(m.Name, strings.TrimSuffix(model, ":latest")) {
			found = true
			if m.ContextLength != numCtx {
				t.Errorf("ps context_length %d, want the pinned %d", m.ContextLength, numCtx)
			}
		}
	}
	if !found {
		t.Errorf("model not in /api/ps: %+v", ps.Models)
	}

	long := &api.ChatRequest{Model: model, Messages: []api.Message{{Role: "user", Content: strings.Repeat("func f() { return }\n", 600)}},
		Options: map[string]any{"num_predict": 4}}
	_, err = c.ChatWith(ctx, long, llm.ChatOptions{}, nil)
	checkError(t, err, llm.KindContextExceeded, false, "no longer fits")

	err = c.Chat(ctx, &api.ChatRequest{Model: "hearth-no-such-model", Messages: req.Messages}, nil)
	checkError(t, err, llm.KindModelNotFound, false, "ollama pull hearth-no-such-model")
}
