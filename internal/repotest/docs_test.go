package repotest

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var repoRoot = filepath.Join("..", "..")

// protocolHash hashes protocol/'s Go sources (not its tests), name and
// content, in name order.
func protocolHash(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(repoRoot, "protocol")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(n + "\n"))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// TestLSPExtensionsDocMatchesProtocol: docs/lsp-extensions.md starts with
// the hash of protocol/, so changing the wire structs without revisiting
// the doc fails here (STYLE.md rule 3).
func TestLSPExtensionsDocMatchesProtocol(t *testing.T) {
	f, err := os.Open(filepath.Join(repoRoot, "docs", "lsp-extensions.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	first := sc.Text()
	want := "<!-- protocol/ hash: " + protocolHash(t) + " -->"
	if first != want {
		t.Fatalf("docs/lsp-extensions.md is out of date with protocol/.\nReview the doc against protocol/, then make its first line:\n%s\n(it is: %s)", want, first)
	}
}

// TestEveryMethodIsDocumented: each Method* and Command* constant of
// protocol/ has its own section in docs/lsp-extensions.md.
func TestEveryMethodIsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "lsp-extensions.md"))
	if err != nil {
		t.Fatal(err)
	}
	file, err := parser.ParseFile(token.NewFileSet(), filepath.Join(repoRoot, "protocol", "methods.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	ast.Inspect(file, func(node ast.Node) bool {
		vs, ok := node.(*ast.ValueSpec)
		if !ok {
			return true
		}
		for i, name := range vs.Names {
			if !strings.HasPrefix(name.Name, "Method") && !strings.HasPrefix(name.Name, "Command") {
				continue
			}
			lit, ok := vs.Values[i].(*ast.BasicLit)
			if !ok {
				continue
			}
			value, _ := strconv.Unquote(lit.Value)
			n++
			if !regexp.MustCompile("(?m)^## `" + regexp.QuoteMeta(value) + "`").Match(doc) {
				t.Errorf("%s (%s) has no \"## `%s`\" section in docs/lsp-extensions.md", name.Name, value, value)
			}
		}
		return true
	})
	if n < 10 {
		t.Fatalf("found only %d method constants; the test is not reading protocol/methods.go right", n)
	}
}

// TestArchitectureDocPathsExist: every path docs/architecture.md names in
// backticks exists (STYLE.md rule 14).
func TestArchitectureDocPathsExist(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("`([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]*)+|[A-Za-z0-9_-]+\\.(?:go|md|json|ts|sh|mjs))`")
	n := 0
	for _, m := range re.FindAllStringSubmatch(string(doc), -1) {
		p := m[1]
		if strings.HasPrefix(p, "hearth/") || strings.Contains(p, "://") || strings.HasPrefix(p, "go.lsp.dev") || strings.HasPrefix(p, "github.com") || strings.HasPrefix(p, "$") || strings.HasPrefix(p, "~") {
			continue // method names, URLs and modules, not paths
		}
		n++
		if _, err := os.Stat(filepath.Join(repoRoot, filepath.FromSlash(p))); err != nil {
			t.Errorf("docs/architecture.md names %s, which does not exist", p)
		}
	}
	if n < 10 {
		t.Fatalf("found only %d paths in docs/architecture.md; is the pattern right?", n)
	}
}
