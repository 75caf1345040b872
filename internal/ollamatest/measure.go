package ollamatest

import (
	"context"
	"fmt"
	"regexp"
	"strconv"

	"github.com/ollama/ollama/api"
)

// PromptTokens returns how many Qwen2.5 tokens the rendered prompt of
// messages plus tools takes: the prompt_eval_count of a one-token turn.
// Truncation is off, so a prompt that does not fit s.NumCtx is an error
// rather than a silently smaller count. Put Hearth's real system prompt and
// tool schemas in to see what they cost in context.
func (s *Server) PromptTokens(ctx context.Context, model string, messages []api.Message, tools api.Tools) (int, error) {
	no := false
	stream := false
	var count int
	err := s.Client.Chat(ctx, &api.ChatRequest{
		Model:    model,
		Messages: messages,
		Tools:    tools,
		Stream:   &stream,
		Truncate: &no,
		Options:  map[string]any{"num_predict": 1, "temperature": 0, "num_ctx": s.NumCtx},
	}, func(r api.ChatResponse) error {
		if r.Done {
			count = r.PromptEvalCount
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if count == 0 {
		return 0, fmt.Errorf("no prompt_eval_count in the final response")
	}
	return count, nil
}

// RenderPrompt returns the prompt text the server renders for messages plus
// tools through the model's template, without running the model.
func (s *Server) RenderPrompt(ctx context.Context, model string, messages []api.Message, tools api.Tools) (string, error) {
	stream := false
	var out string
	err := s.Client.Chat(ctx, &api.ChatRequest{
		Model: model, Messages: messages, Tools: tools, Stream: &stream, DebugRenderOnly: true,
	}, func(r api.ChatResponse) error {
		if r.DebugInfo != nil {
			out = r.DebugInfo.RenderedTemplate
		}
		return nil
	})
	return out, err
}

// CacheSlot is one prompt-cache decision of the runner: of Prompt tokens,
// Used came from the KV cache and Remaining were evaluated.
type CacheSlot struct {
	Prompt, Used, Remaining int
}

// The runner logs, with OLLAMA_DEBUG=1, one line per request, e.g.
// msg="loading cache slot" id=0 cache=1057 prompt=1086 used=1056 remaining=30
var cacheSlotLine = regexp.MustCompile(`msg="loading cache slot".* prompt=(\d+) used=(\d+) remaining=(\d+)`)

// ParseCacheSlots extracts the cache decisions from a server log, in order.
func ParseCacheSlots(log string) []CacheSlot {
	var out []CacheSlot
	for _, m := range cacheSlotLine.FindAllStringSubmatch(log, -1) {
		p, _ := strconv.Atoi(m[1])
		u, _ := strconv.Atoi(m[2])
		r, _ := strconv.Atoi(m[3])
		out = append(out, CacheSlot{Prompt: p, Used: u, Remaining: r})
	}
	return out
}

// CacheSlots returns the cache decisions logged so far; the server must have
// been started with Options.Debug.
func (s *Server) CacheSlots() []CacheSlot { return ParseCacheSlots(s.Log()) }
