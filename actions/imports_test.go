package actions

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoLSPImports keeps actions a domain package: it takes and returns
// plain Go types and knows nothing of the wire.
func TestNoLSPImports(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, "go.lsp.dev/") || strings.HasSuffix(p, "hearth/server") || strings.HasSuffix(p, "hearth/protocol") {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}
