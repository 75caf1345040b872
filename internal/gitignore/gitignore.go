// Package gitignore matches paths against .gitignore-syntax files
// (.gitignore, .hearthignore) the way git does; snapshot's tests check it
// against git itself. It reads no files: callers parse what they find.
package gitignore

import (
	"strings"
	"unicode/utf8"
)

// File holds the rules of one .gitignore or .hearthignore, which apply
// to the subtree of the directory it sits in (base, workspace-relative).
type File struct {
	base  string
	rules []ignoreRule
}

// ignoreRule is one parsed pattern line.
type ignoreRule struct {
	segs     []string // the pattern split on "/", with runs of "**" collapsed
	negate   bool     // "!pattern" re-includes what an earlier rule excluded
	dirOnly  bool     // "pattern/" matches directories only
	anchored bool     // a slash before the end ties the pattern to base
	// literal and suffix are fast paths for the commonest unanchored rules
	// ("node_modules", "*.log"), which would otherwise run the wildcard
	// matcher once per file of the workspace.
	literal string
	suffix  string
}

// Stack is the chain of ignore files that apply in a directory, the
// deepest first: a deeper file overrides a shallower one.
type Stack struct {
	parent *Stack
	file   *File
}

// Push returns the stack with f on top, or the same stack when f has no rules.
func (st *Stack) Push(f *File) *Stack {
	if f == nil || len(f.rules) == 0 {
		return st
	}
	return &Stack{parent: st, file: f}
}

// Ignored reports whether the workspace-relative path rel (whose last element
// is name) is excluded by the stack.
func (st *Stack) Ignored(rel, name string, isDir bool) bool {
	for ; st != nil; st = st.parent {
		if ign, ok := st.file.match(rel, name, isDir); ok {
			return ign
		}
	}
	return false
}

// Parse parses gitignore syntax: comments, blank lines, "!" negation,
// "\" escapes, trailing-space trimming, "/" anchoring, dir-only "x/" and "**".
func Parse(base string, data []byte) *File {
	f := &File{base: base}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		// Trailing spaces are dropped unless escaped with a backslash.
		for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, "\\ ") {
			line = line[:len(line)-1]
		}
		var r ignoreRule
		if line != "" && line[0] == '!' {
			r.negate = true
			line = line[1:]
		}
		if strings.HasSuffix(line, "/") {
			r.dirOnly = true
			line = strings.TrimRight(line, "/")
		}
		if line == "" {
			continue
		}
		r.anchored = strings.Contains(line, "/")
		line = strings.TrimPrefix(line, "/")
		for _, s := range strings.Split(line, "/") {
			if s == "" {
				continue // "a//b" means "a/b"
			}
			if s == "**" && len(r.segs) > 0 && r.segs[len(r.segs)-1] == "**" {
				continue
			}
			r.segs = append(r.segs, s)
		}
		if len(r.segs) == 0 {
			continue
		}
		if !r.anchored {
			p := r.segs[0]
			switch {
			case !hasWildcard(p):
				r.literal = unescape(p)
			case p[0] == '*' && p != "*" && !hasWildcard(p[1:]):
				r.suffix = unescape(p[1:])
			}
		}
		f.rules = append(f.rules, r)
	}
	return f
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?[\\") }

func unescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// match applies the file's rules to rel; ok is false when no rule matched.
// The last matching rule wins, as in git.
func (f *File) match(rel, name string, isDir bool) (ignored, ok bool) {
	sub := rel
	if f.base != "" {
		sub = rel[len(f.base)+1:]
	}
	var parts []string
	for i := len(f.rules) - 1; i >= 0; i-- {
		r := &f.rules[i]
		if r.dirOnly && !isDir {
			continue
		}
		var m bool
		switch {
		case r.literal != "":
			m = name == r.literal
		case r.suffix != "":
			m = strings.HasSuffix(name, r.suffix)
		case !r.anchored:
			m = wildMatch(r.segs[0], name)
		default:
			if parts == nil {
				parts = strings.Split(sub, "/")
			}
			m = matchSegs(r.segs, parts)
		}
		if m {
			return !r.negate, true
		}
	}
	return false, false
}

// matchSegs matches path segments against pattern segments, where "**"
// stands for any number of whole segments; a trailing "**" needs at least
// one, since "dir/**" matches what is inside dir but not dir itself.
func matchSegs(p, s []string) bool {
	for len(p) > 0 {
		if p[0] == "**" {
			if len(p) == 1 {
				return len(s) > 0
			}
			for i := 0; i <= len(s); i++ {
				if matchSegs(p[1:], s[i:]) {
					return true
				}
			}
			return false
		}
		if len(s) == 0 || !wildMatch(p[0], s[0]) {
			return false
		}
		p, s = p[1:], s[1:]
	}
	return len(s) == 0
}

// wildMatch matches one path segment against a glob with "*", "?", "[...]"
// classes and "\" escapes. A "*" backtracks only to the latest star, which
// is enough because a star matches any run of characters.
func wildMatch(p, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, -1
	for sx < len(s) {
		if px < len(p) {
			switch p[px] {
			case '*':
				starP, starS = px, sx
				px++
				continue
			case '?':
				_, n := utf8.DecodeRuneInString(s[sx:])
				px, sx = px+1, sx+n
				continue
			case '[':
				r, n := utf8.DecodeRuneInString(s[sx:])
				if matched, plen, valid := matchClass(p[px:], r); valid {
					if matched {
						px, sx = px+plen, sx+n
						continue
					}
				} else if s[sx] == '[' {
					px, sx = px+1, sx+1
					continue
				}
			case '\\':
				if px+1 < len(p) && p[px+1] == s[sx] {
					px, sx = px+2, sx+1
					continue
				}
			default:
				if p[px] == s[sx] {
					px, sx = px+1, sx+1
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		px, sx = starP+1, starS
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}

// matchClass matches r against the bracket expression at the start of p and
// returns the expression's length; valid is false when p has no closing "]",
// in which case "[" is an ordinary character.
func matchClass(p string, r rune) (matched bool, n int, valid bool) {
	i := 1
	negate := false
	if i < len(p) && (p[i] == '!' || p[i] == '^') {
		negate = true
		i++
	}
	first := true
	for i < len(p) {
		if p[i] == ']' && !first {
			return matched != negate, i + 1, true
		}
		first = false
		lo, w := classChar(p, i)
		if w == 0 {
			break
		}
		i += w
		hi := lo
		if i+1 < len(p) && p[i] == '-' && p[i+1] != ']' {
			h, w2 := classChar(p, i+1)
			if w2 == 0 {
				break
			}
			hi = h
			i += 1 + w2
		}
		if lo <= r && r <= hi {
			matched = true
		}
	}
	return false, 0, false
}

// classChar decodes one possibly escaped character of a bracket expression.
func classChar(p string, i int) (rune, int) {
	if p[i] == '\\' {
		if i+1 >= len(p) {
			return 0, 0
		}
		r, n := utf8.DecodeRuneInString(p[i+1:])
		return r, n + 1
	}
	r, n := utf8.DecodeRuneInString(p[i:])
	return r, n
}
