package planact

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hearth-dev/hearth/settings"
	"github.com/ollama/ollama/api"
)

// turn is one run of the loop, from a user message to a done event.
type turn struct {
	e        *Engine
	s        *session
	id       string
	ctx      context.Context
	cancel   context.CancelFunc
	finished chan struct{}

	mode        Mode
	text        string // The user's text, for the user event.
	userContent string // The message the model gets: text plus context.

	// The fields below belong to the turn's goroutine.
	choice  ModelChoice
	offered []tool
	system  string
	// schemas are the offered tools as Ollama sees them, and their
	// estimated tokens; both are computed once per turn.
	schemas     api.Tools
	schemaCount int
	start       time.Time
	steps       int
	failures    int
	calls       int
	lastSig     string
	repeats     int
	redirect    bool // The model was told once that it repeats itself.
}

// stop ends the loop with a done event.
type stop struct{ reason, summary string }

func (t *turn) run() {
	defer t.s.endTurn(t)
	defer func() {
		// A bug in a tool must not take the server down or leave the
		// session busy.
		if r := recover(); r != nil {
			t.e.cfg.Logger.Error("turn panicked", "session", t.s.id, "turn", t.id, "panic", r)
			t.emitError(fmt.Sprintf("internal error: %v", r), false)
			t.done(DoneError, "")
		}
	}()
	t.setup()
	t.emit(Event{Kind: EventUser, Text: t.text})
	t.s.appendEntry(entry{msg: api.Message{Role: "user", Content: t.userContent}, user: true})
	st := t.loop()
	t.cancelPending()
	t.done(st.reason, st.summary)
}

func (t *turn) setup() {
	t.start = t.e.cfg.Now()
	t.choice = t.e.cfg.Plan
	if t.mode == ModeAct {
		t.choice = t.e.cfg.Act
	}
	for _, tl := range t.e.tools {
		if t.mode == ModeAct || t.e.plan[tl.spec().Name] {
			t.offered = append(t.offered, tl)
		}
	}
	t.system = systemPrompt(t.mode, t.choice.Tools, t.e.cfg.NumCtx, t.offered, t.s.rules)
	if t.choice.Tools {
		t.schemas = apiTools(t.offered, t.e.cfg.NumCtx > smallWindow)
		t.schemaCount = estimateTools(t.schemas)
	}
}

// defaultLimits fill in limits a caller left at zero.
var defaultLimits = settings.Default().AutoApprove

func (t *turn) limits() settings.AutoApprove {
	a := t.e.currentPolicy().auto
	if a.MaxSteps <= 0 {
		a.MaxSteps = defaultLimits.MaxSteps
	}
	if a.MaxConsecutiveFailures <= 0 {
		a.MaxConsecutiveFailures = defaultLimits.MaxConsecutiveFailures
	}
	return a
}

// limitHit says which hard limit, if any, ends the turn. The wall-clock
// limit applies under auto-approve only: time spent waiting for a person to
// approve is not a runaway agent.
func (t *turn) limitHit() *stop {
	a := t.limits()
	if t.steps >= a.MaxSteps {
		return &stop{DoneLimit, fmt.Sprintf("Stopped after %d tool calls (autoApprove.maxSteps).", t.steps)}
	}
	if t.failures >= a.MaxConsecutiveFailures {
		return &stop{DoneLimit, fmt.Sprintf("Stopped after %d failed steps in a row (autoApprove.maxConsecutiveFailures).", t.failures)}
	}
	if a.Enabled {
		max := settings.Duration(a.MaxDuration, 20*time.Minute)
		if el := t.e.cfg.Now().Sub(t.start); el >= max {
			return &stop{DoneLimit, fmt.Sprintf("Stopped after %s (autoApprove.maxDuration).", max)}
		}
	}
	return nil
}

func (t *turn) loop() stop {
	for {
		if t.ctx.Err() != nil {
			return stop{DoneCancelled, ""}
		}
		if st := t.limitHit(); st != nil {
			return *st
		}
		msg, err := t.callModel()
		if err != nil {
			if t.ctx.Err() != nil {
				return stop{DoneCancelled, ""}
			}
			m, retry := classify(err)
			t.emitError(m, retry)
			return stop{DoneError, ""}
		}
		calls := fromNative(msg.ToolCalls)
		var parseErr error
		if len(calls) == 0 {
			// Small models write calls as text even when offered native
			// tools, so the text protocol is always read.
			calls, parseErr = parseTextCalls(msg.Content, t.knownTool)
		}
		t.s.appendEntry(entry{msg: msg})
		if len(calls) == 0 {
			if parseErr != nil {
				t.failures++
				t.tellModel("", "Your tool call could not be read: "+parseErr.Error()+". Write exactly one call in the documented form.")
				continue
			}
			if strings.TrimSpace(msg.Content) == "" {
				t.failures++
				t.tellModel("", "Your answer was empty. Call a tool, call attempt_completion when done, or ask the user a question in plain text.")
				continue
			}
			// A plain answer without a tool call is the model speaking to
			// the user (a question, or an answer): the turn waits for them.
			return stop{DoneAwaitingUser, strings.TrimSpace(msg.Content)}
		}
		for _, c := range calls {
			if st := t.step(c); st != nil {
				return *st
			}
		}
	}
}

func (t *turn) knownTool(name string) bool {
	for _, tl := range t.e.tools {
		if tl.spec().Name == name {
			return true
		}
	}
	return false
}

// step runs one tool call and says whether the turn ends.
func (t *turn) step(c toolCall) *stop {
	if t.ctx.Err() != nil {
		return &stop{DoneCancelled, ""}
	}
	if st := t.limitHit(); st != nil {
		return st
	}
	t.steps++
	t.calls++
	callID := c.ID
	if callID == "" {
		callID = fmt.Sprintf("%s-c%d", t.id, t.calls)
	}
	args, _ := json.Marshal(c.Args) // Map keys come out sorted: a stable signature.
	base := Event{Kind: EventTool, CallID: callID, Name: c.Name, Args: args}

	sig := c.Name + string(args)
	if sig == t.lastSig {
		t.repeats++
	} else {
		t.lastSig, t.repeats = sig, 1
	}
	if t.repeats >= 3 {
		if t.redirect {
			return &stop{DoneLimit, fmt.Sprintf("Stopped: the model kept calling %s with the same arguments.", c.Name)}
		}
		t.redirect = true
		t.failures++
		t.finishTool(base, c.Name, result{Status: StatusDenied, Summary: "repeated call not run",
			Output: fmt.Sprintf("You have called %s with the same arguments %d times in a row; the result will not change. Do something different, or call attempt_completion if you are done.", c.Name, t.repeats)})
		return nil
	}

	var tl tool
	for _, x := range t.offered {
		if x.spec().Name == c.Name {
			tl = x
		}
	}
	if tl == nil {
		t.failures++
		if t.knownTool(c.Name) {
			t.finishTool(base, c.Name, result{Status: StatusDenied, Summary: "not available in Plan mode",
				Output: fmt.Sprintf("%s is not available in Plan mode, which can only read (read_file, list_files, search_files) and finish with attempt_completion. Nothing was changed. Put the change in your plan; the user switches to Act mode to carry it out.", c.Name)})
		} else {
			t.finishTool(base, c.Name, errResult("there is no tool %q; the tools are %s", c.Name, t.toolNames()))
		}
		return nil
	}
	checked, err := checkArgs(tl.spec(), c.Args)
	if err != nil {
		t.failures++
		t.finishTool(base, c.Name, errResult("%v", err))
		return nil
	}
	run := base
	run.Status = StatusRunning
	t.emit(run)
	cl := &call{ID: callID, Args: checked, gate: t, progress: func(out string) {
		ev := base
		ev.Status, ev.Output = StatusRunning, out
		t.emit(ev)
	}}
	var res result
	if t.mode == ModeAct && isRead(c.Name) && !t.e.currentPolicy().AutoRead() {
		if r := t.askRead(cl, c.Name); r != nil {
			res = *r
		}
	}
	if res.Status == "" {
		res = tl.run(t.ctx, cl)
	}
	if t.ctx.Err() != nil {
		t.finishTool(base, c.Name, result{Status: StatusError, Summary: "cancelled", Output: "Cancelled by the user."})
		return &stop{DoneCancelled, ""}
	}
	if res.Status == StatusOK {
		t.failures = 0
	} else {
		t.failures++
	}
	t.finishTool(base, c.Name, res)
	if res.Done {
		return &stop{DoneCompleted, res.Summary}
	}
	return nil
}

func isRead(name string) bool {
	return name == "read_file" || name == "list_files" || name == "search_files"
}

func (t *turn) toolNames() string {
	var n []string
	for _, x := range t.offered {
		n = append(n, x.spec().Name)
	}
	return strings.Join(n, ", ")
}

// finishTool reports a tool's end and gives its output to the model.
func (t *turn) finishTool(base Event, name string, r result) {
	ev := base
	ev.Status, ev.Summary = r.Status, r.Summary
	if name == "run_command" {
		ev.Output = r.Output
	}
	t.emit(ev)
	summary := r.Summary
	if summary == "" {
		summary = r.Status
	}
	t.tellModel(name, r.Output, summary)
}

// tellModel adds a tool result (name set) or a note from Hearth to the
// transcript. Models without native tools get results as user messages,
// which every chat template renders.
func (t *turn) tellModel(name, content string, summary ...string) {
	en := entry{tool: name}
	if len(summary) > 0 {
		en.summary = summary[0]
	}
	switch {
	case name != "" && t.choice.Tools:
		en.msg = api.Message{Role: "tool", ToolName: name, Content: content}
	case name != "":
		en.msg = api.Message{Role: "user", Content: "[" + name + " result]\n" + content}
	default:
		en.msg = api.Message{Role: "user", Content: "[Hearth] " + content}
	}
	t.s.appendEntry(en)
}

func (t *turn) emit(ev Event) { t.s.emit(t.id, ev) }

func (t *turn) emitError(msg string, retryable bool) {
	t.emit(Event{Kind: EventError, Message: msg, Retryable: retryable})
}

// done ends the turn. The session is released before the done event goes
// out, so a client that answers "done" with a new message finds it idle.
func (t *turn) done(reason, summary string) {
	t.s.release(t)
	t.emit(Event{Kind: EventDone, Reason: reason, Summary: summary})
}

// maxCompactRetries bounds the compact-and-retry rounds after the server
// refuses a prompt as too long. Each round shrinks the estimate by 30%, and
// dense text (digits, hex, minified data: about one token per character)
// is up to 3.5 times the estimate, so one round is not always enough.
const maxCompactRetries = 4

// callModel sends the transcript and streams the answer. A context-exceeded
// refusal compacts the transcript and retries: once in any case, then again
// while compaction still shrinks the request.
func (t *turn) callModel() (api.Message, error) {
	if err := t.fit(false); err != nil {
		return api.Message{}, err
	}
	msg, err := t.chatOnce()
	for try := range maxCompactRetries {
		if err == nil || !isContextExceeded(err) || t.ctx.Err() != nil {
			break
		}
		before := t.estimate(t.request(t.s.messages()))
		if ferr := t.fit(true); ferr != nil {
			return api.Message{}, ferr
		}
		if try > 0 && t.estimate(t.request(t.s.messages())) >= before {
			break // Nothing left to shrink: another try would be refused the same way.
		}
		msg, err = t.chatOnce()
	}
	return msg, err
}

func (t *turn) request(entries []entry) *api.ChatRequest {
	msgs := make([]api.Message, 0, len(entries)+1)
	msgs = append(msgs, api.Message{Role: "system", Content: t.system})
	for _, en := range entries {
		msgs = append(msgs, en.msg)
	}
	stream := true
	req := &api.ChatRequest{
		Model: t.choice.Name, Messages: msgs, Stream: &stream,
		Options: map[string]any{"num_ctx": t.e.cfg.NumCtx, "temperature": t.e.cfg.Temperature},
	}
	req.Tools = t.schemas
	return req
}

func (t *turn) chatOnce() (api.Message, error) {
	req := t.request(t.s.messages())
	var content strings.Builder
	var calls []api.ToolCall
	var final api.ChatResponse
	err := t.e.cfg.Model.Chat(t.ctx, req, func(r api.ChatResponse) error {
		if d := r.Message.Content; d != "" {
			content.WriteString(d)
			t.emit(Event{Kind: EventText, Delta: d})
		}
		calls = append(calls, r.Message.ToolCalls...)
		if r.Done {
			final = r
		}
		return t.ctx.Err()
	})
	if err == nil && t.ctx.Err() != nil {
		err = t.ctx.Err()
	}
	if err != nil {
		return api.Message{}, err
	}
	msg := api.Message{Role: "assistant", Content: content.String(), ToolCalls: calls}
	// The estimate errs high on purpose (compaction keys off it); a server
	// count well above it means text the heuristic does not fit (dense
	// digits, another tokenizer) and a window that may fill sooner than
	// planned, so say so in the log.
	if sent := t.estimate(req); final.PromptEvalCount > sent*5/4+16 {
		t.e.cfg.Logger.Warn("the model counted more prompt tokens than estimated",
			"session", t.s.id, "turn", t.id, "estimated", sent, "counted", final.PromptEvalCount, "numCtx", t.e.cfg.NumCtx)
	}
	est := t.estimate(req) + estimateMessage(msg)
	ctxTokens := max(est, final.PromptEvalCount+final.EvalCount)
	t.emit(Event{Kind: EventUsage, Usage: Usage{
		PromptTokens: final.PromptEvalCount, CompletionTokens: final.EvalCount,
		ContextTokens: ctxTokens, ContextLimit: t.e.cfg.NumCtx,
	}})
	return msg, nil
}

// estimate is estimateRequest with the turn's cached schema count.
func (t *turn) estimate(req *api.ChatRequest) int {
	n := t.schemaCount
	for _, m := range req.Messages {
		n += estimateMessage(m)
	}
	return n
}

func estimateRequest(req *api.ChatRequest) int {
	n := estimateTools(req.Tools)
	for _, m := range req.Messages {
		n += estimateMessage(m)
	}
	return n
}
