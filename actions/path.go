package actions

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// PathError is a model-given path that cannot be used, worded so that the
// model can pick a better one.
type PathError struct {
	Path   string
	Reason string
}

func (e *PathError) Error() string { return fmt.Sprintf("path %q %s", e.Path, e.Reason) }

// ResolveNewPath places a model-given path inside the workspace root without
// guessing: the path may not exist yet. It refuses ".." escapes, absolute
// paths elsewhere and symbolic links (the file's or any parent's) that lead
// outside the root. rel is slash-separated and relative to root; abs is
// root joined with rel.
func ResolveNewPath(root, p string) (rel, abs string, err error) {
	rootAbs, err := filepath.Abs(root)
	if err != nil {
		return "", "", err
	}
	realRoot, err := filepath.EvalSymlinks(rootAbs)
	if err != nil {
		return "", "", fmt.Errorf("workspace root: %w", err)
	}
	q := cleanModelPath(p)
	if q == "" {
		return "", "", &PathError{p, "is empty; give a file path relative to the workspace root"}
	}
	q = filepath.FromSlash(q)
	if filepath.IsAbs(q) {
		q = filepath.Clean(q)
		r, ok := within(rootAbs, q)
		if !ok {
			r, ok = within(realRoot, q)
		}
		if !ok {
			return "", "", &PathError{p, "is outside the workspace; use a path relative to the workspace root"}
		}
		rel = r
	} else {
		rel = filepath.Clean(q)
		if rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", "", &PathError{p, "leaves the workspace through \"..\"; use a path inside the workspace"}
		}
	}
	if rel == "." {
		return "", "", &PathError{p, "names the workspace itself, not a file"}
	}
	if err := checkLinks(realRoot, rel); err != nil {
		return "", "", &PathError{p, err.Error()}
	}
	return filepath.ToSlash(rel), filepath.Join(rootAbs, rel), nil
}

// ResolvePath is ResolveNewPath for files that should exist: when the path
// is missing but exactly one workspace file matches it loosely (another
// case, a leading directory dropped or added), that file is returned. With
// no match the missing path is returned without error, so that reading it
// reports fs.ErrNotExist; with several the error lists them.
func ResolvePath(root, p string) (rel, abs string, err error) {
	rel, abs, err = ResolveNewPath(root, p)
	if err != nil {
		return "", "", err
	}
	if _, statErr := os.Lstat(abs); !errors.Is(statErr, fs.ErrNotExist) {
		return rel, abs, nil
	}
	near := nearMatches(root, rel)
	switch len(near) {
	case 0:
		return rel, abs, nil
	case 1:
		return ResolveNewPath(root, near[0])
	}
	if len(near) > 5 {
		near = append(near[:5], "...")
	}
	return "", "", &PathError{p, "does not exist; did you mean one of: " + strings.Join(near, ", ")}
}

// cleanModelPath strips what models wrap paths in.
func cleanModelPath(p string) string {
	q := strings.TrimSpace(p)
	q = strings.TrimPrefix(q, "file://")
	q = strings.Trim(q, "`'\"")
	return strings.TrimSpace(q)
}

// within returns p relative to base when p lies inside base.
func within(base, p string) (string, bool) {
	r, err := filepath.Rel(base, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	return r, true
}

// checkLinks walks rel from the root and refuses any symbolic link on the
// way that resolves outside the root; components that do not exist yet end
// the walk, since whatever creates them makes plain directories.
func checkLinks(realRoot, rel string) error {
	cur := realRoot
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		next := filepath.Join(cur, part)
		fi, err := os.Lstat(next)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		target, err := filepath.EvalSymlinks(next)
		if err != nil {
			return fmt.Errorf("goes through the symbolic link %s, which points nowhere", part)
		}
		if _, ok := within(realRoot, target); !ok {
			return fmt.Errorf("goes through the symbolic link %s, which points outside the workspace", part)
		}
		cur = target
	}
	return nil
}

// maxScan bounds the loose search so that a huge workspace costs a bounded
// walk, not a hang.
const maxScan = 200000

// nearMatches lists workspace files that match rel loosely. Hidden
// directories and node_modules are skipped, and so are symbolic links.
func nearMatches(root, rel string) []string {
	want := strings.ToLower(filepath.ToSlash(rel))
	var out []string
	seen := 0
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		seen++
		if seen > maxScan {
			return filepath.SkipAll
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		r, err := filepath.Rel(root, path)
		if err != nil {
			return nil
		}
		r = filepath.ToSlash(r)
		got := strings.ToLower(r)
		if got == want || strings.HasSuffix(got, "/"+want) || strings.HasSuffix(want, "/"+got) {
			out = append(out, r)
		}
		return nil
	})
	sort.Strings(out)
	return out
}
