package snapshot

import (
	"github.com/hearth-dev/hearth/internal/gitignore"

	"strings"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// watcher follows the workspace with inotify between full snapshots, so that
// an incremental snapshot re-lists only the directories where names changed,
// and states only the files written in place, instead of stating every file. Every walked directory is watched
// before it is listed, so no change between the listing and the next
// snapshot is missed; anything the watcher cannot vouch for (a queue
// overflow, a changed ignore file, a watch it could not add) sends the next
// snapshot back to a full walk.
type watcher struct {
	mu      sync.Mutex
	fd      int              // the inotify descriptor; guarded by mu
	dirs    map[int32]string // watch descriptor -> workspace-relative dir; guarded by mu
	watched map[string]bool  // dirs with a live watch; guarded by mu
	dirty   map[string]bool  // directories to re-list; guarded by mu
	// files are files written or chmodded in place (dir and name), whose
	// directory need not be re-listed for them; guarded by mu.
	files    map[string]bool
	broken   bool // the next scan must walk everything; guarded by mu
	ignores  map[string]*gitignore.Stack
	ignoreMu sync.Mutex // guards ignores, filled by the walk's goroutines
}

const watchMask = unix.IN_MODIFY | unix.IN_ATTRIB | unix.IN_CLOSE_WRITE | unix.IN_CREATE |
	unix.IN_DELETE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO | unix.IN_DELETE_SELF |
	unix.IN_MOVE_SELF | unix.IN_DONT_FOLLOW | unix.IN_ONLYDIR

// newWatcher starts an empty watcher, or returns nil where inotify is not
// available (a full walk is then always used).
func newWatcher() *watcher {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil
	}
	return &watcher{fd: fd, dirs: map[int32]string{}, watched: map[string]bool{}, dirty: map[string]bool{},
		files: map[string]bool{}, ignores: map[string]*gitignore.Stack{}}
}

// add watches dir before the walk lists it, and remembers the ignore rules
// of its ancestors for a later re-listing.
func (w *watcher) add(full, rel string, ign *gitignore.Stack) {
	w.ignoreMu.Lock()
	w.ignores[rel] = ign
	w.ignoreMu.Unlock()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fd < 0 {
		return
	}
	wd, err := unix.InotifyAddWatch(w.fd, full, watchMask)
	if err != nil {
		w.broken = true // out of watches, most likely: fall back to walking
		return
	}
	w.dirs[int32(wd)] = rel
	w.watched[rel] = true
}

// known reports whether dir has a live watch: its content is followed, so a
// re-listing of its parent need not descend into it.
func (w *watcher) known(rel string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.watched[rel]
}

// ancestors returns the ignore stack recorded for dir by the last walk.
func (w *watcher) ancestors(dir string) (*gitignore.Stack, bool) {
	w.ignoreMu.Lock()
	defer w.ignoreMu.Unlock()
	ign, ok := w.ignores[dir]
	return ign, ok
}

// drain reads every pending event. Events are queued when the change is
// made, so after drain the dirty set covers every change made before it.
// It returns the dirty directories and the files changed in place (written
// or chmodded, not created, removed or renamed), or ok false when a full
// walk is needed.
func (w *watcher) drain() (dirty, files []string, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var buf [64 << 10]byte
	for w.fd >= 0 {
		n, err := unix.Read(w.fd, buf[:])
		if err != nil || n <= 0 {
			break // EAGAIN: the queue is empty
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			nameBytes := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
			off += unix.SizeofInotifyEvent + int(ev.Len)
			name := strings.TrimRight(string(nameBytes), "\x00")
			if ev.Mask&unix.IN_Q_OVERFLOW != 0 {
				w.broken = true
				continue
			}
			dir, known := w.dirs[ev.Wd]
			if !known {
				continue
			}
			if ev.Mask&unix.IN_IGNORED != 0 {
				delete(w.dirs, ev.Wd)
				if w.watched[dir] {
					delete(w.watched, dir)
				}
				continue
			}
			if name == ".gitignore" || name == ".hearthignore" {
				w.broken = true // the rules changed: what is ignored must be redone
			}
			if ev.Mask&unix.IN_MOVE_SELF != 0 {
				// The watch follows the directory to a path it does not know.
				w.broken = true
				continue
			}
			if ev.Mask&unix.IN_DELETE_SELF != 0 {
				continue // the parent's event re-lists it
			}
			if name != "" && ev.Mask&unix.IN_ISDIR == 0 &&
				ev.Mask&^(unix.IN_MODIFY|unix.IN_ATTRIB|unix.IN_CLOSE_WRITE) == 0 {
				// Writing a file changes neither its directory's names nor
				// what is ignored: stating that one file is enough.
				w.files[joinRel(dir, name)] = true
				continue
			}
			w.dirty[dir] = true
		}
	}
	if w.broken {
		return nil, nil, false
	}
	for d := range w.dirty {
		dirty = append(dirty, d)
	}
	for f := range w.files {
		files = append(files, f)
	}
	clear(w.dirty)
	clear(w.files)
	return dirty, files, true
}

// close stops the watcher.
func (w *watcher) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fd >= 0 {
		unix.Close(w.fd)
		w.fd = -1
	}
}
