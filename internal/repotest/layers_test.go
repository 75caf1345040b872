package repotest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/hearth-dev/hearth"

// TestDomainPackagesDoNotKnowLSP enforces STYLE.md rule 2: LSP and JSON-RPC
// stop at server/. The domain packages take and return plain Go types.
func TestDomainPackagesDoNotKnowLSP(t *testing.T) {
	banned := []string{module + "/server", module + "/protocol", "go.lsp.dev/"}
	for _, dir := range []string{"planact", "actions", "snapshot", "vram", "llm"} {
		walkGo(t, filepath.Join("..", "..", dir), func(path, imp string) {
			for _, b := range banned {
				if imp == b || strings.HasPrefix(imp, b+"/") || (strings.HasSuffix(b, "/") && strings.HasPrefix(imp, b)) {
					t.Errorf("%s imports %s: domain packages must not know LSP or the server", path, imp)
				}
			}
		})
	}
}

// TestOnlyOllamaAPIIsImported: Hearth's product code uses Ollama's client
// package and nothing else of the Ollama module.
func TestOnlyOllamaAPIIsImported(t *testing.T) {
	for _, dir := range []string{"cmd/hearth", "server", "planact", "actions", "snapshot", "vram", "llm", "protocol", "settings"} {
		walkGo(t, filepath.Join("..", "..", dir), func(path, imp string) {
			if strings.HasPrefix(imp, "github.com/ollama/ollama") && imp != "github.com/ollama/ollama/api" {
				t.Errorf("%s imports %s: only github.com/ollama/ollama/api may be used", path, imp)
			}
		})
	}
}

// walkGo calls f for every import of every non-test Go file under dir.
func walkGo(t *testing.T, dir string, f func(path, imp string)) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, s := range file.Imports {
			imp, _ := strconv.Unquote(s.Path.Value)
			f(path, imp)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}
