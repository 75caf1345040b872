package ollamatest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"
)

// benchRules is a stable system prompt of about 900 tokens, standing in for
// Hearth's own.
func benchRules() string {
	var b strings.Builder
	b.WriteString("You are Hearth, a local coding agent working inside the user's editor.\n")
	for i := range 40 {
		fmt.Fprintf(&b, "Rule %d: keep edits minimal, explain them briefly, and never touch files outside the workspace.\n", i+1)
	}
	return b.String()
}

// benchCode is a user message of about 230 tokens that differs per turn.
func benchCode(turn int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Turn %d. Review this function:\n```go\n", turn)
	for i := range 8 {
		fmt.Fprintf(&b, "func step%d_%d(xs []int) int {\n\ttotal := 0\n\tfor _, x := range xs {\n\t\ttotal += x * %d\n\t}\n\treturn total\n}\n", turn, i, i+turn)
	}
	b.WriteString("```")
	return b.String()
}

// volatile is what changes every turn: a clock and the open editors.
func volatile(turn int, now time.Time) string {
	files := []string{"main.go", "server/handler.go", "planact/loop.go", "llm/client.go", "vram/estimate.go"}
	open := files[:1+turn%len(files)]
	return fmt.Sprintf("Current time: %s\nOpen files: %s\n", now.Add(time.Duration(turn)*17*time.Second).Format(time.RFC3339Nano), strings.Join(open, ", "))
}

type turnResult struct {
	ttft          time.Duration
	prompt        int
	used, remains int
}

// session runs a 10-turn conversation and measures each turn's time to the
// first streamed token. volatileFirst puts the changing details at the start
// of the system prompt (which invalidates the whole prompt cache every
// turn); otherwise they ride in the newest user message, after everything
// the cache already holds.
func session(b *testing.B, s *Server, volatileFirst bool) []turnResult {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	rules := benchRules()
	var history []api.Message
	var out []turnResult
	for turn := range 10 {
		sys := rules
		userMsg := benchCode(turn)
		if volatileFirst {
			sys = volatile(turn, start) + rules
		} else {
			userMsg = volatile(turn, start) + userMsg
		}
		history = append(history, user(userMsg))
		msgs := append([]api.Message{{Role: "system", Content: sys}}, history...)
		slotsBefore := len(s.CacheSlots())
		var first time.Time
		var reply strings.Builder
		var final api.ChatResponse
		t0 := time.Now()
		err := s.Client.Chat(ctx, &api.ChatRequest{Model: Model, Messages: msgs, Options: opts(8, "num_ctx", s.NumCtx)},
			func(r api.ChatResponse) error {
				if first.IsZero() {
					first = time.Now()
				}
				reply.WriteString(r.Message.Content)
				if r.Done {
					final = r
				}
				return nil
			})
		if err != nil {
			b.Fatal(err)
		}
		if final.PromptEvalCount >= s.NumCtx {
			b.Fatalf("turn %d: prompt of %d tokens filled num_ctx %d; the benchmark must not truncate", turn, final.PromptEvalCount, s.NumCtx)
		}
		history = append(history, api.Message{Role: "assistant", Content: reply.String()})
		r := turnResult{ttft: first.Sub(t0), prompt: final.PromptEvalCount}
		if slots := s.CacheSlots(); len(slots) > slotsBefore {
			r.used, r.remains = slots[len(slots)-1].Used, slots[len(slots)-1].Remaining
		}
		out = append(out, r)
	}
	return out
}

// BenchmarkPromptCache compares time to first token over a 10-turn session
// (context about 4K tokens) when the prompt prefix stays stable against the
// same session with volatile details at the start of the system prompt.
//
//	HEARTH_REAL_OLLAMA=1 go test ./internal/ollamatest -run '^$' -bench PromptCache -benchtime 1x -v
func BenchmarkPromptCache(b *testing.B) {
	s := Start(b, Options{Debug: true, NumCtx: 4096})
	// Load the model first so turn 1 of either layout does not pay for it.
	if _, err := s.PromptTokens(context.Background(), Model, []api.Message{user("warm up")}, nil); err != nil {
		b.Fatal(err)
	}
	var stable, broken []turnResult
	for b.Loop() {
		stable = session(b, s, false)
		broken = session(b, s, true)
	}
	var sumS, sumB time.Duration
	b.Logf("turn | prompt tokens | stable TTFT | cache used/remaining | volatile-first TTFT | cache used/remaining")
	for i := range stable {
		st, br := stable[i], broken[i]
		b.Logf("%4d | %5d / %5d | %9.0f ms | %5d / %5d | %9.0f ms | %5d / %5d", i+1, st.prompt, br.prompt,
			ms(st.ttft), st.used, st.remains, ms(br.ttft), br.used, br.remains)
		if i > 0 {
			sumS += st.ttft
			sumB += br.ttft
		}
	}
	b.ReportMetric(ms(sumS)/9, "stable-ttft-ms")
	b.ReportMetric(ms(sumB)/9, "volatile-first-ttft-ms")
	b.ReportMetric(float64(sumB)/float64(sumS), "speedup")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
