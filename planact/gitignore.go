package planact

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/hearth-dev/hearth/internal/gitignore"
)

// alwaysSkipped are never listed or searched: they are huge and never what
// the model wants.
var alwaysSkipped = map[string]bool{".git": true, "node_modules": true, ".hg": true, ".svn": true}

// walkWorkspace visits the files and directories under dir (absolute, inside
// root), skipping ignored ones and symlinks, and stops when fn returns
// fs.SkipAll. rel is the slash path from root. Each directory sees the
// .gitignore files of its own ancestors only, as in git.
func walkWorkspace(root, dir string, recursive bool, fn func(rel string, d fs.DirEntry) error) error {
	relDir := relPath(root, dir)
	// The .gitignore files of dir and of the directories above it apply.
	ign := (*gitignore.Stack)(nil).Push(loadIgnore(root, ""))
	if relDir != "." {
		parts := strings.Split(relDir, "/")
		for i := range parts {
			ign = ign.Push(loadIgnore(root, strings.Join(parts[:i+1], "/")))
		}
	}
	stacks := map[string]*gitignore.Stack{relDir: ign} // by directory, "." for the root
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // An unreadable entry is skipped, not fatal.
		}
		if p == dir {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil // Never followed: it may leave the workspace.
		}
		rel := relPath(root, p)
		parent := stacks[path.Dir(rel)]
		if alwaysSkipped[d.Name()] || parent.Ignored(rel, d.Name(), d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if err := fn(rel, d); err != nil {
			return err
		}
		if d.IsDir() {
			if !recursive {
				return filepath.SkipDir
			}
			stacks[rel] = parent.Push(loadIgnore(root, rel))
		}
		return nil
	})
}

// loadIgnore parses the .gitignore of the directory base ("" for the root),
// or returns nil when it has none.
func loadIgnore(root, base string) *gitignore.File {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(base), ".gitignore"))
	if err != nil {
		return nil
	}
	return gitignore.Parse(base, data)
}
