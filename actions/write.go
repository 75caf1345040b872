package actions

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hearth-dev/hearth/internal/atomicfile"
)

// Write puts changes on disk. Everything that can be checked is checked
// before the first write: every path resolves inside root, every existing
// file is a writable regular file, no new file has appeared meanwhile, and
// every directory accepts a new file. Each file is then replaced atomically;
// if a later one still fails, the earlier ones are put back.
func Write(root string, changes []FileChange) error {
	abs := make([]string, len(changes))
	for i, c := range changes {
		_, a, err := ResolveNewPath(root, c.Path)
		if err != nil {
			return err
		}
		// A link inside the workspace is kept and its target replaced;
		// ResolveNewPath has checked that the target is inside too.
		if fi, err := os.Lstat(a); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			if a, err = filepath.EvalSymlinks(a); err != nil {
				return err
			}
		}
		abs[i] = a
		if err := checkWritable(a, c); err != nil {
			return fmt.Errorf("%s: %w; nothing was written", c.Path, err)
		}
	}
	for i, c := range changes {
		perm := fs.FileMode(0)
		if !c.OldExists {
			perm = c.Mode
		}
		if err := atomicfile.WriteFile(abs[i], c.New, perm); err != nil {
			rollback(abs[:i], changes[:i])
			return fmt.Errorf("%s: %w; the files written before it were restored", c.Path, err)
		}
	}
	return nil
}

// checkWritable tries everything the write will need without changing the
// file: opening it for writing, and creating a file beside it.
func checkWritable(abs string, c FileChange) error {
	fi, err := os.Lstat(abs)
	switch {
	case c.OldExists && err != nil:
		return fmt.Errorf("the file is gone since the edit was prepared: %w", err)
	case !c.OldExists && err == nil:
		return errors.New("a file appeared at this path since the edit was prepared")
	case c.OldExists && !fi.Mode().IsRegular():
		return errors.New("not a regular file")
	case c.OldExists:
		f, err := os.OpenFile(abs, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		f.Close()
	}
	dir := filepath.Dir(abs)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	probe, err := os.CreateTemp(dir, ".hearth-probe-*")
	if err != nil {
		return err
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// rollback restores files already written when a later write failed.
func rollback(abs []string, changes []FileChange) {
	for i, c := range changes {
		if c.OldExists {
			atomicfile.WriteFile(abs[i], c.Old, 0)
		} else {
			os.Remove(abs[i])
		}
	}
}

// Apply is Prepare followed, when every block applied, by Write: the whole
// message lands or none of it does.
func Apply(root string, src FileSource, edits []Edit) (Result, error) {
	res, err := Prepare(root, src, edits)
	if err != nil {
		return res, err
	}
	return res, Write(root, res.Changes)
}
