package planact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/ollama/ollama/api"
)

// scriptModel replays scripted replies and records every request.
type scriptModel struct {
	mu       sync.Mutex
	replies  []reply
	next     int
	requests []*api.ChatRequest
	warmed   []string
}

// reply is one scripted model answer.
type reply struct {
	// Text is streamed in chunks of Chunk bytes (default: whole).
	Text  string `json:"text"`
	Chunk int    `json:"chunk"`
	Calls []struct {
		Name string          `json:"name"`
		Args json.RawMessage `json:"args"`
	} `json:"calls"`
	// Error is "retryable", "fatal", "context" (exceeded) or "plain".
	Error string `json:"error"`
	// Block waits for cancellation after streaming Text.
	Block bool `json:"block"`
}

type fakeModelError struct {
	retry, exceeded bool
	msg             string
}

func (e fakeModelError) Error() string         { return "model: " + e.msg }
func (e fakeModelError) Retryable() bool       { return e.retry }
func (e fakeModelError) UserMessage() string   { return e.msg }
func (e fakeModelError) ContextExceeded() bool { return e.exceeded }

func (m *scriptModel) Warm(_ context.Context, model string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.warmed = append(m.warmed, model)
	return nil
}

func (m *scriptModel) Chat(ctx context.Context, req *api.ChatRequest, fn api.ChatResponseFunc) error {
	cp := *req
	cp.Messages = append([]api.Message(nil), req.Messages...)
	m.mu.Lock()
	m.requests = append(m.requests, &cp)
	if len(req.Messages) > 0 && req.Messages[0].Content == summaryPrompt {
		m.mu.Unlock()
		return fn(api.ChatResponse{Message: api.Message{Role: "assistant", Content: "SUMMARY: read files, nothing changed yet."}, Done: true})
	}
	if m.next >= len(m.replies) {
		m.mu.Unlock()
		return errors.New("script exhausted: the model has no more replies")
	}
	r := m.replies[m.next]
	m.next++
	m.mu.Unlock()

	switch r.Error {
	case "retryable":
		return fakeModelError{retry: true, msg: "Ollama is busy loading another model; try again"}
	case "fatal":
		return fakeModelError{msg: "model \"nope\" not found; pull it first"}
	case "context":
		return fakeModelError{exceeded: true, msg: "the prompt exceeds the context window"}
	case "plain":
		return errors.New("connection reset by peer")
	}
	text := r.Text
	chunk := r.Chunk
	if chunk <= 0 {
		chunk = len(text)
	}
	for len(text) > 0 {
		n := min(chunk, len(text))
		if err := fn(api.ChatResponse{Message: api.Message{Role: "assistant", Content: text[:n]}}); err != nil {
			return err
		}
		text = text[n:]
	}
	if r.Block {
		<-ctx.Done()
		return ctx.Err()
	}
	var calls []api.ToolCall
	for _, c := range r.Calls {
		var tc api.ToolCall
		tc.Function.Name = c.Name
		if len(c.Args) > 0 {
			if err := json.Unmarshal(c.Args, &tc.Function.Arguments); err != nil {
				return fmt.Errorf("bad scripted args %s: %v", c.Args, err)
			}
		}
		calls = append(calls, tc)
	}
	return fn(api.ChatResponse{
		Message: api.Message{Role: "assistant", ToolCalls: calls}, Done: true,
		Metrics: api.Metrics{PromptEvalCount: estimateRequest(req), EvalCount: estimateTokens(r.Text) + 5},
	})
}

// fakeSnapshots numbers snapshots and records what they covered.
type fakeSnapshots struct {
	mu    sync.Mutex
	taken []string
}

func (f *fakeSnapshots) Checkpoint(_ context.Context, paths []string, _ SnapshotMeta) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.taken = append(f.taken, "checkpoint "+strings.Join(paths, ","))
	return fmt.Sprintf("snap-%d", len(f.taken)), nil
}

func (f *fakeSnapshots) Full(context.Context, SnapshotMeta) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.taken = append(f.taken, "full")
	return fmt.Sprintf("snap-%d", len(f.taken)), nil
}

// lineEditor is a small Editor: exact SEARCH/REPLACE, and hunks made of
// runs of changed lines (enough for the scenarios; actions does the real
// work).
type lineEditor struct{}

func (lineEditor) Replace(path, current, search, replace string) (Change, error) {
	if search == "" {
		return Change{}, errors.New("the search text is empty")
	}
	switch n := strings.Count(current, search); n {
	case 0:
		return Change{}, errors.New("the search text was not found; copy it exactly from read_file, without line numbers")
	case 1:
	default:
		return Change{}, fmt.Errorf("the search text matches %d places; include more lines to make it unique", n)
	}
	return lineEditor{}.Compare(path, current, strings.Replace(current, search, replace, 1))
}

func (lineEditor) Compare(path, current, proposed string) (Change, error) {
	ch := Change{Path: path, Old: current, New: proposed}
	a, b := splitLines(current), splitLines(proposed)
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	add := func(start, end int, old, nw []string) {
		var d strings.Builder
		fmt.Fprintf(&d, "@@ -%d,%d +%d,%d @@\n", start+1, end-start, start+1, len(nw))
		for _, l := range old {
			d.WriteString("-" + l + "\n")
		}
		for _, l := range nw {
			d.WriteString("+" + l + "\n")
		}
		ch.Hunks = append(ch.Hunks, Hunk{StartLine: start, EndLine: end, Diff: d.String()})
	}
	if len(am) == len(bm) {
		for i := 0; i < len(am); {
			if am[i] == bm[i] {
				i++
				continue
			}
			j := i
			for j < len(am) && am[j] != bm[j] {
				j++
			}
			add(pre+i, pre+j, am[i:j], bm[i:j])
			i = j
		}
	} else if len(am)+len(bm) > 0 {
		add(pre, pre+len(am), am, bm)
	}
	var d strings.Builder
	for _, h := range ch.Hunks {
		d.WriteString(h.Diff)
	}
	ch.Diff = d.String()
	return ch, nil
}

func (lineEditor) ApplyHunks(c Change, accepted []int) (string, error) {
	a, b := splitLines(c.Old), splitLines(c.New)
	out := append([]string(nil), a...)
	// Hunks of equal-length runs map line for line; apply from the end so
	// indexes stay valid.
	for k := len(accepted) - 1; k >= 0; k-- {
		h := c.Hunks[accepted[k]]
		delta := len(b) - len(a)
		nw := b[h.StartLine : h.EndLine+delta*boolInt(len(c.Hunks) == 1)]
		out = append(out[:h.StartLine], append(append([]string(nil), nw...), out[h.EndLine:]...)...)
	}
	return strings.Join(out, "\n") + "\n", nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
