package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"go.lsp.dev/jsonrpc2"
)

// maxFrameBytes bounds one message. A larger Content-Length is skipped
// without being held in memory, so a corrupt header cannot exhaust memory.
const maxFrameBytes = 64 << 20

// stream is a jsonrpc2.Stream with LSP framing that survives bad input.
// jsonrpc2's own stream ends the connection on the first bad frame; this one
// logs and skips a frame whose headers or JSON are broken, answers a broken
// request with a JSON-RPC error where it can, and fails only when the
// underlying reader does (end of input).
type stream struct {
	in  *bufio.Reader
	out io.Writer
	c   io.Closer
	log *slog.Logger

	wmu sync.Mutex // serialises writes so frames never interleave
}

func newStream(r io.Reader, w io.Writer, c io.Closer, log *slog.Logger) *stream {
	return &stream{in: bufio.NewReaderSize(r, 64<<10), out: w, c: c, log: log}
}

// Read returns the next well-formed message, skipping bad ones.
func (s *stream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return nil, total, err
		}
		length, n, err := s.readHeader()
		total += n
		if err != nil {
			var bad badFrameError
			if errors.As(err, &bad) {
				s.log.Warn("skipping malformed frame", "error", err)
				continue
			}
			return nil, total, err
		}
		if length > maxFrameBytes {
			s.log.Warn("skipping oversized frame", "bytes", length)
			m, err := io.CopyN(io.Discard, s.in, length)
			total += m
			if err != nil {
				return nil, total, err
			}
			continue
		}
		data := make([]byte, length)
		m, err := io.ReadFull(s.in, data)
		total += int64(m)
		if err != nil {
			return nil, total, fmt.Errorf("reading message body: %w", err)
		}
		msg, err := jsonrpc2.DecodeMessage(data)
		if err != nil {
			s.log.Warn("skipping unparsable message", "error", err, "body", truncate(string(data), 200))
			s.replyBroken(ctx, data, err)
			continue
		}
		return msg, total, nil
	}
}

type badFrameError struct{ msg string }

func (e badFrameError) Error() string { return e.msg }

// readHeader reads header lines up to the blank line and returns the
// Content-Length. A malformed header is a badFrameError: the caller skips it
// and resynchronises on the next header block.
func (s *stream) readHeader() (int64, int64, error) {
	var total int64
	length := int64(-1)
	var bad string
	for {
		line, err := s.in.ReadString('\n')
		total += int64(len(line))
		if err != nil {
			if err == io.EOF && total > 0 {
				err = io.ErrUnexpectedEOF
			}
			return 0, total, err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			if total <= 2 {
				// A stray blank line between frames is harmless.
				total = 0
				continue
			}
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			bad = fmt.Sprintf("invalid header line %q", truncate(line, 80))
			continue
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			v, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || v <= 0 {
				bad = fmt.Sprintf("invalid Content-Length %q", truncate(value, 40))
				continue
			}
			length = v
		}
	}
	if bad != "" {
		return 0, total, badFrameError{bad}
	}
	if length < 0 {
		return 0, total, badFrameError{"missing Content-Length header"}
	}
	return length, total, nil
}

// replyBroken answers a message that could not be decoded. JSON-RPC wants a
// Parse error (or Invalid Request) with a null id when the id is unknown; if
// the id can still be read, the error is addressed to it so the client's
// pending request does not hang.
func (s *stream) replyBroken(ctx context.Context, data []byte, decodeErr error) {
	code, msg := jsonrpc2.ParseError, "parse error: "+decodeErr.Error()
	id := json.RawMessage("null")
	if json.Valid(data) {
		code, msg = jsonrpc2.InvalidRequest, "invalid request: "+decodeErr.Error()
		var probe struct {
			ID     json.RawMessage `json:"id"`
			Method json.RawMessage `json:"method"`
		}
		_ = json.Unmarshal(data, &probe)
		if len(probe.Method) == 0 && len(probe.ID) == 0 {
			// Not a request (perhaps a broken response): nothing to answer.
			return
		}
		if validID(probe.ID) {
			id = probe.ID
		}
	}
	body, _ := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   *jsonrpc2.Error `json:"error"`
	}{"2.0", id, &jsonrpc2.Error{Code: code, Message: msg}})
	if err := s.writeRaw(body); err != nil {
		s.log.Warn("could not answer a malformed message", "error", err)
	}
}

// Write frames and writes one message.
func (s *stream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	data, err := json.Marshal(msg)
	if err != nil {
		return 0, fmt.Errorf("marshaling message: %w", err)
	}
	return int64(len(data)), s.writeRaw(data)
}

func (s *stream) writeRaw(data []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if _, err := fmt.Fprintf(s.out, "Content-Length: %d\r\n\r\n", len(data)); err != nil {
		return err
	}
	_, err := s.out.Write(data)
	return err
}

// Close closes the underlying connection, which ends Read.
func (s *stream) Close() error {
	if s.c == nil {
		return nil
	}
	return s.c.Close()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// validID reports whether raw is a JSON-RPC id: a string or an integer.
func validID(raw json.RawMessage) bool {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	switch n := v.(type) {
	case string:
		return true
	case float64:
		return n == float64(int64(n))
	}
	return false
}
