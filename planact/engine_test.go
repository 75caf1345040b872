package planact

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ollama/ollama/api"
)

// newTestEngine builds an engine over a temp workspace with the given
// scripted replies; events are collected.
func newTestEngine(t testing.TB, cfg Config, replies string) (*Engine, *scriptModel, *[]Event, *sync.Mutex) {
	t.Helper()
	m := &scriptModel{}
	if replies != "" {
		if err := json.Unmarshal([]byte(replies), &m.replies); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var evs []Event
	if cfg.Root == "" {
		cfg.Root = t.TempDir()
	}
	cfg.Model, cfg.Editor, cfg.Snapshots = m, lineEditor{}, &fakeSnapshots{}
	if cfg.Plan.Name == "" {
		cfg.Plan = ModelChoice{Name: "m", Tools: true}
	}
	cfg.OnEvent = func(ev Event) {
		mu.Lock()
		evs = append(evs, ev)
		mu.Unlock()
	}
	e, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e, m, &evs, &mu
}

// TestPromptBudget holds the compact prompt (system prompt plus tool
// schemas) under 1,500 estimated tokens in windows of 8K or less, even with
// long project rules, in every mode and protocol.
func TestPromptBudget(t *testing.T) {
	root := t.TempDir()
	must(t, os.WriteFile(filepath.Join(root, "AGENTS.md"), []byte(strings.Repeat("Always write tests first. ", 400)), 0o644))
	for _, numCtx := range []int{4096, 8192} {
		for _, native := range []bool{true, false} {
			for _, mode := range []Mode{ModePlan, ModeAct} {
				e, _, _, _ := newTestEngine(t, Config{Root: root, NumCtx: numCtx, Plan: ModelChoice{Name: "m", Tools: native}}, "")
				s := newSession(e, "x")
				tr := &turn{e: e, s: s, mode: mode}
				tr.setup()
				if !strings.Contains(tr.system, "Always write tests first.") {
					t.Fatalf("project rules missing from the prompt")
				}
				if n := estimateRequest(tr.request(nil)); n >= 1500 {
					t.Errorf("num_ctx %d native=%v %s: prompt estimated at %d tokens, want < 1500", numCtx, native, mode, n)
				}
			}
		}
	}
}

// TestPromptPrefixStable checks that the second turn's request starts with
// exactly the first turn's messages, so Ollama's prompt cache is reused,
// and that volatile context sits at the end of the newest user message.
func TestPromptPrefixStable(t *testing.T) {
	e, m, _, _ := newTestEngine(t, Config{}, `[{"text": "first answer"}, {"text": "second answer"}]`)
	ctx1 := &ChatContext{OpenFiles: []string{"a.go"}, Time: time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)}
	sid, _, err := e.Chat(ChatRequest{Text: "hello", Context: ctx1})
	must(t, err)
	must(t, e.Wait(context.Background(), sid))
	ctx2 := &ChatContext{OpenFiles: []string{"b.go"}, Time: time.Date(2026, 1, 1, 10, 5, 0, 0, time.UTC),
		Selection: &Selection{Path: "b.go", StartLine: 2, EndLine: 3, Text: "x := 1"}, Diagnostics: []string{"b.go:2: x declared and not used"}}
	_, _, err = e.Chat(ChatRequest{SessionID: sid, Text: "again", Context: ctx2})
	must(t, err)
	must(t, e.Wait(context.Background(), sid))
	r1, r2 := m.requests[0].Messages, m.requests[1].Messages
	for i := range r1 {
		if r1[i].Content != r2[i].Content || r1[i].Role != r2[i].Role {
			t.Fatalf("message %d changed between turns:\n%q\n%q", i, r1[i].Content, r2[i].Content)
		}
	}
	if strings.Contains(r1[0].Content, "2026") || strings.Contains(r1[0].Content, "a.go") {
		t.Fatalf("the system prompt holds volatile details:\n%s", r1[0].Content)
	}
	last := r2[len(r2)-1]
	if !strings.HasPrefix(last.Content, "again") || !strings.Contains(last.Content, "Time: 2026-01-01T10:05:00Z") ||
		!strings.Contains(last.Content, "x declared and not used") || !strings.Contains(last.Content, "x := 1") {
		t.Fatalf("newest user message lacks its context:\n%s", last.Content)
	}
	if m.requests[0].Options["num_ctx"] != 8192 || m.requests[0].Options["temperature"] != 0.0 {
		t.Fatalf("options %v", m.requests[0].Options)
	}
}

func TestEngineErrors(t *testing.T) {
	e, _, _, _ := newTestEngine(t, Config{}, `[{"text": "x", "block": true}]`)
	sid, _, err := e.Chat(ChatRequest{Text: "one"})
	must(t, err)
	if _, _, err := e.Chat(ChatRequest{SessionID: sid, Text: "two"}); !errors.Is(err, ErrBusy) {
		t.Fatalf("second Chat on a busy session: %v", err)
	}
	if !e.Busy() {
		t.Fatal("Busy is false during a turn")
	}
	must(t, e.Cancel(sid))
	must(t, e.Wait(context.Background(), sid))
	if _, _, err := e.Chat(ChatRequest{SessionID: "../../etc", Text: "x"}); err == nil {
		t.Fatal("an unsafe session id was accepted")
	}
	if _, _, err := e.Chat(ChatRequest{Text: "x", Mode: "yolo"}); err == nil {
		t.Fatal("an unknown mode was accepted")
	}
	if err := e.SetMode("nope", ModeAct); !errors.Is(err, ErrUnknownSession) {
		t.Fatalf("SetMode on an unknown session: %v", err)
	}
	if _, err := e.History("nope"); !errors.Is(err, ErrUnknownSession) {
		t.Fatalf("History of an unknown session: %v", err)
	}
	if err := e.Approve("r-nope", true, ""); !errors.Is(err, ErrUnknownRequest) {
		t.Fatalf("Approve of an unknown request: %v", err)
	}
	if _, err := e.ApplyProposal("p-nope", "", nil); !errors.Is(err, ErrUnknownProposal) {
		t.Fatalf("ApplyProposal of an unknown proposal: %v", err)
	}
	a, _, _ := e.Chat(ChatRequest{Text: "a"})
	b, _, _ := e.Chat(ChatRequest{Text: "b"})
	if a == b || !sessionIDRe.MatchString(a) {
		t.Fatalf("session ids %q and %q", a, b)
	}
	if _, err := NewEngine(Config{Root: "relative", Model: &scriptModel{}, Editor: lineEditor{}, Snapshots: &fakeSnapshots{}}); err == nil {
		t.Fatal("a relative root was accepted")
	}
	if _, err := NewEngine(Config{Root: "/tmp", Model: &scriptModel{}, Editor: lineEditor{}}); err == nil {
		t.Fatal("an engine without snapshots was accepted")
	}
}

// BenchmarkTurn measures the loop's own overhead for a turn of two model
// calls (read_file, then attempt_completion) with a model that answers at
// once: everything a real turn costs besides the model.
func BenchmarkTurn(b *testing.B) {
	root := b.TempDir()
	must(b, os.WriteFile(filepath.Join(root, "main.go"), []byte(strings.Repeat("func f() {}\n", 200)), 0o644))
	m := &instantModel{}
	e, err := NewEngine(Config{Root: root, Model: m, Editor: lineEditor{}, Snapshots: &fakeSnapshots{}, Plan: ModelChoice{Name: "m", Tools: true}})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sid, _, err := e.Chat(ChatRequest{Text: "read main.go"})
		if err != nil {
			b.Fatal(err)
		}
		if err := e.Wait(context.Background(), sid); err != nil {
			b.Fatal(err)
		}
	}
}

// instantModel reads main.go, then completes.
type instantModel struct{}

func (instantModel) Chat(_ context.Context, req *api.ChatRequest, fn api.ChatResponseFunc) error {
	var tc api.ToolCall
	if len(req.Messages) <= 2 {
		tc.Function.Name = "read_file"
		tc.Function.Arguments.Set("path", "main.go")
	} else {
		tc.Function.Name = "attempt_completion"
		tc.Function.Arguments.Set("summary", "done")
	}
	if err := fn(api.ChatResponse{Message: api.Message{Content: "Working on it."}}); err != nil {
		return err
	}
	return fn(api.ChatResponse{Message: api.Message{ToolCalls: []api.ToolCall{tc}}, Done: true})
}
