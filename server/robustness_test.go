package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawConn speaks bytes to a server, for input no well-behaved client sends.
type rawConn struct {
	t   *testing.T
	w   io.Writer
	out *bufio.Reader
}

func startRaw(t *testing.T) *rawConn {
	clientR, serverW := io.Pipe()
	serverR, clientW := io.Pipe()
	s := newServer(Options{Logger: slog.New(slog.DiscardHandler), Getenv: func(string) string { return "" }})
	done := make(chan int, 1)
	go func() { done <- runServer(context.Background(), s, serverR, serverW); serverW.Close() }()
	t.Cleanup(func() {
		clientW.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("server did not stop")
		}
	})
	return &rawConn{t: t, w: clientW, out: bufio.NewReader(clientR)}
}

func (c *rawConn) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.w, s); err != nil {
		c.t.Fatal(err)
	}
}

func frame(body string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body) }

type response struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Method string `json:"method"`
}

// next reads the next response, skipping notifications.
func (c *rawConn) next() response {
	c.t.Helper()
	for {
		length := 0
		for {
			line, err := c.out.ReadString('\n')
			if err != nil {
				c.t.Fatalf("reading response: %v", err)
			}
			line = strings.TrimSpace(line)
			if line == "" {
				break
			}
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				length, _ = strconv.Atoi(v)
			}
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(c.out, body); err != nil {
			c.t.Fatal(err)
		}
		var r response
		if err := json.Unmarshal(body, &r); err != nil {
			c.t.Fatalf("server sent invalid JSON %q: %v", body, err)
		}
		if r.Method == "" {
			return r
		}
	}
}

func TestGarbageFramesAreSkipped(t *testing.T) {
	c := startRaw(t)
	init := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"rootUri":"file://%s","initializationOptions":{"stateDir":%q}}}`, t.TempDir(), t.TempDir())
	c.send(frame(init))
	if r := c.next(); r.Error != nil || string(r.ID) != "1" {
		t.Fatalf("initialize: %+v", r)
	}
	c.send(frame(`{"jsonrpc":"2.0","method":"initialized","params":{}}`))

	// Broken headers are skipped silently: nothing to answer.
	c.send("this is not a header\r\n\r\n")
	c.send("Content-Length: banana\r\n\r\n")
	c.send("X-Other: 1\r\n\r\n")

	// Unparsable JSON gets a Parse error with a null id.
	c.send(frame(`{"jsonrpc": "2.0", "id": 2, "method": `))
	if r := c.next(); r.Error == nil || r.Error.Code != -32700 || string(r.ID) != "null" {
		t.Fatalf("broken JSON: got %+v, want -32700 with id null", r)
	}
	// Valid JSON that is no request gets Invalid Request, addressed to its id.
	c.send(frame(`{"jsonrpc":"2.0","id":3,"method":42}`))
	if r := c.next(); r.Error == nil || r.Error.Code != -32600 || string(r.ID) != "3" {
		t.Fatalf("method not a string: got %+v, want -32600 for id 3", r)
	}
	// A request for an unknown method.
	c.send(frame(`{"jsonrpc":"2.0","id":4,"method":"hearth/unknown","params":{}}`))
	if r := c.next(); r.Error == nil || r.Error.Code != -32601 || string(r.ID) != "4" {
		t.Fatalf("unknown method: got %+v, want -32601 for id 4", r)
	}
	// And after all that, a real request is answered.
	c.send(frame(`{"jsonrpc":"2.0","id":5,"method":"hearth/status","params":{}}`))
	r := c.next()
	if r.Error != nil || string(r.ID) != "5" || !bytes.Contains(r.Result, []byte(`"health"`)) {
		t.Fatalf("status after garbage: %+v", r)
	}
}

func TestOversizedFrameIsSkipped(t *testing.T) {
	c := startRaw(t)
	// A Content-Length beyond the limit is discarded without being held in
	// memory; the next frame is read normally.
	big := maxFrameBytes + 1
	c.send(fmt.Sprintf("Content-Length: %d\r\n\r\n", big))
	if _, err := io.CopyN(c.w, zeroReader{}, int64(big)); err != nil {
		t.Fatal(err)
	}
	c.send(frame(`{"jsonrpc":"2.0","id":9,"method":"shutdown"}`))
	r := c.next()
	if string(r.ID) != "9" || r.Error == nil || r.Error.Code != -32002 {
		t.Fatalf("after oversized frame: got %+v, want ServerNotInitialized for id 9", r)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}
