package snapshot

import (
	"io/fs"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// fileStatOf converts an Lstat result; ctime and inode catch changes that
// keep size and mtime (a file replaced by a rename, a touched-back mtime).
func fileStatOf(fi fs.FileInfo) fileStat {
	st := fileStat{mode: fi.Mode(), size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.ctime, st.ino = sys.Ctim.Nano(), sys.Ino
	}
	return st
}

// lstatIn stats name inside the open directory dir without following a
// symlink. Relative to the directory's descriptor, the kernel resolves one
// name instead of the whole path, which is most of a walk's cost.
func lstatIn(dir *os.File, dirPath, name string) (fileStat, error) {
	var st unix.Stat_t
	if err := unix.Fstatat(int(dir.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fileStat{}, &fs.PathError{Op: "lstat", Path: name, Err: err}
	}
	mode := fs.FileMode(st.Mode & 0o777)
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFLNK:
		mode |= fs.ModeSymlink
	case unix.S_IFREG:
	case unix.S_IFDIR:
		mode |= fs.ModeDir
	default:
		mode |= fs.ModeIrregular
	}
	return fileStat{mode: mode, size: st.Size, mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(), ino: st.Ino}, nil
}

// openNoFollow opens a file for reading, refusing a symlink: a file checked
// with Lstat could have been swapped for a link pointing out of the workspace.
func openNoFollow(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
}
