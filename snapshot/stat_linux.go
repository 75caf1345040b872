package snapshot

import (
	"io/fs"
	"os"
	"syscall"
)

// statExtra returns the change time and inode of fi, which catch changes that
// keep size and mtime (a file replaced by a rename, a touched-back mtime).
func statExtra(fi fs.FileInfo) (ctime int64, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ctim.Nano(), st.Ino
	}
	return 0, 0
}

// openNoFollow opens a file for reading, refusing a symlink: a file checked
// with Lstat could have been swapped for a link pointing out of the workspace.
func openNoFollow(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
}
