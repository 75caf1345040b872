package ollamatest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hearth-dev/hearth/internal/ollamatest/qwengguf"
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
	if want := []string{ToolModel + ":latest", Model + ":latest"}; !slices.Equal(names, want) {
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
	// One load for the whole session.
	if n := s.ModelLoads(); n != 1 {
		t.Errorf("model loaded %d times during the session, want once", n)
	}
	t.Logf("load_duration per turn: %v", loads)

	// A different num_ctx is a load-time option: it reloads the model.
	stream := false
	err := s.Client.Chat(ctx, &api.ChatRequest{Model: Model, Messages: msgs, Stream: &stream, Options: opts(1, "num_ctx", 2*numCtx)},
		func(api.ChatResponse) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if n := s.ModelLoads(); n != 2 {
		t.Errorf("after changing num_ctx: %d loads, want 2", n)
	}
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
	// The scheduler updates the expiry after the answer has gone out, so
	// /api/ps may show the old one for a moment.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		ps, _ = s.Client.ListRunning(ctx)
		if len(ps.Models) == 1 && ps.Models[0].ExpiresAt.Year() >= 2200 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("keep_alive -1: %+v, want an expiry centuries away", ps.Models)
			break
		}
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

// TestServerKilledMidStream pins a trap: api.Client.Chat returns nil when
// the connection drops mid-stream (it ignores the scanner's error), so the
// only sign is a stream without a done:true chunk. Read raw, the same stream
// ends in io.ErrUnexpectedEOF.
func TestServerKilledMidStream(t *testing.T) {
	t.Run("api client", func(t *testing.T) {
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
		if err != nil || done || chunks < 3 {
			t.Fatalf("err %v, done %v, %d chunks; want a nil error and no done chunk (the client hides the cut)", err, done, chunks)
		}
	})
	t.Run("raw http", func(t *testing.T) {
		s := Start(t)
		body := `{"model":"` + Model + `","messages":[{"role":"user","content":"Write a long story."}],"options":{"num_predict":100000}}`
		resp, err := http.Post(s.URL.String()+"/api/chat", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		lines := 0
		for sc.Scan() {
			if lines++; lines == 3 {
				s.Kill()
			}
		}
		if !errors.Is(sc.Err(), io.ErrUnexpectedEOF) {
			t.Errorf("after %d lines: read error %v, want unexpected EOF", lines, sc.Err())
		}
	})
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

// TestQuantizedModelsRun checks qwengguf's block layouts against the real
// loader: a model in each weight format loads, reports its quantization and
// generates.
func TestQuantizedModelsRun(t *testing.T) {
	s := Start(t)
	tokDir, err := TokenizerDir()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := qwengguf.LoadTokenizer(tokDir)
	if err != nil {
		t.Fatal(err)
	}
	// K-quants need rows that are multiples of 256.
	shape := qwengguf.Shape{Layers: 2, Width: 256, Heads: 4, KVHeads: 2, FFN: 512, Context: 4096, Vocab: 152064, TiedEmbd: true}
	for _, c := range []struct {
		w     qwengguf.Weights
		level string
	}{{qwengguf.WeightsQ8_0, "Q8_0"}, {qwengguf.WeightsQ4_KM, "Q4_K_M"}, {qwengguf.WeightsQ6_K, "Q6_K"}} {
		path := filepath.Join(t.TempDir(), string(c.w)+".gguf")
		if _, err := qwengguf.WriteFile(path, tok, qwengguf.Options{Shape: shape, Weights: c.w, Seed: 2}); err != nil {
			t.Fatal(err)
		}
		name := "tiny-" + strings.ReplaceAll(string(c.w), "_", "-")
		if err := s.Create(name, path); err != nil {
			t.Fatal(err)
		}
		show, err := s.Client.Show(ctxT(t), &api.ShowRequest{Model: name})
		if err != nil {
			t.Fatal(err)
		}
		if show.Details.QuantizationLevel != c.level {
			t.Errorf("%s: quantization_level %q, want %q", name, show.Details.QuantizationLevel, c.level)
		}
		stream := false
		var resp api.ChatResponse
		err = s.Client.Chat(ctxT(t), &api.ChatRequest{Model: name, Messages: []api.Message{user("hi")}, Stream: &stream, Options: opts(4)},
			func(r api.ChatResponse) error { resp = r; return nil })
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if resp.EvalCount != 4 || resp.Message.Content == "" {
			t.Errorf("%s: eval_count %d, content %q; want 4 tokens of text", name, resp.EvalCount, resp.Message.Content)
		}
	}
}
