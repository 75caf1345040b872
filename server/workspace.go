package server

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/hearth-dev/hearth/internal/journal"
	"github.com/hearth-dev/hearth/internal/statedir"
	"github.com/hearth-dev/hearth/protocol"
	"github.com/hearth-dev/hearth/settings"
)

// workspace is the open folder and the engines working on it, created at
// initialize.
type workspace struct {
	s        *Server
	root     string // absolute; empty when the editor opened no folder
	stateDir string
	journal  *journal.Journal

	mu              sync.Mutex       // guards the fields below
	settingsProblem string           // why the latest settings were not applied
	lastStatus      *protocol.Status // the status last pushed
	cancel          context.CancelFunc
}

func openWorkspace(ctx context.Context, s *Server, root, explicitStateDir string, cfg settings.Settings) (*workspace, error) {
	dir, err := statedir.Resolve(explicitStateDir, root, s.opts.Getenv)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	j, err := journal.Open(dir)
	if err != nil {
		return nil, err
	}
	return &workspace{s: s, root: root, stateDir: dir, journal: j}, nil
}

// start begins background work (status polling) for the connection's life.
func (w *workspace) start(ctx context.Context) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w.mu.Lock()
	w.cancel = cancel
	w.mu.Unlock()
	_ = ctx
}

func (w *workspace) close() {
	w.mu.Lock()
	cancel := w.cancel
	w.cancel = nil
	w.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	w.journal.Close()
}

func (w *workspace) setProblem(msg string) {
	w.mu.Lock()
	w.settingsProblem = msg
	w.mu.Unlock()
}

func (w *workspace) applySettings(cfg settings.Settings) {}

// fillStatus adds the engines' part of the status.
func (w *workspace) fillStatus(st *protocol.Status) {}
