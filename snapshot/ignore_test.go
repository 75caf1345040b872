package snapshot

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files (ignore.golden from git itself)")

// ignoreTree exercises gitignore syntax: comments, negation, anchoring,
// dir-only rules, "**", classes, escapes, trailing spaces, nested files that
// override outer ones, and .hearthignore.
var ignoreTree = tree{
	".gitignore": "# a comment\n*.log\n!keep.log\n/rootonly.txt\nbuild/\n!build/keep.txt\n" +
		"**/gen/**\ndocs/**/*.tmp\n\\#hash.txt\ntrailing.txt   \na?c.md\n[a-c]x.dat\n*.o\n" +
		"dir-only-name/\nnode_modules\n\\!bang.txt\nlit\\*.txt\nspace\\ \n",
	".hearthignore":            "secrets/\n*.secret\n",
	"app.log":                  "",
	"keep.log":                 "",
	"rootonly.txt":             "",
	"nested/rootonly.txt":      "",
	"build/x":                  "",
	"build/keep.txt":           "",
	"nested/build/y":           "",
	"src/gen/a.go":             "",
	"gen/b.go":                 "",
	"gen":                      "dir:",
	"docs/x/y.tmp":             "",
	"docs/y.tmp":               "",
	"docs/y.txt":               "",
	"#hash.txt":                "",
	"trailing.txt":             "",
	"abc.md":                   "",
	"aXc.md":                   "",
	"abbc.md":                  "",
	"ax.dat":                   "",
	"dx.dat":                   "",
	"main.o":                   "",
	"dir-only-name":            "",
	"x/dir-only-name/f":        "",
	"node_modules/p/i.js":      "",
	"lib/node_modules/q.js":    "",
	"!bang.txt":                "",
	"lit*.txt":                 "",
	"litX.txt":                 "",
	"space ":                   "",
	"secrets/key":              "",
	"a.secret":                 "",
	"nested/.gitignore":        "!important.log\n/local.txt\n*.cache\n!keep.o\n",
	"nested/important.log":     "",
	"nested/other.log":         "",
	"nested/local.txt":         "",
	"nested/sub/local.txt":     "",
	"nested/keep.o":            "",
	"nested/a.cache":           "",
	"nested/deeper/.gitignore": "!*.cache\nsub/\n",
	"nested/deeper/b.cache":    "",
	"nested/deeper/sub/z":      "",
	"nested/deeper/sub.txt":    "",
	"ok/plain.go":              "",
}

func TestIgnoreRulesMatchGit(t *testing.T) {
	s, _ := newStore(t, ignoreTree)
	entries, err := s.scanAll(context.Background(), nil, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.path)
	}
	golden := filepath.Join("testdata", "ignore.golden")
	// Git knows no .hearthignore: it gets a copy of the workspace in which
	// each .hearthignore is appended to the .gitignore beside it.
	gitTree := copyTree(ignoreTree)
	for p, v := range ignoreTree {
		if filepath.Base(p) == ".hearthignore" {
			gi := filepath.ToSlash(filepath.Join(filepath.Dir(p), ".gitignore"))
			gitTree[gi] += "\n" + v
		}
	}
	gitRoot := t.TempDir()
	writeTree(t, gitRoot, gitTree)
	if git := gitListing(t, gitRoot); git != nil {
		if strings.Join(got, "\n") != strings.Join(git, "\n") {
			t.Errorf("hearth keeps:\n%s\n\ngit keeps:\n%s", strings.Join(got, "\n"), strings.Join(git, "\n"))
		}
		if *update {
			os.WriteFile(golden, []byte(strings.Join(git, "\n")+"\n"), 0o644)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update where git is installed)", err)
	}
	if strings.Join(got, "\n")+"\n" != string(want) {
		t.Errorf("hearth keeps:\n%s\nwant (%s):\n%s", strings.Join(got, "\n"), golden, want)
	}
}

// gitListing returns the files git would add in root, or nil when git is
// not installed.
func gitListing(t *testing.T, root string) []string {
	if _, err := exec.LookPath("git"); err != nil {
		return nil
	}
	gitDir := t.TempDir()
	env := append(os.Environ(), "GIT_DIR="+gitDir, "GIT_WORK_TREE="+root,
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	run := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = root, env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return string(out)
	}
	run("init", "-q")
	out := run("ls-files", "-z", "--others", "--exclude-standard")
	var files []string
	for _, f := range strings.Split(out, "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	sort.Strings(files)
	return files
}
