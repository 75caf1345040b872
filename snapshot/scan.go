package snapshot

import (
	"github.com/hearth-dev/hearth/internal/gitignore"

	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// filesRead counts the files scans have read, so that tests can check an
// incremental snapshot reads only what changed.
var filesRead atomic.Int64

// racyWindow: a file modified this close to a scan may change again within
// the same mtime tick, so its stat is not trusted by the next scan.
const racyWindow = 2 * time.Second

// cand is a file or symlink the walk found.
type cand struct {
	rel string
	st  fileStat
}

// fileStat is what a scan needs of an lstat.
type fileStat struct {
	mode  fs.FileMode
	size  int64
	mtime int64
	ctime int64
	ino   uint64
}

// dirNode holds a directory's walk results in path order; subdirectories are
// filled by other goroutines and flattened once the walk is over.
type dirNode struct {
	items []dirItem
}

type dirItem struct {
	key string // name, or name+"/" for a directory: sorting by it gives path order
	c   cand
	sub *dirNode
}

// walker lists the files of a subtree in parallel, honouring ignore files.
type walker struct {
	root string
	ctx  context.Context
	sem  chan struct{} // bounds the goroutines walking subdirectories
	wg   sync.WaitGroup
	mu   sync.Mutex
	err  error    // the first hard error; guarded by mu
	bad  []string // unreadable directories, recorded as skipped; guarded by mu
	// watch, when set, gets every directory before it is listed. With
	// shallow, a subdirectory it already watches is not descended into but
	// noted in kept (guarded by mu).
	watch   *watcher
	shallow bool
	kept    []string
}

func newWalker(ctx context.Context, root string) *walker {
	return &walker{root: root, ctx: ctx, sem: make(chan struct{}, 2*runtime.GOMAXPROCS(0))}
}

// walk returns the files under rel (workspace-relative, "" for the root) in
// path order. ign holds the ignore files of rel's ancestors.
func (w *walker) walk(rel string, ign *gitignore.Stack) ([]cand, error) {
	node := &dirNode{}
	w.fill(node, rel, ign)
	w.wg.Wait()
	if w.err != nil {
		return nil, w.err
	}
	var out []cand
	node.flatten(&out)
	return out, nil
}

func (n *dirNode) flatten(out *[]cand) {
	for i := range n.items {
		if it := &n.items[i]; it.sub != nil {
			it.sub.flatten(out)
		} else {
			*out = append(*out, it.c)
		}
	}
}

func (w *walker) fail(err error) {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.mu.Unlock()
}

func (w *walker) fill(node *dirNode, rel string, ign *gitignore.Stack) {
	if err := ctxErr(w.ctx); err != nil {
		w.fail(err)
		return
	}
	full := filepath.Join(w.root, filepath.FromSlash(rel))
	if w.watch != nil {
		w.watch.add(full, rel, ign)
	}
	dir, err := os.Open(full)
	var ents []fs.DirEntry
	if err == nil {
		defer dir.Close()
		ents, err = dir.ReadDir(-1)
	}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return // removed while we walked
		}
		w.mu.Lock()
		w.bad = append(w.bad, rel)
		w.mu.Unlock()
		return
	}
	ign = readIgnores(full, rel, ents, ign)
	for _, e := range ents {
		name := e.Name()
		if skipName(name) {
			continue
		}
		crel := joinRel(rel, name)
		t := e.Type()
		switch {
		case t.IsDir():
			if ign.Ignored(crel, name, true) {
				continue
			}
			if w.shallow && w.watch.known(crel) {
				w.mu.Lock()
				w.kept = append(w.kept, crel)
				w.mu.Unlock()
				continue
			}
			sub := &dirNode{}
			node.items = append(node.items, dirItem{key: name + "/", sub: sub})
			select {
			case w.sem <- struct{}{}:
				w.wg.Add(1)
				go func() {
					defer w.wg.Done()
					w.fill(sub, crel, ign)
					<-w.sem
				}()
			default:
				w.fill(sub, crel, ign)
			}
		case t.IsRegular() || t&fs.ModeSymlink != 0:
			if ign.Ignored(crel, name, false) {
				continue
			}
			st, err := lstatIn(dir, full, name)
			if err != nil {
				continue // removed while we walked
			}
			node.items = append(node.items, dirItem{key: name, c: cand{rel: crel, st: st}})
		}
		// Sockets, pipes and devices are not workspace content.
	}
	sort.Slice(node.items, func(i, j int) bool { return node.items[i].key < node.items[j].key })
}

// skipName is true for what is never workspace content: git's folders (and
// the .git files of worktrees and submodules), and atomicfile's temporary
// files, which only a killed writer leaves behind.
func skipName(name string) bool {
	return name == ".git" || strings.Contains(name, ".hearth-tmp-")
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// readIgnores pushes the directory's .gitignore and then .hearthignore, so
// that Hearth's own rules win over git's in the same directory.
func readIgnores(full, rel string, ents []fs.DirEntry, ign *gitignore.Stack) *gitignore.Stack {
	for _, name := range [...]string{".gitignore", ".hearthignore"} {
		for _, e := range ents {
			if e.Name() == name && !e.IsDir() {
				if data, err := os.ReadFile(filepath.Join(full, name)); err == nil {
					ign = ign.Push(gitignore.Parse(rel, data))
				}
			}
		}
	}
	return ign
}

// ancestorIgnores reads the ignore files of the directories above rel, for a
// walk that starts below the workspace root.
func (s *Store) ancestorIgnores(rel string) *gitignore.Stack {
	if rel == "" {
		return nil
	}
	var ign *gitignore.Stack
	dir := ""
	for _, part := range strings.Split(rel, "/") {
		full := filepath.Join(s.root, filepath.FromSlash(dir))
		for _, name := range [...]string{".gitignore", ".hearthignore"} {
			if data, err := os.ReadFile(filepath.Join(full, name)); err == nil {
				ign = ign.Push(gitignore.Parse(dir, data))
			}
		}
		dir = joinRel(dir, part)
	}
	return ign
}

// hasher turns walk results into entries, reading only files whose stat
// differs from the previous full snapshot's record (prev, sorted by path).
type hasher struct {
	s     *Store
	store bool // write the contents to the object store
	now   time.Time
	pack  *packWriter // set while a large batch of contents goes to one pack
}

func (h *hasher) entries(ctx context.Context, cands []cand, prev []entry) ([]entry, error) {
	out := make([]entry, len(cands))
	var todo []int
	j := 0
	for i, c := range cands {
		e := &out[i]
		e.path = c.rel
		e.mode = c.st.mode.Perm()
		e.size = c.st.size
		for j < len(prev) && prev[j].path < c.rel {
			j++
		}
		var old *entry
		if j < len(prev) && prev[j].path == c.rel {
			old = &prev[j]
		}
		if c.st.mode&fs.ModeSymlink != 0 {
			target, err := os.Readlink(filepath.Join(h.s.root, filepath.FromSlash(c.rel)))
			if err != nil {
				e.kind = 0 // vanished
				continue
			}
			e.kind, e.link, e.size = kindLink, target, int64(len(target))
			continue
		}
		if h.s.opt.MaxFileBytes >= 0 && e.size > h.s.opt.MaxFileBytes {
			e.kind = kindSkipped
			continue
		}
		e.kind = kindFile
		e.mtime, e.ctime, e.ino = c.st.mtime, c.st.ctime, c.st.ino
		if old != nil && old.kind == kindFile && old.mtime != 0 && old.mtime == e.mtime &&
			old.size == e.size && old.ctime == e.ctime && old.ino == e.ino {
			e.hash = old.hash
			continue
		}
		todo = append(todo, i)
	}
	if err := h.hashAll(ctx, out, todo); err != nil {
		return nil, err
	}
	// Drop what vanished during the scan.
	kept := out[:0]
	for _, e := range out {
		if e.kind != 0 {
			kept = append(kept, e)
		}
	}
	return kept, nil
}

// hashAll reads, hashes and stores out[i] for each i in todo, in parallel.
func (h *hasher) hashAll(ctx context.Context, out []entry, todo []int) (err error) {
	if h.store && len(todo) >= packThreshold {
		if h.pack, err = h.s.newPackWriter(); err != nil {
			return err
		}
		var total int64
		for _, i := range todo {
			total += out[i].size
		}
		h.pack.chunkMax = int(min(max(total/int64(runtime.GOMAXPROCS(0)+1), minChunk), chunkSize))
		defer func() {
			if ferr := h.pack.finish(err != nil); err == nil {
				err = ferr
			}
			h.pack = nil
		}()
	}
	n := min(runtime.GOMAXPROCS(0), len(todo))
	next := make(chan int)
	errc := make(chan error, n)
	var wg sync.WaitGroup
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := h.hashOne(&out[i]); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
feed:
	for _, i := range todo {
		select {
		case next <- i:
		case err = <-errc:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errc:
		default:
		}
	}
	return err
}

// hashOne reads one file. A file that vanished is dropped; one that cannot be
// read is recorded as skipped, since a restore could not bring it back anyway.
func (h *hasher) hashOne(e *entry) error {
	filesRead.Add(1)
	data, err := readNoFollow(filepath.Join(h.s.root, filepath.FromSlash(e.path)), e.size)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			e.kind = 0
			return nil
		}
		e.kind = kindSkipped
		return nil
	}
	if h.s.opt.MaxFileBytes >= 0 && int64(len(data)) > h.s.opt.MaxFileBytes {
		e.kind = kindSkipped // grew while we looked
		return nil
	}
	e.size = int64(len(data))
	e.hash = sha256.Sum256(data)
	if h.now.Sub(time.Unix(0, e.mtime)) < racyWindow {
		e.mtime = 0
	}
	if h.store {
		put := h.s.putObject
		if h.pack != nil {
			put = h.pack.put
		}
		if err := put(e.hash, data); err != nil {
			return fmt.Errorf("snapshot: storing %s: %w", e.path, err)
		}
	}
	return nil
}

func readNoFollow(name string, sizeHint int64) ([]byte, error) {
	f, err := openNoFollow(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, 0, sizeHint+1)
	for {
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
	}
}

// cleanPaths turns caller paths (workspace-relative or absolute inside the
// workspace) into sorted, unique, slash-separated relative paths. "" is the
// whole workspace. Paths outside the workspace or inside .git are refused.
func (s *Store) cleanPaths(paths []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		rel := p
		if filepath.IsAbs(p) {
			r, err := filepath.Rel(s.root, p)
			if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
				if real, err2 := filepath.EvalSymlinks(filepath.Dir(p)); err2 == nil {
					r, err = filepath.Rel(s.root, filepath.Join(real, filepath.Base(p)))
				}
			}
			if err != nil {
				return nil, fmt.Errorf("snapshot: path %s is outside the workspace", p)
			}
			rel = r
		}
		rel = path.Clean(filepath.ToSlash(rel))
		if rel == "." {
			rel = ""
		}
		if rel == ".." || strings.HasPrefix(rel, "../") || strings.HasPrefix(rel, "/") {
			return nil, fmt.Errorf("snapshot: path %s is outside the workspace", p)
		}
		for _, part := range strings.Split(rel, "/") {
			if part == ".git" {
				return nil, fmt.Errorf("snapshot: path %s is inside a .git folder, which Hearth never touches", p)
			}
		}
		if !seen[rel] {
			seen[rel] = true
			out = append(out, rel)
		}
	}
	sort.Strings(out)
	return out, nil
}

// capture records the current state of the given paths: a file, a symlink,
// an absent path, or a directory walked with the ignore rules that apply.
func (s *Store) capture(ctx context.Context, rels []string, prev []entry, store bool) ([]entry, []string, error) {
	var cands []cand
	var absent, bad []string
	for _, rel := range rels {
		if err := s.checkParents(rel); err != nil {
			return nil, nil, err
		}
		full := filepath.Join(s.root, filepath.FromSlash(rel))
		fi, err := os.Lstat(full)
		switch {
		case errors.Is(err, os.ErrNotExist):
			absent = append(absent, rel)
		case err != nil:
			return nil, nil, fmt.Errorf("snapshot: %s: %w", rel, err)
		case fi.IsDir():
			w := newWalker(ctx, s.root)
			cs, err := w.walk(rel, s.ancestorIgnores(rel))
			if err != nil {
				return nil, nil, err
			}
			cands = append(cands, cs...)
			bad = append(bad, w.bad...)
		case fi.Mode().IsRegular() || fi.Mode()&fs.ModeSymlink != 0:
			cands = append(cands, cand{rel: rel, st: fileStatOf(fi)})
		default:
			return nil, nil, fmt.Errorf("snapshot: %s is not a file, symlink or directory", rel)
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].rel < cands[j].rel })
	u := cands[:0]
	for i, c := range cands {
		if i == 0 || c.rel != cands[i-1].rel {
			u = append(u, c)
		}
	}
	h := hasher{s: s, store: store, now: time.Now()}
	entries, err := h.entries(ctx, u, prev)
	if err != nil {
		return nil, nil, err
	}
	for _, rel := range absent {
		entries = append(entries, entry{path: rel, kind: kindAbsent})
	}
	for _, rel := range bad {
		entries = append(entries, entry{path: rel, kind: kindSkipped, mode: fs.ModeDir})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].path < entries[j].path })
	return entries, rels, nil
}

// scanAll walks the whole workspace, reusing the hashes of the previous full
// snapshot for files whose stat has not changed.
func (s *Store) scanAll(ctx context.Context, prev []entry, store bool, watch *watcher) ([]entry, error) {
	w := newWalker(ctx, s.root)
	w.watch = watch
	cands, err := w.walk("", nil)
	if err != nil {
		return nil, err
	}
	h := hasher{s: s, store: store, now: time.Now()}
	entries, err := h.entries(ctx, cands, prev)
	if err != nil {
		return nil, err
	}
	if len(w.bad) > 0 {
		for _, rel := range w.bad {
			entries = append(entries, entry{path: rel, kind: kindSkipped, mode: fs.ModeDir})
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].path < entries[j].path })
	}
	return entries, nil
}
