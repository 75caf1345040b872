package ollamatest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hearth-dev/hearth/internal/engine"
	"github.com/hearth-dev/hearth/llm"
	"github.com/hearth-dev/hearth/planact"
)

// bigGoFile is a plausible source file of about n bytes.
func bigGoFile(n int) string {
	var b strings.Builder
	b.WriteString("package big\n\n")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "// Sum%d adds the numbers of xs that are above %d.\nfunc Sum%d(xs []int) (total int) {\n\tfor _, x := range xs {\n\t\tif x > %d {\n\t\t\ttotal += x\n\t\t}\n\t}\n\treturn total\n}\n\n", i, i, i, i)
	}
	return b.String()
}

// TestHearthNeverTruncates runs a planact session with a small window and
// oversized input. Hearth sends truncate:false, so Ollama never cuts a
// prompt silently: every request that reaches the server either fits or is
// refused with a 400, and a refusal makes the loop compact and retry.
func TestHearthNeverTruncates(t *testing.T) {
	s := Start(t)
	createBounded(t, s, 8)
	rec := newRecorder(t, s)
	const numCtx = 1024
	root := t.TempDir()
	big := bigGoFile(12000) // about 3,500 tokens: over three windows
	b, evs := buildEngine(t, hearthSettings(rec.URL, BoundedModel, numCtx), root)

	// Digits are one Qwen2.5 token each, far more than Hearth's estimate of
	// 3.5 characters a token: this message looks like it fits (about 860
	// estimated tokens with the system prompt) but does not (over 2,500).
	digits := strings.Repeat("3141592653 5897932384 6264338327 9502884197\n", 55)

	sid := ""
	for i, req := range []planact.ChatRequest{
		// The whole file selected in the editor rides on the message.
		{Text: "Explain this file.", Mode: planact.ModePlan, Context: &planact.ChatContext{
			Selection: &planact.Selection{Path: "big.go", StartLine: 1, EndLine: strings.Count(big, "\n"), Text: big}}},
		{Text: "Check these numbers:\n" + digits},
		{Text: "Thanks. What next?"},
	} {
		req.SessionID = sid
		rec.Reset()
		var tid string
		sid, tid = turn(t, b.Engine, req)
		done := evs.Of(sid, tid, planact.EventDone)
		if errs := evs.Of(sid, tid, planact.EventError); len(done) != 1 || done[0].Reason == planact.DoneError || len(errs) != 0 {
			t.Errorf("turn %d: the session did not survive: done %+v, errors %+v", i, done, errs)
		}
		refused := 0
		for j, ex := range rec.Exchanges() {
			switch {
			case ex.Status == 400:
				refused++
				if !strings.Contains(ex.ErrorText, "exceeds the context length") {
					t.Errorf("turn %d request %d: 400 %q", i, j, ex.ErrorText)
				}
			case ex.Final == nil:
				t.Errorf("turn %d request %d: status %d without a final chunk (%s)", i, j, ex.Status, ex.ErrorText)
			case ex.Final.PromptEvalCount >= numCtx:
				t.Errorf("turn %d request %d: prompt_eval_count %d fills num_ctx %d (done_reason %q): the prompt was cut",
					i, j, ex.Final.PromptEvalCount, numCtx, ex.Final.DoneReason)
			default:
				t.Logf("turn %d request %d: %d messages, prompt_eval_count %d of %d, done_reason %q",
					i, j, len(ex.Req.Messages), ex.Final.PromptEvalCount, numCtx, ex.Final.DoneReason)
			}
			if ex.Req.Truncate == nil || *ex.Req.Truncate {
				t.Errorf("turn %d request %d: truncate %v, want false", i, j, ex.Req.Truncate)
			}
		}
		t.Logf("turn %d: %d requests, %d refused as too long, done %q", i, len(rec.Exchanges()), refused, done[0].Reason)
	}
	if lines := s.LogLines("truncating"); len(lines) != 0 {
		t.Errorf("the server truncated a prompt:\n%s", strings.Join(lines, "\n"))
	}
	if n := s.ModelLoads(); n != 1 {
		t.Errorf("model loaded %d times, want once", n)
	}
}

// TestHearthPromptTokens measures, in real Qwen2.5 tokens, what Hearth's
// system prompt and tool schemas cost: prompt_eval_count of a first turn
// that says only "hi", for each window size, mode and tool protocol. On
// windows of 8K or less the fixed part must leave most of the window to the
// work.
func TestHearthPromptTokens(t *testing.T) {
	s := Start(t)
	createBounded(t, s, 1)
	rec := newRecorder(t, s)
	base := hearthClient(t, rec.URL, llm.Config{})
	const budget = 1500
	type row struct {
		window       int
		mode         planact.Mode
		native       bool
		tokens       int
		systemChars  int
		tools        int
		estimateUsed int
	}
	var rows []row
	for _, window := range []int{4096, 8192, 16384, 32768} {
		client, err := base.WithNumCtx(window)
		if err != nil {
			t.Fatal(err)
		}
		for _, native := range []bool{true, false} {
			root := t.TempDir()
			evs := &events{}
			e, err := planact.NewEngine(planact.Config{
				Root: root, Model: client, NumCtx: window,
				Plan:   planact.ModelChoice{Name: BoundedModel, Tools: native},
				Editor: engine.Editor{Root: root}, Snapshots: noSnapshots{}, OnEvent: evs.add,
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, mode := range []planact.Mode{planact.ModePlan, planact.ModeAct} {
				rec.Reset()
				sid, tid := turn(t, e, planact.ChatRequest{Text: "hi", Mode: mode})
				exs := rec.Exchanges()
				if len(exs) == 0 || exs[0].Final == nil {
					t.Fatalf("%d %s native=%v: no answered request (%+v)", window, mode, native, exs)
				}
				ex := exs[0]
				if (len(ex.Req.Tools) > 0) != native {
					t.Errorf("%d %s native=%v: %d tool schemas sent", window, mode, native, len(ex.Req.Tools))
				}
				r := row{window: window, mode: mode, native: native, tokens: ex.Final.PromptEvalCount,
					systemChars: len(ex.Req.Messages[0].Content), tools: len(ex.Req.Tools)}
				if us := evs.Of(sid, tid, planact.EventUsage); len(us) > 0 {
					r.estimateUsed = us[0].Usage.ContextTokens
				}
				rows = append(rows, r)
				if window <= 8192 && r.tokens >= budget {
					t.Errorf("%d %s native=%v: the fixed prompt takes %d tokens, want under %d", window, mode, native, r.tokens, budget)
				}
				// The count does not depend on the prompt cache: the same
				// request measured afresh gives the same number.
				if window == s.NumCtx {
					n, err := s.PromptTokens(ctxT(t), BoundedModel, ex.Req.Messages, ex.Req.Tools)
					if err != nil || n != r.tokens {
						t.Errorf("%d %s native=%v: re-measured %d (%v), the turn reported %d", window, mode, native, n, err, r.tokens)
					}
				}
			}
			e.Close()
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-7s %-5s %-8s %7s %8s %6s %10s\n", "num_ctx", "mode", "tools", "tokens", "sys chr", "tools#", "usage ctx")
	for _, r := range rows {
		proto := "native"
		if !r.native {
			proto = "text"
		}
		fmt.Fprintf(&b, "%-7d %-5s %-8s %7d %8d %6d %10d\n", r.window, r.mode, proto, r.tokens, r.systemChars, r.tools, r.estimateUsed)
	}
	t.Logf("first-turn prompt (system + tools + \"hi\") in Qwen2.5 tokens:%s", b.String())
}

// TestHearthDenseInputCompacts pastes data that tokenises far worse than
// Hearth's estimate of 3.5 characters a token (digits are one token each):
// compaction guided by the estimate alone needs more than one try, and the
// turn must still end normally rather than in "does not fit".
func TestHearthDenseInputCompacts(t *testing.T) {
	s := Start(t)
	createBounded(t, s, 8)
	rec := newRecorder(t, s)
	data := strings.Repeat("3141592653 5897932384 6264338327 9502884197\n", 400) // 17,600 characters, over 17,000 tokens
	for _, numCtx := range []int{1024, 4096} {
		t.Run(fmt.Sprint(numCtx), func(t *testing.T) {
			rec.Reset()
			b, evs := buildEngine(t, hearthSettings(rec.URL, BoundedModel, numCtx), "")
			sid, tid := turn(t, b.Engine, planact.ChatRequest{Text: "Find the pattern in this data:\n" + data, Mode: planact.ModePlan})
			var statuses []int
			for _, ex := range rec.Exchanges() {
				statuses = append(statuses, ex.Status)
				if ex.Final != nil {
					t.Logf("answered: prompt_eval_count %d of %d", ex.Final.PromptEvalCount, numCtx)
					if ex.Final.PromptEvalCount >= numCtx {
						t.Errorf("prompt_eval_count %d fills num_ctx %d: the prompt was cut", ex.Final.PromptEvalCount, numCtx)
					}
				}
			}
			done := evs.Of(sid, tid, planact.EventDone)
			if errs := evs.Of(sid, tid, planact.EventError); len(done) != 1 || done[0].Reason != planact.DoneAwaitingUser || len(errs) != 0 {
				t.Errorf("statuses %v: done %+v, errors %+v; want the turn to end awaiting the user", statuses, done, errs)
			}
			t.Logf("request statuses: %v", statuses)
		})
	}
	if lines := s.LogLines("truncating"); len(lines) != 0 {
		t.Errorf("the server truncated a prompt:\n%s", strings.Join(lines, "\n"))
	}
}
