// Package statedir decides where Hearth keeps a workspace's state
// (sessions, snapshots, logs): always outside the workspace itself.
package statedir

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// EnvStateDir overrides the state directory of every workspace.
const EnvStateDir = "HEARTH_STATE_DIR"

// Resolve returns the state directory for the workspace at root: explicit
// when set, else $HEARTH_STATE_DIR, else $XDG_STATE_HOME/hearth/<id> (with
// XDG's default ~/.local/state). It refuses a directory inside the
// workspace, where snapshots would snapshot themselves and the user's tools
// would see Hearth's files. getenv nil means os.Getenv.
func Resolve(explicit, root string, getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	dir := explicit
	if dir == "" {
		dir = getenv(EnvStateDir)
	}
	if dir == "" {
		base := getenv("XDG_STATE_HOME")
		if base == "" {
			home := getenv("HOME")
			if home == "" {
				h, err := os.UserHomeDir()
				if err != nil {
					return "", fmt.Errorf("no state directory: set %s or HOME", EnvStateDir)
				}
				home = h
			}
			base = filepath.Join(home, ".local", "state")
		}
		dir = filepath.Join(base, "hearth", WorkspaceID(root))
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if root != "" {
		if inside(realPath(dir), realPath(root)) {
			return "", fmt.Errorf("state directory %s is inside the workspace %s: choose one outside it", dir, root)
		}
	}
	return dir, nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// WorkspaceID names a workspace's state directory: its folder name, for
// people, and a hash of its absolute path, so two folders of one name differ.
func WorkspaceID(root string) string {
	if root == "" {
		return "no-workspace"
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		abs = root
	}
	sum := sha256.Sum256([]byte(abs))
	name := unsafeName.ReplaceAllString(filepath.Base(abs), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	return name + "-" + hex.EncodeToString(sum[:])[:10]
}

// realPath resolves symlinks as far as the path exists, so a state
// directory reached through a link into the workspace is still caught.
func realPath(p string) string {
	p = filepath.Clean(p)
	rest := ""
	for {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Join(p, rest)
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}

func inside(p, root string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}
