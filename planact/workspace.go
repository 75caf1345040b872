package planact

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hearth-dev/hearth/internal/atomicfile"
)

// Every path that crosses the interfaces below is absolute, clean and
// already resolved inside the workspace.

// FileSource reads a file as the user sees it: the editor's unsaved buffer
// when the file is open, else the disk. A missing file reports an error
// satisfying errors.Is(err, fs.ErrNotExist).
type FileSource interface {
	ReadFile(path string) ([]byte, error)
}

// Writer applies new content to a file: the server goes through the editor
// when the file is open, else writes atomically. The loop never writes files
// itself.
type Writer interface {
	WriteFile(ctx context.Context, path string, content []byte) error
}

// Snapshotter records the workspace before the agent changes it.
type Snapshotter interface {
	// Checkpoint snapshots the given files (which may not exist yet) before
	// an edit.
	Checkpoint(ctx context.Context, paths []string, m SnapshotMeta) (id string, err error)
	// Full snapshots the whole workspace before a command, whose effects
	// cannot be known in advance.
	Full(ctx context.Context, m SnapshotMeta) (id string, err error)
}

// SnapshotMeta says why a snapshot is taken: its label for the user, and
// the session, by which old snapshots are pruned.
type SnapshotMeta struct {
	SessionID string
	Label     string
}

// Change is an edit computed by an Editor, not yet applied.
type Change struct {
	Path string
	// Old is the current content ("" for a new file), New the proposed one.
	Old, New string
	Created  bool
	// Diff is the unified diff of Old against New.
	Diff  string
	Hunks []Hunk
}

// Hunk is one hunk of a Change.
type Hunk struct {
	// StartLine and EndLine (exclusive), from 0, are the lines of Old the
	// hunk replaces.
	StartLine, EndLine int
	// Diff is the hunk's text, starting with its @@ line.
	Diff string
}

// Editor computes edits; the lead wires package actions behind it.
type Editor interface {
	// Replace applies a SEARCH/REPLACE edit to current (forgivingly). Its
	// error text is shown to the model verbatim, so it should say precisely
	// what did not match and how to fix the call.
	Replace(path, current, search, replace string) (Change, error)
	// Compare builds the Change from current to proposed (write_file).
	Compare(path, current, proposed string) (Change, error)
	// ApplyHunks returns c.Old with only the hunks of c whose indexes are
	// listed applied.
	ApplyHunks(c Change, accepted []int) (string, error)
}

// Resolver maps a path the model wrote to an absolute path inside root, or
// fails with an error the model can read. actions.ResolvePath replaces the
// default, ResolveInWorkspace.
type Resolver func(root, path string) (string, error)

// ErrOutsideWorkspace is wrapped by every refusal of ResolveInWorkspace.
var ErrOutsideWorkspace = errors.New("path is outside the workspace")

// ResolveInWorkspace resolves p (relative to root, or absolute inside it)
// and refuses anything that leaves root: "..", absolute paths elsewhere, and
// symlinks (of the file or of any directory above it) pointing out. A path
// that does not exist yet is resolved through its nearest existing parent,
// so new files can be created. Symlinks inside the workspace are followed:
// the result names the real file.
func ResolveInWorkspace(root, p string) (string, error) {
	if strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("%q: %w", p, ErrOutsideWorkspace)
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", fmt.Errorf("workspace root: %w", err)
	}
	p = strings.TrimSpace(p)
	if p == "" {
		p = "."
	}
	var abs string
	if filepath.IsAbs(p) {
		abs = filepath.Clean(p)
	} else {
		abs = filepath.Join(root, p)
	}
	if !within(filepath.Clean(root), abs) && !within(realRoot, abs) {
		return "", fmt.Errorf("%q: %w (paths are relative to the workspace root)", p, ErrOutsideWorkspace)
	}
	// Follow symlinks through the longest existing prefix.
	existing, rest := abs, ""
	for {
		if _, err := os.Lstat(existing); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			break
		}
		rest = filepath.Join(filepath.Base(existing), rest)
		existing = parent
	}
	real, err := filepath.EvalSymlinks(existing)
	if err != nil {
		return "", fmt.Errorf("%q: %w", p, err)
	}
	if !within(realRoot, real) {
		return "", fmt.Errorf("%q: %w (a symbolic link points out of it)", p, ErrOutsideWorkspace)
	}
	// The result is the real path (symlinks inside the workspace
	// followed), so a write replaces the file rather than the link, but
	// under root as the caller spelt it.
	rel, err := filepath.Rel(realRoot, filepath.Join(real, rest))
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Clean(root), rel), nil
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// DiskFiles is a FileSource reading the disk, for callers without an editor.
type DiskFiles struct{}

// ReadFile implements FileSource.
func (DiskFiles) ReadFile(path string) ([]byte, error) { return os.ReadFile(path) }

// DiskWriter is a Writer replacing files atomically, for callers without an
// editor. Existing files keep their mode; new files get 0644 and their missing directories.
type DiskWriter struct{}

// WriteFile implements Writer.
func (DiskWriter) WriteFile(_ context.Context, path string, content []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, content, 0)
}
