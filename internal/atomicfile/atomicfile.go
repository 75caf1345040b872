// Package atomicfile replaces files all at once: readers see the old content
// or the new, never a mix, and a failure leaves the old file untouched.
package atomicfile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile writes data to a temporary file in filename's directory, syncs it
// and renames it over filename. The file gets perm, or keeps the mode of the
// file it replaces when perm is 0. A symlink at filename is replaced by the
// rename, never followed. On any error the temporary file is removed and
// filename is as it was.
func WriteFile(filename string, data []byte, perm fs.FileMode) (err error) {
	if perm == 0 {
		perm = 0o644
		if fi, statErr := os.Lstat(filename); statErr == nil {
			if !fi.Mode().IsRegular() {
				return fmt.Errorf("%s is not a regular file", filename)
			}
			perm = fi.Mode().Perm()
		}
	}
	dir := filepath.Dir(filename)
	f, err := os.CreateTemp(dir, "."+filepath.Base(filename)+".hearth-tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	// CreateTemp makes 0600 files; Chmod, unlike the open mode, ignores umask,
	// so a kept mode is kept exactly.
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, filename)
}
