package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"
)

// watchdogConfig is what one chat's watchdog needs.
type watchdogConfig struct {
	first, stall, notice time.Duration
	cancel               context.CancelCauseFunc
	onWait               func(WaitEvent)
	model                string
	now                  func() time.Time
}

// watchdog cancels a chat whose first token takes longer than the
// first-token limit, or whose stream then pauses longer than the stall
// limit. Two limits because a cold load legitimately takes minutes while a
// loaded model that goes quiet for long has hung.
type watchdog struct {
	kicks chan struct{} // buffered 1: a kick never blocks the stream
	done  chan struct{} // closed by stop
	ended chan struct{} // closed when the goroutine has returned
}

func startWatchdog(cfg watchdogConfig) *watchdog {
	w := &watchdog{
		kicks: make(chan struct{}, 1),
		done:  make(chan struct{}),
		ended: make(chan struct{}),
	}
	go w.run(cfg)
	return w
}

func (w *watchdog) run(cfg watchdogConfig) {
	defer close(w.ended)
	start := cfg.now()
	limit := time.NewTimer(cfg.first)
	defer limit.Stop()
	var notice <-chan time.Time
	if cfg.onWait != nil && cfg.notice < cfg.first {
		t := time.NewTimer(cfg.notice)
		defer t.Stop()
		notice = t.C
	}
	gotFirst := false
	for {
		select {
		case <-w.done:
			return
		case <-notice:
			notice = nil
			cfg.onWait(WaitEvent{Model: cfg.model, Phase: WaitLoading, Waited: cfg.now().Sub(start), Limit: cfg.first})
		case <-w.kicks:
			if !gotFirst {
				gotFirst = true
				notice = nil
				if cfg.onWait != nil {
					cfg.onWait(WaitEvent{Model: cfg.model, Phase: WaitFirstToken, Waited: cfg.now().Sub(start), Limit: cfg.first})
				}
			}
			limit.Reset(cfg.stall)
		case <-limit.C:
			if gotFirst {
				cfg.cancel(ErrStalled)
			} else {
				cfg.cancel(ErrFirstTokenTimeout)
			}
			return
		}
	}
}

// kick says a chunk arrived.
func (w *watchdog) kick() {
	select {
	case w.kicks <- struct{}{}:
	default:
	}
}

// stop ends the watchdog and waits for it, so no callback runs after the
// chat has returned.
func (w *watchdog) stop() {
	close(w.done)
	<-w.ended
}

// watchKey carries a *streamWatch in a request's context to the transport.
type watchKey struct{}

// streamWatch records what the api package's stream reader hides: lines
// that are not JSON, {"error"} lines inside a 200 stream, and the read error
// that ended the body. It is written only by the goroutine reading the
// body, which is the one that called Chat, and read after Chat returns.
type streamWatch struct {
	line      []byte
	garbage   string
	streamErr string
	readErr   error
}

// maxLine matches the api package's scanner buffer; a longer line ends its
// scan silently, so it counts as garbage here.
const maxLine = 8 << 20

func (s *streamWatch) feed(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if len(s.line)+len(p) > maxLine {
				s.noteGarbage(s.line[:min(len(s.line), 200)])
				s.line = s.line[:0]
				return
			}
			s.line = append(s.line, p...)
			return
		}
		s.line = append(s.line, p[:i]...)
		s.check(s.line)
		s.line = s.line[:0]
		p = p[i+1:]
	}
}

// finish checks a last line that had no newline.
func (s *streamWatch) finish() {
	if len(s.line) > 0 {
		s.check(s.line)
		s.line = s.line[:0]
	}
}

func (s *streamWatch) check(line []byte) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return
	}
	var probe struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal(line, &probe); err != nil {
		s.noteGarbage(line)
		return
	}
	if probe.Error != "" && s.streamErr == "" {
		s.streamErr = probe.Error
	}
}

func (s *streamWatch) noteGarbage(line []byte) {
	if s.garbage == "" {
		s.garbage = string(line)
	}
}

// watchTransport wraps response bodies of requests that carry a
// streamWatch so the watch sees every byte the api package reads.
type watchTransport struct{ base http.RoundTripper }

func (t watchTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if w, ok := req.Context().Value(watchKey{}).(*streamWatch); ok && resp.StatusCode < 400 {
		resp.Body = &watchedBody{ReadCloser: resp.Body, w: w}
	}
	return resp, nil
}

type watchedBody struct {
	io.ReadCloser
	w *streamWatch
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.w.feed(p[:n])
	if errors.Is(err, io.EOF) {
		b.w.finish()
	} else if err != nil && b.w.readErr == nil {
		b.w.readErr = err
	}
	return n, err
}
