package server

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	lsp "go.lsp.dev/protocol"

	"github.com/hearth-dev/hearth/protocol"
)

func TestInitializeAdvertisesCapabilities(t *testing.T) {
	ts := startServer(t, nil)
	res, err := ts.Initialize(ctx(t), ts.root, map[string]any{"stateDir": ts.stateDir})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(res.Capabilities)
	var caps struct {
		TextDocumentSync struct {
			OpenClose bool `json:"openClose"`
			Change    int  `json:"change"`
		} `json:"textDocumentSync"`
		CodeActionProvider     json.RawMessage `json:"codeActionProvider"`
		ExecuteCommandProvider struct {
			Commands []string `json:"commands"`
		} `json:"executeCommandProvider"`
		Experimental struct {
			Hearth protocol.Experimental `json:"hearth"`
		} `json:"experimental"`
	}
	if err := json.Unmarshal(raw, &caps); err != nil {
		t.Fatal(err)
	}
	if !caps.TextDocumentSync.OpenClose || caps.TextDocumentSync.Change != 2 {
		t.Errorf("text sync %+v, want open/close and incremental (2)", caps.TextDocumentSync)
	}
	if len(caps.CodeActionProvider) == 0 || string(caps.CodeActionProvider) == "false" {
		t.Errorf("codeActionProvider missing: %s", caps.CodeActionProvider)
	}
	for _, c := range []string{protocol.CommandApplyProposal, protocol.CommandRejectProposal, protocol.CommandFixDiagnostic} {
		if !contains(caps.ExecuteCommandProvider.Commands, c) {
			t.Errorf("command %s not advertised in %v", c, caps.ExecuteCommandProvider.Commands)
		}
	}
	for _, m := range []string{protocol.MethodChat, protocol.MethodEvent, protocol.MethodApprove, protocol.MethodCancel,
		protocol.MethodSetMode, protocol.MethodHistory, protocol.MethodSnapshots, protocol.MethodRestore, protocol.MethodStatus} {
		if !contains(caps.Experimental.Hearth.Methods, m) {
			t.Errorf("method %s not in experimental.hearth: %v", m, caps.Experimental.Hearth.Methods)
		}
	}
	if res.ServerInfo == nil || res.ServerInfo.Name != "hearth" {
		t.Errorf("serverInfo %+v", res.ServerInfo)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func code(err error) jsonrpc2.Code {
	var e *jsonrpc2.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

func TestRequestBeforeInitializeIsRefused(t *testing.T) {
	ts := startServer(t, nil)
	err := ts.Call(ctx(t), protocol.MethodSnapshots, struct{}{}, nil)
	if code(err) != codeServerNotInitialized {
		t.Fatalf("got %v, want ServerNotInitialized (-32002)", err)
	}
}

func TestExitStatus(t *testing.T) {
	t.Run("after shutdown", func(t *testing.T) {
		ts := startServer(t, nil)
		ts.initialize(t, nil)
		if err := ts.Call(ctx(t), lsp.MethodShutdown, nil, nil); err != nil {
			t.Fatal(err)
		}
		// After shutdown only exit is accepted.
		if err := ts.Call(ctx(t), protocol.MethodSnapshots, struct{}{}, nil); code(err) != jsonrpc2.InvalidRequest {
			t.Errorf("request after shutdown: got %v, want InvalidRequest", err)
		}
		ts.Notify(ctx(t), lsp.MethodExit, nil)
		if got := waitExit(t, ts); got != 0 {
			t.Fatalf("exit status %d, want 0", got)
		}
	})
	t.Run("without shutdown", func(t *testing.T) {
		ts := startServer(t, nil)
		ts.initialize(t, nil)
		ts.Notify(ctx(t), lsp.MethodExit, nil)
		if got := waitExit(t, ts); got != 1 {
			t.Fatalf("exit status %d, want 1", got)
		}
	})
	t.Run("connection closed", func(t *testing.T) {
		ts := startServer(t, nil)
		ts.initialize(t, nil)
		ts.Editor.Close()
		if got := waitExit(t, ts); got != 1 {
			t.Fatalf("exit status %d, want 1", got)
		}
	})
}

func waitExit(t *testing.T, ts *testServer) int {
	t.Helper()
	select {
	case c := <-ts.exitCode:
		ts.exitCode <- c // for the cleanup
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("server did not exit")
		return -1
	}
}

func TestUnknownMethods(t *testing.T) {
	ts := startServer(t, nil)
	ts.initialize(t, nil)
	for _, m := range []string{"hearth/nope", "textDocument/hover", "no/such/method", "codeLens/resolve"} {
		err := ts.Call(ctx(t), m, map[string]any{}, nil)
		if code(err) != jsonrpc2.MethodNotFound {
			t.Errorf("%s: got %v, want MethodNotFound (-32601)", m, err)
		}
	}
	// Unknown notifications are ignored and the server still answers.
	ts.Notify(ctx(t), "$/unknownNotification", map[string]any{"x": 1})
	ts.Notify(ctx(t), "hearth/nope", nil)
	if err := ts.Call(ctx(t), protocol.MethodStatus, struct{}{}, nil); err != nil {
		t.Fatalf("status after unknown notifications: %v", err)
	}
}

func TestInvalidParamsNamesTheProblem(t *testing.T) {
	ts := startServer(t, nil)
	ts.initialize(t, nil)
	err := ts.Call(ctx(t), protocol.MethodChat, []int{1, 2}, nil)
	if code(err) != jsonrpc2.InvalidParams || !strings.Contains(err.Error(), "invalid params") {
		t.Fatalf("got %v, want InvalidParams", err)
	}
}

func TestPanickingHandlerAnswersAndServerGoesOn(t *testing.T) {
	ts := startServer(t, func(s *Server) {
		s.extraRoutes = map[string]handlerFunc{
			"hearth/test/panic": func(ctx context.Context, _ json.RawMessage) (any, error) { panic("boom") },
		}
	})
	ts.initialize(t, nil)
	for i := 0; i < 3; i++ {
		err := ts.Call(ctx(t), "hearth/test/panic", nil, nil)
		if code(err) != jsonrpc2.InternalError || !strings.Contains(err.Error(), "boom") {
			t.Fatalf("panic %d: got %v, want InternalError mentioning boom", i, err)
		}
	}
	var st protocol.Status
	if err := ts.Call(ctx(t), protocol.MethodStatus, struct{}{}, &st); err != nil {
		t.Fatalf("status after panics: %v", err)
	}
}

func TestBadSettingsStillInitialize(t *testing.T) {
	ts := startServer(t, nil)
	ts.initialize(t, map[string]any{"ollama": map[string]any{"keepAlive": "forever"}})
	var st protocol.Status
	if err := ts.Call(ctx(t), protocol.MethodStatus, struct{}{}, &st); err != nil {
		t.Fatal(err)
	}
	if st.Health != protocol.HealthWarning || !strings.Contains(st.Message, "keepAlive") {
		t.Fatalf("status %+v, want a warning naming keepAlive", st)
	}
}
