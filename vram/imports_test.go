package vram

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDomainImports keeps vram a domain package: it takes and returns plain
// Go types and knows nothing of LSP or Hearth's wire structs.
func TestDomainImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == "github.com/hearth-dev/hearth/server" || p == "github.com/hearth-dev/hearth/protocol" ||
				strings.HasPrefix(p, "go.lsp.dev/") {
				t.Errorf("%s imports %s", f, p)
			}
			if strings.HasPrefix(p, "github.com/ollama/ollama/") && p != "github.com/ollama/ollama/api" {
				t.Errorf("%s imports %s: only ollama's api package may be used", f, p)
			}
		}
	}
}
