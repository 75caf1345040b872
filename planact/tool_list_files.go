package planact

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
)

// listFiles lists a directory, honouring .gitignore.
type listFiles struct {
	root    string
	resolve Resolver
}

// maxListed bounds a listing so a big tree cannot fill a small window.
const maxListed = 300

func newListFiles(root string, resolve Resolver) tool { return listFiles{root: root, resolve: resolve} }

func (listFiles) spec() toolSpec {
	return toolSpec{
		Name:  "list_files",
		Short: "List files in a directory.",
		Long:  "List the files of a workspace directory (ignored files are left out). Directories end with /.",
		Params: []param{
			{Name: "path", Type: "string", Doc: "directory relative to the workspace root (default: the root)"},
			{Name: "recursive", Type: "boolean", Doc: "list subdirectories too"},
		},
	}
}

func (t listFiles) run(_ context.Context, c *call) result {
	p := argString(c.Args, "path")
	abs, err := t.resolve(t.root, p)
	if err != nil {
		return errResult("%v", err)
	}
	var lines []string
	truncated := false
	err = walkWorkspace(t.root, abs, argBool(c.Args, "recursive"), func(rel string, d fs.DirEntry) error {
		if len(lines) >= maxListed {
			truncated = true
			return fs.SkipAll
		}
		if d.IsDir() {
			rel += "/"
		}
		lines = append(lines, rel)
		return nil
	})
	if err != nil {
		return errResult("cannot list %s: %v", p, err)
	}
	if len(lines) == 0 {
		return okResult("(no files)", "listed "+relPath(t.root, abs)+": empty")
	}
	out := strings.Join(lines, "\n")
	if truncated {
		out += fmt.Sprintf("\n(only the first %d entries; list a subdirectory to see more)", maxListed)
	}
	return okResult(out, fmt.Sprintf("listed %s: %d entries", relPath(t.root, abs), len(lines)))
}
