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
	"github.com/hearth-dev/hearth/snapshot"
)

// workspace is the open folder and the engines working on it, created at
// initialize.
type workspace struct {
	s        *Server
	root     string // absolute; empty when the editor opened no folder
	stateDir string
	journal  *journal.Journal
	agent    *agentHost
	monitor  *monitor
	sessions *sessionLog

	mu              sync.Mutex       // guards the fields below
	settingsProblem string           // why the latest settings were not applied
	lastStatus      *protocol.Status // the status last pushed
	store           *snapshot.Store  // opened on first use
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
	w := &workspace{s: s, root: root, stateDir: dir, journal: j}
	w.agent = newAgentHost(w)
	w.monitor = newMonitor(w)
	w.sessions = newSessionLog(w)
	return w, nil
}

// start begins background work (status polling) for the connection's life.
func (w *workspace) start(ctx context.Context) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	w.mu.Lock()
	w.cancel = cancel
	w.mu.Unlock()
	go w.monitor.run(ctx)
}

func (w *workspace) close() {
	w.mu.Lock()
	cancel, store := w.cancel, w.store
	w.cancel, w.store = nil, nil
	w.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	w.agent.close()
	w.monitor.close()
	if store != nil {
		store.Close()
	}
	w.journal.Close()
}

func (w *workspace) setProblem(msg string) {
	w.mu.Lock()
	w.settingsProblem = msg
	w.mu.Unlock()
}

// snapshots opens the snapshot store on first use.
func (w *workspace) snapshots() (*snapshot.Store, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.store != nil {
		return w.store, nil
	}
	if w.root == "" {
		return nil, fmt.Errorf("no workspace folder is open, so there is nothing to snapshot")
	}
	cfg := w.s.currentSettings()
	st, err := snapshot.Open(w.stateDir, w.root, snapshot.Options{
		MaxFileBytes:  cfg.Snapshots.MaxFileBytes,
		KeepSessions:  cfg.Snapshots.KeepSessions,
		MaxStoreBytes: cfg.Snapshots.MaxStoreBytes,
	})
	if err != nil {
		return nil, err
	}
	w.store = st
	return st, nil
}

// applySettings hands new settings to the engines: the policy applies at
// once; a new model or context size gives the next turn a new engine.
func (w *workspace) applySettings(old, cfg settings.Settings) {
	if e := w.agent.current(); e != nil {
		if err := e.SetAutoApprove(cfg.AutoApprove); err != nil {
			w.setProblem(fmt.Sprintf("auto-approve policy not applied: %v", err))
		}
	}
	if old.Models != cfg.Models || old.Model != cfg.Model || old.Ollama != cfg.Ollama || old.VRAM != cfg.VRAM || old.Commands != cfg.Commands {
		w.agent.reset()
	}
	w.monitor.poke()
}
