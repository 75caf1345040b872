package server

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hearth-dev/hearth/internal/lsptest"
	"github.com/hearth-dev/hearth/llm/fakeollama"
	"github.com/hearth-dev/hearth/protocol"
)

func TestStatusIsPushed(t *testing.T) {
	ts, _ := startWithFake(t)
	n := ts.Await(waitFor, "a hearth/status notification", func(n lsptest.Notification) bool {
		return n.Method == protocol.MethodStatus && !strings.Contains(string(n.Params), "checking")
	})
	var st protocol.Status
	if err := json.Unmarshal(n.Params, &st); err != nil {
		t.Fatal(err)
	}
	if st.Health != protocol.HealthOK || st.GPU.Source == "" || st.Models == nil || st.GPU.Devices == nil {
		t.Fatalf("pushed status %+v", st)
	}
}

func TestCancelMidStream(t *testing.T) {
	slow := fakeollama.Text("thinking", " very", " slowly")
	slow.ChunkDelay = fakeollama.Duration(2 * time.Second)
	ts, _ := startWithFake(t, slow)
	var res protocol.ChatResult
	ts.Call(ctx(t), protocol.MethodChat, protocol.ChatParams{Text: "go"}, &res)
	awaitEvent(t, ts, "the first text", kind(protocol.EventText))
	if err := ts.Call(ctx(t), protocol.MethodCancel, protocol.CancelParams{SessionID: res.SessionID}, nil); err != nil {
		t.Fatal(err)
	}
	done := awaitEvent(t, ts, "done", kind(protocol.EventDone))
	if done.Reason != protocol.DoneCancelled {
		t.Fatalf("done %+v, want cancelled", done)
	}
	// A busy session refuses a second turn; an idle one takes it.
	var again protocol.ChatResult
	if err := ts.Call(ctx(t), protocol.MethodChat, protocol.ChatParams{SessionID: res.SessionID, Text: "again"}, &again); err != nil {
		t.Fatalf("chat after cancel: %v", err)
	}
}

func TestSetModeAndHistoryAfterRestart(t *testing.T) {
	fake := fakeollama.Start(fakeollama.Config{Script: fakeollama.Script{Replies: []fakeollama.Reply{
		fakeollama.Call("attempt_completion", map[string]any{"summary": "first"}),
		fakeollama.Call("attempt_completion", map[string]any{"summary": "second"}),
	}}})
	t.Cleanup(fake.Close)
	opts := func() map[string]any {
		return map[string]any{"ollama": map[string]any{"host": fake.URL()}, "models": map[string]any{"plan": "qwen2.5-coder:7b"}}
	}
	ts := startServer(t, nil)
	ts.initialize(t, opts())
	var res protocol.ChatResult
	ts.Call(ctx(t), protocol.MethodChat, protocol.ChatParams{Text: "first"}, &res)
	awaitEvent(t, ts, "done", kind(protocol.EventDone))
	if err := ts.Call(ctx(t), protocol.MethodSetMode, protocol.SetModeParams{SessionID: res.SessionID, Mode: protocol.ModeAct}, nil); err != nil {
		t.Fatal(err)
	}
	if err := ts.Call(ctx(t), protocol.MethodSetMode, protocol.SetModeParams{SessionID: res.SessionID, Mode: "fly"}, nil); code(err) != -32602 {
		t.Fatalf("bad mode: %v", err)
	}

	// A new server on the same state directory: the history is there, and
	// the session goes on with seq numbers that do not repeat.
	ts2 := startServer(t, nil)
	ts2.stateDir = ts.stateDir
	ts2.root = ts.root
	ts2.initialize(t, opts())
	var hist protocol.HistoryResult
	if err := ts2.Call(ctx(t), protocol.MethodHistory, protocol.HistoryParams{SessionID: res.SessionID}, &hist); err != nil || len(hist.Events) == 0 {
		t.Fatalf("history after restart: %d events, %v", len(hist.Events), err)
	}
	last := hist.Events[len(hist.Events)-1].Seq
	var res2 protocol.ChatResult
	ts2.Call(ctx(t), protocol.MethodChat, protocol.ChatParams{SessionID: res.SessionID, Text: "second"}, &res2)
	ev := awaitEvent(t, ts2, "the second turn's first event", func(ev protocol.Event) bool { return ev.SessionID == res.SessionID })
	if ev.Seq != last+1 {
		t.Fatalf("first event after restart has seq %d, want %d", ev.Seq, last+1)
	}
	if ev.TurnID == res.TurnID || res2.TurnID != ev.TurnID {
		t.Fatalf("turn id after restart %q (chat said %q), first turn %q: turn ids must not repeat in a session", ev.TurnID, res2.TurnID, res.TurnID)
	}
	var sessions protocol.SessionsResult
	ts2.Call(ctx(t), protocol.MethodSessions, struct{}{}, &sessions)
	if len(sessions.Sessions) != 1 || sessions.Sessions[0].Title != "first" {
		t.Fatalf("sessions %+v", sessions)
	}
	if err := ts2.Call(ctx(t), protocol.MethodHistory, protocol.HistoryParams{SessionID: "nope"}, nil); code(err) != codeRequestFailed {
		t.Fatalf("unknown session: %v", err)
	}
}

// TestSettingsChangeTakesEffectOnTheNextTurn: a new context size (or model)
// builds a new engine for the next turn, never in the middle of one.
func TestSettingsChangeTakesEffectOnTheNextTurn(t *testing.T) {
	ts, fake := startWithFake(t,
		fakeollama.Call("attempt_completion", map[string]any{"summary": "one"}),
		fakeollama.Call("attempt_completion", map[string]any{"summary": "two"}),
	)
	var res protocol.ChatResult
	ts.Call(ctx(t), protocol.MethodChat, protocol.ChatParams{Text: "one"}, &res)
	awaitEvent(t, ts, "done", kind(protocol.EventDone))
	first := fake.ChatRequests()[0].NumCtx
	newCtx := 2048
	if first == newCtx {
		newCtx = 4096
	}
	ts.Notify(ctx(t), "workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"hearth": map[string]any{
		"ollama": map[string]any{"host": fake.URL()}, "models": map[string]any{"plan": "qwen2.5-coder:7b"}, "model": map[string]any{"numCtx": newCtx},
	}}})
	ts.Call(ctx(t), protocol.MethodChat, protocol.ChatParams{SessionID: res.SessionID, Text: "two"}, nil)
	awaitEvent(t, ts, "the second done", func(ev protocol.Event) bool { return ev.Kind == protocol.EventDone && ev.Summary == "two" })
	reqs := fake.ChatRequests()
	if got := reqs[len(reqs)-1].NumCtx; got != newCtx {
		t.Fatalf("num_ctx after the settings change: %d, want %d (first turn had %d)", got, newCtx, first)
	}
}
