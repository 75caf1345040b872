package server

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"sync/atomic"

	"go.lsp.dev/jsonrpc2"
	lsp "go.lsp.dev/protocol"

	"github.com/hearth-dev/hearth/protocol"
)

// handlerFunc answers one request (or handles one notification) from its
// raw params.
type handlerFunc func(ctx context.Context, params json.RawMessage) (any, error)

// viaLSP marks a standard method handed to go.lsp.dev/protocol's typed
// dispatcher, which decodes its params into the library's structs.
var viaLSP handlerFunc

// routes is the server's dispatch table, read top to bottom: every method
// the server answers is here, and nothing else is answered.
func (s *Server) routes() map[string]handlerFunc {
	return map[string]handlerFunc{
		// Lifecycle.
		lsp.MethodInitialize:  viaLSP,
		lsp.MethodInitialized: viaLSP,
		lsp.MethodShutdown:    viaLSP,
		lsp.MethodExit:        viaLSP,
		lsp.MethodSetTrace:    viaLSP,

		// The open-document overlay. didChange is decoded here because the
		// library's change event cannot tell a full-text change from one
		// with an empty range at 0:0.
		lsp.MethodTextDocumentDidOpen:   viaLSP,
		lsp.MethodTextDocumentDidChange: decode(s.didChange),
		lsp.MethodTextDocumentDidClose:  viaLSP,
		lsp.MethodTextDocumentDidSave:   viaLSP,

		// Workspace.
		lsp.MethodWorkspaceDidChangeConfiguration: viaLSP,
		lsp.MethodWorkspaceExecuteCommand:         viaLSP,
		lsp.MethodWorkDoneProgressCancel:          viaLSP,

		// Code actions: proposals and "Fix with Hearth".
		lsp.MethodTextDocumentCodeAction: viaLSP,

		// Hearth's extensions (docs/lsp-extensions.md).
		protocol.MethodChat:            decode(s.chat),
		protocol.MethodApprove:         decode(s.approve),
		protocol.MethodCancel:          decode(s.cancel),
		protocol.MethodSetMode:         decode(s.setMode),
		protocol.MethodHistory:         decode(s.history),
		protocol.MethodSessions:        decode(s.sessions),
		protocol.MethodSnapshots:       decode(s.snapshots),
		protocol.MethodRestore:         decode(s.restore),
		protocol.MethodStatus:          decode(s.statusRequest),
		protocol.MethodProposalContent: decode(s.proposalContent),
	}
}

// decode adapts a typed handler: params that do not decode into P are an
// InvalidParams error naming the problem; absent or null params decode as
// P's zero value, and the handler validates required fields.
func decode[P, R any](f func(context.Context, *P) (R, error)) handlerFunc {
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var p P
		if len(raw) > 0 && string(raw) != "null" {
			if err := json.Unmarshal(raw, &p); err != nil {
				return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: %v", err)
			}
		}
		return f(ctx, &p)
	}
}

// dispatch routes a request through the table, after the lifecycle gate.
func (s *Server) dispatch(standard jsonrpc2.Handler) jsonrpc2.Handler {
	routes := s.routes()
	return func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		method := req.Method()
		_, isCall := req.(*jsonrpc2.Call)
		if err := s.gate(method); err != nil {
			if !isCall {
				s.log.Debug("dropping notification", "method", method, "reason", err)
			}
			return reply(ctx, nil, err)
		}
		h, ok := routes[method]
		if !ok {
			if s.extraRoutes != nil {
				h, ok = s.extraRoutes[method]
			}
		}
		switch {
		case !ok && isCall:
			return reply(ctx, nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", method))
		case !ok:
			// Unknown notifications, $/ ones included, are ignored as LSP asks.
			s.log.Debug("ignoring notification", "method", method)
			return reply(ctx, nil, nil)
		case h == nil:
			return standard(ctx, reply, req)
		}
		result, err := h(ctx, req.Params())
		if err != nil && isCall {
			s.log.Info("request failed", "method", method, "error", err)
		}
		return reply(ctx, result, err)
	}
}

// Error codes from LSP.
const (
	codeServerNotInitialized jsonrpc2.Code = -32002
	codeRequestFailed        jsonrpc2.Code = -32803
)

// gate enforces LSP's lifecycle: nothing but initialize (and exit) before
// initialize, nothing but exit after shutdown.
func (s *Server) gate(method string) error {
	s.mu.Lock()
	state := s.state
	s.mu.Unlock()
	switch {
	case method == lsp.MethodExit:
		return nil
	case state == stateNew && method != lsp.MethodInitialize:
		return jsonrpc2.Errorf(codeServerNotInitialized, "the server is not initialized yet: send initialize first")
	case state != stateNew && method == lsp.MethodInitialize:
		return jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "initialize was already received")
	case state == stateShutdown:
		return jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "the server is shutting down: only exit is accepted")
	}
	return nil
}

// recoverHandler answers every request exactly once, whatever the handler
// below does: a panic becomes an InternalError reply (and a logged stack),
// a handler that forgot to reply gets one, and a second reply is dropped.
// The server goes on serving other requests either way.
func (s *Server) recoverHandler(next jsonrpc2.Handler) jsonrpc2.Handler {
	return func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) (err error) {
		var replied atomic.Bool
		once := func(ctx context.Context, result any, rerr error) error {
			if replied.Swap(true) {
				s.log.Error("handler replied twice", "method", req.Method())
				return nil
			}
			return reply(ctx, result, rerr)
		}
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic in handler", "method", req.Method(), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				err = nil
				if !replied.Load() {
					_ = once(ctx, nil, jsonrpc2.Errorf(jsonrpc2.InternalError,
						"internal error in %s: %v (a bug in Hearth; the server goes on)", req.Method(), p))
				}
				return
			}
			if !replied.Load() {
				s.log.Error("handler did not reply", "method", req.Method())
				_ = once(ctx, nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error in %s: no reply", req.Method()))
			}
		}()
		return next(ctx, once, req)
	}
}
