package fakeollama_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hearth-dev/hearth/llm/fakeollama"
	"github.com/ollama/ollama/api"
)

const model = "qwen2.5-coder:7b"

func startFake(t *testing.T, cfg fakeollama.Config) (*fakeollama.Fake, *api.Client) {
	t.Helper()
	f := fakeollama.Start(cfg)
	t.Cleanup(f.Close)
	u, err := url.Parse(f.URL())
	if err != nil {
		t.Fatal(err)
	}
	return f, api.NewClient(u, http.DefaultClient)
}

func chatReq(text string, numCtx int) *api.ChatRequest {
	return &api.ChatRequest{
		Model:    model,
		Messages: []api.Message{{Role: "user", Content: text}},
		Options:  map[string]any{"num_ctx": numCtx},
	}
}

// collect runs a chat and returns its chunks.
func collect(t *testing.T, c *api.Client, req *api.ChatRequest) ([]api.ChatResponse, error) {
	t.Helper()
	var out []api.ChatResponse
	err := c.Chat(context.Background(), req, func(r api.ChatResponse) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

func TestScriptFromJSON(t *testing.T) {
	s, err := fakeollama.LoadScript("testdata/script.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Replies) != 7 {
		t.Fatalf("%d replies", len(s.Replies))
	}
	_, c := startFake(t, fakeollama.Config{Script: s})

	chunks, err := collect(t, c, chatReq("open main.go", 8192))
	if err != nil {
		t.Fatal(err)
	}
	if len(chunks) != 4 || chunks[0].Message.Content != "I will " || !chunks[3].Done {
		t.Fatalf("chunks = %+v", chunks)
	}
	call := chunks[2].Message.ToolCalls[0]
	if call.Function.Name != "read_file" || call.Function.Arguments.String() != `{"path":"main.go","end_line":40}` {
		t.Errorf("tool call = %s %s", call.Function.Name, call.Function.Arguments.String())
	}

	chunks, err = collect(t, c, chatReq("again", 8192))
	if err != nil || chunks[0].Message.Content != "slow" {
		t.Errorf("delayed reply: %v %+v", err, chunks)
	}

	_, err = collect(t, c, chatReq("big", 8192))
	var se api.StatusError
	if !errors.As(err, &se) || se.StatusCode != 500 || !strings.Contains(se.ErrorMessage, "more system memory") {
		t.Errorf("scripted error = %v", err)
	}

	// The api package hides a cut stream: it returns nil without the done
	// chunk. That is why Hearth's client checks for it.
	chunks, err = collect(t, c, chatReq("cut", 8192))
	if err != nil || len(chunks) != 1 || chunks[0].Done {
		t.Errorf("hang-up: %v %+v", err, chunks)
	}

	_, err = collect(t, c, chatReq("garbage", 8192))
	if err == nil || err.Error() != "<html>" {
		t.Errorf("garbage: %v", err)
	}

	_, err = collect(t, c, chatReq("mid-stream", 8192))
	if err == nil || !strings.Contains(err.Error(), "while running the model") {
		t.Errorf("stream error: %v", err)
	}

	chunks, err = collect(t, c, chatReq("long", 8192))
	if err != nil || chunks[len(chunks)-1].DoneReason != "length" || chunks[len(chunks)-1].EvalCount != 512 {
		t.Errorf("done reason: %v %+v", err, chunks)
	}

	_, err = collect(t, c, chatReq("one too many", 8192))
	if !errors.As(err, &se) || se.StatusCode != 500 || !strings.Contains(se.ErrorMessage, "script exhausted: request 8") {
		t.Errorf("exhausted script = %v", err)
	}
}

func TestScriptRejectsMistakes(t *testing.T) {
	for _, bad := range []string{
		`{"replies": [{"chunk": ["typo"]}]}`,
		`{"replies": [{"error": {"status": 200, "message": "x"}}]}`,
		`{"replies": [{"tool_calls": [{"arguments": {}}]}]}`,
		`{"replies": [{"first_token_delay": "soon"}]}`,
	} {
		if _, err := fakeollama.ParseScript([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// keysOf lists the JSON structure of v as dotted paths, values ignored.
func keysOf(prefix string, v any) []string {
	var out []string
	switch t := v.(type) {
	case map[string]any:
		for k, sub := range t {
			out = append(out, prefix+k)
			out = append(out, keysOf(prefix+k+".", sub)...)
		}
	case []any:
		if len(t) > 0 {
			out = append(out, keysOf(prefix+"[].", t[0])...)
		}
	}
	slices.Sort(out)
	return out
}

func jsonKeys(t *testing.T, data []byte) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%v: %s", err, data)
	}
	return keysOf("", v)
}

func fileKeys(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile("../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return jsonKeys(t, data)
}

// The fake's lines must have the same shape as the recordings of a real
// Ollama 0.17.4 in ../testdata.
func TestWireFormatMatchesRecordings(t *testing.T) {
	f, _ := startFake(t, fakeollama.Config{Script: fakeollama.Script{Replies: []fakeollama.Reply{
		fakeollama.Text(" hete", "ro"),
		fakeollama.Call("read_file", map[string]any{"path": "go.mod"}),
	}}})
	post := func(body string) [][]byte {
		resp, err := http.Post(f.URL()+"/api/chat", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-ndjson") && !strings.HasPrefix(ct, "application/json") {
			t.Errorf("content type %q", ct)
		}
		var lines [][]byte
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines = append(lines, bytes.Clone(sc.Bytes()))
		}
		return lines
	}
	lines := post(`{"model":"qwen2.5-coder:7b","messages":[{"role":"user","content":"hi"}],"options":{"num_ctx":8192}}`)
	if len(lines) != 3 {
		t.Fatalf("%d lines", len(lines))
	}
	if got, want := jsonKeys(t, lines[0]), fileKeys(t, "chat_stream_first_chunk.json"); !slices.Equal(got, want) {
		t.Errorf("first chunk keys\n got %v\nwant %v", got, want)
	}
	if got, want := jsonKeys(t, lines[2]), fileKeys(t, "chat_stream_final_chunk.json"); !slices.Equal(got, want) {
		t.Errorf("final chunk keys\n got %v\nwant %v", got, want)
	}
	lines = post(`{"model":"qwen2.5-coder:7b","stream":false,"messages":[{"role":"user","content":"hi"}],"options":{"num_ctx":8192}}`)
	if len(lines) != 1 {
		t.Fatalf("stream:false gave %d lines", len(lines))
	}
	if got, want := jsonKeys(t, lines[0]), fileKeys(t, "chat_forced_tool_call.json"); !slices.Equal(got, want) {
		t.Errorf("tool call answer keys\n got %v\nwant %v", got, want)
	}

	get := func(path string) []byte {
		resp, err := http.Get(f.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	if got, want := jsonKeys(t, get("/api/ps")), fileKeys(t, "ps.json"); !slices.Equal(got, want) {
		t.Errorf("ps keys\n got %v\nwant %v", got, want)
	}
	if got, want := jsonKeys(t, get("/api/tags")), fileKeys(t, "tags.json"); !slices.Equal(got, want) {
		t.Errorf("tags keys\n got %v\nwant %v", got, want)
	}
	resp, err := http.Post(f.URL()+"/api/show", "application/json", strings.NewReader(`{"model":"qwen2.5-coder:7b"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	real := fileKeys(t, "show.json")
	for _, k := range jsonKeys(t, body) {
		// model_info keys depend on the model; the rest must exist in the real answer.
		if !strings.HasPrefix(k, "model_info.") && !slices.Contains(real, k) {
			t.Errorf("show has key %q that Ollama does not send", k)
		}
	}
}

func TestRecordsEveryRequest(t *testing.T) {
	var rec bytes.Buffer
	f, c := startFake(t, fakeollama.Config{Record: &rec, Script: fakeollama.Script{Replies: []fakeollama.Reply{fakeollama.Text("ok")}}})
	no := false
	req := chatReq("hello", 2048)
	req.Truncate, req.Shift = &no, &no
	req.KeepAlive = &api.Duration{Duration: 30 * time.Minute}
	req.Tools = api.Tools{{Type: "function", Function: api.ToolFunction{Name: "read_file"}}}
	if _, err := collect(t, c, req); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListRunning(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := f.Requests()
	if len(reqs) != 2 || reqs[0].Method != "POST" || reqs[0].Path != "/api/chat" || reqs[1].Path != "/api/ps" {
		t.Fatalf("requests = %+v", reqs)
	}
	chat := reqs[0]
	if chat.Chat == nil || *chat.Chat.Truncate || *chat.Chat.Shift || chat.Chat.KeepAlive.Duration != 30*time.Minute || chat.NumCtx != 2048 {
		t.Errorf("decoded chat = %+v", chat)
	}
	if chat.Body["keep_alive"] != "30m0s" || chat.Body["truncate"] != false {
		t.Errorf("raw body = %v", chat.Body)
	}
	if chat.PromptTokens != fakeollama.PromptTokens(req) || chat.Reply != 0 {
		t.Errorf("prompt tokens %d reply %d", chat.PromptTokens, chat.Reply)
	}
	// The JSONL record carries the same.
	lines := strings.Split(strings.TrimSpace(rec.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("record has %d lines: %s", len(lines), rec.String())
	}
	var first fakeollama.Request
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.Seq != 1 || first.Path != "/api/chat" || first.Body["options"].(map[string]any)["num_ctx"] != float64(2048) {
		t.Errorf("record line = %s", lines[0])
	}
}

// Without truncate:false Ollama drops what does not fit and says nothing;
// the fake does the same so tests can prove Hearth never lets it happen.
func TestContextOverflow(t *testing.T) {
	long := strings.Repeat("x", 1000) // 250 tokens
	f, c := startFake(t, fakeollama.Config{Script: fakeollama.Script{Replies: []fakeollama.Reply{fakeollama.Text("ok")}}})

	chunks, err := collect(t, c, chatReq(long, 128))
	if err != nil {
		t.Fatal(err)
	}
	if final := chunks[len(chunks)-1]; final.PromptEvalCount != 128 {
		t.Errorf("silently truncated prompt_eval_count = %d, want num_ctx 128", final.PromptEvalCount)
	}
	if !f.ChatRequests()[0].Truncated {
		t.Error("silent truncation not recorded")
	}

	no := false
	req := chatReq(long, 128)
	req.Truncate = &no
	_, err = collect(t, c, req)
	var se api.StatusError
	if !errors.As(err, &se) || se.StatusCode != 400 || se.ErrorMessage != "the input length exceeds the context length" {
		t.Errorf("truncate:false = %v", err)
	}
	if f.Remaining() != 0 {
		t.Error("a refused request must not use up a reply")
	}
}

func TestShiftOffStopsGenerationAtTheContextEnd(t *testing.T) {
	_, c := startFake(t, fakeollama.Config{Script: fakeollama.Script{Replies: []fakeollama.Reply{
		fakeollama.Text(strings.Split(strings.Repeat("w", 40), "")...),
	}}})
	no := false
	req := chatReq("hi", 20) // prompt: 3 + 4 + 1 = 8 tokens, room for 12
	req.Shift = &no
	chunks, err := collect(t, c, req)
	if err != nil {
		t.Fatal(err)
	}
	final := chunks[len(chunks)-1]
	if final.DoneReason != "length" || final.EvalCount != 12 || len(chunks) != 13 {
		t.Errorf("done %s eval %d chunks %d", final.DoneReason, final.EvalCount, len(chunks))
	}
}

func TestLoadsReloadsAndPs(t *testing.T) {
	now := time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
	f, c := startFake(t, fakeollama.Config{
		Now:    func() time.Time { return now },
		Script: fakeollama.Script{Replies: []fakeollama.Reply{fakeollama.Text("a"), fakeollama.Text("b"), fakeollama.Text("c")}},
	})
	loadOf := func(numCtx int) time.Duration {
		chunks, err := collect(t, c, chatReq("hi", numCtx))
		if err != nil {
			t.Fatal(err)
		}
		return chunks[len(chunks)-1].LoadDuration
	}
	if d := loadOf(2048); d < time.Second {
		t.Errorf("cold load reported %v", d)
	}
	if d := loadOf(2048); d > 100*time.Millisecond {
		t.Errorf("warm request reported load %v", d)
	}
	if d := loadOf(4096); d < time.Second {
		t.Errorf("num_ctx change reported load %v", d)
	}
	if f.Loads() != 2 || f.Reloads() != 1 {
		t.Errorf("loads %d reloads %d", f.Loads(), f.Reloads())
	}
	ps, err := c.ListRunning(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m := ps.Models[0]
	// 4.68 GB of weights plus 4096 × 57,344 B of KV cache.
	if m.ContextLength != 4096 || m.Size != 4683087332+4096*57344 || m.SizeVRAM != m.Size || !m.ExpiresAt.Equal(now.Add(5*time.Minute)) {
		t.Errorf("ps = %+v", m)
	}
}

func TestPrewarmAndUnloadDoNotUseTheScript(t *testing.T) {
	f, c := startFake(t, fakeollama.Config{})
	ctx := context.Background()
	var reasons []string
	for _, ka := range []time.Duration{time.Hour, 0} {
		err := c.Generate(ctx, &api.GenerateRequest{Model: model, KeepAlive: &api.Duration{Duration: ka}, Options: map[string]any{"num_ctx": 8192}},
			func(r api.GenerateResponse) error {
				reasons = append(reasons, r.DoneReason)
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(reasons, []string{"load", "unload"}) || f.Loads() != 1 {
		t.Errorf("reasons %v loads %d", reasons, f.Loads())
	}
	ps, _ := c.ListRunning(ctx)
	if len(ps.Models) != 0 {
		t.Errorf("unloaded model still listed: %+v", ps.Models)
	}
}

func TestUnknownModelAnswersLikeOllama(t *testing.T) {
	_, c := startFake(t, fakeollama.Config{})
	req := chatReq("hi", 2048)
	req.Model = "nope"
	_, err := collect(t, c, req)
	var se api.StatusError
	if !errors.As(err, &se) || se.StatusCode != 404 || se.ErrorMessage != `model "nope" not found, try pulling it first` {
		t.Errorf("chat: %v", err)
	}
	_, err = c.Show(context.Background(), &api.ShowRequest{Model: "nope"})
	if !errors.As(err, &se) || se.StatusCode != 404 || se.ErrorMessage != `model 'nope' not found` {
		t.Errorf("show: %v", err)
	}
}

func TestModelsFromJSON(t *testing.T) {
	ms, err := fakeollama.ParseModels([]byte(`{"models":[{"name":"codestral","parameter_size":"22.2B","quantization_level":"Q4_0","num_ctx":16384,"not_installed":true}]}`))
	if err != nil {
		t.Fatal(err)
	}
	_, c := startFake(t, fakeollama.Config{Models: ms})
	list, err := c.List(context.Background())
	if err != nil || len(list.Models) != 0 {
		t.Fatalf("not-installed model listed: %+v %v", list, err)
	}
	if err := c.Pull(context.Background(), &api.PullRequest{Model: "codestral"}, func(api.ProgressResponse) error { return nil }); err != nil {
		t.Fatal(err)
	}
	show, err := c.Show(context.Background(), &api.ShowRequest{Model: "codestral"})
	if err != nil || !strings.Contains(show.Parameters, "num_ctx") || show.Details.ParameterSize != "22.2B" {
		t.Errorf("show after pull: %+v %v", show, err)
	}
	if _, err := fakeollama.ParseModels([]byte(`{"models":[{"size":1}]}`)); err == nil {
		t.Error("a model without a name was accepted")
	}
}

// The script example in the package documentation must stay valid.
func TestDocumentedScriptParses(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var example strings.Builder
	for _, l := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(l, "//\t"); ok {
			example.WriteString(rest + "\n")
		}
	}
	s, err := fakeollama.ParseScript([]byte(example.String()))
	if err != nil {
		t.Fatalf("%v\n%s", err, example.String())
	}
	if len(s.Replies) != 10 {
		t.Errorf("%d replies in the documented example", len(s.Replies))
	}
}
