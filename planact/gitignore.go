package planact

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// ignoreRule is one line of a .gitignore, scoped to the directory (base,
// relative to the workspace root with slashes, "" for the root) holding it.
type ignoreRule struct {
	base    string
	re      *regexp.Regexp
	negate  bool
	dirOnly bool
}

// alwaysSkipped are never listed or searched: they are huge and never what
// the model wants.
var alwaysSkipped = map[string]bool{".git": true, "node_modules": true, ".hg": true, ".svn": true}

// parseGitignore reads the patterns git understands that matter here:
// comments, negation, directory-only patterns, anchored patterns, *, ? and
// **. Character classes pass through to the regexp as written.
func parseGitignore(base string, data []byte) []ignoreRule {
	var rules []ignoreRule
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := ignoreRule{base: base}
		if strings.HasPrefix(line, "!") {
			r.negate, line = true, line[1:]
		}
		line = strings.TrimPrefix(line, `\`)
		if strings.HasSuffix(line, "/") {
			r.dirOnly, line = true, strings.TrimSuffix(line, "/")
		}
		anchored := strings.Contains(line, "/")
		line = strings.TrimPrefix(line, "/")
		if line == "" {
			continue
		}
		expr := globToRegexp(line)
		if !anchored {
			expr = "(?:.*/)?" + expr
		}
		re, err := regexp.Compile("^" + expr + "$")
		if err != nil {
			continue // A pattern git would reject too is skipped.
		}
		r.re = re
		rules = append(rules, r)
	}
	return rules
}

func globToRegexp(g string) string {
	var b strings.Builder
	for i := 0; i < len(g); i++ {
		switch c := g[i]; {
		case strings.HasPrefix(g[i:], "**/"):
			b.WriteString("(?:.*/)?")
			i += 2
		case strings.HasPrefix(g[i:], "/**") && i+3 == len(g):
			b.WriteString("/.*")
			i += 2
		case strings.HasPrefix(g[i:], "**"):
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '[':
			j := strings.IndexByte(g[i:], ']')
			if j < 0 {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(g[i : i+j+1])
			i += j
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return b.String()
}

// ignorer holds the rules in force; nested .gitignore files add to it as a
// walk enters their directories.
type ignorer struct{ rules []ignoreRule }

// ignored reports whether rel (slash path from the root) is ignored. The
// last matching rule wins, as in git.
func (ig *ignorer) ignored(rel string, isDir bool) bool {
	if alwaysSkipped[path.Base(rel)] {
		return true
	}
	out := false
	for _, r := range ig.rules {
		if r.dirOnly && !isDir {
			continue
		}
		sub := rel
		if r.base != "" {
			if !strings.HasPrefix(rel, r.base+"/") {
				continue
			}
			sub = rel[len(r.base)+1:]
		}
		if r.re.MatchString(sub) {
			out = !r.negate
		}
	}
	return out
}

// walkWorkspace visits the files and directories under dir (absolute, inside
// root), skipping ignored ones and symlinks, and stops when fn returns
// fs.SkipAll. rel is the slash path from root.
func walkWorkspace(root, dir string, recursive bool, fn func(rel string, d fs.DirEntry) error) error {
	ig := &ignorer{}
	// Rules of the .gitignore files above dir apply too.
	relDir := relPath(root, dir)
	bases := []string{""}
	if relDir != "." {
		parts := strings.Split(relDir, "/")
		for i := range parts {
			bases = append(bases, strings.Join(parts[:i+1], "/"))
		}
	}
	for _, b := range bases[:len(bases)-1] {
		loadIgnore(root, b, ig)
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // An unreadable entry is skipped, not fatal.
		}
		rel := relPath(root, p)
		if p == dir {
			if d.IsDir() {
				loadIgnore(root, strings.TrimPrefix(rel, "."), ig)
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil // Never followed: it may leave the workspace.
		}
		if ig.ignored(rel, d.IsDir()) {
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
			loadIgnore(root, rel, ig)
		}
		return nil
	})
}

func loadIgnore(root, base string, ig *ignorer) {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(base), ".gitignore"))
	if err != nil {
		return
	}
	ig.rules = append(ig.rules, parseGitignore(base, data)...)
}
