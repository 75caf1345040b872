package snapshot

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// PruneResult says what Prune removed.
type PruneResult struct {
	// Removed lists the snapshots deleted, unreadable manifests included.
	Removed []string
	// Objects and BytesFreed count the contents no snapshot referenced.
	Objects    int
	BytesFreed int64
	// StoreBytes is the size of the kept objects and manifests.
	StoreBytes int64
}

// Prune keeps the snapshots of the KeepSessions most recent sessions (a
// snapshot without a session counts as a session of its own), then drops the
// oldest until the store fits MaxStoreBytes (never the newest snapshot, nor
// the newest whole-workspace one, which incremental scans build on; a kept
// delta manifest whose base goes is first rewritten whole), then
// removes every object no remaining manifest references. Manifests go first,
// so a process killed midway leaves stray objects, never a snapshot missing
// its contents.
func (s *Store) Prune(ctx context.Context) (PruneResult, error) {
	var res PruneResult
	unlock, err := s.lock(ctx)
	if err != nil {
		return res, err
	}
	defer unlock()
	ids, err := s.listIDs()
	if err != nil {
		return res, err
	}
	type snap struct {
		m    *manifest
		size int64
	}
	var snaps []snap
	// Deltas share their bases: each manifest is read once.
	memo := map[string]*manifest{}
	for _, id := range ids {
		m, err := s.loadChain(id, memo, 0)
		if err != nil {
			// A manifest that cannot be read can never be restored.
			if os.Remove(s.manifestPath(id)) == nil {
				res.Removed = append(res.Removed, id)
			}
			continue
		}
		var size int64
		if fi, err := os.Stat(s.manifestPath(id)); err == nil {
			size = fi.Size()
		}
		snaps = append(snaps, snap{m, size})
	}
	infos := make([]Info, len(snaps))
	byID := map[string]snap{}
	for i, sn := range snaps {
		infos[i] = sn.m.info
		byID[sn.m.info.ID] = sn
	}
	sortInfos(infos)

	// The newest whole-workspace snapshot is always kept: its stat data is
	// what lets the next full snapshot skip unchanged files.
	s.flushLastFull()
	lastFull := ""
	if b, err := os.ReadFile(filepath.Join(s.dir, "lastfull")); err == nil {
		lastFull = strings.TrimSpace(string(b))
	}
	// Sessions, newest first; keep the first KeepSessions.
	sessions := map[string]bool{}
	dropped := map[string]bool{}
	for _, info := range infos {
		key := info.SessionID
		if key == "" {
			key = "\x00" + info.ID
		}
		if !sessions[key] && s.opt.KeepSessions > 0 && len(sessions) >= s.opt.KeepSessions {
			if info.ID != lastFull {
				dropped[info.ID] = true
			}
		} else {
			sessions[key] = true
		}
	}
	var kept []snap
	var drop []string
	for _, info := range infos {
		if dropped[info.ID] {
			drop = append(drop, info.ID)
		} else {
			kept = append(kept, byID[info.ID])
		}
	}
	// A delta is read through its base: before a base goes, the kept
	// deltas on it are rewritten whole (under the same id, atomically), so
	// that a process killed midway leaves every kept snapshot readable.
	for i := range kept {
		if b := kept[i].m.base; b != "" && dropped[b] {
			if err := s.rewriteWhole(&kept[i].size, kept[i].m); err != nil {
				return res, err
			}
		}
	}

	refs := map[hash]int{}
	objSize := map[hash]int64{}
	var total int64
	for _, sn := range kept {
		total += sn.size
		for _, e := range sn.m.entries {
			if e.kind != kindFile {
				continue
			}
			if refs[e.hash] == 0 {
				if _, ok := objSize[e.hash]; !ok {
					objSize[e.hash] = max(s.objectSize(e.hash), 0)
				}
				total += objSize[e.hash]
			}
			refs[e.hash]++
		}
	}
	for s.opt.MaxStoreBytes >= 0 && total > s.opt.MaxStoreBytes && len(kept) > 1 {
		// The oldest that is neither the newest, nor the base of
		// incremental scans, nor the base of a kept delta.
		i := len(kept) - 1
		if kept[i].m.info.ID == lastFull {
			if i == 1 {
				break // only the newest and the base of incremental scans are left
			}
			i--
		}
		old := kept[i]
		kept = append(kept[:i], kept[i+1:]...)
		for k := range kept {
			if kept[k].m.base == old.m.info.ID {
				was := kept[k].size
				if err := s.rewriteWhole(&kept[k].size, kept[k].m); err != nil {
					return res, err
				}
				total += kept[k].size - was
			}
		}
		drop = append(drop, old.m.info.ID)
		total -= old.size
		for _, e := range old.m.entries {
			if e.kind != kindFile {
				continue
			}
			if refs[e.hash]--; refs[e.hash] == 0 {
				total -= objSize[e.hash]
				delete(refs, e.hash)
			}
		}
	}
	for _, id := range drop {
		if err := os.Remove(s.manifestPath(id)); err != nil && !os.IsNotExist(err) {
			return res, err
		}
		res.Removed = append(res.Removed, id)
	}
	res.StoreBytes = total
	n, freed, err := s.collectGarbage(refs)
	res.Objects, res.BytesFreed = n, freed
	if err != nil {
		return res, err
	}
	n, freed, err = s.prunePacks(refs)
	res.Objects += n
	res.BytesFreed += freed
	return res, err
}

// collectGarbage deletes the objects that are not in live.
func (s *Store) collectGarbage(live map[hash]int) (int, int64, error) {
	objDir := filepath.Join(s.dir, "objects")
	fans, err := os.ReadDir(objDir)
	if err != nil {
		return 0, 0, err
	}
	var n int
	var freed int64
	for _, fan := range fans {
		if fan.Name() == "pack" {
			continue
		}
		dir := filepath.Join(objDir, fan.Name())
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			var h hash
			b, err := hex.DecodeString(fan.Name() + e.Name())
			if err == nil && len(b) == len(h) {
				copy(h[:], b)
				if live[h] > 0 {
					continue
				}
			}
			var size int64
			if fi, err := e.Info(); err == nil {
				size = fi.Size()
			}
			if os.Remove(filepath.Join(dir, e.Name())) == nil {
				n++
				freed += size
			}
		}
	}
	return n, freed, nil
}

// rewriteWhole replaces the delta manifest of m by a whole one, with the
// same id and content, and sets *size to its size. The caller holds the lock.
func (s *Store) rewriteWhole(size *int64, m *manifest) error {
	m.base, m.depth = "", 0
	data := frameManifest(manifestMagic, &m.info, encodeBody(m.entries))
	if err := s.writeStateFile(s.manifestPath(m.info.ID), data); err != nil {
		return fmt.Errorf("snapshot: rewriting manifest of %s: %w", m.info.ID, err)
	}
	if s.cache != nil && s.cache.info.ID == m.info.ID {
		s.cache.base, s.cache.depth = "", 0
	}
	*size = int64(len(data))
	return nil
}
