package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sort"
	"testing"
)

// FuzzStreamRead feeds arbitrary bytes to the framing layer: it must never
// panic, and it must end with an error once input runs out.
func FuzzStreamRead(f *testing.F) {
	f.Add([]byte(frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`)))
	f.Add([]byte("Content-Length: 3\r\n\r\n{}}" + frame(`{"jsonrpc":"2.0","method":"x"}`)))
	f.Add([]byte("Content-Length: -1\r\n\r\n"))
	f.Add([]byte("Content-Length: 99999999999\r\n\r\nabc"))
	f.Add([]byte("\r\n\r\nContent-Length:2\r\n\r\n[]"))
	f.Add([]byte(frame(`{"jsonrpc":"2.0","id":{"a":1},"method":"m"}`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		st := newStream(bytes.NewReader(data), io.Discard, nil, slog.New(slog.DiscardHandler))
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatalf("read more messages (%d) than input bytes", i)
			}
			if _, _, err := st.Read(context.Background()); err != nil {
				return
			}
		}
	})
}

// FuzzDecodeRequests sends arbitrary params to every method of the dispatch
// table on an initialized server: a handler may refuse them, never panic.
func FuzzDecodeRequests(f *testing.F) {
	f.Add(0, []byte(`{"text":"hi","mode":"plan"}`))
	f.Add(1, []byte(`{"requestId":"r1","approved":true}`))
	f.Add(2, []byte(`{"snapshotId":"../../etc","paths":["/etc/passwd"]}`))
	f.Add(3, []byte(`{"sessionId":"../x"}`))
	f.Add(4, []byte(`null`))
	f.Add(5, []byte(`{"textDocument":{"uri":"file:///x","version":2},"contentChanges":[{"range":{"start":{"line":9,"character":9},"end":{"line":0,"character":0}},"text":"x"}]}`))
	s := newServer(Options{Logger: slog.New(slog.DiscardHandler), Getenv: func(string) string { return "" }})
	// A connection whose client never speaks and whose output is dropped,
	// so handlers that notify the editor have somewhere to write.
	pr, pw := io.Pipe()
	f.Cleanup(func() { pw.Close() })
	s.serve(context.Background(), newStream(pr, io.Discard, pr, slog.New(slog.DiscardHandler)))
	// Nothing listens here: chats fail fast instead of reaching a real Ollama.
	s.settings.Ollama.Host = "http://127.0.0.1:9"
	root, state := f.TempDir(), f.TempDir()
	ws, err := openWorkspace(context.Background(), s, root, state, s.settings)
	if err != nil {
		f.Fatal(err)
	}
	s.ws, s.state = ws, stateInitialized
	var methods []string
	routes := s.routes()
	for m, h := range routes {
		if h != nil {
			methods = append(methods, m)
		}
	}
	sort.Strings(methods)
	f.Fuzz(func(t *testing.T, which int, params []byte) {
		if which < 0 {
			which = -which
		}
		m := methods[which%len(methods)]
		if !json.Valid(params) {
			return // the stream answers those before any handler sees them
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, _ = routes[m](ctx, params)
	})
}
