package ollamatest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearth-dev/hearth/internal/ollamatest/qwengguf"
	"github.com/ollama/ollama/api"
)

// benchRules is a stable system prompt of about 1,000 tokens, standing in
// for Hearth's own.
func benchRules() string {
	var b strings.Builder
	b.WriteString("You are Hearth, a local coding agent working inside the user's editor.\n")
	for i := range 40 {
		fmt.Fprintf(&b, "Rule %d: keep edits minimal, explain them briefly, and never touch files outside the workspace.\n", i+1)
	}
	return b.String()
}

// benchCode is a user message of about 170 tokens that differs per turn:
// with the reply and the volatile details a turn adds about 220 tokens, so
// ten turns stay below num_ctx 4096 and nothing is truncated.
func benchCode(turn int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Turn %d. Review this function:\n```go\n", turn)
	for i := range 4 {
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
	ttft          time.Duration // request sent to first streamed chunk
	evalTime      time.Duration // prompt_eval_duration: the runner's own prompt work
	loadTime      time.Duration // load_duration: scheduling, even when loaded
	prompt        int
	used, remains int
}

// session runs a 10-turn conversation and measures each turn's time to the
// first streamed token. volatileFirst puts the changing details at the start
// of the system prompt (which invalidates the whole prompt cache every
// turn); otherwise they ride in the newest user message, after everything
// the cache already holds.
func session(b *testing.B, s *Server, model string, volatileFirst bool) []turnResult {
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
		err := s.Client.Chat(ctx, &api.ChatRequest{Model: model, Messages: msgs, Options: opts(8, "num_ctx", s.NumCtx)},
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
		r := turnResult{ttft: first.Sub(t0), evalTime: final.PromptEvalDuration, loadTime: final.LoadDuration, prompt: final.PromptEvalCount}
		if slots := s.CacheSlots(); len(slots) > slotsBefore {
			r.used, r.remains = slots[len(slots)-1].Used, slots[len(slots)-1].Remaining
		}
		out = append(out, r)
	}
	return out
}

// BenchmarkPromptCache compares time to first token over a 10-turn session
// (context about 4K tokens) when the prompt prefix stays stable against the
// same session with volatile details at the start of the system prompt. It
// runs on the tiny test model and on a wider one (width 256, 4 layers) to
// show how the ratio moves with the cost per token. On a CPU the stable
// layout still pays about 200 ms of load_duration per request (scheduling,
// with the model already loaded) and re-evaluates each turn's ~240 new
// tokens, which caps the ratio; eval-speedup isolates the cache's effect.
//
//	HEARTH_REAL_OLLAMA=1 go test ./internal/ollamatest -run '^$' -bench PromptCache -benchtime 1x -v
func BenchmarkPromptCache(b *testing.B) {
	s := Start(b, Options{Debug: true, NumCtx: 4096})
	tokDir, err := TokenizerDir()
	if err != nil {
		b.Fatal(err)
	}
	tok, err := qwengguf.LoadTokenizer(tokDir)
	if err != nil {
		b.Fatal(err)
	}
	wide := filepath.Join(b.TempDir(), "w256.gguf")
	shape := qwengguf.Shape{Layers: 4, Width: 256, Heads: 4, KVHeads: 2, FFN: 1024, Context: 32768, Vocab: 152064, TiedEmbd: true}
	if _, err := qwengguf.WriteFile(wide, tok, qwengguf.Options{Shape: shape, Weights: qwengguf.WeightsF16, Seed: 5}); err != nil {
		b.Fatal(err)
	}
	if err := s.Create("bench-w256", wide); err != nil {
		b.Fatal(err)
	}
	for _, model := range []string{Model, "bench-w256"} {
		b.Run(model, func(b *testing.B) {
			// Load the model first so turn 1 of either layout does not pay for it.
			if _, err := s.PromptTokens(context.Background(), model, []api.Message{user("warm up")}, nil); err != nil {
				b.Fatal(err)
			}
			var stable, broken []turnResult
			for b.Loop() {
				stable = session(b, s, model, false)
				broken = session(b, s, model, true)
			}
			report(b, stable, broken)
		})
	}
}

func report(b *testing.B, stable, broken []turnResult) {
	var sumS, sumB, evalS, evalB, lateS, lateB time.Duration
	b.Logf("turn | prompt tokens | stable: TTFT, prompt eval, load, cache used/evaluated | volatile-first: TTFT, prompt eval, load, cache used/evaluated")
	for i := range stable {
		st, br := stable[i], broken[i]
		b.Logf("%4d | %4d / %4d | %6.0f ms %6.0f ms %5.0f ms %5d / %4d | %6.0f ms %6.0f ms %5.0f ms %5d / %4d", i+1, st.prompt, br.prompt,
			ms(st.ttft), ms(st.evalTime), ms(st.loadTime), st.used, st.remains,
			ms(br.ttft), ms(br.evalTime), ms(br.loadTime), br.used, br.remains)
		if i >= 5 {
			lateS += st.ttft
			lateB += br.ttft
		}
		if i > 0 {
			sumS += st.ttft
			sumB += br.ttft
			evalS += st.evalTime
			evalB += br.evalTime
		}
	}
	b.ReportMetric(ms(sumS)/9, "stable-ttft-ms")
	b.ReportMetric(ms(sumB)/9, "volatile-ttft-ms")
	b.ReportMetric(float64(sumB)/float64(sumS), "ttft-speedup") // turns 2 to 10
	b.ReportMetric(float64(evalB)/float64(evalS), "eval-speedup")
	// Turns 6 to 10, where the history is long: the goal is 5x or more.
	b.ReportMetric(float64(lateB)/float64(lateS), "late-ttft-speedup")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
