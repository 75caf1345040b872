package planact

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// searchFiles greps the workspace with a regular expression, honouring
// .gitignore and reading open files from the editor's buffers.
type searchFiles struct {
	root    string
	resolve Resolver
	files   FileSource
}

const (
	maxMatches      = 100
	maxSearchedFile = 1 << 20
	maxMatchLine    = 200
)

func newSearchFiles(root string, resolve Resolver, files FileSource) tool {
	return searchFiles{root: root, resolve: resolve, files: files}
}

func (searchFiles) spec() toolSpec {
	return toolSpec{
		Name:  "search_files",
		Short: "Search file contents with a regexp.",
		Long:  "Search the workspace's files for a regular expression (Go syntax). Shows path:line: text for each match.",
		Params: []param{
			{Name: "pattern", Type: "string", Doc: "regular expression", Required: true},
			{Name: "path", Type: "string", Doc: "directory or file to search (default: the root)"},
		},
	}
}

func (t searchFiles) run(_ context.Context, c *call) result {
	pat := argString(c.Args, "pattern")
	note := ""
	re, err := regexp.Compile(pat)
	if err != nil {
		// Small models often forget to escape; searching the literal text
		// serves them better than an error.
		re = regexp.MustCompile(regexp.QuoteMeta(pat))
		note = fmt.Sprintf("(%q is not a valid regexp, so it was searched as plain text)\n", pat)
	}
	abs, err := t.resolve(t.root, argString(c.Args, "path"))
	if err != nil {
		return errResult("%v", err)
	}
	var out []string
	truncated := false
	grep := func(rel string) error {
		data, err := t.files.ReadFile(filepath.Join(t.root, filepath.FromSlash(rel)))
		if err != nil || len(data) > maxSearchedFile || bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0 {
			return nil
		}
		for i, line := range strings.Split(string(data), "\n") {
			if !re.MatchString(line) {
				continue
			}
			if len(out) >= maxMatches {
				truncated = true
				return fs.SkipAll
			}
			line = strings.TrimRight(line, "\r")
			if len(line) > maxMatchLine {
				line = line[:maxMatchLine] + "…"
			}
			out = append(out, fmt.Sprintf("%s:%d: %s", rel, i+1, line))
		}
		return nil
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		_ = grep(relPath(t.root, abs)) // A single file; grep only stops early.
	} else {
		err = walkWorkspace(t.root, abs, true, func(rel string, d fs.DirEntry) error {
			if d.IsDir() {
				return nil
			}
			return grep(rel)
		})
		if err != nil {
			return errResult("cannot search %s: %v", argString(c.Args, "path"), err)
		}
	}
	if len(out) == 0 {
		return okResult(note+"No matches.", fmt.Sprintf("searched %q: no matches", pat))
	}
	s := note + strings.Join(out, "\n")
	if truncated {
		s += fmt.Sprintf("\n(only the first %d matches; narrow the pattern or the path)", maxMatches)
	}
	return okResult(s, fmt.Sprintf("searched %q: %d matches", pat, len(out)))
}
