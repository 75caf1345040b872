package fakeollama

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ollama/ollama/api"
)

// Script is the ordered list of replies the fake plays, one per chat (or
// generate) request that carries messages (or a prompt). Requests that only
// load or unload a model, and requests the fake refuses by itself (unknown
// model, context exceeded), do not use up a reply.
type Script struct {
	Replies []Reply `json:"replies"`
}

// Reply is one scripted answer. With no Error, it streams Chunks as content
// deltas, then ToolCalls in one chunk (as Ollama's tool parser does), then
// the final done chunk. The fault fields cut that stream short.
type Reply struct {
	// Chunks are the content deltas, one per stream line.
	Chunks []string `json:"chunks,omitempty"`
	// Thinking deltas, sent before Chunks.
	Thinking []string `json:"thinking,omitempty"`
	// ToolCalls arrive together in one chunk after the text.
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
	// DoneReason of the final chunk; empty means "stop".
	DoneReason string `json:"done_reason,omitempty"`
	// EvalCount overrides the computed eval_count when > 0.
	EvalCount int `json:"eval_count,omitempty"`

	// Error answers with {"error": Message} and Status instead of a stream.
	Error *ErrorReply `json:"error,omitempty"`

	// FirstTokenDelay is waited before the first line (after headers are
	// held back, as Ollama sends nothing until the first token).
	FirstTokenDelay Duration `json:"first_token_delay,omitempty"`
	// ChunkDelay is waited before every later line.
	ChunkDelay Duration `json:"chunk_delay,omitempty"`
	// ToolCallDelay is the time the model spends writing its tool calls.
	// Ollama's tool parser holds that text back, so the stream is silent
	// meanwhile, unless the request asked for logprobs: then Ollama sends a
	// chunk with only logprobs per token, which the fake imitates every
	// ChunkDelay (or a tenth of ToolCallDelay).
	ToolCallDelay Duration `json:"tool_call_delay,omitempty"`
	// StallAfter chunks, wait Stall once more (a hung generation).
	StallAfter int      `json:"stall_after,omitempty"`
	Stall      Duration `json:"stall,omitempty"`
	// HangUpAfter chunks, drop the connection without the done chunk
	// (the client sees an unexpected EOF). Nil means never.
	HangUpAfter *int `json:"hang_up_after,omitempty"`
	// Garbage, when set, is written as a raw line after GarbageAfter chunks,
	// and the stream ends there.
	Garbage      string `json:"garbage,omitempty"`
	GarbageAfter int    `json:"garbage_after,omitempty"`
	// StreamError, when set, is sent as an {"error"} line with status 200
	// after the chunks, as Ollama does when a runner fails mid-answer.
	StreamError string `json:"stream_error,omitempty"`
}

// ErrorReply is an error answer in Ollama's shape.
type ErrorReply struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// ToolCall is a scripted tool call; Arguments keeps the script's key order.
type ToolCall struct {
	ID        string                        `json:"id,omitempty"`
	Name      string                        `json:"name"`
	Arguments api.ToolCallFunctionArguments `json:"arguments"`
}

// Duration reads "250ms"-style strings or a number of seconds.
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

func (d *Duration) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch t := v.(type) {
	case float64:
		*d = Duration(t * float64(time.Second))
	case string:
		p, err := time.ParseDuration(t)
		if err != nil {
			return fmt.Errorf("duration %q: %w", t, err)
		}
		*d = Duration(p)
	default:
		return fmt.Errorf("duration must be a string such as \"250ms\" or seconds, not %s", b)
	}
	return nil
}

// Text is a reply streaming chunks.
func Text(chunks ...string) Reply { return Reply{Chunks: chunks} }

// Call is a reply with one tool call; args are inserted in sorted key order
// so the wire bytes are stable.
func Call(name string, args map[string]any) Reply {
	return Reply{ToolCalls: []ToolCall{NewToolCall(name, args)}}
}

// NewToolCall builds a ToolCall with args in sorted key order.
func NewToolCall(name string, args map[string]any) ToolCall {
	a := api.NewToolCallFunctionArguments()
	for _, k := range slices.Sorted(maps.Keys(args)) {
		a.Set(k, args[k])
	}
	return ToolCall{Name: name, Arguments: a}
}

// Fail is a reply answering an Ollama error.
func Fail(status int, message string) Reply {
	return Reply{Error: &ErrorReply{Status: status, Message: message}}
}

// ParseScript reads a script from JSON, refusing unknown fields so a typo
// in a test script fails loudly.
func ParseScript(data []byte) (Script, error) {
	var s Script
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Script{}, fmt.Errorf("fakeollama: script: %w", err)
	}
	for i, r := range s.Replies {
		if r.Error != nil && (r.Error.Status < 400 || r.Error.Status > 599) {
			return Script{}, fmt.Errorf("fakeollama: script: reply %d: error status %d is not 4xx or 5xx", i, r.Error.Status)
		}
		for j, tc := range r.ToolCalls {
			if tc.Name == "" {
				return Script{}, fmt.Errorf("fakeollama: script: reply %d: tool call %d has no name", i, j)
			}
		}
	}
	return s, nil
}

// LoadScript reads a script file.
func LoadScript(path string) (Script, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Script{}, err
	}
	s, err := ParseScript(data)
	if err != nil {
		return Script{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}
