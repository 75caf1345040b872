//go:build !linux

package snapshot

import (
	"fmt"
	"io/fs"
	"os"
)

// statExtra has no portable change time or inode; size and mtime must do.
func statExtra(fs.FileInfo) (ctime int64, ino uint64) { return 0, 0 }

// openNoFollow opens a file for reading after checking it is no symlink.
func openNoFollow(name string) (*os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	fi, err := os.Lstat(name)
	if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		f.Close()
		return nil, fmt.Errorf("%s became a symlink", name)
	}
	return f, err
}
