package ollamatest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/hearth-dev/hearth/llm"
	"github.com/hearth-dev/hearth/planact"
)

// The TestHearth* tests drive Hearth's own code (llm.Client, engine.Build,
// planact) against the real server, so a change in Ollama's wire behaviour
// or in Hearth's reading of it fails here rather than on a user's machine.

// TestHearthClient checks llm.Client against a real server: streaming,
// tool calls, /api/show, /api/tags, /api/ps, /api/version, keep_alive, and
// the classification of an unknown model and of an over-long prompt.
func TestHearthClient(t *testing.T) {
	s := Start(t)
	ctx := ctxT(t)
	const keep = 10 * time.Minute
	c := hearthClient(t, s.URL.String(), llm.Config{NumCtx: DefaultNumCtx, KeepAlive: keep})

	t.Run("version", func(t *testing.T) {
		v, err := c.Version(ctx)
		if err != nil || v != Version {
			t.Errorf("Version: %q, %v; want %q", v, err, Version)
		}
	})

	t.Run("capabilities", func(t *testing.T) {
		caps, err := c.Capabilities(ctx, Model)
		if err != nil {
			t.Fatal(err)
		}
		if !caps.Tools || !caps.Completion || caps.Architecture != "qwen2" {
			t.Errorf("tools %v completion %v architecture %q; want true, true, qwen2", caps.Tools, caps.Completion, caps.Architecture)
		}
		if caps.ContextLength != 32768 || caps.ModelfileNumCtx != DefaultNumCtx {
			t.Errorf("context length %d, Modelfile num_ctx %d; want 32768 and %d", caps.ContextLength, caps.ModelfileNumCtx, DefaultNumCtx)
		}
		if caps.BlockCount != 2 || caps.HeadCount != 4 || caps.HeadCountKV != 2 || caps.EmbeddingLength != 64 || caps.KeyLength != 0 {
			t.Errorf("shape %+v; want 2 layers, 4 heads, 2 KV heads, width 64, no key_length", caps)
		}
		// qwen2 has no key_length: head size is 64/4 = 16, so one token of
		// f16 KV cache is 2 (K,V) × 2 layers × 2 KV heads × 16 × 2 bytes.
		if got, want := caps.KVBytesPerToken(), int64(2*2*2*16*2); got != want {
			t.Errorf("KVBytesPerToken %d, want %d (head size from width/heads)", got, want)
		}
		if caps.Quantization != "F16" || caps.Family != "qwen2" {
			t.Errorf("quantization %q family %q", caps.Quantization, caps.Family)
		}
	})

	t.Run("list", func(t *testing.T) {
		tags, err := c.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range tags.Models {
			names = append(names, m.Name)
		}
		if len(names) != 2 || !strings.Contains(strings.Join(names, " "), Model+":latest") {
			t.Errorf("List: %v; want the two test models", names)
		}
	})

	t.Run("text stream", func(t *testing.T) {
		var chunks int
		var streamed strings.Builder
		res, err := c.ChatWith(ctx, &api.ChatRequest{Model: Model, Messages: []api.Message{user("Say hello.")},
			Options: map[string]any{"num_predict": 8, "temperature": 0}}, llm.ChatOptions{}, func(r api.ChatResponse) error {
			chunks++
			streamed.WriteString(r.Message.Content)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if chunks < 2 || res.DoneReason != "length" || res.EvalCount != 8 || res.PromptEvalCount == 0 {
			t.Errorf("%d chunks, done_reason %q, eval_count %d, prompt_eval_count %d; want a stream of 8 tokens cut by length",
				chunks, res.DoneReason, res.EvalCount, res.PromptEvalCount)
		}
		if res.Message.Role != "assistant" || res.Message.Content == "" || res.Message.Content != streamed.String() {
			t.Errorf("assembled message %+v, streamed %q", res.Message, streamed.String())
		}
		if res.NumCtx != DefaultNumCtx {
			t.Errorf("Result.NumCtx %d, want the session's %d", res.NumCtx, DefaultNumCtx)
		}
	})

	t.Run("tool call", func(t *testing.T) {
		schema := json.RawMessage(`{"type":"object","required":["name","arguments"],"properties":{
			"name":{"type":"string","enum":["read_file"]},
			"arguments":{"type":"object","required":["path"],"properties":{"path":{"type":"string","maxLength":16}}}}}`)
		withLogprobs := 0
		res, err := c.ChatWith(ctx, &api.ChatRequest{Model: ToolModel, Messages: []api.Message{user("Open main.go")},
			Tools: api.Tools{readFileTool()}, Format: schema,
			Options: map[string]any{"num_predict": 128, "seed": 3, "temperature": 0.7}}, llm.ChatOptions{}, func(r api.ChatResponse) error {
			if r.Logprobs != nil {
				withLogprobs++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Message.ToolCalls) != 1 {
			t.Fatalf("%d tool calls (done_reason %q, content %q), want 1", len(res.Message.ToolCalls), res.DoneReason, res.Message.Content)
		}
		call := res.Message.ToolCalls[0]
		path, ok := call.Function.Arguments.Get("path")
		if _, isString := path.(string); call.Function.Name != "read_file" || !ok || !isString {
			t.Errorf("tool call %+v, want read_file with a string path", call)
		}
		// The client asks for logprobs to keep a tool call's stream
		// talking; they must not reach the caller.
		if withLogprobs != 0 {
			t.Errorf("%d chunks reached the caller with the heartbeat's logprobs", withLogprobs)
		}
	})

	t.Run("keep_alive in ps", func(t *testing.T) {
		ps, err := c.ListRunning(ctx)
		if err != nil || len(ps.Models) == 0 {
			t.Fatalf("ListRunning: %+v, %v; want the model loaded by the chats above", ps, err)
		}
		for _, m := range ps.Models {
			if left := time.Until(m.ExpiresAt); left < keep-time.Minute || left > keep+time.Minute {
				t.Errorf("%s expires in %v, want about %v (Config.KeepAlive)", m.Name, left, keep)
			}
		}
	})

	t.Run("unknown model", func(t *testing.T) {
		_, err := c.ChatWith(ctx, &api.ChatRequest{Model: "no-such-model", Messages: []api.Message{user("hi")}},
			llm.ChatOptions{}, nil)
		e := llm.Classify(err)
		if e == nil || e.Kind != llm.KindModelNotFound || !e.OfferPull || e.Status != 404 {
			t.Fatalf("error %#v, want model_not_found (404) offering a pull", e)
		}
		if !strings.Contains(e.Message, "ollama pull no-such-model") {
			t.Errorf("message %q does not say `ollama pull no-such-model`", e.Message)
		}
	})

	t.Run("context exceeded", func(t *testing.T) {
		const numCtx = 1024
		small := hearthClient(t, s.URL.String(), llm.Config{NumCtx: numCtx, KeepAlive: keep})
		long := strings.Repeat("func add(a, b int) int { return a + b } // 12345\n", 120) // about 2,400 tokens
		_, err := small.ChatWith(ctx, &api.ChatRequest{Model: Model, Messages: []api.Message{user(long)},
			Options: map[string]any{"num_predict": 4}}, llm.ChatOptions{}, nil)
		e := llm.Classify(err)
		if e == nil || e.Kind != llm.KindContextExceeded || e.Status != 400 {
			t.Fatalf("error %#v, want context_exceeded (400)", e)
		}
		if !strings.Contains(e.Err.Error()+e.Message, "the input length exceeds the context length") {
			t.Errorf("cause %v, message %q: the server's words are lost", e.Err, e.Message)
		}
		if lines := s.LogLines("truncating"); len(lines) != 0 {
			t.Errorf("the server truncated although Hearth sent truncate:false: %q", lines)
		}
		t.Logf("context exceeded: %s", e.Message)
	})
}

// TestHearthServerKilledMidStream: where api.Client returns nil for a cut
// stream, Hearth's client must report it.
func TestHearthServerKilledMidStream(t *testing.T) {
	s := Start(t)
	c := hearthClient(t, s.URL.String(), llm.Config{NumCtx: 1024})
	chunks := 0
	res, err := c.ChatWith(ctxT(t), &api.ChatRequest{Model: Model, Messages: []api.Message{user("Write a long story.")},
		Options: map[string]any{"num_predict": 100000}}, llm.ChatOptions{}, func(r api.ChatResponse) error {
		if chunks++; chunks == 3 {
			s.Kill()
		}
		return nil
	})
	e := llm.Classify(err)
	if e == nil || e.Kind != llm.KindStreamCut || !e.Retryable {
		t.Fatalf("after %d chunks: error %#v, want a retryable stream_cut", chunks, err)
	}
	if !errors.Is(err, llm.ErrStreamCut) {
		t.Errorf("error %v does not wrap llm.ErrStreamCut", err)
	}
	if res == nil || res.Message.Content == "" {
		t.Errorf("partial result %+v, want the text streamed before the cut", res)
	}
	t.Logf("killed after %d chunks: %s (%v)", chunks, e.Message, e.Err)
}

// TestHearthNotStarted needs no ollama binary: nothing listens on a free
// port, and Hearth must say to start Ollama.
func TestHearthNotStarted(t *testing.T) {
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	c := hearthClient(t, fmt.Sprintf("http://127.0.0.1:%d", port), llm.Config{NumCtx: 1024})
	for name, call := range map[string]func() error{
		"version": func() error { _, err := c.Version(ctxT(t)); return err },
		"chat": func() error {
			return c.Chat(ctxT(t), &api.ChatRequest{Model: Model, Messages: []api.Message{user("hi")}}, func(api.ChatResponse) error { return nil })
		},
	} {
		e := llm.Classify(call())
		if e == nil || e.Kind != llm.KindUnreachable || !e.Retryable {
			t.Errorf("%s: %#v, want a retryable unreachable error", name, e)
			continue
		}
		if !strings.Contains(e.Message, "ollama serve") {
			t.Errorf("%s: message %q does not mention `ollama serve`", name, e.Message)
		}
	}
}

// TestHearthSessionKeepsNumCtx runs a multi-turn planact session built by
// engine.Build: every request carries the configured num_ctx, /api/ps
// reports it, and the model is loaded once for the whole session.
func TestHearthSessionKeepsNumCtx(t *testing.T) {
	s := Start(t)
	createBounded(t, s, 12)
	rec := newRecorder(t, s)
	const numCtx = 2048 // not the Modelfile's 8192, so Hearth's value is what counts
	b, evs := buildEngine(t, hearthSettings(rec.URL, BoundedModel, numCtx), "")
	if b.NumCtx != numCtx {
		t.Fatalf("engine NumCtx %d, want the setting %d", b.NumCtx, numCtx)
	}
	sid := ""
	for i, req := range []planact.ChatRequest{
		{Text: "What does this project do?", Mode: planact.ModePlan},
		{Text: "And how would you test it?"},
		{Text: "Go ahead.", Mode: planact.ModeAct},
	} {
		req.SessionID = sid
		var tid string
		sid, tid = turn(t, b.Engine, req)
		done := evs.Of(sid, tid, planact.EventDone)
		if len(done) != 1 || done[0].Reason == planact.DoneError {
			t.Fatalf("turn %d: done events %+v, errors %+v", i, done, evs.Of(sid, tid, planact.EventError))
		}
		for _, u := range evs.Of(sid, tid, planact.EventUsage) {
			if u.Usage.ContextLimit != numCtx || u.Usage.PromptTokens == 0 {
				t.Errorf("turn %d: usage %+v", i, u.Usage)
			}
		}
		ps, err := b.Client.ListRunning(ctxT(t))
		if err != nil || len(ps.Models) != 1 || ps.Models[0].ContextLength != numCtx {
			t.Fatalf("turn %d: ps %+v, %v; want one model with context_length %d", i, ps, err, numCtx)
		}
		t.Logf("turn %d (%s): done %q", i, req.Mode, done[0].Reason)
	}
	exs := rec.Exchanges()
	if len(exs) < 3 {
		t.Fatalf("%d requests for 3 turns", len(exs))
	}
	var loads []time.Duration
	for i, ex := range exs {
		if ex.Options["num_ctx"] != float64(numCtx) {
			t.Errorf("request %d: options %v, want num_ctx %d", i, ex.Options, numCtx)
		}
		if ex.Req.Truncate == nil || *ex.Req.Truncate || ex.Req.Shift == nil || *ex.Req.Shift {
			t.Errorf("request %d: truncate %v shift %v, want both false", i, ex.Req.Truncate, ex.Req.Shift)
		}
		if ex.Final == nil {
			t.Fatalf("request %d: status %d, no final chunk (%s)", i, ex.Status, ex.ErrorText)
		}
		loads = append(loads, ex.Final.LoadDuration)
	}
	if n := s.ModelLoads(); n != 1 {
		t.Errorf("the model was loaded %d times during the session, want once", n)
	}
	t.Logf("%d requests; load_duration per request: %v", len(exs), loads)
}
