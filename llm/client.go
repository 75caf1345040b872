package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ollama/ollama/api"
)

// Defaults for Config fields left zero.
const (
	DefaultKeepAlive         = 30 * time.Minute
	DefaultFirstTokenTimeout = 5 * time.Minute
	DefaultStallTimeout      = 90 * time.Second
	DefaultTemperature       = 0.15
	// DefaultLoadingNotice is how long the first token may take before the
	// OnWait callback says the model is probably loading.
	DefaultLoadingNotice = 2 * time.Second
)

// Config sets up a Client. Only BaseURL is required.
type Config struct {
	// BaseURL of the Ollama server, such as http://127.0.0.1:11434.
	BaseURL string
	// HTTPClient carries the requests; nil means a fresh client without an
	// overall timeout, since answers stream for minutes. Its Transport is
	// wrapped to watch the stream.
	HTTPClient *http.Client
	// NumCtx is the context window fixed for the session. When set, every
	// chat request gets it, and a request that asks for another value is
	// refused. When zero, every chat request must carry options.num_ctx.
	NumCtx int
	// KeepAlive is sent with every chat request; zero means 30 minutes and
	// a negative value keeps the model loaded until Ollama stops.
	KeepAlive time.Duration
	// Temperature is sent when a request sets none; nil means 0.15.
	Temperature *float64
	// FirstTokenTimeout bounds the wait for the first chunk, which covers
	// loading the model from disk; zero means 5 minutes.
	FirstTokenTimeout time.Duration
	// StallTimeout bounds the pause between two chunks; zero means 90 s.
	StallTimeout time.Duration
	// LoadingNotice is when OnWait first reports a slow first token; zero
	// means 2 s.
	LoadingNotice time.Duration
	// OnWait, if set, hears about the wait for the first token (see
	// WaitEvent) for every chat, so a status line can say "loading model…".
	OnWait func(WaitEvent)
	// NoToolHeartbeat stops the client from asking for logprobs on requests
	// with tools. Ollama sends nothing while its parser holds back a tool
	// call being written (a long write_file can take minutes on a slow
	// card), which the stall limit would take for a hang; with logprobs it
	// sends a logprobs-only chunk per token instead. The client strips
	// those chunks, and the logprobs, before the caller sees them.
	NoToolHeartbeat bool
	// Logger gets one line per failed request; nil discards.
	Logger *slog.Logger
	// Now is the clock used to measure waits; nil means time.Now.
	Now func() time.Time
}

// Client is a thin wrapper over Ollama's api.Client that makes every chat
// request explicit about its context window, watches the stream for cold
// loads, stalls and garbage, and classifies failures. Its methods have the
// same signatures as api.Client's where both exist. It is safe for
// concurrent use; its fields are fixed at construction.
type Client struct {
	api    *api.Client
	url    string
	cfg    Config
	temp   float64
	logger *slog.Logger
}

// New returns a Client for cfg.BaseURL.
func New(cfg Config) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("llm: Ollama URL %q is not an http(s) URL with a host", cfg.BaseURL)
	}
	if cfg.NumCtx < 0 {
		return nil, fmt.Errorf("llm: num_ctx %d is negative", cfg.NumCtx)
	}
	if cfg.KeepAlive == 0 {
		cfg.KeepAlive = DefaultKeepAlive
	}
	if cfg.FirstTokenTimeout <= 0 {
		cfg.FirstTokenTimeout = DefaultFirstTokenTimeout
	}
	if cfg.StallTimeout <= 0 {
		cfg.StallTimeout = DefaultStallTimeout
	}
	if cfg.LoadingNotice <= 0 {
		cfg.LoadingNotice = DefaultLoadingNotice
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	temp := DefaultTemperature
	if cfg.Temperature != nil {
		temp = *cfg.Temperature
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		copied := *cfg.HTTPClient
		hc = &copied
	}
	inner := hc.Transport
	if inner == nil {
		inner = http.DefaultTransport
	}
	hc.Transport = watchTransport{base: inner}
	return &Client{
		api:    api.NewClient(base, hc),
		url:    base.String(),
		cfg:    cfg,
		temp:   temp,
		logger: logger,
	}, nil
}

// URL is the Ollama server this client talks to.
func (c *Client) URL() string { return c.url }

// NumCtx is the context window fixed for the session, or 0 when each
// request carries its own.
func (c *Client) NumCtx() int { return c.cfg.NumCtx }

// WithNumCtx returns a client for another session, sharing c's
// connections and settings, whose fixed context window is numCtx.
func (c *Client) WithNumCtx(numCtx int) (*Client, error) {
	if numCtx <= 0 {
		return nil, fmt.Errorf("llm: session num_ctx %d is not positive", numCtx)
	}
	session := *c
	session.cfg.NumCtx = numCtx
	return &session, nil
}

// fail classifies err for the request's model and logs it once.
func (c *Client) fail(op, model string, err error) *Error {
	var e *Error
	if !errors.As(err, &e) {
		e = classify(err, c.url, model)
	}
	c.logger.Warn("ollama request failed", "op", op, "model", model, "kind", e.Kind, "err", e.Err)
	return e
}

// Show is api.Client.Show with classified errors.
func (c *Client) Show(ctx context.Context, req *api.ShowRequest) (*api.ShowResponse, error) {
	resp, err := c.api.Show(ctx, req)
	if err != nil {
		return nil, c.fail("show", req.Model, err)
	}
	return resp, nil
}

// ListRunning is api.Client.ListRunning (/api/ps) with classified errors.
func (c *Client) ListRunning(ctx context.Context) (*api.ProcessResponse, error) {
	resp, err := c.api.ListRunning(ctx)
	if err != nil {
		return nil, c.fail("ps", "", err)
	}
	return resp, nil
}

// List is api.Client.List (/api/tags) with classified errors.
func (c *Client) List(ctx context.Context) (*api.ListResponse, error) {
	resp, err := c.api.List(ctx)
	if err != nil {
		return nil, c.fail("tags", "", err)
	}
	return resp, nil
}

// Version is api.Client.Version with classified errors.
func (c *Client) Version(ctx context.Context) (string, error) {
	v, err := c.api.Version(ctx)
	if err != nil {
		return "", c.fail("version", "", err)
	}
	return v, nil
}

// Pull is api.Client.Pull with classified errors; fn sees every progress
// line ("pulling manifest", per-layer completed/total, "success").
func (c *Client) Pull(ctx context.Context, req *api.PullRequest, fn api.PullProgressFunc) error {
	var sawSuccess bool
	err := c.api.Pull(ctx, req, func(p api.ProgressResponse) error {
		if p.Status == "success" {
			sawSuccess = true
		}
		return fn(p)
	})
	if err == nil && !sawSuccess {
		err = ErrStreamCut
	}
	if err != nil {
		return c.fail("pull", req.Model, err)
	}
	return nil
}

// Prewarm loads model with the session's context window and keep-alive
// without generating anything (a chat with no messages), so that switching
// models does not make the next real request wait for the load. numCtx 0
// means the Client's NumCtx.
func (c *Client) Prewarm(ctx context.Context, model string, numCtx int) error {
	if numCtx == 0 {
		numCtx = c.cfg.NumCtx
	}
	if numCtx <= 0 {
		return c.fail("prewarm", model, ErrNoNumCtx)
	}
	stream := false
	req := &api.ChatRequest{
		Model:     model,
		Messages:  []api.Message{},
		Stream:    &stream,
		KeepAlive: &api.Duration{Duration: c.cfg.KeepAlive},
		Options:   map[string]any{"num_ctx": numCtx},
	}
	if err := c.api.Chat(ctx, req, func(api.ChatResponse) error { return nil }); err != nil {
		return c.fail("prewarm", model, err)
	}
	return nil
}

// Unload asks Ollama to free model's memory now (keep_alive 0).
func (c *Client) Unload(ctx context.Context, model string) error {
	stream := false
	req := &api.ChatRequest{
		Model:     model,
		Messages:  []api.Message{},
		Stream:    &stream,
		KeepAlive: &api.Duration{Duration: 0},
	}
	if err := c.api.Chat(ctx, req, func(api.ChatResponse) error { return nil }); err != nil {
		return c.fail("unload", model, err)
	}
	return nil
}
