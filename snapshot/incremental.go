package snapshot

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync/atomic"
	"time"
)

// fullWalkEvery bounds how long the store trusts its watcher alone: changes
// inotify cannot see (writes through a shared mmap, a network filesystem)
// are picked up by the next full walk at the latest.
const fullWalkEvery = 10 * time.Minute

// fullWalks counts the snapshots that stated every file, for tests.
var fullWalks atomic.Int64

// errWalkAll says the watcher cannot vouch for the workspace.
var errWalkAll = errors.New("full walk needed")

// scanWorkspace returns the entries of a full snapshot: from the watcher's
// dirty directories when it has followed the workspace since the cached
// manifest, else from a walk of everything, which (re)starts the watcher.
// The caller holds the lock.
func (s *Store) scanWorkspace(ctx context.Context) ([]entry, error) {
	prev := s.loadCache()
	if s.watch != nil && s.cache != nil && s.watchBase == s.cache.info.ID && time.Since(s.lastWalk) < fullWalkEvery {
		if dirty, files, ok := s.watch.drain(); ok {
			entries, err := s.scanDirty(ctx, dirty, files, prev)
			if err == nil || !errors.Is(err, errWalkAll) {
				return entries, err
			}
		}
	}
	if s.watch != nil {
		s.watch.close()
	}
	s.watch, s.watchBase = nil, ""
	if !s.noWatch {
		s.watch = newWatcher()
	}
	s.lastWalk = time.Now()
	fullWalks.Add(1)
	return s.scanAll(ctx, prev, true, s.watch)
}

// scanDirty re-lists the dirty directories (descending only into new
// subdirectories), states the files changed in place, and keeps every other
// entry of prev as it was.
func (s *Store) scanDirty(ctx context.Context, dirty, files []string, prev []entry) ([]entry, error) {
	dirtySet := map[string]bool{}
	for _, d := range dirty {
		dirtySet[d] = true
	}
	kept := map[string]bool{} // subdirectories of dirty ones still watched
	var cands []cand
	for _, f := range files {
		dir := parentRel(f)
		if dirtySet[dir] {
			continue // the re-listing states it
		}
		// A path the previous snapshot recorded is not ignored (the rules
		// have not changed, or the watcher would have given up); any other,
		// or one that is no longer a file, is left to a re-listing.
		i := sort.Search(len(prev), func(i int) bool { return prev[i].path >= f })
		if i < len(prev) && prev[i].path == f && prev[i].kind != kindAbsent {
			if fi, err := os.Lstat(filepath.Join(s.root, filepath.FromSlash(f))); err == nil &&
				(fi.Mode().IsRegular() || fi.Mode()&fs.ModeSymlink != 0) {
				cands = append(cands, cand{rel: f, st: fileStatOf(fi)})
				continue
			}
		}
		dirtySet[dir] = true
		dirty = append(dirty, dir)
	}
	for _, d := range dirty {
		fi, err := os.Lstat(filepath.Join(s.root, filepath.FromSlash(d)))
		if err != nil || !fi.IsDir() {
			continue // gone: its parent is dirty too, and drops it
		}
		ign, ok := s.watch.ancestors(d)
		if !ok {
			return nil, errWalkAll
		}
		w := newWalker(ctx, s.root)
		w.watch, w.shallow = s.watch, true
		node := &dirNode{}
		w.fill(node, d, ign)
		w.wg.Wait()
		if w.err != nil {
			return nil, w.err
		}
		if len(w.bad) > 0 {
			return nil, errWalkAll
		}
		node.flatten(&cands)
		for _, k := range w.kept {
			kept[k] = true
		}
	}
	// A directory deleted and recreated is dirty itself and new to its dirty
	// parent, so both listings hold its files.
	sort.Slice(cands, func(i, j int) bool { return cands[i].rel < cands[j].rel })
	cands = slices.CompactFunc(cands, func(a, b cand) bool { return a.rel == b.rel })
	h := hasher{s: s, store: true, now: time.Now()}
	fresh, err := h.entries(ctx, cands, prev)
	if err != nil {
		return nil, err
	}
	// Keep an old entry unless a dirty directory on its path re-listed it:
	// its own directory, or one above whose child on the path is no longer a
	// watched subdirectory (deleted, replaced, or walked afresh).
	old := prev
	if len(dirtySet) > 0 {
		old = make([]entry, 0, len(prev))
		for i := range prev {
			if keepEntry(prev[i].path, dirtySet, kept) {
				old = append(old, prev[i])
			}
		}
	}
	return mergeEntries(old, fresh), nil
}

func keepEntry(p string, dirty, kept map[string]bool) bool {
	child := p
	for dir := parentRel(p); ; dir = parentRel(dir) {
		if dirty[dir] && (child == p || !kept[child]) {
			return false
		}
		if dir == "" {
			return true
		}
		child = dir
	}
}

// mergeEntries merges two path-sorted lists; on a tie b wins. b is usually
// a few changed entries and a the whole workspace, so each entry of b finds
// its place by binary search and the runs of a between are copied whole.
func mergeEntries(a, b []entry) []entry {
	out := make([]entry, 0, len(a)+len(b))
	for k := range b {
		p := b[k].path
		i := sort.Search(len(a), func(i int) bool { return a[i].path >= p })
		out = append(out, a[:i]...)
		a = a[i:]
		if len(a) > 0 && a[0].path == p {
			a = a[1:]
		}
		out = append(out, b[k])
	}
	return append(out, a...)
}
