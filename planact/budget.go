package planact

import (
	"fmt"
	"strings"

	"github.com/ollama/ollama/api"
)

// fillRatio is how full (estimated) the window may be before a request:
// the rest is left for the answer.
const fillRatio = 0.85

// summaryPrompt asks the model to compress the oldest exchanges.
const summaryPrompt = "You summarise a coding agent's work so far, for the agent itself. In at most 150 words list: files read and what matters in them, changes made, commands run and their results, decisions taken, what remains to do. No preamble."

// fit keeps the next request inside the window. Above fillRatio of num_ctx
// it first shortens old tool outputs to their one-line summaries, then has
// the model summarise the oldest exchanges, always keeping the system
// prompt, the task (first message), the newest user message and the latest
// exchange verbatim; as a last resort it truncates the largest kept
// messages. force (after the server said the prompt did not fit) compacts
// to 70% of the current estimate even if it looked fine. It fails only when
// the request cannot be made to fit at all.
func (t *turn) fit(force bool) error {
	limit := t.e.cfg.NumCtx
	target := int(float64(limit) * fillRatio)
	entries := t.s.messages()
	est := func(es []entry) int { return t.estimate(t.request(es)) }
	now := est(entries)
	if force {
		target = min(target, now*7/10)
	}
	if now <= target {
		return nil
	}
	keep := lastExchangeStart(entries)
	lastUser := lastUserIndex(entries)
	// 1. Old tool outputs shrink to a line.
	for i := range entries[:keep] {
		en := &entries[i]
		if en.tool != "" && !en.shortened {
			en.msg.Content = fmt.Sprintf("[%s output removed to save room: %s]", en.tool, en.summary)
			en.shortened = true
		}
	}
	t.s.setTranscript(entries)
	if est(entries) <= target {
		return nil
	}
	// 2. The oldest exchanges become a summary.
	var old []entry
	var kept []entry
	for i, en := range entries {
		switch {
		case i == 0 || i == lastUser || i >= keep:
			kept = append(kept, en)
		default:
			old = append(old, en)
		}
	}
	if len(old) > 0 {
		sum := t.summarise(old)
		entries = append([]entry{kept[0], {msg: api.Message{Role: "user", Content: "[Summary of the earlier steps of this session]\n" + sum}, shortened: true}}, kept[1:]...)
		t.s.setTranscript(entries)
		t.e.cfg.Logger.Info("context compacted", "session", t.s.id, "messages", len(old), "before", now, "after", est(entries))
	}
	// 3. Truncate the largest messages left.
	for est(entries) > target {
		big, size := -1, 400
		for i, en := range entries {
			if len(en.msg.Content) > size {
				big, size = i, len(en.msg.Content)
			}
		}
		if big < 0 {
			if est(entries) <= limit {
				break // Over the target but inside the window: the answer must be short.
			}
			return fmt.Errorf("the context window (num_ctx %d) is too small for this session even after compaction; choose a larger window", limit)
		}
		c := entries[big].msg.Content
		half := len(c) / 4
		entries[big].msg.Content = c[:half] + "\n[... truncated to save room ...]\n" + c[len(c)-half:]
		entries[big].shortened = true
		t.s.setTranscript(entries)
	}
	return nil
}

// lastExchangeStart is the index of the last assistant message (the latest
// exchange is it and the tool results after it), or len(es).
func lastExchangeStart(es []entry) int {
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].msg.Role == "assistant" {
			return i
		}
	}
	return len(es)
}

func lastUserIndex(es []entry) int {
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].user {
			return i
		}
	}
	return 0
}

// summarise asks the model to compress old entries; if that fails it falls
// back to the entries' one-line summaries, so compaction always succeeds.
func (t *turn) summarise(old []entry) string {
	budget := int(float64(t.e.cfg.NumCtx)*0.6*charsPerToken) - len(summaryPrompt)
	var b strings.Builder
	for _, en := range old {
		line := en.msg.Content
		for _, c := range en.msg.ToolCalls {
			line += fmt.Sprintf("\n(called %s %s)", c.Function.Name, c.Function.Arguments.String())
		}
		if len(line) > 1500 {
			line = line[:1500] + " [...]"
		}
		fmt.Fprintf(&b, "%s: %s\n", en.msg.Role, line)
	}
	text := b.String()
	if len(text) > budget && budget > 0 {
		text = text[len(text)-budget:]
	}
	stream := false
	req := &api.ChatRequest{
		Model: t.choice.Name, Stream: &stream,
		Messages: []api.Message{{Role: "system", Content: summaryPrompt}, {Role: "user", Content: text}},
		Options:  map[string]any{"num_ctx": t.e.cfg.NumCtx, "temperature": 0.0},
	}
	var out strings.Builder
	err := t.e.cfg.Model.Chat(t.ctx, req, func(r api.ChatResponse) error {
		out.WriteString(r.Message.Content)
		return nil
	})
	if err == nil && strings.TrimSpace(out.String()) != "" {
		return strings.TrimSpace(out.String())
	}
	t.e.cfg.Logger.Warn("summarising the transcript failed; keeping one-line summaries", "err", err)
	var lines []string
	for _, en := range old {
		if en.summary != "" {
			lines = append(lines, "- "+en.tool+": "+en.summary)
		}
	}
	if len(lines) == 0 {
		return "(earlier steps were dropped to save room)"
	}
	return strings.Join(lines, "\n")
}
