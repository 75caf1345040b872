package snapshot

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hearth-dev/hearth/internal/atomicfile"
)

// RestoreResult says what a restore changed and how to undo it.
type RestoreResult struct {
	// Restored lists the paths written back (content, mode or link).
	Restored []string
	// Deleted lists the paths removed because the snapshot did not have them.
	Deleted []string
	// SafetyID is the snapshot of the state the restore replaced.
	SafetyID string
}

// keepInMemory bounds the verified contents held between the check and the
// writes of a restore; beyond it they are read (and verified) again.
const keepInMemory = 256 << 20

// Restore brings the workspace back to snapshot id, whole (paths empty) or
// for the chosen paths and the directories under them. Within the scope,
// changed files are written back atomically with their modes, deleted ones
// recreated, and files created since deleted; ignored files and .git are
// never touched. A whole restore of an edit checkpoint concerns only the
// files it recorded. Before anything is written, the current state of the
// same scope is snapshotted (its id is returned, so the restore can be
// undone) and every object needed is verified: a corrupt one is an error
// naming the file, and then nothing has been written.
func (s *Store) Restore(ctx context.Context, id string, paths []string) (RestoreResult, error) {
	var res RestoreResult
	full, err := s.resolve(id)
	if err != nil {
		return res, err
	}
	var rels []string
	if len(paths) > 0 {
		if rels, err = s.cleanPaths(paths); err != nil {
			return res, err
		}
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return res, err
	}
	defer unlock()
	target, err := s.loadManifest(full)
	if err != nil {
		return res, err
	}
	scope := target.info.Scope
	if rels != nil {
		if scope, err = narrowScope(target, rels); err != nil {
			return res, err
		}
	}
	entries, _, err := s.capture(ctx, scope, s.loadCache(), true)
	if err != nil {
		return res, err
	}
	cur := &manifest{entries: entries}
	p := planRestore(target, cur, scope)
	// Whatever is about to be overwritten or deleted must be in the safety
	// snapshot, even a file it would otherwise skip (too big, or ignored now
	// but not when the target was taken).
	if err := s.preserve(cur, p); err != nil {
		return res, err
	}
	safety, err := s.commit(KindRestore, Meta{Label: "before restore to " + full}, scope, cur.entries)
	if err != nil {
		return res, err
	}
	res.SafetyID = safety.ID
	data, err := s.verifyAll(p.writes)
	if err != nil {
		return res, err
	}
	if err := ctxErr(ctx); err != nil {
		return res, err
	}
	return s.apply(target, p, data, res)
}

// narrowScope intersects the snapshot's scope with the chosen paths.
func narrowScope(m *manifest, rels []string) ([]string, error) {
	var scope []string
	for _, r := range rels {
		if covers(m.info.Scope, r) {
			scope = append(scope, r)
			continue
		}
		n := len(scope)
		for _, sc := range m.info.Scope {
			if covers([]string{r}, sc) {
				scope = append(scope, sc)
			}
		}
		if len(scope) == n {
			return nil, fmt.Errorf("snapshot: %s does not record %s", m.info.ID, r)
		}
	}
	return scope, nil
}

// restorePlan is what a restore will do.
type restorePlan struct {
	writes  []*entry // target entries to write (files and links)
	chmods  []*entry // target entries whose content is right but mode is not
	deletes []string // current paths the target does not have
}

func planRestore(target, cur *manifest, scope []string) restorePlan {
	var p restorePlan
	for i := range target.entries {
		t := &target.entries[i]
		if !covers(scope, t.path) {
			continue
		}
		c := cur.find(t.path)
		switch t.kind {
		case kindAbsent:
			if c != nil && c.kind != kindAbsent {
				p.deletes = append(p.deletes, t.path)
			}
		case kindFile:
			switch {
			case c == nil || c.kind != kindFile || c.hash != t.hash:
				p.writes = append(p.writes, t)
			case c.mode != t.mode:
				p.chmods = append(p.chmods, t)
			}
		case kindLink:
			if c == nil || c.kind != kindLink || c.link != t.link {
				p.writes = append(p.writes, t)
			}
		}
	}
	for i := range cur.entries {
		c := &cur.entries[i]
		// An unreadable directory (recorded as skipped) is left alone.
		if c.kind == kindAbsent || c.mode&fs.ModeDir != 0 || !covers(scope, c.path) || target.find(c.path) != nil {
			continue
		}
		p.deletes = append(p.deletes, c.path)
	}
	return p
}

// preserve stores, without the size limit, every file the plan overwrites or
// deletes whose content the current scan did not store, and records it in cur.
func (s *Store) preserve(cur *manifest, p restorePlan) error {
	paths := append([]string(nil), p.deletes...)
	for _, w := range p.writes {
		paths = append(paths, w.path)
	}
	added := false
	for _, rel := range paths {
		c := cur.find(rel)
		if c != nil && c.kind != kindSkipped && c.kind != kindAbsent {
			continue
		}
		fullPath := filepath.Join(s.root, filepath.FromSlash(rel))
		fi, err := os.Lstat(fullPath)
		if err != nil || !fi.Mode().IsRegular() {
			continue // absent, or a directory handled when writing
		}
		data, err := readNoFollow(fullPath, fi.Size())
		if err != nil {
			return fmt.Errorf("snapshot: cannot save %s before overwriting it: %w", rel, err)
		}
		e := entry{path: rel, kind: kindFile, mode: fi.Mode().Perm(), size: int64(len(data)), hash: sha256.Sum256(data)}
		if err := s.putObject(e.hash, data); err != nil {
			return err
		}
		if c != nil {
			*c = e
		} else {
			cur.entries = append(cur.entries, e)
			added = true
		}
	}
	if added {
		sort.Slice(cur.entries, func(i, j int) bool { return cur.entries[i].path < cur.entries[j].path })
	}
	return nil
}

// verifyAll reads and verifies every object the writes need, before any is
// written, and keeps what fits in memory.
func (s *Store) verifyAll(writes []*entry) (map[hash][]byte, error) {
	data := map[hash][]byte{}
	var held int64
	for _, w := range writes {
		if w.kind != kindFile {
			continue
		}
		if _, ok := data[w.hash]; ok {
			continue
		}
		b, err := s.readObject(w.hash, w.path)
		if err != nil {
			return nil, err
		}
		if held+int64(len(b)) <= keepInMemory {
			data[w.hash] = b
			held += int64(len(b))
		}
	}
	return data, nil
}

func (s *Store) apply(target *manifest, p restorePlan, data map[hash][]byte, res RestoreResult) (RestoreResult, error) {
	// Deepest first, so that a directory's files go before the directory.
	sort.Sort(sort.Reverse(sort.StringSlice(p.deletes)))
	for _, rel := range p.deletes {
		if err := os.Remove(s.abs(rel)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return res, fmt.Errorf("snapshot: deleting %s: %w", rel, err)
		}
		res.Deleted = append(res.Deleted, rel)
		s.removeEmptyParents(target, rel)
	}
	for _, w := range p.writes {
		if err := s.writeEntry(w, data); err != nil {
			return res, err
		}
		res.Restored = append(res.Restored, w.path)
	}
	for _, c := range p.chmods {
		if err := os.Chmod(s.abs(c.path), c.mode); err != nil {
			return res, fmt.Errorf("snapshot: restoring the mode of %s: %w", c.path, err)
		}
		res.Restored = append(res.Restored, c.path)
	}
	sort.Strings(res.Deleted)
	sort.Strings(res.Restored)
	return res, nil
}

func (s *Store) abs(rel string) string { return filepath.Join(s.root, filepath.FromSlash(rel)) }

// removeEmptyParents removes directories that a deletion left empty, unless
// the target snapshot has files in them.
func (s *Store) removeEmptyParents(target *manifest, rel string) {
	for dir := parentRel(rel); dir != ""; dir = parentRel(dir) {
		if target.hasUnder(dir) {
			return
		}
		if os.Remove(s.abs(dir)) != nil {
			return // not empty: it holds ignored or other files
		}
	}
}

func parentRel(rel string) string {
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return rel[:i]
	}
	return ""
}

// hasUnder reports whether the manifest holds an existing file under dir.
func (m *manifest) hasUnder(dir string) bool {
	prefix := dir + "/"
	i := sort.Search(len(m.entries), func(i int) bool { return m.entries[i].path >= prefix })
	for ; i < len(m.entries) && strings.HasPrefix(m.entries[i].path, prefix); i++ {
		if m.entries[i].kind != kindAbsent {
			return true
		}
	}
	return false
}

// writeEntry writes one file or symlink back, creating its parents. Every
// parent must be a real directory inside the workspace: a symlink in the way
// is never followed.
func (s *Store) writeEntry(e *entry, data map[hash][]byte) error {
	if err := s.mkdirParents(e.path); err != nil {
		return err
	}
	p := s.abs(e.path)
	if fi, err := os.Lstat(p); err == nil && fi.IsDir() {
		// A directory where the file was: only an empty one may go.
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("snapshot: cannot restore %s: a directory is in the way", e.path)
		}
	}
	if e.kind == kindLink {
		var b [6]byte
		rand.Read(b[:])
		tmp := filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".hearth-tmp-"+hex.EncodeToString(b[:]))
		if err := os.Symlink(e.link, tmp); err != nil {
			return fmt.Errorf("snapshot: restoring link %s: %w", e.path, err)
		}
		if err := os.Rename(tmp, p); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("snapshot: restoring link %s: %w", e.path, err)
		}
		return nil
	}
	b, ok := data[e.hash]
	if !ok {
		var err error
		if b, err = s.readObject(e.hash, e.path); err != nil {
			return err
		}
	}
	mode := e.mode
	if mode == 0 {
		mode = 0o600 // atomicfile reads 0 as "keep the old mode"
	}
	if err := atomicfile.WriteFile(p, b, mode); err != nil {
		return fmt.Errorf("snapshot: restoring %s: %w", e.path, err)
	}
	if e.mode == 0 {
		return os.Chmod(p, 0)
	}
	return nil
}

// mkdirParents creates the missing parents of rel, refusing to go through
// anything that is not a real directory.
func (s *Store) mkdirParents(rel string) error {
	dir := s.root
	parts := strings.Split(rel, "/")
	for _, part := range parts[:len(parts)-1] {
		dir = filepath.Join(dir, part)
		fi, err := os.Lstat(dir)
		switch {
		case errors.Is(err, os.ErrNotExist):
			if err := os.Mkdir(dir, 0o755); err != nil {
				return fmt.Errorf("snapshot: restoring %s: %w", rel, err)
			}
		case err != nil:
			return fmt.Errorf("snapshot: restoring %s: %w", rel, err)
		case !fi.IsDir():
			return fmt.Errorf("snapshot: cannot restore %s: %s is not a directory", rel, dir)
		}
	}
	return nil
}

// checkParents refuses a path whose parents include a symlink, which could
// lead a read or a write out of the workspace.
func (s *Store) checkParents(rel string) error {
	dir := s.root
	parts := strings.Split(rel, "/")
	for _, part := range parts[:len(parts)-1] {
		dir = filepath.Join(dir, part)
		fi, err := os.Lstat(dir)
		if err != nil {
			return nil // missing parents are created, not followed
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("snapshot: path %s goes through the symlink %s", rel, dir)
		}
	}
	return nil
}
