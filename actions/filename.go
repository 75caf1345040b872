package actions

import (
	"regexp"
	"strings"
)

// fence matches a Markdown fence opener or closer and its info string.
var fence = regexp.MustCompile("^\\s*(```+|~~~+)\\s*(.*)$")

// pathChars is what a file name written by a model may hold.
var pathChars = regexp.MustCompile(`^[\p{L}\p{N}_.\-/\\@+~$\[\]()]+$`)

// bareNames are file names without a dot that are still clearly files.
var bareNames = map[string]bool{"Makefile": true, "Dockerfile": true, "LICENSE": true, "Gemfile": true, "Rakefile": true, "Procfile": true, "Justfile": true, "Containerfile": true}

var labelPrefix = regexp.MustCompile(`(?i)^(file ?name|file|path)\s*:\s*`)

// pathFromLine reads a file name from a line that holds only a name,
// possibly decorated: "src/a.ts", "**src/a.ts**", "`src/a.ts`:",
// "### File: src/a.ts", "<path>src/a.ts</path>". It returns "" for prose.
func pathFromLine(l string) string {
	t := strings.TrimSpace(l)
	t = strings.TrimLeft(t, "#")
	t = strings.TrimSpace(t)
	t = strings.TrimPrefix(t, "- ")
	t = strings.TrimPrefix(t, "<path>")
	t = strings.TrimSuffix(t, "</path>")
	for {
		before := t
		t = strings.TrimSpace(t)
		t = strings.TrimSuffix(t, ":")
		t = labelPrefix.ReplaceAllString(t, "")
		for _, q := range []string{"**", "*", "`", "'", "\"", "__"} {
			if len(t) > 2*len(q) && strings.HasPrefix(t, q) && strings.HasSuffix(t, q) {
				t = t[len(q) : len(t)-len(q)]
			}
		}
		if t == before {
			break
		}
	}
	if looksLikePath(t) {
		return t
	}
	return trailingCodePath(strings.TrimSpace(l))
}

// trailingCode finds a backticked name that ends a prose line, as in
// "Now update `src/a.ts`:".
var trailingCode = regexp.MustCompile("`([^`\\s]+)`\\**:?\\**$")

func trailingCodePath(l string) string {
	if m := trailingCode.FindStringSubmatch(l); m != nil && looksLikePath(m[1]) {
		return m[1]
	}
	return ""
}

// looksLikePath accepts names with a directory or an extension, rejecting
// sentences, markers and bare words.
func looksLikePath(t string) bool {
	if t == "" || !pathChars.MatchString(t) || strings.Trim(t, ".") == "" {
		return false
	}
	if strings.HasSuffix(t, ".") || strings.HasPrefix(t, "---") || strings.HasPrefix(t, "+++") || strings.HasPrefix(t, "===") {
		return false
	}
	base := t[strings.LastIndexAny(t, "/\\")+1:]
	return strings.Contains(t, "/") || strings.Contains(base, ".") || bareNames[base]
}

// pathFromFence reads a file name from a fence's info string: "ts src/a.ts",
// "src/a.ts", "python:src/a.py".
func pathFromFence(info string) string {
	for _, f := range strings.Fields(info) {
		if i := strings.LastIndexByte(f, ':'); i >= 0 {
			f = f[i+1:]
		}
		if looksLikePath(f) {
			return f
		}
	}
	return ""
}

// pathBefore finds the file name for a block starting at line i: on the line
// before it, in the fence it sits in, or on the line before that fence.
// Blank lines in between are skipped; any other prose stops the search.
func pathBefore(lines []string, i int) string {
	for j, seen := i-1, 0; j >= 0 && seen < 3; j-- {
		l := lines[j]
		if isBlank(l) {
			continue
		}
		seen++
		if m := fence.FindStringSubmatch(l); m != nil {
			if p := pathFromFence(m[2]); p != "" {
				return p
			}
			continue
		}
		return pathFromLine(l)
	}
	return ""
}
