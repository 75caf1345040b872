package planact

import (
	"context"
	"errors"
	"io/fs"
)

// gate is how tools that change things get them approved, snapshotted and
// applied; the turn implements it, under the session's policy.
type gate interface {
	// proposeChange shows ch as a proposal, waits for the decision (or
	// the policy's), snapshots and writes what was accepted, and says what
	// happened.
	proposeChange(ctx context.Context, c *call, ch Change) result
	// approveCommand applies the deny-list and the policy, asks the user
	// when needed and snapshots before a command runs. A non-nil result
	// means the command must not run and is the tool's result.
	approveCommand(ctx context.Context, c *call, command string) *result
}

// editFile applies one SEARCH/REPLACE edit.
type editFile struct {
	root    string
	resolve Resolver
	files   FileSource
	editor  Editor
}

func newEditFile(root string, resolve Resolver, files FileSource, editor Editor) tool {
	return editFile{root: root, resolve: resolve, files: files, editor: editor}
}

func (editFile) spec() toolSpec {
	return toolSpec{
		Name:  "edit_file",
		Short: "Replace exact text in a file.",
		Long:  "Edit a file: `search` is text copied exactly from the file (a few whole lines, enough to be unique, without line-number prefixes); `replace` is what replaces it. Read the file first.",
		Params: []param{
			{Name: "path", Type: "string", Doc: "file path relative to the workspace root", Required: true},
			{Name: "search", Type: "string", Doc: "exact lines to find", Required: true},
			{Name: "replace", Type: "string", Doc: "lines that replace them", Required: true},
		},
	}
}

func (t editFile) run(ctx context.Context, c *call) result {
	p := argString(c.Args, "path")
	abs, err := t.resolve(t.root, p)
	if err != nil {
		return errResult("%v", err)
	}
	data, err := t.files.ReadFile(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return errResult("%s does not exist; use write_file to create it", p)
	}
	if err != nil {
		return errResult("cannot read %s: %v", p, err)
	}
	ch, err := t.editor.Replace(abs, string(data), argString(c.Args, "search"), argString(c.Args, "replace"))
	if err != nil {
		return errResult("edit of %s not applied: %v", p, err)
	}
	if ch.New == ch.Old {
		return okResult("The edit changes nothing: search and replace give the same file.", "no change to "+relPath(t.root, abs))
	}
	return c.gate.proposeChange(ctx, c, ch)
}
