package fakeollama

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/ollama/ollama/api"
)

// DefaultNumCtx is the context Ollama 0.17.4 picks on a machine without
// VRAM when neither the request nor the Modelfile sets num_ctx.
const DefaultNumCtx = 4096

// Reported timings. The fake never sleeps for them (only scripted delays
// are real); they make the final chunk look like Ollama's and let tests see
// a load as a large load_duration.
const (
	defaultLoadDuration = 1500 * time.Millisecond
	warmLoadDuration    = 2 * time.Millisecond
	promptEvalPerToken  = 100 * time.Microsecond
	evalPerToken        = 20 * time.Millisecond
)

// Config sets up a Fake.
type Config struct {
	Script Script
	// Models is the catalogue; nil means DefaultModels().
	Models []Model
	// Version answered by /api/version; empty means "0.17.4".
	Version string
	// Record, if set, gets one JSON line per request (see Request).
	Record io.Writer
	// LoadDuration is reported when a request loads or reloads a model;
	// zero means 1.5 s.
	LoadDuration time.Duration
	// Now is the clock for created_at and expires_at; nil means time.Now.
	Now func() time.Time
}

// Request is one recorded request.
type Request struct {
	Seq    int            `json:"seq"`
	Method string         `json:"method"`
	Path   string         `json:"path"`
	Body   map[string]any `json:"body,omitempty"`
	// Chat is the body decoded as Ollama decodes it, for /api/chat.
	Chat *api.ChatRequest `json:"-"`
	// PromptTokens is the fake's count for a chat prompt (see PromptTokens).
	PromptTokens int `json:"prompt_tokens,omitempty"`
	// NumCtx is the context the request ran with.
	NumCtx int `json:"num_ctx,omitempty"`
	// Truncated is true when the fake dropped part of the prompt silently,
	// as Ollama does when truncate is not false.
	Truncated bool `json:"truncated,omitempty"`
	// Reply is the index of the script reply used, or -1.
	Reply int `json:"reply"`
}

type loaded struct {
	numCtx  int
	expires time.Time
}

// Fake is a scripted Ollama. Create it with Start (an httptest server) or
// New plus Handler (to serve it yourself).
type Fake struct {
	cfg  Config
	url  string
	srv  *httptest.Server
	quit chan struct{} // closed by Close: scripted waits end at once

	mu sync.Mutex
	// Guarded by mu:
	next      int // next script reply
	requests  []Request
	models    []Model
	loaded    map[string]loaded
	loads     int
	reloads   int
	closeOnce sync.Once
}

// New returns a Fake that is not listening yet; see Handler.
func New(cfg Config) *Fake {
	if cfg.Models == nil {
		cfg.Models = DefaultModels()
	}
	if cfg.Version == "" {
		cfg.Version = "0.17.4"
	}
	if cfg.LoadDuration == 0 {
		cfg.LoadDuration = defaultLoadDuration
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	f := &Fake{cfg: cfg, quit: make(chan struct{}), loaded: map[string]loaded{}}
	for _, m := range cfg.Models {
		f.models = append(f.models, m.withDefaults())
	}
	return f
}

// Start returns a Fake listening on a loopback port; Close it when done.
func Start(cfg Config) *Fake {
	f := New(cfg)
	f.srv = httptest.NewServer(f.Handler())
	f.url = f.srv.URL
	return f
}

// URL is the base URL of a started Fake.
func (f *Fake) URL() string { return f.url }

// Close ends scripted waits and, for a started Fake, stops the server and
// drops every open connection, as a killed Ollama would.
func (f *Fake) Close() {
	f.closeOnce.Do(func() { close(f.quit) })
	if f.srv != nil {
		f.srv.CloseClientConnections()
		f.srv.Close()
	}
}

// Kill drops every open connection at once without waiting, leaving the
// listener closed: a crash mid-answer.
func (f *Fake) Kill() {
	f.closeOnce.Do(func() { close(f.quit) })
	if f.srv != nil {
		f.srv.CloseClientConnections()
		f.srv.Listener.Close()
	}
}

// Requests returns a copy of every request so far, in order.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

// ChatRequests returns the recorded /api/chat requests.
func (f *Fake) ChatRequests() []Request {
	var out []Request
	for _, r := range f.Requests() {
		if r.Path == "/api/chat" {
			out = append(out, r)
		}
	}
	return out
}

// Loads counts model loads, reloads included; Reloads counts loads caused
// by a change of num_ctx for a model already loaded.
func (f *Fake) Loads() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.loads
}

// Reloads: see Loads.
func (f *Fake) Reloads() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reloads
}

// Remaining is how many script replies are still unused.
func (f *Fake) Remaining() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.cfg.Script.Replies) - f.next
}

// Handler serves Ollama's API.
func (f *Fake) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/chat", f.chat)
	mux.HandleFunc("POST /api/generate", f.generate)
	mux.HandleFunc("POST /api/show", f.show)
	mux.HandleFunc("POST /api/pull", f.pull)
	mux.HandleFunc("GET /api/tags", f.tags)
	mux.HandleFunc("GET /api/ps", f.ps)
	mux.HandleFunc("GET /api/version", f.version)
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		f.record(r, nil)
		io.WriteString(w, "Ollama is running")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.record(r, nil)
		http.Error(w, "404 page not found", http.StatusNotFound)
	})
	return mux
}

// record stores a request and returns its index.
func (f *Fake) record(r *http.Request, body []byte) int {
	req := Request{Method: r.Method, Path: r.URL.Path, Reply: -1}
	if len(body) > 0 {
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			req.Body = m
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	req.Seq = len(f.requests) + 1
	f.requests = append(f.requests, req)
	return len(f.requests) - 1
}

// update changes a recorded request and writes its record line once the
// fake knows everything about it.
func (f *Fake) update(i int, change func(*Request)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(&f.requests[i])
}

// flushRecord writes request i to Config.Record.
func (f *Fake) flushRecord(i int) {
	if f.cfg.Record == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := json.Marshal(f.requests[i])
	if err != nil {
		return
	}
	f.cfg.Record.Write(append(b, '\n'))
}

// readBody reads and records a JSON request.
func (f *Fake) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, bool) {
	body, err := io.ReadAll(r.Body)
	i := f.record(r, body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		f.flushRecord(i)
		return nil, i, false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		writeError(w, http.StatusBadRequest, "missing request body")
		f.flushRecord(i)
		return nil, i, false
	}
	return body, i, true
}

// writeError answers in Ollama's error shape.
func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(v)
}

// model finds an installed model by name.
func (f *Fake) model(name string) (Model, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name = fullName(name)
	for _, m := range f.models {
		if m.Name == name && !m.NotInstalled {
			return m, true
		}
	}
	return Model{}, false
}

// peekReply returns the next script reply without using it up; ok is
// false when the script ran out. Replies go to requests in arrival order:
// a script is meant for one conversation at a time.
func (f *Fake) peekReply() (Reply, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.next >= len(f.cfg.Script.Replies) {
		return Reply{}, false
	}
	return f.cfg.Script.Replies[f.next], true
}

// takeReply uses up the reply peekReply returned and gives its index.
func (f *Fake) takeReply() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	return f.next - 1
}

// load simulates Ollama's scheduler: a new model, or a known one asked for
// with another num_ctx, is (re)loaded. It returns the load_duration to
// report.
func (f *Fake) load(m Model, numCtx int, keepAlive *api.Duration) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	ka := 5 * time.Minute
	if keepAlive != nil {
		ka = keepAlive.Duration
	}
	now := f.cfg.Now()
	prev, ok := f.loaded[m.Name]
	if ok && !prev.expires.After(now) {
		ok = false
	}
	took := warmLoadDuration
	if !ok || prev.numCtx != numCtx {
		f.loads++
		if ok {
			f.reloads++
		}
		took = f.cfg.LoadDuration
	}
	if ka == 0 {
		delete(f.loaded, m.Name)
		return took
	}
	expires := now.Add(ka)
	if ka > 100*365*24*time.Hour || expires.Before(now) {
		expires = now.AddDate(293, 0, 0)
	}
	f.loaded[m.Name] = loaded{numCtx: numCtx, expires: expires}
	return took
}

func (f *Fake) unload(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.loaded, name)
}

// numCtxOf is the context a request runs with: its option, else the
// Modelfile's, else Ollama's default.
func numCtxOf(opts map[string]any, m Model) int {
	if v, ok := opts["num_ctx"].(float64); ok && v > 0 {
		return int(v)
	}
	if m.NumCtx > 0 {
		return m.NumCtx
	}
	return DefaultNumCtx
}

func (f *Fake) chat(w http.ResponseWriter, r *http.Request) {
	body, i, ok := f.readBody(w, r)
	if !ok {
		return
	}
	defer f.flushRecord(i)
	var req api.ChatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	f.update(i, func(rec *Request) { rec.Chat = &req })
	if req.Model == "" {
		writeError(w, http.StatusBadRequest, "model is required")
		return
	}
	m, ok := f.model(req.Model)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("model %q not found, try pulling it first", req.Model))
		return
	}
	numCtx := numCtxOf(req.Options, m)
	f.update(i, func(rec *Request) { rec.NumCtx = numCtx })

	if len(req.Messages) == 0 {
		reason := "load"
		if req.KeepAlive != nil && req.KeepAlive.Duration == 0 {
			f.unload(m.Name)
			reason = "unload"
		} else {
			f.load(m, numCtx, req.KeepAlive)
		}
		writeJSON(w, api.ChatResponse{
			Model: req.Model, CreatedAt: f.cfg.Now().UTC(),
			Message: api.Message{Role: "assistant"}, Done: true, DoneReason: reason,
		})
		return
	}
	if len(req.Tools) > 0 && !m.has("tools") {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("registry.ollama.ai/library/%s does not support tools", m.Name))
		return
	}

	// A scripted error is a load failure, so it comes before the context
	// check; a request refused for its length uses up no reply.
	reply, ok := f.peekReply()
	if ok && reply.Error != nil {
		idx := f.takeReply()
		f.update(i, func(rec *Request) { rec.Reply = idx })
		if !f.wait(r, reply.FirstTokenDelay) {
			return
		}
		writeError(w, reply.Error.Status, reply.Error.Message)
		return
	}

	loadTook := f.load(m, numCtx, req.KeepAlive)
	prompt := PromptTokens(&req)
	truncated := false
	if prompt > numCtx {
		if req.Truncate != nil && !*req.Truncate {
			writeError(w, http.StatusBadRequest, "the input length exceeds the context length")
			f.update(i, func(rec *Request) { rec.PromptTokens = prompt })
			return
		}
		// Ollama keeps what fits and says nothing to the client.
		prompt, truncated = numCtx, true
	}
	if !ok {
		writeError(w, http.StatusInternalServerError, fmt.Sprintf(
			"fakeollama: script exhausted: request %d (POST /api/chat) has no scripted reply", i+1))
		return
	}
	idx := f.takeReply()
	f.update(i, func(rec *Request) { rec.Reply = idx })
	f.update(i, func(rec *Request) { rec.PromptTokens = prompt; rec.Truncated = truncated })

	f.stream(w, r, &req, reply, streamFacts{
		prompt: prompt, numCtx: numCtx, load: loadTook,
		noShift: req.Shift != nil && !*req.Shift,
		stream:  req.Stream == nil || *req.Stream,
	})
}

// streamFacts are the numbers behind one answer.
type streamFacts struct {
	prompt, numCtx int
	load           time.Duration
	noShift        bool
	stream         bool
}

// line is one stream line before it gets its envelope.
type line struct {
	content, thinking string
	calls             []api.ToolCall
}

// lines turns a reply into the lines Ollama would send and the eval_count.
func (rep Reply) lines() ([]line, int) {
	var out []line
	for _, t := range rep.Thinking {
		out = append(out, line{thinking: t})
	}
	for _, c := range rep.Chunks {
		out = append(out, line{content: c})
	}
	eval := len(out)
	if len(rep.ToolCalls) > 0 {
		var calls []api.ToolCall
		for j, tc := range rep.ToolCalls {
			id := tc.ID
			if id == "" {
				id = fmt.Sprintf("call_%08d", j)
			}
			calls = append(calls, api.ToolCall{ID: id, Function: api.ToolCallFunction{
				Index: j, Name: tc.Name, Arguments: tc.Arguments,
			}})
		}
		b, _ := json.Marshal(calls)
		eval += TextTokens(string(b))
		out = append(out, line{calls: calls})
	}
	if rep.EvalCount > 0 {
		eval = rep.EvalCount
	}
	return out, eval
}

// stream writes a scripted answer, NDJSON or one object.
func (f *Fake) stream(w http.ResponseWriter, r *http.Request, req *api.ChatRequest, rep Reply, sf streamFacts) {
	lines, eval := rep.lines()
	doneReason := rep.DoneReason
	if doneReason == "" {
		doneReason = "stop"
	}
	// With shift off, generation stops where the context is full.
	if sf.noShift && sf.prompt+eval > sf.numCtx {
		room := max(sf.numCtx-sf.prompt, 0)
		if room < len(lines) {
			lines = lines[:room]
		}
		eval, doneReason = room, "length"
	}
	final := api.ChatResponse{
		Model: req.Model, Message: api.Message{Role: "assistant"},
		Done: true, DoneReason: doneReason,
		Metrics: api.Metrics{
			LoadDuration:       sf.load,
			PromptEvalCount:    sf.prompt,
			PromptEvalDuration: time.Duration(sf.prompt) * promptEvalPerToken,
			EvalCount:          eval,
			EvalDuration:       time.Duration(eval) * evalPerToken,
		},
	}
	final.TotalDuration = final.LoadDuration + final.PromptEvalDuration + final.EvalDuration

	if !sf.stream {
		if !f.wait(r, rep.FirstTokenDelay) || (len(rep.ToolCalls) > 0 && !f.wait(r, rep.ToolCallDelay)) {
			return
		}
		for _, l := range lines {
			final.Message.Content += l.content
			final.Message.Thinking += l.thinking
			final.Message.ToolCalls = append(final.Message.ToolCalls, l.calls...)
		}
		final.CreatedAt = f.cfg.Now().UTC()
		if rep.StreamError != "" {
			writeError(w, http.StatusInternalServerError, rep.StreamError)
			return
		}
		writeJSON(w, final)
		return
	}

	flusher, _ := w.(http.Flusher)
	wroteHeader := false
	send := func(b []byte) {
		if !wroteHeader {
			w.Header().Set("Content-Type", "application/x-ndjson")
			wroteHeader = true
		}
		w.Write(b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	encode := func(v any) []byte {
		b, _ := json.Marshal(v)
		return append(b, '\n')
	}
	for n, l := range lines {
		delay := rep.ChunkDelay
		if n == 0 {
			delay = rep.FirstTokenDelay
		}
		if !f.wait(r, delay) {
			return
		}
		if rep.StallAfter > 0 && n == rep.StallAfter && !f.wait(r, rep.Stall) {
			return
		}
		if rep.HangUpAfter != nil && n == *rep.HangUpAfter {
			f.hangUp(w, send, wroteHeader)
		}
		if rep.Garbage != "" && n == rep.GarbageAfter {
			send([]byte(rep.Garbage + "\n"))
			return
		}
		if len(l.calls) > 0 && !f.writeToolCalls(r, req, rep, func(v any) { send(encode(v)) }) {
			return
		}
		chunk := api.ChatResponse{
			Model: req.Model, CreatedAt: f.cfg.Now().UTC(),
			Message: api.Message{Role: "assistant", Content: l.content, Thinking: l.thinking, ToolCalls: l.calls},
		}
		if req.Logprobs && len(l.calls) == 0 {
			chunk.Logprobs = []api.Logprob{{TokenLogprob: api.TokenLogprob{Token: l.content + l.thinking, Logprob: -0.25}}}
		}
		send(encode(chunk))
	}
	n := len(lines)
	if n == 0 && !f.wait(r, rep.FirstTokenDelay) {
		return
	}
	if rep.StallAfter > 0 && n == rep.StallAfter && n > 0 && !f.wait(r, rep.Stall) {
		return
	}
	if rep.HangUpAfter != nil && *rep.HangUpAfter >= n {
		f.hangUp(w, send, wroteHeader)
	}
	if rep.Garbage != "" && rep.GarbageAfter >= n {
		send([]byte(rep.Garbage + "\n"))
		return
	}
	if rep.StreamError != "" {
		if !wroteHeader {
			writeError(w, http.StatusInternalServerError, rep.StreamError)
			return
		}
		send(encode(map[string]string{"error": rep.StreamError}))
		return
	}
	if n > 0 && !f.wait(r, rep.ChunkDelay) {
		return
	}
	final.CreatedAt = f.cfg.Now().UTC()
	send(encode(final))
}

// writeToolCalls waits out the time the model spends writing its tool
// calls. Ollama's parser holds that text back; with logprobs requested it
// still sends one logprobs-only chunk per token, imitated here every tick.
func (f *Fake) writeToolCalls(r *http.Request, req *api.ChatRequest, rep Reply, send func(any)) bool {
	left := time.Duration(rep.ToolCallDelay)
	tick := time.Duration(rep.ChunkDelay)
	if tick <= 0 {
		tick = left / 10
	}
	for left > 0 {
		step := min(tick, left)
		if !f.wait(r, Duration(step)) {
			return false
		}
		left -= step
		if req.Logprobs {
			send(api.ChatResponse{
				Model: req.Model, CreatedAt: f.cfg.Now().UTC(),
				Message:  api.Message{Role: "assistant"},
				Logprobs: []api.Logprob{{TokenLogprob: api.TokenLogprob{Token: "{", Logprob: -0.01}}},
			})
		}
	}
	return true
}

// hangUp drops the connection mid-answer. Headers go out first so the
// client has started reading a 200 stream, as with a crashed server.
func (f *Fake) hangUp(w http.ResponseWriter, send func([]byte), wroteHeader bool) {
	if !wroteHeader {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
	}
	// The server closes the connection without the last chunk of the
	// chunked body, so the client reads an unexpected EOF.
	panic(http.ErrAbortHandler)
}

// wait sleeps d unless the client goes away or the fake closes; it reports
// whether to go on.
func (f *Fake) wait(r *http.Request, d Duration) bool {
	if d <= 0 {
		select {
		case <-r.Context().Done():
			return false
		default:
			return true
		}
	}
	t := time.NewTimer(time.Duration(d))
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-f.quit:
		return false
	}
}

func (f *Fake) generate(w http.ResponseWriter, r *http.Request) {
	body, i, ok := f.readBody(w, r)
	if !ok {
		return
	}
	defer f.flushRecord(i)
	var req api.GenerateRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	m, ok := f.model(req.Model)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("model %q not found, try pulling it first", req.Model))
		return
	}
	numCtx := numCtxOf(req.Options, m)
	f.update(i, func(rec *Request) { rec.NumCtx = numCtx })
	if req.Prompt == "" {
		reason := "load"
		if req.KeepAlive != nil && req.KeepAlive.Duration == 0 {
			f.unload(m.Name)
			reason = "unload"
		} else {
			f.load(m, numCtx, req.KeepAlive)
		}
		writeJSON(w, api.GenerateResponse{Model: req.Model, CreatedAt: f.cfg.Now().UTC(), Done: true, DoneReason: reason})
		return
	}
	reply, ok := f.peekReply()
	if !ok {
		writeError(w, http.StatusInternalServerError, fmt.Sprintf(
			"fakeollama: script exhausted: request %d (POST /api/generate) has no scripted reply", i+1))
		return
	}
	idx := f.takeReply()
	f.update(i, func(rec *Request) { rec.Reply = idx })
	if reply.Error != nil {
		writeError(w, reply.Error.Status, reply.Error.Message)
		return
	}
	took := f.load(m, numCtx, req.KeepAlive)
	prompt := TextTokens(req.Prompt) + TextTokens(req.Suffix)
	lines, eval := reply.lines()
	resp := api.GenerateResponse{Model: req.Model, CreatedAt: f.cfg.Now().UTC(), Done: true, DoneReason: "stop",
		Metrics: api.Metrics{LoadDuration: took, PromptEvalCount: prompt, EvalCount: eval}}
	if !f.wait(r, reply.FirstTokenDelay) {
		return
	}
	for _, l := range lines {
		resp.Response += l.content
	}
	writeJSON(w, resp)
}

func (f *Fake) show(w http.ResponseWriter, r *http.Request) {
	body, i, ok := f.readBody(w, r)
	if !ok {
		return
	}
	defer f.flushRecord(i)
	var req api.ShowRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	name := req.Model
	if name == "" {
		name = req.Name
	}
	m, ok := f.model(name)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("model '%s' not found", name))
		return
	}
	writeJSON(w, showOf(m))
}

// showOf builds /api/show's answer the way Ollama lays it out.
func showOf(m Model) map[string]any {
	info := map[string]any{
		"general.architecture":       m.Family,
		"general.parameter_count":    0,
		"general.type":               "model",
		m.Family + ".context_length": m.ContextLength,
	}
	if m.BlockCount > 0 {
		info[m.Family+".block_count"] = m.BlockCount
		info[m.Family+".attention.head_count"] = m.HeadCount
		info[m.Family+".attention.head_count_kv"] = m.HeadCountKV
		info[m.Family+".embedding_length"] = m.EmbeddingLength
	}
	var params strings.Builder
	if m.NumCtx > 0 {
		fmt.Fprintf(&params, "%-30s %d\n", "num_ctx", m.NumCtx)
	}
	fmt.Fprintf(&params, "%-30s %q\n%-30s %q", "stop", "<|im_start|>", "stop", "<|im_end|>")
	modelfile := "# Modelfile generated by \"ollama show\"\nFROM " + m.Name + "\n"
	if m.NumCtx > 0 {
		modelfile += fmt.Sprintf("PARAMETER num_ctx %d\n", m.NumCtx)
	}
	return map[string]any{
		"capabilities": m.Capabilities,
		"details":      details(m),
		"model_info":   info,
		"modelfile":    modelfile,
		"parameters":   params.String(),
		"template":     "{{ .Prompt }}",
		"modified_at":  "2026-11-26T00:05:52.09403368Z",
	}
}

func details(m Model) api.ModelDetails {
	return api.ModelDetails{
		Format: "gguf", Family: m.Family, Families: []string{m.Family},
		ParameterSize: m.ParameterSize, QuantizationLevel: m.Quantization,
	}
}

func (f *Fake) tags(w http.ResponseWriter, r *http.Request) {
	i := f.record(r, nil)
	defer f.flushRecord(i)
	f.mu.Lock()
	resp := api.ListResponse{Models: []api.ListModelResponse{}}
	for _, m := range f.models {
		if m.NotInstalled {
			continue
		}
		resp.Models = append(resp.Models, api.ListModelResponse{
			Name: m.Name, Model: m.Name, Size: m.Size, Digest: m.digest(), Details: details(m),
			ModifiedAt: time.Date(2026, 11, 26, 0, 5, 52, 0, time.UTC),
		})
	}
	f.mu.Unlock()
	writeJSON(w, resp)
}

func (f *Fake) ps(w http.ResponseWriter, r *http.Request) {
	i := f.record(r, nil)
	defer f.flushRecord(i)
	f.mu.Lock()
	now := f.cfg.Now()
	resp := api.ProcessResponse{Models: []api.ProcessModelResponse{}}
	for _, m := range f.models {
		l, ok := f.loaded[m.Name]
		if !ok || !l.expires.After(now) {
			continue
		}
		size := m.Size + m.kvBytes(l.numCtx)
		resp.Models = append(resp.Models, api.ProcessModelResponse{
			Name: m.Name, Model: m.Name, Size: size, Digest: m.digest(), Details: details(m),
			ExpiresAt: l.expires, SizeVRAM: max(size-m.SpillBytes, 0), ContextLength: l.numCtx,
		})
	}
	f.mu.Unlock()
	writeJSON(w, resp)
}

func (f *Fake) version(w http.ResponseWriter, r *http.Request) {
	i := f.record(r, nil)
	defer f.flushRecord(i)
	writeJSON(w, map[string]string{"version": f.cfg.Version})
}

// pull "downloads" a catalogue model marked NotInstalled, streaming the
// statuses Ollama sends; an unknown name fails as Ollama's does.
func (f *Fake) pull(w http.ResponseWriter, r *http.Request) {
	body, i, ok := f.readBody(w, r)
	if !ok {
		return
	}
	defer f.flushRecord(i)
	var req api.PullRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	name := fullName(req.Model)
	if name == "" {
		name = fullName(req.Name)
	}
	f.mu.Lock()
	idx := -1
	for j, m := range f.models {
		if m.Name == name {
			idx = j
		}
	}
	var m Model
	if idx >= 0 {
		m = f.models[idx]
	}
	f.mu.Unlock()
	if idx < 0 {
		writeError(w, http.StatusInternalServerError, "pull model manifest: file does not exist")
		return
	}
	digest := "sha256:" + m.digest()
	steps := []api.ProgressResponse{{Status: "pulling manifest"}}
	for _, part := range []int64{0, 1, 2, 3, 4} {
		steps = append(steps, api.ProgressResponse{
			Status: "pulling " + m.digest()[:12], Digest: digest, Total: m.Size, Completed: m.Size * part / 4,
		})
	}
	steps = append(steps,
		api.ProgressResponse{Status: "verifying sha256 digest"},
		api.ProgressResponse{Status: "writing manifest"},
		api.ProgressResponse{Status: "success"})
	f.mu.Lock()
	f.models[idx].NotInstalled = false
	f.mu.Unlock()
	if req.Stream != nil && !*req.Stream {
		writeJSON(w, api.ProgressResponse{Status: "success"})
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	flusher, _ := w.(http.Flusher)
	for _, s := range steps {
		b, _ := json.Marshal(s)
		w.Write(append(b, '\n'))
		if flusher != nil {
			flusher.Flush()
		}
	}
}
