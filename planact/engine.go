package planact

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/hearth-dev/hearth/settings"
)

// Mode is Plan or Act: two configurations (tools, prompt, model) of one loop.
type Mode string

// The modes.
const (
	ModePlan Mode = "plan"
	ModeAct  Mode = "act"
)

// ModelChoice is the model of a mode.
type ModelChoice struct {
	Name string
	// Tools is whether the model supports native tool calls (its
	// /api/show capabilities list "tools"); without them the loop uses its
	// text protocol.
	Tools bool
}

// Config is what an Engine is built from. Root, Model, Editor and
// Snapshots are required; the rest have defaults.
type Config struct {
	// Root is the workspace root, an absolute path.
	Root  string
	Model Model
	// Plan and Act are the models of each mode; an empty Act.Name means
	// the Plan model.
	Plan, Act ModelChoice
	// NumCtx is the context window of every request; it never changes
	// within a session. 0 means 8192.
	NumCtx      int
	Temperature float64
	AutoApprove settings.AutoApprove
	// CommandTimeout bounds one run_command; 0 means 2 minutes.
	CommandTimeout time.Duration
	// OutputLimit is the most bytes of a command's output kept; 0 means
	// 16384.
	OutputLimit int

	Editor    Editor
	Snapshots Snapshotter
	// Files defaults to DiskFiles, Writer to DiskWriter, Resolve to
	// ResolveInWorkspace.
	Files   FileSource
	Writer  Writer
	Resolve Resolver

	// OnEvent receives every event, from the turn's goroutine, in seq order
	// per session. It may call the Engine (Approve, say) but should not
	// block for long.
	OnEvent func(Event)
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Engine runs sessions. It is safe for concurrent use.
type Engine struct {
	cfg   Config
	tools []tool
	plan  map[string]bool // Names of the tools Plan mode offers.

	mu sync.Mutex // Guards the fields below.
	// policy is replaced whole by SetAutoApprove.
	policy    *Policy
	sessions  map[string]*session
	approvals map[string]*pendingApproval // By request id.
	proposals map[string]*proposal        // By proposal id; pending ones only.
}

// Errors the Engine's methods return (wrapped with details).
var (
	ErrUnknownSession  = errors.New("unknown session")
	ErrBusy            = errors.New("session is already running a turn")
	ErrUnknownRequest  = errors.New("no pending approval with this id")
	ErrUnknownProposal = errors.New("no pending proposal with this id")
)

// NewEngine checks cfg, fills its defaults and returns an Engine.
func NewEngine(cfg Config) (*Engine, error) {
	switch {
	case cfg.Model == nil:
		return nil, errors.New("planact: Config.Model is required")
	case cfg.Editor == nil:
		return nil, errors.New("planact: Config.Editor is required")
	case cfg.Snapshots == nil:
		return nil, errors.New("planact: Config.Snapshots is required: every change is preceded by a snapshot")
	case !filepath.IsAbs(cfg.Root):
		return nil, fmt.Errorf("planact: Config.Root %q must be an absolute path", cfg.Root)
	}
	cfg.Root = filepath.Clean(cfg.Root)
	if cfg.NumCtx <= 0 {
		cfg.NumCtx = 8192
	}
	if cfg.Act.Name == "" {
		cfg.Act = cfg.Plan
	}
	if cfg.CommandTimeout <= 0 {
		cfg.CommandTimeout = 2 * time.Minute
	}
	if cfg.OutputLimit <= 0 {
		cfg.OutputLimit = 16384
	}
	if cfg.Files == nil {
		cfg.Files = DiskFiles{}
	}
	if cfg.Writer == nil {
		cfg.Writer = DiskWriter{}
	}
	if cfg.Resolve == nil {
		cfg.Resolve = ResolveInWorkspace
	}
	if cfg.OnEvent == nil {
		cfg.OnEvent = func(Event) {}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	p, err := NewPolicy(cfg.AutoApprove)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		cfg: cfg, policy: p, plan: map[string]bool{},
		sessions:  map[string]*session{},
		approvals: map[string]*pendingApproval{},
		proposals: map[string]*proposal{},
	}
	deps := toolDeps{
		root: cfg.Root, resolve: cfg.Resolve, files: cfg.Files, editor: cfg.Editor,
		runner: commandRunner{root: cfg.Root, timeout: cfg.CommandTimeout, limit: cfg.OutputLimit},
		// A page of read_file is at most a quarter of the window.
		readChars: int(float64(cfg.NumCtx) * charsPerToken / 4),
	}
	for _, row := range toolTable {
		t := row.build(deps)
		e.tools = append(e.tools, t)
		if row.plan {
			e.plan[t.spec().Name] = true
		}
	}
	return e, nil
}

// SetAutoApprove replaces the policy; running turns pick it up at their
// next action.
func (e *Engine) SetAutoApprove(a settings.AutoApprove) error {
	p, err := NewPolicy(a)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.policy = p
	e.mu.Unlock()
	return nil
}

func (e *Engine) currentPolicy() *Policy {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.policy
}

// ChatRequest starts a turn.
type ChatRequest struct {
	// SessionID names the session; empty starts a new one. An unknown but
	// well-formed id (a session persisted before a restart) starts a new
	// session under that id.
	SessionID string
	Text      string
	// Mode, when set, switches the session's mode first (as SetMode).
	Mode    Mode
	Context *ChatContext
}

var sessionIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Chat starts a turn and returns at once; the turn runs in its own
// goroutine and reports through Config.OnEvent. A session runs one turn at
// a time: Chat on a busy session fails with ErrBusy.
func (e *Engine) Chat(req ChatRequest) (sessionID, turnID string, err error) {
	if req.Mode != "" && req.Mode != ModePlan && req.Mode != ModeAct {
		return "", "", fmt.Errorf("unknown mode %q (want plan or act)", req.Mode)
	}
	s, err := e.session(req.SessionID, true)
	if err != nil {
		return "", "", err
	}
	if req.Mode != "" {
		e.setMode(s, req.Mode)
	}
	t, err := s.startTurn(req)
	if err != nil {
		return "", "", err
	}
	go t.run()
	return s.id, t.id, nil
}

func (e *Engine) session(id string, create bool) (*session, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if id == "" {
		if !create {
			return nil, ErrUnknownSession
		}
		id = newID()
	}
	if s, ok := e.sessions[id]; ok {
		return s, nil
	}
	if !create {
		return nil, fmt.Errorf("%w %q", ErrUnknownSession, id)
	}
	if !sessionIDRe.MatchString(id) {
		return nil, fmt.Errorf("session id %q: use 1-64 letters, digits, - or _", id)
	}
	s := newSession(e, id)
	e.sessions[id] = s
	return s, nil
}

// newID is unique (time plus randomness) and safe as a file name.
func newID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}

// SetMode switches a session between Plan and Act; the transcript goes on,
// so a plan made in Plan is carried into Act. Switching to an Act model
// that differs from the Plan one pre-warms it when the Model can.
func (e *Engine) SetMode(sessionID string, m Mode) error {
	if m != ModePlan && m != ModeAct {
		return fmt.Errorf("unknown mode %q (want plan or act)", m)
	}
	s, err := e.session(sessionID, false)
	if err != nil {
		return err
	}
	e.setMode(s, m)
	return nil
}

func (e *Engine) setMode(s *session, m Mode) {
	if !s.setMode(m) || m != ModeAct || e.cfg.Act.Name == e.cfg.Plan.Name {
		return
	}
	if w, ok := e.cfg.Model.(Warmer); ok {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			if err := w.Warm(ctx, e.cfg.Act.Name); err != nil {
				e.cfg.Logger.Warn("pre-warming the Act model failed", "model", e.cfg.Act.Name, "err", err)
			}
		}()
	}
}

// Mode returns a session's mode.
func (e *Engine) Mode(sessionID string) (Mode, error) {
	s, err := e.session(sessionID, false)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mode, nil
}

// History returns the events of a session so far, oldest first.
func (e *Engine) History(sessionID string) ([]Event, error) {
	s, err := e.session(sessionID, false)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...), nil
}

// Busy reports whether any session is running a turn.
func (e *Engine) Busy() bool {
	e.mu.Lock()
	ss := make([]*session, 0, len(e.sessions))
	for _, s := range e.sessions {
		ss = append(ss, s)
	}
	e.mu.Unlock()
	for _, s := range ss {
		if s.running() != nil {
			return true
		}
	}
	return false
}

// Cancel stops a session's running turn (it ends with reason cancelled,
// and its pending approvals are cancelled). It is a no-op when the session
// is idle.
func (e *Engine) Cancel(sessionID string) error {
	s, err := e.session(sessionID, false)
	if err != nil {
		return err
	}
	if t := s.running(); t != nil {
		t.cancel()
	}
	return nil
}

// Wait blocks until the session's running turn, if any, has ended, or ctx
// is done.
func (e *Engine) Wait(ctx context.Context, sessionID string) error {
	s, err := e.session(sessionID, false)
	if err != nil {
		return err
	}
	t := s.running()
	if t == nil {
		return nil
	}
	select {
	case <-t.finished:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close cancels every running turn and waits for them to end.
func (e *Engine) Close() {
	e.mu.Lock()
	ss := make([]*session, 0, len(e.sessions))
	for _, s := range e.sessions {
		ss = append(ss, s)
	}
	e.mu.Unlock()
	for _, s := range ss {
		if t := s.running(); t != nil {
			t.cancel()
			<-t.finished
		}
	}
}
