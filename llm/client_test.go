package llm_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-dev/hearth/llm"
	"github.com/hearth-dev/hearth/llm/fakeollama"
	"github.com/ollama/ollama/api"
)

const model = "qwen2.5-coder:7b"

// start runs a fake with the given replies and returns a client for it
// with a fixed session num_ctx of 8192.
func start(t *testing.T, cfg fakeollama.Config, mod func(*llm.Config)) (*fakeollama.Fake, *llm.Client) {
	t.Helper()
	f := fakeollama.Start(cfg)
	t.Cleanup(f.Close)
	c := llm.Config{BaseURL: f.URL(), NumCtx: 8192}
	if mod != nil {
		mod(&c)
	}
	client, err := llm.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return f, client
}

func script(replies ...fakeollama.Reply) fakeollama.Config {
	return fakeollama.Config{Script: fakeollama.Script{Replies: replies}}
}

func userChat(text string) *api.ChatRequest {
	return &api.ChatRequest{Model: model, Messages: []api.Message{{Role: "user", Content: text}}}
}

func TestChatStreamsTextAndReportsCounts(t *testing.T) {
	f, c := start(t, script(fakeollama.Text("Hel", "lo", " world")), nil)
	req := userChat("say hello")
	var deltas []string
	res, err := c.ChatWith(context.Background(), req, llm.ChatOptions{EstimatedPromptTokens: 5}, func(r api.ChatResponse) error {
		if !r.Done {
			deltas = append(deltas, r.Message.Content)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(deltas, "|"); got != "Hel|lo| world" {
		t.Errorf("deltas = %q", got)
	}
	if res.Message.Content != "Hello world" || res.DoneReason != "stop" {
		t.Errorf("result = %q (%s)", res.Message.Content, res.DoneReason)
	}
	want := fakeollama.PromptTokens(req)
	if res.PromptEvalCount != want || res.EvalCount != 3 {
		t.Errorf("prompt_eval_count %d eval_count %d, want %d and 3", res.PromptEvalCount, res.EvalCount, want)
	}
	if res.EstimateDelta() != want-5 || !res.EstimateMismatch(0.2) {
		t.Errorf("estimate delta %d, mismatch %v", res.EstimateDelta(), res.EstimateMismatch(0.2))
	}
	if !res.Reloaded() || res.LoadDuration == 0 || res.TotalDuration < res.LoadDuration {
		t.Errorf("a first request loads the model: load %v total %v", res.LoadDuration, res.TotalDuration)
	}
	if req.Options != nil || req.Truncate != nil {
		t.Error("the caller's request was modified")
	}
	if f.Remaining() != 0 {
		t.Error("the scripted reply was not used")
	}
}

func TestChatDeliversToolCalls(t *testing.T) {
	_, c := start(t, script(fakeollama.Reply{
		Chunks:    []string{"Let me look."},
		ToolCalls: []fakeollama.ToolCall{fakeollama.NewToolCall("read_file", map[string]any{"path": "go.mod", "start_line": 1})},
	}), nil)
	req := userChat("open go.mod")
	req.Tools = api.Tools{{Type: "function", Function: api.ToolFunction{Name: "read_file", Description: "Read a file"}}}
	res, err := c.ChatWith(context.Background(), req, llm.ChatOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Message.ToolCalls) != 1 {
		t.Fatalf("tool calls = %+v", res.Message.ToolCalls)
	}
	call := res.Message.ToolCalls[0].Function
	path, _ := call.Arguments.Get("path")
	line, _ := call.Arguments.Get("start_line")
	if call.Name != "read_file" || path != "go.mod" || line != float64(1) || call.Index != 0 {
		t.Errorf("call = %s %v %v index %d", call.Name, path, line, call.Index)
	}
	if res.Message.Content != "Let me look." {
		t.Errorf("content = %q", res.Message.Content)
	}
}

// Every chat must pin the context window and forbid silent truncation, or
// Ollama drops the oldest messages when the prompt does not fit.
func TestEveryChatCarriesSessionSettings(t *testing.T) {
	temp := 0.3
	cases := []struct {
		name     string
		req      func() *api.ChatRequest
		wantTemp float64
		wantKA   string
	}{
		{"plain", func() *api.ChatRequest { return userChat("hi") }, 0.3, "1h0m0s"},
		{"caller temperature", func() *api.ChatRequest {
			r := userChat("hi")
			r.Options = map[string]any{"temperature": 0.7, "num_predict": 100}
			return r
		}, 0.7, "1h0m0s"},
		{"caller keep_alive", func() *api.ChatRequest {
			r := userChat("hi")
			r.KeepAlive = &api.Duration{Duration: 2 * time.Minute}
			return r
		}, 0.3, "2m0s"},
		{"same num_ctx in options", func() *api.ChatRequest {
			r := userChat("hi")
			r.Options = map[string]any{"num_ctx": 8192}
			return r
		}, 0.3, "1h0m0s"},
		{"with tools", func() *api.ChatRequest {
			r := userChat("hi")
			r.Tools = api.Tools{{Type: "function", Function: api.ToolFunction{Name: "list_files"}}}
			return r
		}, 0.3, "1h0m0s"},
	}
	var replies []fakeollama.Reply
	for range cases {
		replies = append(replies, fakeollama.Text("ok"))
	}
	f, c := start(t, script(replies...), func(cfg *llm.Config) {
		cfg.Temperature = &temp
		cfg.KeepAlive = time.Hour
	})
	for _, tc := range cases {
		if err := c.Chat(context.Background(), tc.req(), func(api.ChatResponse) error { return nil }); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
	}
	sent := f.ChatRequests()
	if len(sent) != len(cases) {
		t.Fatalf("%d requests recorded, want %d", len(sent), len(cases))
	}
	for i, tc := range cases {
		body := sent[i].Body
		opts, _ := body["options"].(map[string]any)
		if opts["num_ctx"] != float64(8192) {
			t.Errorf("%s: num_ctx = %v", tc.name, opts["num_ctx"])
		}
		if opts["temperature"] != tc.wantTemp {
			t.Errorf("%s: temperature = %v, want %v", tc.name, opts["temperature"], tc.wantTemp)
		}
		if body["keep_alive"] != tc.wantKA {
			t.Errorf("%s: keep_alive = %v, want %s", tc.name, body["keep_alive"], tc.wantKA)
		}
		if body["truncate"] != false || body["shift"] != false {
			t.Errorf("%s: truncate %v shift %v, want both false", tc.name, body["truncate"], body["shift"])
		}
	}
	if tools := sent[4].Chat.Tools; len(tools) != 1 || tools[0].Function.Name != "list_files" {
		t.Errorf("tools not sent: %+v", tools)
	}
	if f.Reloads() != 0 || f.Loads() != 1 {
		t.Errorf("loads %d reloads %d: a fixed num_ctx must load once", f.Loads(), f.Reloads())
	}
}

func TestChatRefusesRequestsWithoutFixedNumCtx(t *testing.T) {
	f, unfixed := start(t, script(fakeollama.Text("ok"), fakeollama.Text("ok")), func(cfg *llm.Config) { cfg.NumCtx = 0 })
	err := unfixed.Chat(context.Background(), userChat("hi"), nil)
	if !errors.Is(err, llm.ErrNoNumCtx) || llm.Classify(err).Kind != llm.KindBadRequest {
		t.Errorf("no num_ctx: err = %v", err)
	}
	// A request may carry its own num_ctx when the client fixes none.
	req := userChat("hi")
	req.Options = map[string]any{"num_ctx": 2048}
	if err := unfixed.Chat(context.Background(), req, nil); err != nil {
		t.Errorf("own num_ctx: %v", err)
	}

	fixed, err := llm.New(llm.Config{BaseURL: f.URL(), NumCtx: 4096})
	if err != nil {
		t.Fatal(err)
	}
	err = fixed.Chat(context.Background(), req, nil)
	if !errors.Is(err, llm.ErrNumCtxChanged) {
		t.Errorf("changed num_ctx: err = %v", err)
	}
	// A client derived for another session pins its own value.
	session, err := unfixed.WithNumCtx(2048)
	if err != nil || session.NumCtx() != 2048 {
		t.Fatalf("WithNumCtx: %v", err)
	}
	if err := session.Chat(context.Background(), userChat("hi"), nil); err != nil {
		t.Errorf("derived session: %v", err)
	}
	if _, err := unfixed.WithNumCtx(0); err == nil {
		t.Error("WithNumCtx(0) accepted")
	}
	err = fixed.Chat(context.Background(), nil, nil)
	if !errors.Is(err, llm.ErrInvalidRequest) || llm.Classify(err).Kind != llm.KindBadRequest {
		t.Errorf("nil request: err = %v", err)
	}
	sent := f.ChatRequests()
	if len(sent) != 2 || sent[0].NumCtx != 2048 || sent[1].NumCtx != 2048 {
		t.Errorf("%d chat requests reached Ollama, want only the two valid ones with num_ctx 2048", len(sent))
	}
}

// A cold load may take long before the first token; a loaded model that
// goes quiet mid-answer has hung. The two limits must not be confused.
func TestFirstTokenLimitAndStallLimitAreDistinct(t *testing.T) {
	t.Parallel() // mostly scripted waits
	slowStart := fakeollama.Reply{Chunks: []string{"a", "b"}, FirstTokenDelay: fakeollama.Duration(700 * time.Millisecond)}
	_, c := start(t, script(slowStart), func(cfg *llm.Config) {
		cfg.FirstTokenTimeout = 5 * time.Second
		cfg.StallTimeout = 500 * time.Millisecond
		cfg.LoadingNotice = 50 * time.Millisecond
	})
	var mu sync.Mutex
	var phases []llm.WaitPhase
	res, err := c.ChatWith(context.Background(), userChat("hi"), llm.ChatOptions{OnWait: func(e llm.WaitEvent) {
		mu.Lock()
		defer mu.Unlock()
		phases = append(phases, e.Phase)
	}}, nil)
	if err != nil {
		t.Fatalf("a first token slower than the stall limit but within the first-token limit failed: %v", err)
	}
	if res.Message.Content != "ab" {
		t.Errorf("content %q", res.Message.Content)
	}
	mu.Lock()
	if len(phases) != 2 || phases[0] != llm.WaitLoading || phases[1] != llm.WaitFirstToken {
		t.Errorf("wait events = %v, want loading then first-token", phases)
	}
	mu.Unlock()
}

func TestFailureTable(t *testing.T) {
	t.Parallel() // mostly scripted waits
	hang := 1
	type tc struct {
		name      string
		reply     *fakeollama.Reply
		models    []fakeollama.Model
		req       func() *api.ChatRequest
		opts      llm.ChatOptions
		cancel    time.Duration // cancel the caller's context after this
		kind      llm.Kind
		retryable bool
		msg       string
	}
	rp := func(r fakeollama.Reply) *fakeollama.Reply { return &r }
	cases := []tc{
		{name: "model not found", req: func() *api.ChatRequest {
			r := userChat("hi")
			r.Model = "llama3:70b"
			return r
		}, kind: llm.KindModelNotFound, msg: "pull it with `ollama pull llama3:70b`"},
		{name: "out of memory (system)", reply: rp(fakeollama.Fail(500, "model requires more system memory (10.2 GiB) than is available (7.8 GiB)")),
			kind: llm.KindOutOfMemory, msg: "does not fit in memory"},
		{name: "out of memory (CUDA)", reply: rp(fakeollama.Fail(500, "llama runner process has terminated: CUDA error: out of memory")),
			kind: llm.KindOutOfMemory, msg: "choose a smaller model"},
		{name: "context exceeded", req: func() *api.ChatRequest {
			return userChat(strings.Repeat("func main() {}\n", 3000))
		}, reply: rp(fakeollama.Text("never sent")), kind: llm.KindContextExceeded, msg: "no longer fits"},
		{name: "tools unsupported", models: []fakeollama.Model{{Name: model, Capabilities: []string{"completion"}}},
			req: func() *api.ChatRequest {
				r := userChat("hi")
				r.Tools = api.Tools{{Type: "function", Function: api.ToolFunction{Name: "read_file"}}}
				return r
			}, kind: llm.KindToolsUnsupported, msg: "does not support native tool calls"},
		{name: "first-token timeout", reply: rp(fakeollama.Reply{Chunks: []string{"late"}, FirstTokenDelay: fakeollama.Duration(5 * time.Second)}),
			opts: llm.ChatOptions{FirstTokenTimeout: 100 * time.Millisecond}, kind: llm.KindFirstTokenTimeout, retryable: true, msg: "no first token"},
		{name: "stall", reply: rp(fakeollama.Reply{Chunks: []string{"a", "b"}, StallAfter: 1, Stall: fakeollama.Duration(5 * time.Second)}),
			opts: llm.ChatOptions{StallTimeout: 100 * time.Millisecond}, kind: llm.KindStalled, retryable: true, msg: "stopped sending tokens"},
		{name: "garbage line", reply: rp(fakeollama.Reply{Chunks: []string{"a", "b"}, Garbage: "<html>502 Bad Gateway</html>", GarbageAfter: 1}),
			kind: llm.KindGarbage, retryable: true, msg: "not its stream format"},
		{name: "garbage first", reply: rp(fakeollama.Reply{Garbage: "HTTP/1.0 200 hello"}),
			kind: llm.KindGarbage, retryable: true, msg: "not its stream format"},
		{name: "server error 5xx", reply: rp(fakeollama.Fail(503, "server busy, please try again.  maximum pending requests exceeded")),
			kind: llm.KindServer, retryable: true, msg: "maximum pending requests"},
		{name: "error line mid-stream", reply: rp(fakeollama.Reply{Chunks: []string{"a"}, StreamError: "an error was encountered while running the model: unexpected EOF"}),
			kind: llm.KindServer, retryable: true, msg: "while running the model"},
		{name: "stream cut", reply: rp(fakeollama.Reply{Chunks: []string{"a", "b"}, HangUpAfter: &hang}),
			kind: llm.KindStreamCut, retryable: true, msg: "broke mid-answer"},
		{name: "cancelled", reply: rp(fakeollama.Reply{Chunks: []string{"a"}, FirstTokenDelay: fakeollama.Duration(5 * time.Second)}),
			cancel: 50 * time.Millisecond, kind: llm.KindCancelled, msg: "cancelled"},
		{name: "bad request", reply: rp(fakeollama.Fail(400, "top_logprobs must be between 0 and 20")),
			kind: llm.KindBadRequest, msg: "top_logprobs"},
	}
	seen := map[llm.Kind]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fakeollama.Config{Models: tc.models}
			if tc.reply != nil {
				cfg.Script.Replies = []fakeollama.Reply{*tc.reply}
			}
			f, c := start(t, cfg, nil)
			req := userChat("hi")
			if tc.req != nil {
				req = tc.req()
			}
			ctx := context.Background()
			if tc.cancel > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				time.AfterFunc(tc.cancel, cancel)
			}
			_, err := c.ChatWith(ctx, req, tc.opts, nil)
			checkError(t, err, tc.kind, tc.retryable, tc.msg)
			seen[tc.kind] = true
			if tc.kind == llm.KindModelNotFound && !llm.Classify(err).OfferPull {
				t.Error("model not found must offer a pull")
			}
			if tc.kind == llm.KindContextExceeded && f.ChatRequests()[0].Truncated {
				t.Error("the fake truncated silently although truncate was false")
			}
		})
	}

	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		url := "http://" + ln.Addr().String()
		ln.Close()
		c, err := llm.New(llm.Config{BaseURL: url, NumCtx: 4096})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Chat(context.Background(), userChat("hi"), nil)
		checkError(t, err, llm.KindUnreachable, true, "Ollama is not running at "+url+": start it with `ollama serve`")
		_, err = c.List(context.Background())
		checkError(t, err, llm.KindUnreachable, true, "ollama serve")
		seen[llm.KindUnreachable] = true
	})

	t.Run("server killed mid-stream", func(t *testing.T) {
		f, c := start(t, script(fakeollama.Reply{Chunks: []string{"a", "b", "c"}, ChunkDelay: fakeollama.Duration(2 * time.Second)}), nil)
		var once sync.Once
		err := c.Chat(context.Background(), userChat("hi"), func(api.ChatResponse) error {
			once.Do(func() { go f.Kill() })
			return nil
		})
		checkError(t, err, llm.KindStreamCut, true, "broke mid-answer")
	})

	t.Run("unknown", func(t *testing.T) {
		e := llm.Classify(errors.New("something odd"))
		if e.Kind != llm.KindUnknown || e.Retryable || !strings.Contains(e.Message, "something odd") {
			t.Errorf("got %+v", e)
		}
		if llm.Classify(nil) != nil {
			t.Error("Classify(nil) != nil")
		}
		seen[llm.KindUnknown] = true
	})
	for _, k := range llm.Kinds() {
		if !seen[k] {
			t.Errorf("table row %s has no test", k)
		}
	}
}

func checkError(t *testing.T, err error, kind llm.Kind, retryable bool, msg string) {
	t.Helper()
	var e *llm.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want an *llm.Error", err, err)
	}
	t.Logf("%s: %s", e.Kind, e.Error())
	if e.Kind != kind || e.Retryable != retryable {
		t.Errorf("kind %s retryable %v, want %s %v (err: %v)", e.Kind, e.Retryable, kind, retryable, err)
	}
	if !strings.Contains(e.Message+" "+e.Error(), msg) {
		t.Errorf("message %q does not mention %q", e.Message, msg)
	}
}

func TestCallerErrorComesBackUnchanged(t *testing.T) {
	_, c := start(t, script(fakeollama.Text("a", "b")), nil)
	mine := errors.New("stop here")
	err := c.Chat(context.Background(), userChat("hi"), func(api.ChatResponse) error { return mine })
	if err != mine {
		t.Errorf("err = %v, want the callback's own error", err)
	}
}

func TestPrewarmLoadsWithSessionContext(t *testing.T) {
	f, c := start(t, fakeollama.Config{}, nil)
	ctx := context.Background()
	if err := c.Prewarm(ctx, model, 0); err != nil {
		t.Fatal(err)
	}
	ps, err := c.ListRunning(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps.Models) != 1 || ps.Models[0].ContextLength != 8192 {
		t.Fatalf("ps = %+v", ps.Models)
	}
	if until := time.Until(ps.Models[0].ExpiresAt); until < 29*time.Minute {
		t.Errorf("expires in %v, want the 30-minute keep-alive", until)
	}
	body := f.ChatRequests()[0].Body
	if msgs, _ := body["messages"].([]any); len(msgs) != 0 || body["keep_alive"] != "30m0s" {
		t.Errorf("prewarm body = %v", body)
	}
	// Loading it again with another context is a reload.
	if err := c.Prewarm(ctx, model, 4096); err != nil {
		t.Fatal(err)
	}
	if f.Reloads() != 1 {
		t.Errorf("reloads = %d", f.Reloads())
	}
	if err := c.Unload(ctx, model); err != nil {
		t.Fatal(err)
	}
	if ps, _ := c.ListRunning(ctx); len(ps.Models) != 0 {
		t.Errorf("still loaded after unload: %+v", ps.Models)
	}
}

func TestPullReportsProgress(t *testing.T) {
	_, c := start(t, fakeollama.Config{Models: []fakeollama.Model{
		{Name: "qwen2.5-coder:7b-instruct-q8_0", ParameterSize: "7.6B", Quantization: "Q8_0", Size: 8098525888, NotInstalled: true},
	}}, nil)
	ctx := context.Background()
	if _, err := c.ChooseModel(ctx, 0); llm.Classify(err).Kind != llm.KindModelNotFound || !llm.Classify(err).OfferPull {
		t.Fatalf("choice with nothing installed: %v", err)
	}
	var statuses []string
	var last api.ProgressResponse
	err := c.Pull(ctx, &api.PullRequest{Model: "qwen2.5-coder:7b-instruct-q8_0"}, func(p api.ProgressResponse) error {
		if len(statuses) == 0 || statuses[len(statuses)-1] != p.Status {
			statuses = append(statuses, p.Status)
		}
		if p.Total > 0 {
			last = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if statuses[0] != "pulling manifest" || statuses[len(statuses)-1] != "success" || last.Completed != last.Total {
		t.Errorf("statuses %v, last layer %d/%d", statuses, last.Completed, last.Total)
	}
	choice, err := c.ChooseModel(ctx, 0)
	if err != nil || choice.Model != "qwen2.5-coder:7b-instruct-q8_0" {
		t.Errorf("after pull: %+v %v", choice, err)
	}
	err = c.Pull(ctx, &api.PullRequest{Model: "no-such-model"}, func(api.ProgressResponse) error { return nil })
	checkError(t, err, llm.KindModelNotFound, false, "ollama pull no-such-model")
}

func TestVersion(t *testing.T) {
	_, c := start(t, fakeollama.Config{Version: "0.17.4"}, nil)
	v, err := c.Version(context.Background())
	if err != nil || v != "0.17.4" {
		t.Errorf("version %q %v", v, err)
	}
}

func TestNewRejectsBadURL(t *testing.T) {
	for _, u := range []string{"", "localhost", "://x"} {
		if _, err := llm.New(llm.Config{BaseURL: u}); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}

// Ollama holds back a tool call while the model writes it; a long
// write_file must not look like a stall. The client asks for logprobs so
// Ollama keeps sending a chunk per token, and hides those chunks.
func TestLongToolCallIsNotAStall(t *testing.T) {
	t.Parallel() // mostly scripted waits
	longCall := fakeollama.Reply{
		Chunks:        []string{"Writing it."},
		ToolCalls:     []fakeollama.ToolCall{fakeollama.NewToolCall("write_file", map[string]any{"path": "a.go", "content": "package a\n"})},
		ToolCallDelay: fakeollama.Duration(1200 * time.Millisecond),
		ChunkDelay:    fakeollama.Duration(50 * time.Millisecond),
	}
	req := func() *api.ChatRequest {
		r := userChat("write a.go")
		r.Tools = api.Tools{{Type: "function", Function: api.ToolFunction{Name: "write_file"}}}
		return r
	}
	// The margins are wide because test machines can be busy.
	opts := llm.ChatOptions{StallTimeout: 500 * time.Millisecond}

	f, c := start(t, script(longCall), nil)
	var seen []api.ChatResponse
	res, err := c.ChatWith(context.Background(), req(), opts, func(r api.ChatResponse) error {
		seen = append(seen, r)
		return nil
	})
	if err != nil {
		t.Fatalf("a slow tool call was taken for a stall: %v", err)
	}
	if len(res.Message.ToolCalls) != 1 || res.Chunks <= 3 {
		t.Errorf("tool calls %d, chunks %d (heartbeats expected)", len(res.Message.ToolCalls), res.Chunks)
	}
	if len(seen) != 3 {
		t.Errorf("caller saw %d chunks, want text, tool call and done only", len(seen))
	}
	for _, r := range seen {
		if len(r.Logprobs) > 0 {
			t.Error("logprobs the caller did not ask for reached it")
		}
	}
	if f.ChatRequests()[0].Body["logprobs"] != true {
		t.Error("logprobs not requested")
	}

	_, quiet := start(t, script(longCall), func(cfg *llm.Config) { cfg.NoToolHeartbeat = true })
	_, err = quiet.ChatWith(context.Background(), req(), opts, nil)
	checkError(t, err, llm.KindStalled, true, "stopped sending tokens")
}

// ollamaAPI is the part of api.Client that llm.Client mirrors with the same
// signatures, so callers can declare narrow interfaces either satisfies.
type ollamaAPI interface {
	Chat(context.Context, *api.ChatRequest, api.ChatResponseFunc) error
	Show(context.Context, *api.ShowRequest) (*api.ShowResponse, error)
	ListRunning(context.Context) (*api.ProcessResponse, error)
	List(context.Context) (*api.ListResponse, error)
	Version(context.Context) (string, error)
	Pull(context.Context, *api.PullRequest, api.PullProgressFunc) error
}

var (
	_ ollamaAPI = (*llm.Client)(nil)
	_ ollamaAPI = (*api.Client)(nil)
)
