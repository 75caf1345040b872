package snapshot

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Checkpoint records the pre-image of the given workspace-relative paths,
// before an agent edit: its cost depends on those paths only, never on the
// size of the workspace. A path that does not exist yet is recorded as
// absent, so that restoring deletes it; a directory is recorded whole, minus
// what is ignored. Paths are recorded even when ignored, since the agent is
// about to change them.
func (s *Store) Checkpoint(ctx context.Context, paths []string, m Meta) (Info, error) {
	if len(paths) == 0 {
		return Info{}, errors.New("snapshot: checkpoint of no paths")
	}
	rels, err := s.cleanPaths(paths)
	if err != nil {
		return Info{}, err
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return Info{}, err
	}
	defer unlock()
	entries, scope, err := s.capture(ctx, rels, nil, true)
	if err != nil {
		return Info{}, err
	}
	return s.commit(KindEdit, m, scope, entries)
}

// Full records every file of the workspace that is not ignored, before a
// command that may touch anything. Only files whose size, mtime, ctime or
// inode changed since the last full snapshot are read; on Linux, once a Store
// has walked the workspace, it follows it with inotify and later snapshots
// re-list only the directories where something changed.
func (s *Store) Full(ctx context.Context, m Meta) (Info, error) {
	unlock, err := s.lock(ctx)
	if err != nil {
		return Info{}, err
	}
	defer unlock()
	entries, err := s.scanWorkspace(ctx)
	if err != nil {
		return Info{}, err
	}
	info, err := s.commit(KindFull, m, []string{""}, entries)
	if err == nil && s.watch != nil {
		s.watchBase = info.ID
	}
	return info, err
}

// commit writes the manifest of a snapshot whose objects are stored. The
// caller holds the lock.
func (s *Store) commit(kind Kind, m Meta, scope []string, entries []entry) (Info, error) {
	now := s.opt.Now()
	id, err := s.newID(now)
	if err != nil {
		return Info{}, err
	}
	man := &manifest{
		info: Info{ID: id, CreatedAt: now, Label: m.Label, SessionID: m.SessionID,
			Kind: kind, Scope: scope},
		entries: entries,
	}
	man.summarize()
	if err := s.writeManifest(man); err != nil {
		return Info{}, err
	}
	if len(scope) == 1 && scope[0] == "" {
		s.cache = man
		s.lastFullPending = id
		// The pointer is only a hint for other Stores (a stale one makes
		// them read more, never wrongly), so a burst of snapshots writes it
		// once; Close and Prune write what is pending.
		if time.Since(s.lastFullWritten) > lastFullEvery {
			s.flushLastFull()
		}
	}
	return man.info, nil
}

// lastFullEvery spaces out the writes of the lastfull pointer.
const lastFullEvery = 5 * time.Second

// flushLastFull writes the pending lastfull pointer. The caller holds mu.
func (s *Store) flushLastFull() {
	if s.lastFullPending == "" {
		return
	}
	if s.writeStateFile(filepath.Join(s.dir, "lastfull"), []byte(s.lastFullPending)) == nil {
		s.lastFullPending = ""
		s.lastFullWritten = time.Now()
	}
}

// loadCache returns the entries of the newest full-scope snapshot, kept in
// memory between calls while no other process has made a newer one. The
// caller holds the lock.
func (s *Store) loadCache() []entry {
	if s.lastFullPending != "" && s.cache != nil && s.cache.info.ID == s.lastFullPending {
		if _, err := os.Lstat(s.manifestPath(s.cache.info.ID)); err == nil {
			return s.cache.entries
		}
		s.lastFullPending = ""
	}
	data, err := os.ReadFile(filepath.Join(s.dir, "lastfull"))
	if err != nil {
		s.cache = nil
		return nil
	}
	id := strings.TrimSpace(string(data))
	// The manifest must still exist: its objects are kept only while it does.
	if _, err := os.Lstat(s.manifestPath(id)); err != nil {
		s.cache = nil
		return nil
	}
	if s.cache != nil && s.cache.info.ID == id {
		return s.cache.entries
	}
	m, err := s.loadManifest(id)
	if err != nil {
		s.cache = nil
		return nil
	}
	s.cache = m
	return m.entries
}
