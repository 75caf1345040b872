package planact

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportBans keeps LSP and JSON-RPC out of the agent loop: planact
// takes and returns plain Go types (STYLE.md rule 2).
func TestImportBans(t *testing.T) {
	files, err := filepath.Glob("*.go")
	must(t, err)
	fset := token.NewFileSet()
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		must(t, err)
		for _, im := range af.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if strings.HasPrefix(p, "go.lsp.dev/") || p == "github.com/hearth-dev/hearth/server" || p == "github.com/hearth-dev/hearth/protocol" {
				t.Errorf("%s imports %s", f, p)
			}
			if strings.HasPrefix(p, "github.com/ollama/ollama/") && p != "github.com/ollama/ollama/api" {
				t.Errorf("%s imports %s; only ollama/api is allowed", f, p)
			}
		}
	}
}
