//go:build !linux

package snapshot

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// fileStatOf converts an Lstat result; without a portable change time or
// inode, size and mtime must do.
func fileStatOf(fi fs.FileInfo) fileStat {
	return fileStat{mode: fi.Mode(), size: fi.Size(), mtime: fi.ModTime().UnixNano()}
}

func lstatIn(_ *os.File, dirPath, name string) (fileStat, error) {
	fi, err := os.Lstat(filepath.Join(dirPath, name))
	if err != nil {
		return fileStat{}, err
	}
	return fileStatOf(fi), nil
}

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
