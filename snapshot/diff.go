package snapshot

import (
	"github.com/hearth-dev/hearth/actions"

	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// Diff returns a unified diff (with git-style headers) from snapshot from to
// snapshot to, or to the workspace when to is "". Only paths both sides speak
// for are compared: diffing an edit checkpoint shows just the files it
// recorded. Binary files are reported as "Binary files ... differ".
func (s *Store) Diff(ctx context.Context, from, to string) (string, error) {
	fromID, err := s.resolve(from)
	if err != nil {
		return "", err
	}
	toID := ""
	if to != "" {
		if toID, err = s.resolve(to); err != nil {
			return "", err
		}
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return "", err
	}
	defer unlock()
	a, err := s.loadManifest(fromID)
	if err != nil {
		return "", err
	}
	var b *manifest
	if toID != "" {
		if b, err = s.loadManifest(toID); err != nil {
			return "", err
		}
	} else {
		entries, _, err := s.capture(ctx, a.info.Scope, s.loadCache(), false)
		if err != nil {
			return "", err
		}
		b = &manifest{info: Info{Scope: a.info.Scope}, entries: entries}
	}
	var paths []string
	seen := map[string]bool{}
	for _, m := range []*manifest{a, b} {
		for i := range m.entries {
			p := m.entries[i].path
			if !seen[p] && covers(a.info.Scope, p) && covers(b.info.Scope, p) {
				seen[p] = true
				paths = append(paths, p)
			}
		}
	}
	sort.Strings(paths)
	var w strings.Builder
	for _, p := range paths {
		if err := ctxErr(ctx); err != nil {
			return "", err
		}
		if err := s.diffFile(&w, p, present(a.find(p)), present(b.find(p)), toID == ""); err != nil {
			return "", err
		}
	}
	return w.String(), nil
}

// present returns e unless it records an absent path.
func present(e *entry) *entry {
	if e == nil || e.kind == kindAbsent {
		return nil
	}
	return e
}

func gitMode(e *entry) string {
	if e.kind == kindLink {
		return "120000"
	}
	if e.mode&0o111 != 0 {
		return "100755"
	}
	return "100644"
}

func (s *Store) diffFile(w *strings.Builder, p string, ea, eb *entry, bInWorkspace bool) error {
	switch {
	case ea == nil && eb == nil:
		return nil
	case ea != nil && eb != nil && ea.kind == eb.kind && ea.hash == eb.hash &&
		ea.link == eb.link && gitMode(ea) == gitMode(eb) && (ea.kind != kindSkipped || ea.size == eb.size):
		return nil
	}
	fmt.Fprintf(w, "diff --git a/%s b/%s\n", p, p)
	switch {
	case ea == nil:
		fmt.Fprintf(w, "new file mode %s\n", gitMode(eb))
	case eb == nil:
		fmt.Fprintf(w, "deleted file mode %s\n", gitMode(ea))
	case gitMode(ea) != gitMode(eb):
		fmt.Fprintf(w, "old mode %s\nnew mode %s\n", gitMode(ea), gitMode(eb))
	}
	if (ea != nil && ea.kind == kindSkipped) || (eb != nil && eb.kind == kindSkipped) {
		fmt.Fprintf(w, "Files a/%s and b/%s differ (over the size limit, content not kept)\n", p, p)
		return nil
	}
	if ea != nil && eb != nil && ea.kind == eb.kind && ea.hash == eb.hash && ea.link == eb.link {
		return nil // a mode change only
	}
	ca, err := s.content(ea, false)
	if err != nil {
		return err
	}
	cb, err := s.content(eb, bInWorkspace)
	if err != nil {
		return err
	}
	if isBinary(ca) || isBinary(cb) {
		fmt.Fprintf(w, "Binary files %s and %s differ\n", diffName("a", p, ea), diffName("b", p, eb))
		return nil
	}
	w.WriteString(actions.UnifiedDiffNamed(diffName("a", p, ea), diffName("b", p, eb), ca, cb))
	return nil
}

func diffName(side, p string, e *entry) string {
	if e == nil {
		return "/dev/null"
	}
	return side + "/" + p
}

// content returns what a diff shows of an entry: a file's bytes, or a link's
// target (as git shows links).
func (s *Store) content(e *entry, inWorkspace bool) ([]byte, error) {
	switch {
	case e == nil:
		return nil, nil
	case e.kind == kindLink:
		return []byte(e.link), nil
	case inWorkspace:
		return readNoFollow(filepath.Join(s.root, filepath.FromSlash(e.path)), e.size)
	}
	return s.readObject(e.hash, e.path)
}

// isBinary uses git's rule: a NUL byte in the first 8000 bytes.
func isBinary(b []byte) bool {
	return bytes.IndexByte(b[:min(len(b), 8000)], 0) >= 0
}
