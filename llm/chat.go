package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ollama/ollama/api"
)

// WaitPhase says where a chat stands while waiting for its first token.
type WaitPhase int

const (
	// WaitLoading: no token after Config.LoadingNotice; the model is most
	// likely being loaded from disk.
	WaitLoading WaitPhase = iota + 1
	// WaitFirstToken: the first chunk arrived; generation is under way.
	WaitFirstToken
)

func (p WaitPhase) String() string {
	switch p {
	case WaitLoading:
		return "loading"
	case WaitFirstToken:
		return "first-token"
	}
	return fmt.Sprintf("WaitPhase(%d)", int(p))
}

// WaitEvent reports progress of the wait for a first token.
type WaitEvent struct {
	Model  string
	Phase  WaitPhase
	Waited time.Duration
	// Limit is the first-token limit in force.
	Limit time.Duration
}

// ChatOptions are per-request extras of ChatWith.
type ChatOptions struct {
	// EstimatedPromptTokens is the caller's own count of the prompt; the
	// Result compares it with Ollama's prompt_eval_count. 0 means none.
	EstimatedPromptTokens int
	// OnWait overrides Config.OnWait for this request.
	OnWait func(WaitEvent)
	// FirstTokenTimeout and StallTimeout override the Config's when > 0.
	FirstTokenTimeout time.Duration
	StallTimeout      time.Duration
}

// Result is what one chat produced: the whole assistant message and
// Ollama's own accounting from the final chunk.
type Result struct {
	Model string
	// Message is the assistant message assembled from every chunk.
	Message    api.Message
	DoneReason string
	// Metrics holds prompt_eval_count, eval_count, load_duration and the
	// other durations of the final chunk, exactly as Ollama sent them.
	api.Metrics
	// NumCtx is the context window the request asked for.
	NumCtx int
	// EstimatedPromptTokens is ChatOptions.EstimatedPromptTokens.
	EstimatedPromptTokens int
	// FirstTokenAfter is how long the first chunk took.
	FirstTokenAfter time.Duration
	// Chunks counts the stream's lines.
	Chunks int
}

// EstimateDelta is prompt_eval_count minus the caller's estimate: positive
// when the caller under-counted. It is 0 when either is unknown.
func (r *Result) EstimateDelta() int {
	if r.EstimatedPromptTokens <= 0 || r.PromptEvalCount <= 0 {
		return 0
	}
	return r.PromptEvalCount - r.EstimatedPromptTokens
}

// EstimateMismatch reports whether the caller's estimate is off from
// Ollama's count by more than tolerance (a fraction, such as 0.15).
func (r *Result) EstimateMismatch(tolerance float64) bool {
	d := r.EstimateDelta()
	if d == 0 {
		return false
	}
	return math.Abs(float64(d)) > tolerance*float64(r.EstimatedPromptTokens)
}

// Reloaded reports whether Ollama spent time loading the model for this
// request (a cold start or a reload).
func (r *Result) Reloaded() bool { return r.LoadDuration > 500*time.Millisecond }

// Chat has api.Client.Chat's signature: it sends req with the session's
// num_ctx, keep_alive, truncate:false and shift:false, streams every chunk
// to fn, and returns an *Error on failure. Errors fn returns come back
// unchanged.
func (c *Client) Chat(ctx context.Context, req *api.ChatRequest, fn api.ChatResponseFunc) error {
	_, err := c.ChatWith(ctx, req, ChatOptions{}, fn)
	return err
}

// ChatWith is Chat with per-request options, returning the assembled
// Result (partial when err is not nil). fn may be nil.
func (c *Client) ChatWith(ctx context.Context, req *api.ChatRequest, opts ChatOptions, fn api.ChatResponseFunc) (*Result, error) {
	if req == nil {
		return nil, c.fail("chat", "", fmt.Errorf("%w: nil request", ErrInvalidRequest))
	}
	res := &Result{Model: req.Model, EstimatedPromptTokens: opts.EstimatedPromptTokens}
	sent, numCtx, heartbeat, err := c.prepare(req)
	if err != nil {
		return res, c.fail("chat", req.Model, err)
	}
	res.NumCtx = numCtx

	first := c.cfg.FirstTokenTimeout
	if opts.FirstTokenTimeout > 0 {
		first = opts.FirstTokenTimeout
	}
	stall := c.cfg.StallTimeout
	if opts.StallTimeout > 0 {
		stall = opts.StallTimeout
	}
	onWait := c.cfg.OnWait
	if opts.OnWait != nil {
		onWait = opts.OnWait
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watch := &streamWatch{}
	ctx = context.WithValue(ctx, watchKey{}, watch)
	dog := startWatchdog(watchdogConfig{
		first: first, stall: stall, notice: c.cfg.LoadingNotice,
		cancel: cancel, onWait: onWait, model: req.Model, now: c.cfg.Now,
	})

	var sawDone, callerErr bool
	start := c.cfg.Now()
	err = c.api.Chat(ctx, sent, func(r api.ChatResponse) error {
		if res.Chunks == 0 {
			res.FirstTokenAfter = c.cfg.Now().Sub(start)
		}
		res.Chunks++
		dog.kick()
		if heartbeat {
			// Logprobs were asked for only to keep the stream talking.
			r.Logprobs = nil
			if r.Message.Content == "" && r.Message.Thinking == "" && len(r.Message.ToolCalls) == 0 && !r.Done {
				return nil
			}
		}
		res.Message.Role = "assistant"
		res.Message.Content += r.Message.Content
		res.Message.Thinking += r.Message.Thinking
		res.Message.ToolCalls = append(res.Message.ToolCalls, r.Message.ToolCalls...)
		if r.Done {
			sawDone = true
			res.DoneReason = r.DoneReason
			res.Metrics = r.Metrics
			if r.Model != "" {
				res.Model = r.Model
			}
		}
		if fn == nil {
			return nil
		}
		if err := fn(r); err != nil {
			callerErr = true
			return err
		}
		return nil
	})
	dog.stop()
	if callerErr {
		return res, err
	}
	// The api package returns nil when the body ends early or a line is too
	// long, so the missing done chunk is the only sign of a cut stream.
	if err == nil && !sawDone {
		err = ErrStreamCut
		if watch.readErr != nil {
			err = fmt.Errorf("%w: %w", ErrStreamCut, watch.readErr)
		}
	}
	if err != nil {
		if cause := context.Cause(ctx); errors.Is(cause, ErrFirstTokenTimeout) {
			err = fmt.Errorf("%w (%s)", cause, first)
		} else if errors.Is(cause, ErrStalled) {
			err = fmt.Errorf("%w (%s, after %d chunks)", cause, stall, res.Chunks)
		} else if watch.garbage != "" {
			err = fmt.Errorf("%w: %q", ErrGarbage, truncate(watch.garbage, 120))
		} else if watch.streamErr != "" && !isStatusError(err) {
			err = &streamError{msg: watch.streamErr}
		}
		return res, c.fail("chat", req.Model, err)
	}
	return res, nil
}

func isStatusError(err error) bool {
	var se api.StatusError
	return errors.As(err, &se)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// prepare returns a copy of req carrying the session's settings; the
// caller's request and options map are left untouched. heartbeat is true
// when logprobs were added only to keep a tool call's stream talking.
func (c *Client) prepare(req *api.ChatRequest) (sent *api.ChatRequest, numCtx int, heartbeat bool, err error) {
	copied := *req
	sent = &copied
	sent.Options = make(map[string]any, len(req.Options)+2)
	for k, v := range req.Options {
		sent.Options[k] = v
	}
	numCtx = c.cfg.NumCtx
	if v, ok := req.Options["num_ctx"]; ok {
		n, ok := asInt(v)
		if !ok || n <= 0 {
			return nil, 0, false, fmt.Errorf("%w: options.num_ctx is %v", ErrNoNumCtx, v)
		}
		if numCtx != 0 && n != numCtx {
			return nil, 0, false, fmt.Errorf("%w: %d requested, %d fixed", ErrNumCtxChanged, n, numCtx)
		}
		numCtx = n
	}
	if numCtx <= 0 {
		return nil, 0, false, ErrNoNumCtx
	}
	sent.Options["num_ctx"] = numCtx
	if _, ok := sent.Options["temperature"]; !ok {
		sent.Options["temperature"] = c.temp
	}
	if sent.KeepAlive == nil {
		sent.KeepAlive = &api.Duration{Duration: c.cfg.KeepAlive}
	}
	// Without these two, Ollama drops the oldest messages, or shifts the
	// context mid-answer, without telling anyone.
	no := false
	sent.Truncate = &no
	sent.Shift = &no
	if len(sent.Tools) > 0 && !sent.Logprobs && !c.cfg.NoToolHeartbeat {
		sent.Logprobs = true
		heartbeat = true
	}
	return sent, numCtx, heartbeat, nil
}

// asInt reads a JSON-ish number as an int.
func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int32:
		return int(n), true
	case int64:
		return int(n), true
	case float64:
		if n != math.Trunc(n) {
			return 0, false
		}
		return int(n), true
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}
