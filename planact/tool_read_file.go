package planact

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/hearth-dev/hearth/actions"
	"io/fs"
	"path/filepath"
	"strings"
)

// readFile shows a file with numbered lines, a page at a time, in
// actions.NumberLine's format, which actions strips again from SEARCH blocks
// a model copies them into.
type readFile struct {
	root     string
	resolve  Resolver
	files    FileSource
	maxChars int // Most characters of file text in one page.
}

// maxReadLines bounds a page whatever the window.
const maxReadLines = 400

func newReadFile(root string, resolve Resolver, files FileSource, maxChars int) tool {
	return readFile{root: root, resolve: resolve, files: files, maxChars: maxChars}
}

func (readFile) spec() toolSpec {
	return toolSpec{
		Name:  "read_file",
		Short: "Read a file, with line numbers.",
		Long:  "Read a file of the workspace. Lines are shown as `  12 | text`; never copy the number prefix into edits. Large files come a page at a time: pass start_line to read on.",
		Params: []param{
			{Name: "path", Type: "string", Doc: "file path relative to the workspace root", Required: true},
			{Name: "start_line", Type: "integer", Doc: "first line to show, from 1"},
			{Name: "end_line", Type: "integer", Doc: "last line to show"},
		},
	}
}

func (t readFile) run(_ context.Context, c *call) result {
	p := argString(c.Args, "path")
	abs, err := t.resolve(t.root, p)
	if err != nil {
		return errResult("%v", err)
	}
	data, err := t.files.ReadFile(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return errResult("%s does not exist (use list_files to see what does)", p)
	}
	if err != nil {
		return errResult("cannot read %s: %v", p, err)
	}
	rel := relPath(t.root, abs)
	if bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0 {
		return okResult(fmt.Sprintf("%s is a binary file (%d bytes); it is not shown.", rel, len(data)), "binary file "+rel)
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if text == "" {
		return okResult(rel+" is empty.", "read "+rel+" (empty)")
	}
	start := max(argInt(c.Args, "start_line"), 1)
	end := argInt(c.Args, "end_line")
	if end <= 0 || end > len(lines) {
		end = len(lines)
	}
	if start > len(lines) {
		return errResult("%s has only %d lines", rel, len(lines))
	}
	if end < start {
		return errResult("end_line %d is before start_line %d", end, start)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", rel)
	shown := start - 1
	used := 0
	for i := start - 1; i < end; i++ {
		line := lines[i]
		if shown-(start-1) >= maxReadLines || (used+len(line) > t.maxChars && shown > start-1) {
			break
		}
		b.WriteString(actions.NumberLine(i+1, line))
		b.WriteByte('\n')
		used += len(line) + 7
		shown = i + 1
	}
	if shown < end || end < len(lines) {
		fmt.Fprintf(&b, "(lines %d-%d of %d; call read_file with start_line=%d to read more)\n", start, shown, len(lines), shown+1)
	}
	return okResult(b.String(), fmt.Sprintf("read %s lines %d-%d of %d", rel, start, shown, len(lines)))
}

// relPath is abs relative to root, with slashes, for the model's eyes.
func relPath(root, abs string) string {
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return abs
	}
	return filepath.ToSlash(rel)
}
