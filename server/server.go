package server

import (
	"context"
	"io"
	"log/slog"
	"sync"

	"go.lsp.dev/jsonrpc2"
	lsp "go.lsp.dev/protocol"
	"go.uber.org/zap"

	"github.com/hearth-dev/hearth/settings"
)

// Options configure a Server.
type Options struct {
	// Version is reported in serverInfo.
	Version string
	// Logger receives the server's log; the editor shows stderr as the
	// server log. Nil discards.
	Logger *slog.Logger
	// Getenv reads the environment (settable for tests). Nil means os.Getenv.
	Getenv func(string) string
}

// lifecycle is where the server is in LSP's initialize/shutdown sequence.
type lifecycle int

const (
	stateNew lifecycle = iota
	stateInitialized
	stateShutdown
)

// Server is one language server connection.
type Server struct {
	opts Options
	log  *slog.Logger

	conn   jsonrpc2.Conn
	client lsp.Client // calls into the editor: applyEdit, progress, messages
	docs   *overlay

	// extraRoutes lets tests add handlers (for example one that panics).
	extraRoutes map[string]handlerFunc

	mu       sync.Mutex        // guards the fields below
	state    lifecycle         // lifecycle position
	settings settings.Settings // current settings
	ws       *workspace        // the workspace and its engines; nil before initialize
	exitCode int               // exit status once "exit" arrives
	exited   bool
	exitCh   chan struct{} // closed when "exit" arrives
}

// Run serves one connection on r and w until the client sends "exit" or
// closes its end, and returns the process exit status: 0 after a shutdown
// request, 1 otherwise (as LSP specifies).
func Run(ctx context.Context, r io.Reader, w io.Writer, opts Options) int {
	return runServer(ctx, newServer(opts), r, w)
}

func runServer(ctx context.Context, s *Server, r io.Reader, w io.Writer) int {
	var closer io.Closer
	if c, ok := r.(io.Closer); ok {
		closer = c
	}
	st := newStream(r, w, closer, s.log)
	s.serve(ctx, st)
	// Closing stdin does not interrupt a read blocked on it, so "exit" ends
	// the wait itself rather than relying on the read loop to notice.
	select {
	case <-s.conn.Done():
	case <-s.exitCh:
	}
	s.close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.exited {
		s.log.Info("connection closed without exit")
		return 1
	}
	return s.exitCode
}

func newServer(opts Options) *Server {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{
		opts:     opts,
		log:      log,
		docs:     newOverlay(),
		settings: settings.Default(),
		exitCode: 1,
		exitCh:   make(chan struct{}),
	}
}

// serve starts the connection's read loop. The handler chain is, from the
// outside in: $/cancelRequest support, one goroutine per request (started
// in order), panic recovery, Hearth's dispatch table, and go.lsp.dev's
// typed dispatch for the standard methods the table routes to it.
func (s *Server) serve(ctx context.Context, st jsonrpc2.Stream) {
	s.conn = jsonrpc2.NewConn(st)
	s.client = lsp.ClientDispatcher(s.conn, zap.NewNop())
	standard := lsp.ServerHandler(lspServer{s: s}, jsonrpc2.MethodNotFoundHandler)
	s.conn.Go(ctx, lsp.CancelHandler(jsonrpc2.AsyncHandler(s.recoverHandler(s.dispatch(standard)))))
}

// close stops the workspace's background work.
func (s *Server) close() {
	s.mu.Lock()
	ws := s.ws
	s.mu.Unlock()
	if ws != nil {
		ws.close()
	}
}

// notify sends a notification to the editor, logging failures: a client
// that went away must not take a turn down with it.
func (s *Server) notify(ctx context.Context, method string, params any) {
	if err := s.conn.Notify(context.WithoutCancel(ctx), method, params); err != nil {
		s.log.Debug("notify failed", "method", method, "error", err)
	}
}

// workspace returns the open workspace, or an error a client can act on.
func (s *Server) workspace() (*workspace, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ws == nil {
		return nil, jsonrpc2.Errorf(codeServerNotInitialized, "the server is not initialized yet")
	}
	return s.ws, nil
}

// currentSettings returns the settings in force.
func (s *Server) currentSettings() settings.Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}
