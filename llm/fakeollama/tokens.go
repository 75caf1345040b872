package fakeollama

import (
	"encoding/json"

	"github.com/ollama/ollama/api"
)

// The fake counts tokens with a deliberately simple, documented rule so that
// tests can predict prompt_eval_count exactly:
//
//   - text is ceil(bytes / 4) tokens;
//   - each message costs 4 tokens of framing plus its content, thinking and
//     the JSON of its tool calls;
//   - the tool definitions cost the tokens of their JSON;
//   - the prompt ends with 3 tokens that open the assistant's turn.
//
// Real tokenizers differ (Qwen2.5 is closer to 3.5 bytes per token for
// code), which is exactly why Hearth compares its own estimate with
// prompt_eval_count instead of trusting either.
const (
	bytesPerToken     = 4
	messageOverhead   = 4
	assistantOverhead = 3
)

// TextTokens is the fake's token count of s.
func TextTokens(s string) int {
	return (len(s) + bytesPerToken - 1) / bytesPerToken
}

// PromptTokens is the fake's prompt_eval_count for a chat request, before
// any truncation.
func PromptTokens(req *api.ChatRequest) int {
	n := assistantOverhead
	for _, m := range req.Messages {
		n += messageOverhead + TextTokens(m.Content) + TextTokens(m.Thinking)
		if len(m.ToolCalls) > 0 {
			b, _ := json.Marshal(m.ToolCalls)
			n += TextTokens(string(b))
		}
	}
	if len(req.Tools) > 0 {
		b, _ := json.Marshal(req.Tools)
		n += TextTokens(string(b))
	}
	return n
}
