package snapshot

import (
	"go/build"
	"strings"
	"testing"
)

// TestNoLSPImports keeps the package a domain package: plain Go types in
// and out, nothing of the wire protocol.
func TestNoLSPImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "go.lsp.dev/") || strings.HasPrefix(imp, "github.com/hearth-dev/hearth/server") ||
			strings.HasPrefix(imp, "github.com/hearth-dev/hearth/protocol") {
			t.Errorf("snapshot imports %s", imp)
		}
	}
}
