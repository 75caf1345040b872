package snapshot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"github.com/klauspost/compress/zstd"
)

// Defaults for the zero values of Options; they match settings.Snapshots.
const (
	DefaultMaxFileBytes  = 10 << 20
	DefaultKeepSessions  = 20
	DefaultMaxStoreBytes = 2 << 30
)

// Options tunes a Store. Zero values mean the defaults above.
type Options struct {
	// MaxFileBytes: larger files are not stored but recorded as skipped.
	// Negative means no limit.
	MaxFileBytes int64
	// KeepSessions: Prune keeps the snapshots of this many most recent
	// sessions. Negative means keep all.
	KeepSessions int
	// MaxStoreBytes: Prune drops the oldest snapshots until the store is
	// under this size. Negative means no budget.
	MaxStoreBytes int64
	// Now is the clock for snapshot times and ids.
	Now func() time.Time
}

// Kind tells what a snapshot covers.
type Kind string

const (
	// KindEdit is the pre-image of the files an agent edit is about to change.
	KindEdit Kind = "edit"
	// KindFull covers every file of the workspace that is not ignored.
	KindFull Kind = "full"
	// KindRestore is the state a restore replaced, with the restore's scope.
	KindRestore Kind = "restore"
)

// Meta is what the caller says about a snapshot.
type Meta struct {
	Label     string
	SessionID string
}

// Info describes a snapshot.
type Info struct {
	ID        string
	CreatedAt time.Time
	Label     string
	SessionID string
	Kind      Kind
	// Scope lists the workspace-relative paths the snapshot speaks for; ""
	// is the whole workspace. Inside its scope, a file the snapshot does not
	// hold did not exist (or was ignored) when it was taken.
	Scope []string
	// Files and Bytes count the files and symlinks recorded and their size.
	Files int
	Bytes int64
	// Skipped lists files over the size limit, recorded without content.
	Skipped []string
}

// Store is the snapshot store of one workspace. It is safe for concurrent use,
// and several Stores (in this or other processes) may share a state directory.
type Store struct {
	root string // absolute, symlinks resolved
	dir  string // the state directory, likewise
	opt  Options
	enc  *zstd.Encoder
	dec  *zstd.Decoder
	// compress is false only in tests and benchmarks that measure its cost.
	compress bool
	packs    packIndex

	// mu serialises this Store's operations; the file lock serialises them
	// with other Stores and processes.
	mu    sync.Mutex
	flock *flock.Flock // guarded by mu
	// cache is the newest full-scope manifest, kept so that an incremental
	// snapshot need not reload it. Guarded by mu and the file lock.
	cache *manifest
	// watch follows the workspace since the full snapshot watchBase, and
	// lastWalk is when everything was last stated. Guarded by mu.
	watch     *watcher
	watchBase string
	lastWalk  time.Time
	// noWatch turns the watcher off (tests compare both ways).
	noWatch bool
	// lastFullPending is the id of this Store's newest full-scope snapshot
	// when the lastfull pointer does not name it yet; lastFullWritten is when
	// the pointer was last written. Guarded by mu.
	lastFullPending string
	lastFullWritten time.Time
	closed          bool // guarded by mu
}

// Open opens (creating if needed) the store in stateDir for the workspace at
// root. The state directory must not lie inside the workspace or in a .git
// folder, and is bound to the first workspace that used it.
func Open(stateDir, root string, opt Options) (*Store, error) {
	if opt.MaxFileBytes == 0 {
		opt.MaxFileBytes = DefaultMaxFileBytes
	}
	if opt.KeepSessions == 0 {
		opt.KeepSessions = DefaultKeepSessions
	}
	if opt.MaxStoreBytes == 0 {
		opt.MaxStoreBytes = DefaultMaxStoreBytes
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	root, err := realDir(root)
	if err != nil {
		return nil, fmt.Errorf("snapshot: workspace: %w", err)
	}
	if stateDir == "" {
		return nil, errors.New("snapshot: no state directory given")
	}
	abs, err := filepath.Abs(stateDir)
	if err != nil {
		return nil, err
	}
	if err := refuseStateDir(abs, root); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("snapshot: state directory: %w", err)
	}
	dir, err := realDir(abs)
	if err != nil {
		return nil, err
	}
	// Checked again with symlinks resolved: a link could point back inside.
	if err := refuseStateDir(dir, root); err != nil {
		return nil, err
	}
	for _, sub := range []string{"objects", "objects/pack", "snapshots", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("snapshot: state directory: %w", err)
		}
	}
	// The fan-out directories are made once, here, so that storing an
	// object before an edit never has to.
	if _, err := os.Lstat(filepath.Join(dir, "objects", "ff")); err != nil {
		for i := 0; i < 256; i++ {
			os.Mkdir(filepath.Join(dir, "objects", fmt.Sprintf("%02x", i)), 0o700)
		}
	}
	// EncodeAll runs on the caller's goroutine but holds one of the
	// encoder's states, so it needs as many as there are hashing workers.
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)))
	if err != nil {
		return nil, err
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0))
	if err != nil {
		return nil, err
	}
	s := &Store{root: root, dir: dir, opt: opt, enc: enc, dec: dec, compress: true,
		flock: flock.New(filepath.Join(dir, "lock"))}
	if err := s.bindWorkspace(); err != nil {
		return nil, err
	}
	// Clean what a killed process left, unless another one is at work now
	// (it will clean up when it next takes the lock, as every operation does).
	s.mu.Lock()
	defer s.mu.Unlock()
	if ok, err := s.flock.TryLock(); err == nil && ok {
		s.cleanTmp()
		s.flock.Unlock()
	}
	return s, nil
}

// Root returns the workspace directory the store snapshots.
func (s *Store) Root() string { return s.root }

func realDir(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(real)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%s is not a directory", p)
	}
	return real, nil
}

// refuseStateDir rejects a state directory that a snapshot could see or that
// git owns.
func refuseStateDir(dir, root string) error {
	if rel, err := filepath.Rel(root, dir); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("snapshot: state directory %s is inside the workspace %s", dir, root)
	}
	for _, part := range strings.Split(filepath.ToSlash(dir), "/") {
		if part == ".git" {
			return fmt.Errorf("snapshot: state directory %s is inside a .git folder", dir)
		}
	}
	return nil
}

// bindWorkspace records which workspace the state directory serves, so that
// two workspaces can never share (and so prune or restore) each other's data.
func (s *Store) bindWorkspace() error {
	p := filepath.Join(s.dir, "workspace")
	data, err := os.ReadFile(p)
	if err == nil {
		if got := strings.TrimSpace(string(data)); got != s.root {
			return fmt.Errorf("snapshot: state directory %s belongs to workspace %s, not %s", s.dir, got, s.root)
		}
		return nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return s.writeStateFile(p, []byte(s.root+"\n"))
}

// writeStateFile writes a file of the state directory under a temporary name
// in tmp/ and renames it into place, so that a killed process leaves either
// nothing or the whole file. The store's files are not synced: the store must
// survive a killed process, and after a power loss every object and manifest
// is verified by its hash when read.
func (s *Store) writeStateFile(p string, data []byte) error {
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "w-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
		if errors.Is(err, os.ErrNotExist) {
			if err = os.MkdirAll(filepath.Dir(p), 0o700); err == nil {
				err = os.Rename(tmp, p)
			}
		}
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// cleanTmp removes temporary files left by a process killed mid-write. The
// caller holds the file lock, so no live writer owns them.
func (s *Store) cleanTmp() {
	tmp := filepath.Join(s.dir, "tmp")
	ents, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range ents {
		os.RemoveAll(filepath.Join(tmp, e.Name()))
	}
}

// newID makes an id that sorts by time and is short enough to type.
func (s *Store) newID(now time.Time) (string, error) {
	for i := 0; i < 16; i++ {
		var b [3]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", err
		}
		id := now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
		if _, err := os.Lstat(s.manifestPath(id)); errors.Is(err, os.ErrNotExist) {
			return id, nil
		}
	}
	return "", errors.New("snapshot: cannot make a unique id")
}

// Close releases the store's resources.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.lastFullPending != "" {
		if ok, err := s.flock.TryLock(); err == nil && ok {
			s.flushLastFull()
			s.flock.Unlock()
		}
	}
	s.closePacks()
	if s.watch != nil {
		s.watch.close()
		s.watch = nil
	}
	s.enc.Close()
	s.dec.Close()
	s.cache = nil
	return s.flock.Close()
}

// ctxErr is a cheap cancellation check for loops.
func ctxErr(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	default:
		return nil
	}
}
