package planact

import (
	"context"
	"errors"
	"io/fs"
)

// writeFile creates a file or replaces its whole content.
type writeFile struct {
	root    string
	resolve Resolver
	files   FileSource
	editor  Editor
}

func newWriteFile(root string, resolve Resolver, files FileSource, editor Editor) tool {
	return writeFile{root: root, resolve: resolve, files: files, editor: editor}
}

func (writeFile) spec() toolSpec {
	return toolSpec{
		Name:  "write_file",
		Short: "Create a file or replace all of it.",
		Long:  "Write a whole file: creates it (and its directories) or replaces its entire content. Prefer edit_file for changes to existing files.",
		Params: []param{
			{Name: "path", Type: "string", Doc: "file path relative to the workspace root", Required: true},
			{Name: "content", Type: "string", Doc: "the complete new content", Required: true},
		},
	}
}

func (t writeFile) run(ctx context.Context, c *call) result {
	p := argString(c.Args, "path")
	abs, err := t.resolve(t.root, p)
	if err != nil {
		return errResult("%v", err)
	}
	data, err := t.files.ReadFile(abs)
	created := errors.Is(err, fs.ErrNotExist)
	if err != nil && !created {
		return errResult("cannot read %s: %v", p, err)
	}
	ch, err := t.editor.Compare(abs, string(data), argString(c.Args, "content"))
	if err != nil {
		return errResult("cannot write %s: %v", p, err)
	}
	ch.Created = created
	if !created && ch.New == ch.Old {
		return okResult("The file already has exactly this content.", "no change to "+relPath(t.root, abs))
	}
	return c.gate.proposeChange(ctx, c, ch)
}
