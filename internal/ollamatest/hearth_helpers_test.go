package ollamatest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/hearth-dev/hearth/internal/engine"
	"github.com/hearth-dev/hearth/llm"
	"github.com/hearth-dev/hearth/planact"
	"github.com/hearth-dev/hearth/settings"
	"github.com/hearth-dev/hearth/snapshot"
)

// BoundedModel is the test model with PARAMETER num_predict in its
// Modelfile. Hearth sends no num_predict (a real model stops by itself), and
// a random model never emits <|im_end|>, so without the bound every planact
// turn would generate until the window is full.
const BoundedModel = "tiny-qwen-bounded"

// createBounded registers BoundedModel on s: the Qwen2.5 tools template,
// the server's num_ctx, and answers of at most numPredict tokens.
func createBounded(t *testing.T, s *Server, numPredict int) {
	t.Helper()
	_, gguf, err := prepare()
	if err != nil {
		t.Fatal(err)
	}
	mf, err := Modelfile(Model, gguf, s.NumCtx)
	if err != nil {
		t.Fatal(err)
	}
	mf += "PARAMETER num_predict " + itoa(numPredict) + "\n"
	path := filepath.Join(s.Dir, BoundedModel+".Modelfile")
	if err := os.WriteFile(path, []byte(mf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(s.bin, "create", BoundedModel, "-f", path)
	cmd.Env = s.env(Options{})
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ollama create %s: %v\n%s", BoundedModel, err, tail(string(out), 2000))
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// exchange is one /api/chat request that went through the recorder, with
// what the server answered.
type exchange struct {
	Req api.ChatRequest
	// Options is the request's options object as sent, numbers as float64.
	Options map[string]any
	Status  int
	// Final is the done:true chunk (or the single answer); nil when none.
	Final *api.ChatResponse
	// ErrorText is the "error" field of a failed answer.
	ErrorText string
}

// recorder is a reverse proxy in front of a real server that keeps every
// /api/chat exchange, so a test sees exactly what Hearth sent and what
// Ollama answered without changing either.
type recorder struct {
	URL string

	mu        sync.Mutex // guards exchanges
	exchanges []exchange
}

func newRecorder(t *testing.T, s *Server) *recorder {
	rec := &recorder{}
	proxy := httputil.NewSingleHostReverseProxy(s.URL)
	proxy.FlushInterval = -1 // stream every chunk as it comes
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/chat" {
			proxy.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var ex exchange
		json.Unmarshal(body, &ex.Req)
		var raw struct {
			Options map[string]any `json:"options"`
		}
		json.Unmarshal(body, &raw)
		ex.Options = raw.Options
		tw := &teeWriter{ResponseWriter: w, status: http.StatusOK}
		proxy.ServeHTTP(tw, r)
		ex.Status = tw.status
		sc := bufio.NewScanner(bytes.NewReader(tw.buf.Bytes()))
		sc.Buffer(make([]byte, 1<<20), 1<<26)
		for sc.Scan() {
			var c api.ChatResponse
			var e struct {
				Error string `json:"error"`
			}
			if json.Unmarshal(sc.Bytes(), &e) == nil && e.Error != "" {
				ex.ErrorText = e.Error
			}
			if json.Unmarshal(sc.Bytes(), &c) == nil && c.Done {
				ex.Final = &c
			}
		}
		rec.mu.Lock()
		rec.exchanges = append(rec.exchanges, ex)
		rec.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	rec.URL = srv.URL
	return rec
}

// Exchanges returns a copy of the exchanges so far.
func (r *recorder) Exchanges() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.exchanges...)
}

func (r *recorder) Reset() {
	r.mu.Lock()
	r.exchanges = nil
	r.mu.Unlock()
}

// teeWriter keeps a copy of the response the proxy writes.
type teeWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (w *teeWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }
func (w *teeWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}
func (w *teeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// events collects a planact engine's events.
type events struct {
	mu  sync.Mutex // guards all
	all []planact.Event
}

func (e *events) add(ev planact.Event) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
}

// Of returns the events of one kind in one turn of one session (turn ids
// are unique only within a session).
func (e *events) Of(session, turn string, kind planact.EventKind) []planact.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []planact.Event
	for _, ev := range e.all {
		if ev.SessionID == session && ev.TurnID == turn && ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

// hearthSettings are Hearth's defaults pointed at url with model and
// numCtx fixed, as a user would set hearth.models.plan and
// hearth.model.numCtx.
func hearthSettings(url, model string, numCtx int) settings.Settings {
	cfg := settings.Default()
	cfg.Ollama.Host = url
	cfg.Models.Plan = model
	cfg.Model.NumCtx = numCtx
	return cfg
}

// buildEngine assembles the engine exactly as `hearth serve` does, over an
// empty temporary workspace unless root is given.
func buildEngine(t *testing.T, cfg settings.Settings, root string) (*engine.Built, *events) {
	t.Helper()
	if root == "" {
		root = t.TempDir()
	}
	evs := &events{}
	b, err := engine.Build(ctxT(t), engine.Options{
		Root: root, Settings: cfg,
		Store:   func() (*snapshot.Store, error) { return nil, errors.New("this test takes no snapshots") },
		OnEvent: evs.add,
	})
	if err != nil {
		t.Fatalf("engine.Build: %v", err)
	}
	t.Cleanup(b.Engine.Close)
	return b, evs
}

// turn sends one message and waits for the turn to end; it returns the
// session and turn ids.
func turn(t *testing.T, e *planact.Engine, req planact.ChatRequest) (string, string) {
	t.Helper()
	sid, tid, err := e.Chat(req)
	if err != nil {
		t.Fatalf("Chat: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := e.Wait(ctx, sid); err != nil {
		t.Fatalf("turn did not end: %v", err)
	}
	return sid, tid
}

// noSnapshots is a Snapshotter for turns that change nothing.
type noSnapshots struct{}

func (noSnapshots) Checkpoint(context.Context, []string, planact.SnapshotMeta) (string, error) {
	return "", errors.New("no snapshots in this test")
}
func (noSnapshots) Full(context.Context, planact.SnapshotMeta) (string, error) {
	return "", errors.New("no snapshots in this test")
}

// hearthClient is Hearth's client for s (or another URL) with cfg's other
// fields.
func hearthClient(t *testing.T, url string, cfg llm.Config) *llm.Client {
	t.Helper()
	cfg.BaseURL = url
	c, err := llm.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
