package server

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lsp "go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/hearth-dev/hearth/internal/lsptest"
	"github.com/hearth-dev/hearth/llm/fakeollama"
	"github.com/hearth-dev/hearth/protocol"
)

const waitFor = 20 * time.Second

// event decodes a hearth/event notification, or returns false.
func event(n lsptest.Notification) (protocol.Event, bool) {
	if n.Method != protocol.MethodEvent {
		return protocol.Event{}, false
	}
	var ev protocol.Event
	return ev, json.Unmarshal(n.Params, &ev) == nil
}

func awaitEvent(t *testing.T, ts *testServer, what string, match func(protocol.Event) bool) protocol.Event {
	t.Helper()
	n := ts.Await(waitFor, what, func(n lsptest.Notification) bool {
		ev, ok := event(n)
		return ok && match(ev)
	})
	ev, _ := event(n)
	return ev
}

func kind(k protocol.EventKind) func(protocol.Event) bool {
	return func(ev protocol.Event) bool { return ev.Kind == k }
}

// startWithFake starts a server whose Ollama is a scripted fake.
func startWithFake(t *testing.T, replies ...fakeollama.Reply) (*testServer, *fakeollama.Fake) {
	t.Helper()
	fake := fakeollama.Start(fakeollama.Config{Script: fakeollama.Script{Replies: replies}})
	t.Cleanup(fake.Close)
	ts := startServer(t, nil)
	ts.initialize(t, map[string]any{
		"ollama": map[string]any{"host": fake.URL()},
		"models": map[string]any{"plan": "qwen2.5-coder:7b"},
	})
	return ts, fake
}

func TestActTurnApproveEditSnapshotRestore(t *testing.T) {
	ts, fake := startWithFake(t,
		fakeollama.Call("edit_file", map[string]any{"path": "main.go", "search": "println(\"hi\")", "replace": "println(\"hello\")"}),
		fakeollama.Call("attempt_completion", map[string]any{"summary": "greeting changed"}),
	)
	main := filepath.Join(ts.root, "main.go")
	os.WriteFile(main, []byte("package main\n\nfunc main() {\n\tprintln(\"hi\")\n}\n"), 0o644)

	var res protocol.ChatResult
	if err := ts.Call(ctx(t), protocol.MethodChat, protocol.ChatParams{Text: "say hello", Mode: protocol.ModeAct}, &res); err != nil {
		t.Fatal(err)
	}
	if res.SessionID == "" || res.TurnID == "" {
		t.Fatalf("chat result %+v", res)
	}
	prop := awaitEvent(t, ts, "a proposal", kind(protocol.EventProposal))
	if len(prop.Files) != 1 || prop.Files[0].URI != uri.File(main) || len(prop.Files[0].Hunks) != 1 || !strings.Contains(prop.Files[0].Diff, "+\tprintln(\"hello\")") {
		t.Fatalf("proposal %+v", prop)
	}
	var content protocol.ProposalContentResult
	if err := ts.Call(ctx(t), protocol.MethodProposalContent, protocol.ProposalContentParams{ProposalID: prop.ProposalID, URI: uri.File(main)}, &content); err != nil || !strings.Contains(content.Content, "hello") {
		t.Fatalf("proposal content %+v, %v", content, err)
	}
	appr := awaitEvent(t, ts, "an approval", kind(protocol.EventApproval))
	if appr.Action != protocol.ActionEdit || appr.Diff == "" || appr.RequestID == "" {
		t.Fatalf("approval %+v", appr)
	}
	if got, _ := os.ReadFile(main); strings.Contains(string(got), "hello") {
		t.Fatal("the file changed before approval")
	}
	if err := ts.Call(ctx(t), protocol.MethodApprove, protocol.ApproveParams{RequestID: appr.RequestID, Approved: true}, nil); err != nil {
		t.Fatal(err)
	}
	snap := awaitEvent(t, ts, "a snapshot", kind(protocol.EventSnapshot))
	done := awaitEvent(t, ts, "done", kind(protocol.EventDone))
	if done.Reason != protocol.DoneCompleted {
		t.Fatalf("done %+v", done)
	}
	if got, _ := os.ReadFile(main); !strings.Contains(string(got), "\tprintln(\"hello\")") {
		t.Fatalf("main.go after approval:\n%s", got)
	}

	// What Hearth sent Ollama: a fixed num_ctx, no truncation, no shift.
	for _, r := range fake.ChatRequests() {
		if r.NumCtx <= 0 || r.Chat.Truncate == nil || *r.Chat.Truncate || r.Chat.Shift == nil || *r.Chat.Shift {
			t.Fatalf("chat request without num_ctx/truncate:false/shift:false: %+v", r.Body)
		}
	}

	// History has every event in seq order, from the journal.
	var hist protocol.HistoryResult
	if err := ts.Call(ctx(t), protocol.MethodHistory, protocol.HistoryParams{SessionID: res.SessionID}, &hist); err != nil {
		t.Fatal(err)
	}
	if len(hist.Events) < 5 || hist.Events[0].Kind != protocol.EventUser {
		t.Fatalf("history %+v", hist.Events)
	}
	for i, ev := range hist.Events {
		if ev.Seq != int64(i+1) {
			t.Fatalf("history seq %d at %d", ev.Seq, i)
		}
	}

	// The snapshot is listed and restoring it reverts the file.
	var snaps protocol.SnapshotsResult
	if err := ts.Call(ctx(t), protocol.MethodSnapshots, struct{}{}, &snaps); err != nil {
		t.Fatal(err)
	}
	if len(snaps.Snapshots) == 0 || snaps.Snapshots[0].ID != snap.SnapshotID {
		t.Fatalf("snapshots %+v, want %s first", snaps.Snapshots, snap.SnapshotID)
	}
	var restored protocol.RestoreResult
	if err := ts.Call(ctx(t), protocol.MethodRestore, protocol.RestoreParams{SnapshotID: snap.SnapshotID}, &restored); err != nil {
		t.Fatal(err)
	}
	if restored.Restored != 1 || restored.SafetySnapshotID == "" {
		t.Fatalf("restore %+v", restored)
	}
	if got, _ := os.ReadFile(main); !strings.Contains(string(got), "println(\"hi\")") {
		t.Fatalf("main.go after restore:\n%s", got)
	}
	// And the restore can itself be undone.
	if err := ts.Call(ctx(t), protocol.MethodRestore, protocol.RestoreParams{SnapshotID: restored.SafetySnapshotID}, &restored); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(main); !strings.Contains(string(got), "hello") {
		t.Fatalf("main.go after undoing the restore:\n%s", got)
	}
}

func TestOpenFileIsEditedThroughTheEditor(t *testing.T) {
	ts, _ := startWithFake(t,
		fakeollama.Call("edit_file", map[string]any{"path": "a.txt", "search": "two", "replace": "TWO"}),
		fakeollama.Call("attempt_completion", map[string]any{"summary": "done"}),
	)
	a := filepath.Join(ts.root, "a.txt")
	os.WriteFile(a, []byte("one\ntwo\n"), 0o644)
	if err := ts.OpenFile(a); err != nil {
		t.Fatal(err)
	}
	// An unsaved change in the editor: the agent must see it and keep it.
	if err := ts.ChangeFile(a, "zero\none\ntwo\n", false); err != nil {
		t.Fatal(err)
	}
	var res protocol.ChatResult
	ts.Call(ctx(t), protocol.MethodChat, protocol.ChatParams{Text: "capitalise two", Mode: protocol.ModeAct}, &res)
	appr := awaitEvent(t, ts, "an approval", kind(protocol.EventApproval))
	if !strings.Contains(appr.Diff, " zero") {
		t.Fatalf("the diff was not computed on the unsaved buffer:\n%s", appr.Diff)
	}
	ts.Call(ctx(t), protocol.MethodApprove, protocol.ApproveParams{RequestID: appr.RequestID, Approved: true}, nil)
	awaitEvent(t, ts, "done", kind(protocol.EventDone))
	if len(ts.AppliedEdits()) != 1 {
		t.Fatalf("%d workspace/applyEdit requests, want 1", len(ts.AppliedEdits()))
	}
	if buf, _ := ts.Buffer(a); buf != "zero\none\nTWO\n" {
		t.Fatalf("editor buffer %q", buf)
	}
	if disk, _ := os.ReadFile(a); string(disk) != "zero\none\nTWO\n" {
		t.Fatalf("disk %q: the editor's save did not land", disk)
	}
}

func TestOllamaDownIsAnErrorEventAndTheSessionGoesOn(t *testing.T) {
	ts := startServer(t, nil)
	ts.initialize(t, map[string]any{"ollama": map[string]any{"host": "http://127.0.0.1:9"}, "models": map[string]any{"plan": "m"}})
	var res protocol.ChatResult
	if err := ts.Call(ctx(t), protocol.MethodChat, protocol.ChatParams{Text: "hello"}, &res); err != nil {
		t.Fatal(err)
	}
	ev := awaitEvent(t, ts, "an error", kind(protocol.EventError))
	if !strings.Contains(ev.Message, "ollama serve") || ev.Retryable == nil {
		t.Fatalf("error event %+v", ev)
	}
	done := awaitEvent(t, ts, "done", kind(protocol.EventDone))
	if done.Reason != protocol.DoneError {
		t.Fatalf("done %+v", done)
	}
	// The session exists and continues.
	var res2 protocol.ChatResult
	if err := ts.Call(ctx(t), protocol.MethodChat, protocol.ChatParams{SessionID: res.SessionID, Text: "again"}, &res2); err != nil || res2.SessionID != res.SessionID {
		t.Fatalf("second turn: %+v, %v", res2, err)
	}
	awaitEvent(t, ts, "a second done", func(ev protocol.Event) bool { return ev.Kind == protocol.EventDone && ev.TurnID == res2.TurnID })
	var hist protocol.HistoryResult
	ts.Call(ctx(t), protocol.MethodHistory, protocol.HistoryParams{SessionID: res.SessionID}, &hist)
	if len(hist.Events) != 6 || hist.Events[5].Seq != 6 {
		t.Fatalf("history of two failed turns: %+v", hist.Events)
	}
	// The status says what to do.
	var st protocol.Status
	ts.Call(ctx(t), protocol.MethodStatus, struct{}{}, &st)
	if st.Health != protocol.HealthError || !strings.Contains(st.Message, "ollama serve") {
		t.Fatalf("status %+v", st)
	}
}

func TestCodeActionsAcceptAProposal(t *testing.T) {
	ts, _ := startWithFake(t,
		fakeollama.Call("write_file", map[string]any{"path": "b.txt", "content": "1\nB\n3\n4\n5\n6\n7\n8\n9\nJ\n"}),
		fakeollama.Call("attempt_completion", map[string]any{"summary": "done"}),
	)
	b := filepath.Join(ts.root, "b.txt")
	os.WriteFile(b, []byte("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n"), 0o644)
	ts.Call(ctx(t), protocol.MethodChat, protocol.ChatParams{Text: "letters", Mode: protocol.ModeAct}, nil)
	prop := awaitEvent(t, ts, "a proposal", kind(protocol.EventProposal))
	if len(prop.Files[0].Hunks) != 2 {
		t.Fatalf("want 2 hunks, got %+v", prop.Files[0].Hunks)
	}
	var actions []lsp.CodeAction
	err := ts.Call(ctx(t), lsp.MethodTextDocumentCodeAction, lsp.CodeActionParams{
		TextDocument: lsp.TextDocumentIdentifier{URI: uri.File(b)},
		Range:        lsp.Range{Start: lsp.Position{Line: 1}, End: lsp.Position{Line: 1}},
	}, &actions)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	var hunkAccept *lsp.Command
	for _, a := range actions {
		titles = append(titles, a.Title)
		if strings.HasPrefix(a.Title, "Hearth: accept hunk 1") {
			hunkAccept = a.Command
		}
	}
	if len(actions) != 4 || hunkAccept == nil {
		t.Fatalf("code actions %q: want file accept/reject and hunk 1 accept/reject", titles)
	}
	var r protocol.ProposalCommandResult
	if err := ts.Call(ctx(t), lsp.MethodWorkspaceExecuteCommand, lsp.ExecuteCommandParams{Command: hunkAccept.Command, Arguments: hunkAccept.Arguments}, &r); err != nil || r.Status != "pending" {
		t.Fatalf("accept hunk 1: %+v, %v", r, err)
	}
	reject := lsp.ExecuteCommandParams{Command: protocol.CommandRejectProposal, Arguments: []any{protocol.ProposalCommandArgs{ProposalID: prop.ProposalID, URI: uri.File(b), Hunk: ptr(1), Feedback: "keep 10"}}}
	if err := ts.Call(ctx(t), lsp.MethodWorkspaceExecuteCommand, reject, &r); err != nil || r.Status != "partial" {
		t.Fatalf("reject hunk 2: %+v, %v", r, err)
	}
	awaitEvent(t, ts, "done", kind(protocol.EventDone))
	if got, _ := os.ReadFile(b); string(got) != "1\nB\n3\n4\n5\n6\n7\n8\n9\n10\n" {
		t.Fatalf("b.txt %q: want hunk 1 applied and hunk 2 not", got)
	}
}

func TestFixDiagnosticCodeAction(t *testing.T) {
	ts, fake := startWithFake(t, fakeollama.Call("attempt_completion", map[string]any{"summary": "nothing to fix"}))
	c := filepath.Join(ts.root, "c.go")
	os.WriteFile(c, []byte("package c\n\nvar x = y\n"), 0o644)
	diag := lsp.Diagnostic{Range: lsp.Range{Start: lsp.Position{Line: 2, Character: 8}, End: lsp.Position{Line: 2, Character: 9}}, Message: "undefined: y"}
	var actions []lsp.CodeAction
	ts.Call(ctx(t), lsp.MethodTextDocumentCodeAction, lsp.CodeActionParams{
		TextDocument: lsp.TextDocumentIdentifier{URI: uri.File(c)}, Range: diag.Range,
		Context: lsp.CodeActionContext{Diagnostics: []lsp.Diagnostic{diag}},
	}, &actions)
	var fix *lsp.Command
	for _, a := range actions {
		if strings.HasPrefix(a.Title, "Fix with Hearth") {
			fix = a.Command
		}
	}
	if fix == nil {
		t.Fatalf("no Fix with Hearth among %+v", actions)
	}
	var res protocol.ChatResult
	if err := ts.Call(ctx(t), lsp.MethodWorkspaceExecuteCommand, lsp.ExecuteCommandParams{Command: fix.Command, Arguments: fix.Arguments}, &res); err != nil || res.SessionID == "" {
		t.Fatalf("fix: %+v %v", res, err)
	}
	awaitEvent(t, ts, "done", kind(protocol.EventDone))
	msgs := fake.ChatRequests()[0].Chat.Messages
	last := msgs[len(msgs)-1].Content
	if !strings.Contains(last, "undefined: y") || !strings.Contains(last, "c.go") {
		t.Fatalf("the model was not told the problem: %q", last)
	}
}
