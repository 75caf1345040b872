package server

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"go.lsp.dev/jsonrpc2"
	lsp "go.lsp.dev/protocol"

	"github.com/hearth-dev/hearth/protocol"
	"github.com/hearth-dev/hearth/settings"
)

// lspServer adapts Server to go.lsp.dev/protocol's Server interface for the
// standard methods the dispatch table routes to the typed dispatcher.
type lspServer struct {
	unsupported
	s *Server
}

// initOptions is initializationOptions: the hearth settings (flat or under
// "hearth") plus stateDir.
type initOptions struct {
	StateDir string `json:"stateDir"`
}

// Initialize reads the workspace and settings and advertises capabilities.
// A bad setting does not fail initialize: the server starts on defaults and
// says what was wrong, so the user can fix it without a dead server.
func (l lspServer) Initialize(ctx context.Context, p *lsp.InitializeParams) (*lsp.InitializeResult, error) {
	s := l.s
	raw, _ := json.Marshal(p.InitializationOptions)
	cfg, cfgErr := settings.Parse(raw)
	var opts initOptions
	_ = json.Unmarshal(raw, &opts)
	if opts.StateDir == "" {
		opts.StateDir = cfg.StateDir
	}
	root := workspaceRoot(p)
	ws, err := openWorkspace(ctx, s, root, opts.StateDir, cfg)
	if err != nil {
		return nil, jsonrpc2.Errorf(codeRequestFailed, "cannot open the workspace: %v", err)
	}

	s.mu.Lock()
	s.state = stateInitialized
	s.settings = cfg
	s.ws = ws
	s.mu.Unlock()
	s.log.Info("initialized", "root", root, "stateDir", ws.stateDir)
	if cfgErr != nil {
		ws.setProblem(cfgErr.Error())
		s.log.Warn("bad settings; using defaults", "error", cfgErr)
	}
	return &lsp.InitializeResult{
		Capabilities: capabilities(),
		ServerInfo:   &lsp.ServerInfo{Name: "hearth", Version: s.opts.Version},
	}, nil
}

// capabilities is what the server advertises.
func capabilities() lsp.ServerCapabilities {
	return lsp.ServerCapabilities{
		TextDocumentSync: lsp.TextDocumentSyncOptions{
			OpenClose: true,
			Change:    lsp.TextDocumentSyncKindIncremental,
			Save:      &lsp.SaveOptions{},
		},
		CodeActionProvider: lsp.CodeActionOptions{
			CodeActionKinds: []lsp.CodeActionKind{lsp.QuickFix, lsp.RefactorRewrite},
		},
		ExecuteCommandProvider: &lsp.ExecuteCommandOptions{Commands: commandNames()},
		Experimental: map[string]any{"hearth": protocol.Experimental{
			Version:  1,
			Methods:  hearthMethods(),
			Commands: commandNames(),
		}},
	}
}

func hearthMethods() []string {
	return []string{
		protocol.MethodChat, protocol.MethodEvent, protocol.MethodApprove, protocol.MethodCancel,
		protocol.MethodSetMode, protocol.MethodHistory, protocol.MethodSnapshots, protocol.MethodRestore,
		protocol.MethodStatus, protocol.MethodProposalContent, protocol.MethodSessions, protocol.MethodSaveDocuments,
	}
}

func commandNames() []string {
	return []string{
		protocol.CommandApplyProposal, protocol.CommandRejectProposal, protocol.CommandFixDiagnostic,
		protocol.CommandExplainSelection, protocol.CommandRefactorSelection,
	}
}

// workspaceRoot picks the first workspace folder, else rootUri, else
// rootPath. Hearth works on one folder; the others are not touched.
func workspaceRoot(p *lsp.InitializeParams) string {
	if len(p.WorkspaceFolders) > 0 {
		if path, err := filePath(lsp.DocumentURI(p.WorkspaceFolders[0].URI)); err == nil {
			return path
		}
	}
	if p.RootURI != "" {
		if path, err := filePath(p.RootURI); err == nil {
			return path
		}
	}
	if p.RootPath != "" {
		if abs, err := filepath.Abs(p.RootPath); err == nil {
			return abs
		}
	}
	return ""
}

// Initialized starts the status updates.
func (l lspServer) Initialized(ctx context.Context, _ *lsp.InitializedParams) error {
	l.s.mu.Lock()
	ws := l.s.ws
	l.s.mu.Unlock()
	if ws != nil {
		ws.start(ctx)
	}
	return nil
}

// Shutdown cancels running turns; the process exits on "exit".
func (l lspServer) Shutdown(ctx context.Context) error {
	s := l.s
	s.mu.Lock()
	s.state = stateShutdown
	s.mu.Unlock()
	s.close()
	return nil
}

// Exit ends the connection with status 0 after shutdown, 1 without.
func (l lspServer) Exit(ctx context.Context) error {
	s := l.s
	s.mu.Lock()
	if !s.exited {
		s.exited = true
		close(s.exitCh)
	}
	if s.state == stateShutdown {
		s.exitCode = 0
	}
	s.mu.Unlock()
	return s.conn.Close()
}

// SetTrace is accepted; the server logs at its own level.
func (l lspServer) SetTrace(ctx context.Context, _ *lsp.SetTraceParams) error { return nil }

// WorkDoneProgressCancel is accepted; turns are cancelled with hearth/cancel.
func (l lspServer) WorkDoneProgressCancel(ctx context.Context, _ *lsp.WorkDoneProgressCancelParams) error {
	return nil
}

// DidChangeConfiguration applies new settings. Invalid settings are
// reported in the status and the previous ones are kept.
func (l lspServer) DidChangeConfiguration(ctx context.Context, p *lsp.DidChangeConfigurationParams) error {
	s := l.s
	raw, _ := json.Marshal(p.Settings)
	cfg, err := settings.Parse(raw)
	s.mu.Lock()
	ws, old := s.ws, s.settings
	if err == nil {
		s.settings = cfg
	}
	s.mu.Unlock()
	if ws == nil {
		return nil
	}
	if err != nil {
		ws.setProblem(fmt.Sprintf("settings not applied: %v", err))
		ws.refreshStatus(ctx)
		return nil
	}
	ws.setProblem("")
	ws.applySettings(old, cfg)
	ws.refreshStatus(ctx)
	return nil
}
