package server

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearth-dev/hearth/internal/lsptest"
)

// testServer is a real Server on an in-memory pipe, driven by a fake editor.
type testServer struct {
	*lsptest.Editor
	s        *Server
	exitCode chan int
	root     string
	stateDir string
	// toServer writes raw bytes to the server, for malformed input.
	toServer io.Writer
}

func startServer(t *testing.T, tweak func(*Server)) *testServer {
	t.Helper()
	clientR, serverW := io.Pipe()
	serverR, clientW := io.Pipe()
	s := newServer(Options{
		Version: "test",
		Logger:  testLogger(t),
		Getenv:  func(string) string { return "" },
	})
	if tweak != nil {
		tweak(s)
	}
	ts := &testServer{s: s, exitCode: make(chan int, 1), root: t.TempDir(), stateDir: t.TempDir(), toServer: clientW}
	go func() {
		ts.exitCode <- runServer(context.Background(), s, serverR, serverW)
		serverW.Close()
	}()
	ts.Editor = lsptest.Connect(t, clientR, clientW)
	t.Cleanup(func() {
		ts.Editor.Close()
		select {
		case <-ts.exitCode:
		case <-time.After(5 * time.Second):
			t.Error("server did not stop after the connection closed")
		}
	})
	return ts
}

// initialize initializes with the test's root and state directory plus opts.
func (ts *testServer) initialize(t *testing.T, opts map[string]any) {
	t.Helper()
	if opts == nil {
		opts = map[string]any{}
	}
	opts["stateDir"] = ts.stateDir
	if _, err := ts.Initialize(ctx(t), ts.root, opts); err != nil {
		t.Fatalf("initialize: %v", err)
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// testLogger sends the server's log to the test's log, shown on failure.
// Lines logged after the test ended (by a goroutine still winding down)
// are dropped, since testing forbids logging then.
func testLogger(t testing.TB) *slog.Logger {
	w := &tlogWriter{t: t}
	t.Cleanup(func() { w.done.Store(true) })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tlogWriter struct {
	t    testing.TB
	done atomic.Bool
}

func (w *tlogWriter) Write(p []byte) (int, error) {
	if !w.done.Load() {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}
