package ollamatest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ollama/ollama/api"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func user(s string) api.Message { return api.Message{Role: "user", Content: s} }

// opts are the sampling options of most tests: the random model rarely
// stops by itself, so num_predict always bounds the answer.
func opts(numPredict int, extra ...any) map[string]any {
	o := map[string]any{"num_predict": numPredict, "temperature": 0}
	for i := 0; i+1 < len(extra); i += 2 {
		o[extra[i].(string)] = extra[i+1]
	}
	return o
}

func TestChatStream(t *testing.T) {
	s := Start(t)
	var chunks []api.ChatResponse
	err := s.Client.Chat(ctxT(t), &api.ChatRequest{
		Model:    Model,
		Messages: []api.Message{user("Say hello.")},
		Options:  opts(8),
	}, func(r api.ChatResponse) error {
		chunks = append(chunks, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(chunks) < 2 {
		t.Fatalf("got %d chunks, want one per token plus a final one", len(chunks))
	}
	var text strings.Builder
	for _, c := range chunks[:len(chunks)-1] {
		if c.Done || c.Message.Role != "assistant" {
			t.Errorf("intermediate chunk %+v", c)
		}
		text.WriteString(c.Message.Content)
	}
	last := chunks[len(chunks)-1]
	if !last.Done || last.DoneReason != "length" || last.EvalCount != 8 {
		t.Errorf("final chunk: done %v reason %q eval_count %d, want true, length, 8", last.Done, last.DoneReason, last.EvalCount)
	}
	if last.PromptEvalCount == 0 || last.TotalDuration == 0 {
		t.Errorf("final chunk lacks metrics: %+v", last.Metrics)
	}
	if text.Len() == 0 {
		t.Error("no text streamed")
	}
	t.Logf("%d chunks, text %q, prompt %d tokens", len(chunks), text.String(), last.PromptEvalCount)
}

func TestForcedToolCallIsParsed(t *testing.T) {
	s := Start(t)
	// Every string is bounded (maxLength or enum): a random model never
	// closes an unbounded string, and the JSON would be cut off.
	schema := json.RawMessage(`{"type":"object","required":["name","arguments"],"properties":{
		"name":{"type":"string","enum":["read_file"]},
		"arguments":{"type":"object","required":["path"],"properties":{"path":{"type":"string","maxLength":16}}}}}`)
	var calls []api.ToolCall
	var final api.ChatResponse
	err := s.Client.Chat(ctxT(t), &api.ChatRequest{
		Model:    ToolModel,
		Messages: []api.Message{user("Open main.go")},
		Tools:    api.Tools{readFileTool()},
		Format:   schema,
		Options:  opts(128, "seed", 3, "temperature", 0.7),
	}, func(r api.ChatResponse) error {
		calls = append(calls, r.Message.ToolCalls...)
		if r.Done {
			final = r
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 {
		t.Fatalf("got %d tool calls (done_reason %q), want 1", len(calls), final.DoneReason)
	}
	c := calls[0]
	path, ok := c.Function.Arguments.Get("path")
	if c.Function.Name != "read_file" || !ok {
		t.Fatalf("tool call %+v, want read_file with a path", c)
	}
	if _, isString := path.(string); !isString {
		t.Errorf("path argument %#v is not a string", path)
	}
	if !strings.HasPrefix(c.ID, "call_") {
		t.Errorf("tool call id %q, want call_...", c.ID)
	}
}

func TestRenderedPromptMatchesQwenFormat(t *testing.T) {
	s := Start(t)
	got, err := s.RenderPrompt(ctxT(t), Model, toolConversation(), api.Tools{readFileTool()})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "render/tools.golden", []byte(got))
	// Without a system message the Modelfile's SYSTEM is used.
	got, err = s.RenderPrompt(ctxT(t), Model, []api.Message{user("hi")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "render/default-system.golden", []byte(got))
}

func TestShowPsTagsVersion(t *testing.T) {
	s := Start(t)
	ctx := ctxT(t)

	v, err := s.Client.Version(ctx)
	if err != nil || v != Version {
		t.Errorf("version %q, %v; want %q", v, err, Version)
	}

	show, err := s.Client.Show(ctx, &api.ShowRequest{Model: Model})
	if err != nil {
		t.Fatal(err)
	}
	mi := show.ModelInfo
	num := func(k string) int {
		f, ok := mi[k].(float64)
		if !ok {
			t.Errorf("model_info[%q] = %#v, want a number", k, mi[k])
		}
		return int(f)
	}
	if mi["general.architecture"] != "qwen2" {
		t.Errorf("architecture %v", mi["general.architecture"])
	}
	width, heads, kv := num("qwen2.embedding_length"), num("qwen2.attention.head_count"), num("qwen2.attention.head_count_kv")
	if width != 64 || heads != 4 || kv != 2 || num("qwen2.block_count") != 2 || num("qwen2.context_length") != 32768 {
		t.Errorf("shape: width %d heads %d kv %d", width, heads, kv)
	}
	// Qwen2 models carry no key/value length: clients must derive the head
	// size from width / heads (here 16) to size the KV cache.
	for _, k := range []string{"qwen2.attention.key_length", "qwen2.attention.value_length"} {
		if _, ok := mi[k]; ok {
			t.Errorf("%s is present; Hearth's VRAM estimate assumes it is absent for qwen2", k)
		}
	}
	if show.Details.Family != "qwen2" || show.Details.QuantizationLevel != "F16" || show.Details.Format != "gguf" {
		t.Errorf("details %+v", show.Details)
	}
	caps := map[string]bool{}
	for _, c := range show.Capabilities {
		caps[string(c)] = true
	}
	if !caps["completion"] || !caps["tools"] {
		t.Errorf("capabilities %v lack completion or tools", show.Capabilities)
	}
	if !strings.Contains(show.Parameters, fmt.Sprint(DefaultNumCtx)) || !strings.Contains(show.Parameters, "<|im_end|>") {
		t.Errorf("parameters %q lack num_ctx or the stop tokens", show.Parameters)
	}

	tags, err := s.Client.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range tags.Models {
		names = append(names, m.Name)
	}
	slices.Sort(names)
	if want := []string{Model + ":latest", ToolModel + ":latest"}; !slices.Equal(names, want) {
		t.Errorf("tags %v, want %v", names, want)
	}

	ps, err := s.Client.ListRunning(ctx)
	if err != nil || len(ps.Models) != 0 {
		t.Fatalf("ps before any chat: %+v, %v; want nothing loaded", ps, err)
	}
	if _, err := s.PromptTokens(ctx, Model, []api.Message{user("hi")}, nil); err != nil {
		t.Fatal(err)
	}
	ps, err = s.Client.ListRunning(ctx)
	if err != nil || len(ps.Models) != 1 {
		t.Fatalf("ps after a chat: %+v, %v; want the model loaded", ps, err)
	}
	if m := ps.Models[0]; m.Name != Model+":latest" || m.ContextLength != DefaultNumCtx || m.SizeVRAM != 0 || m.Size == 0 {
		t.Errorf("ps entry %+v", m)
	}
}

func TestNumCtxStaysThroughSession(t *testing.T) {
	s := Start(t)
	ctx := ctxT(t)
	const numCtx = 2048 // not the Modelfile's, so the request's value is what counts
	msgs := []api.Message{{Role: "system", Content: "You are a terse assistant."}}
	var loads []time.Duration
	for turn := range 4 {
		msgs = append(msgs, user(fmt.Sprintf("Turn %d: list three Go keywords.", turn)))
		stream := false
		var resp api.ChatResponse
		err := s.Client.Chat(ctx, &api.ChatRequest{Model: Model, Messages: msgs, Stream: &stream, Options: opts(6, "num_ctx", numCtx)},
			func(r api.ChatResponse) error { resp = r; return nil })
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, resp.Message)
		loads = append(loads, resp.LoadDuration)
		ps, err := s.Client.ListRunning(ctx)
		if err != nil || len(ps.Models) != 1 || ps.Models[0].ContextLength != numCtx {
			t.Fatalf("turn %d: ps %+v, %v; want context_length %d", turn, ps, err, numCtx)
		}
	}
	// One load for the whole session: the runner logs one line per load.
	if n := len(s.LogLines("llama runner started in")); n != 1 {
		t.Errorf("model loaded %d times during the session, want once", n)
	}
	t.Logf("load_duration per turn: %v", loads)
}

func TestContextOverflow(t *testing.T) {
	s := Start(t)
	ctx := ctxT(t)
	const numCtx = 1024
	long := strings.Repeat("func add(a, b int) int { return a + b } // 12345\n", 120) // about 2,400 tokens
	req := func(truncate *bool) (api.ChatResponse, error) {
		stream := false
		var resp api.ChatResponse
		err := s.Client.Chat(ctx, &api.ChatRequest{
			Model: Model, Messages: []api.Message{user(long)}, Stream: &stream, Truncate: truncate,
			Options: opts(4, "num_ctx", numCtx),
		}, func(r api.ChatResponse) error { resp = r; return nil })
		return resp, err
	}

	// By default the runner cuts the prompt to num_ctx and answers as if
	// nothing happened: only prompt_eval_count (== num_ctx) gives it away.
	resp, err := req(nil)
	if err != nil {
		t.Fatalf("default truncation: %v, want no error", err)
	}
	if resp.PromptEvalCount != numCtx {
		t.Errorf("prompt_eval_count %d, want num_ctx %d (silently truncated)", resp.PromptEvalCount, numCtx)
	}
	t.Logf("silent truncation: prompt_eval_count %d, done_reason %q", resp.PromptEvalCount, resp.DoneReason)
	if len(s.LogLines(`msg="truncating input prompt"`)) == 0 {
		t.Error("no 'truncating input prompt' warning in the server log")
	}

	// With truncate:false it is an HTTP 400 instead.
	no := false
	_, err = req(&no)
	var se api.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusBadRequest || !strings.Contains(se.ErrorMessage, "the input length exceeds the context length") {
		t.Errorf("truncate:false: error %#v, want 400 'the input length exceeds the context length'", err)
	}
}

func TestPromptTokensOfSystemAndTools(t *testing.T) {
	s := Start(t)
	ctx := ctxT(t)
	measure := func(msgs []api.Message, tools api.Tools) int {
		n, err := s.PromptTokens(ctx, Model, msgs, tools)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	sys := api.Message{Role: "system", Content: "You are Hearth, a coding agent."}
	counts := map[string]int{
		"user hi (default system)":     measure([]api.Message{user("hi")}, nil),
		"system + user hi":             measure([]api.Message{sys, user("hi")}, nil),
		"system + read_file + user hi": measure([]api.Message{sys, user("hi")}, api.Tools{readFileTool()}),
		"tool round trip":              measure(toolConversation(), api.Tools{readFileTool()}),
	}
	b, _ := json.MarshalIndent(counts, "", "  ")
	golden(t, "prompt_tokens.golden.json", append(b, '\n'))
	if counts["system + read_file + user hi"] <= counts["system + user hi"] {
		t.Errorf("tools cost no tokens: %v", counts)
	}
}

func TestKeepAlive(t *testing.T) {
	s := Start(t)
	ctx := ctxT(t)
	load := func(keep time.Duration) api.ChatResponse {
		stream := false
		var resp api.ChatResponse
		// No messages: load (or unload) the model without generating.
		err := s.Client.Chat(ctx, &api.ChatRequest{Model: Model, Stream: &stream, KeepAlive: &api.Duration{Duration: keep}},
			func(r api.ChatResponse) error { resp = r; return nil })
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if r := load(10 * time.Minute); r.DoneReason != "load" {
		t.Errorf("preload: done_reason %q, want load", r.DoneReason)
	}
	ps, err := s.Client.ListRunning(ctx)
	if err != nil || len(ps.Models) != 1 {
		t.Fatalf("ps: %+v, %v", ps, err)
	}
	if left := time.Until(ps.Models[0].ExpiresAt); left < 9*time.Minute || left > 11*time.Minute {
		t.Errorf("expires_at is %v away, want about 10m", left)
	}
	load(-1)
	ps, _ = s.Client.ListRunning(ctx)
	if len(ps.Models) != 1 || ps.Models[0].ExpiresAt.Year() < 2200 {
		t.Errorf("keep_alive -1: %+v, want an expiry centuries away", ps.Models)
	}
	if r := load(0); r.DoneReason != "unload" {
		t.Errorf("keep_alive 0: done_reason %q, want unload", r.DoneReason)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ps, _ = s.Client.ListRunning(ctx)
		if len(ps.Models) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("model still loaded after keep_alive 0: %+v", ps.Models)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestUnknownModelIsNotFound(t *testing.T) {
	s := Start(t)
	err := s.Client.Chat(ctxT(t), &api.ChatRequest{Model: "no-such-model", Messages: []api.Message{user("hi")}},
		func(api.ChatResponse) error { return nil })
	var se api.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusNotFound || !strings.Contains(se.ErrorMessage, "not found") {
		t.Errorf("error %#v, want 404 ... not found", err)
	}
}

func TestServerKilledMidStream(t *testing.T) {
	s := Start(t)
	chunks, done := 0, false
	err := s.Client.Chat(ctxT(t), &api.ChatRequest{Model: Model, Messages: []api.Message{user("Write a long story.")}, Options: opts(100000)},
		func(r api.ChatResponse) error {
			chunks++
			done = done || r.Done
			if chunks == 3 {
				s.Kill()
			}
			return nil
		})
	if err == nil || done {
		t.Fatalf("stream ended with err %v, done %v after the server was killed; want an error and no done chunk", err, done)
	}
	t.Logf("after %d chunks: %v", chunks, err)
}

// This one needs no ollama binary: it pins what the api client reports when
// nothing listens, which Hearth turns into "Ollama is not running".
func TestNotStartedIsConnectionRefused(t *testing.T) {
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Host: fmt.Sprintf("127.0.0.1:%d", port)}
	_, err = newClient(s.Host).Version(context.Background())
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("error %v, want connection refused", err)
	}
}
