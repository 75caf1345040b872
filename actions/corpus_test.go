package actions

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden feedback sections of testdata/corpus")

// corpusCase is one file of testdata/corpus: a model's raw output, the files
// it edits, and either the files expected afterwards or the refusal
// expected. The format is a tiny txtar: header lines, then "-- name --"
// sections.
//
// Header directives:
//
//	strategy: a, b      strategies expected for the blocks, in order
//	crlf: in/x out/x    sections whose newlines are written as CRLF
//	noeol: in/x out/x   sections written without their final newline
//	mode: in/x 0755     permission bits of an input file
//	symlink: name target  a symbolic link in the workspace; target OUTSIDE
//	                    is a directory outside the workspace
//
// Sections: message (raw model output) or edit_file (the tool's JSON),
// in/PATH, out/PATH, error (lines the feedback must contain; present means
// the apply must be refused and nothing written), feedback (golden text,
// refreshed with -update).
type corpusCase struct {
	header   []string
	sections []section
}

type section struct{ name, body string }

func parseCase(data string) corpusCase {
	var c corpusCase
	lines := strings.SplitAfter(data, "\n")
	cur := -1
	for _, l := range lines {
		t := strings.TrimRight(l, "\r\n")
		if strings.HasPrefix(t, "-- ") && strings.HasSuffix(t, " --") && len(t) > 6 {
			c.sections = append(c.sections, section{name: t[3 : len(t)-3]})
			cur = len(c.sections) - 1
			continue
		}
		if cur < 0 {
			if t != "" {
				c.header = append(c.header, t)
			}
			continue
		}
		c.sections[cur].body += l
	}
	return c
}

func (c corpusCase) format() string {
	var b strings.Builder
	for _, h := range c.header {
		b.WriteString(h + "\n")
	}
	for _, s := range c.sections {
		fmt.Fprintf(&b, "-- %s --\n%s", s.name, s.body)
	}
	return b.String()
}

func (c corpusCase) directive(key string) []string {
	var out []string
	for _, h := range c.header {
		if v, ok := strings.CutPrefix(h, key+":"); ok {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

func (c corpusCase) section(name string) (string, bool) {
	for _, s := range c.sections {
		if s.name == name {
			return s.body, true
		}
	}
	return "", false
}

// content applies the crlf and noeol directives to a section body.
func (c corpusCase) content(name, body string) string {
	for _, d := range c.directive("noeol") {
		if hasField(d, name) {
			body = strings.TrimSuffix(body, "\n")
		}
	}
	for _, d := range c.directive("crlf") {
		if hasField(d, name) {
			body = strings.ReplaceAll(body, "\n", "\r\n")
		}
	}
	return body
}

func hasField(d, name string) bool {
	for _, f := range strings.Fields(d) {
		if f == name {
			return true
		}
	}
	return false
}

// runCase sets the case's workspace up, parses, prepares and writes, and
// checks the outcome. It returns the feedback text for the golden check.
func runCase(c corpusCase, tmp string) (feedback string, err error) {
	root := filepath.Join(tmp, "ws")
	outside := filepath.Join(tmp, "outside")
	for _, d := range []string{root, outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", err
		}
	}
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret\n"), 0o644)
	before := map[string]string{}
	for _, s := range c.sections {
		if p, ok := strings.CutPrefix(s.name, "in/"); ok {
			abs := filepath.Join(root, filepath.FromSlash(p))
			os.MkdirAll(filepath.Dir(abs), 0o755)
			body := c.content(s.name, s.body)
			if err := os.WriteFile(abs, []byte(body), 0o644); err != nil {
				return "", err
			}
			before[p] = body
		}
	}
	for _, d := range c.directive("mode") {
		var name string
		var mode uint32
		fmt.Sscanf(d, "%s %o", &name, &mode)
		os.Chmod(filepath.Join(root, strings.TrimPrefix(name, "in/")), fs.FileMode(mode))
	}
	for _, d := range c.directive("symlink") {
		f := strings.Fields(d)
		target := f[1]
		if target == "OUTSIDE" {
			target = outside
		}
		if err := os.Symlink(target, filepath.Join(root, f[0])); err != nil {
			return "", err
		}
	}

	var edits []Edit
	var parseErr error
	if msg, ok := c.section("message"); ok {
		edits, parseErr = Parse(msg)
	} else if js, ok := c.section("edit_file"); ok {
		var call struct{ Path, Search, Replace string }
		if err := json.Unmarshal([]byte(js), &call); err != nil {
			return "", fmt.Errorf("edit_file section: %w", err)
		}
		edits = []Edit{{Path: call.Path, Search: call.Search, Replace: call.Replace, Block: 1}}
	} else {
		return "", errors.New("case has neither message nor edit_file")
	}
	res, applyErr := Prepare(root, OSFiles{}, edits)
	feedback = res.Feedback()
	if parseErr != nil {
		feedback = parseErr.Error() + "\n" + feedback
	}
	if applyErr == nil && parseErr == nil {
		applyErr = Write(root, res.Changes)
	}

	after, err := snapshotTree(root)
	if err != nil {
		return feedback, err
	}
	if wantErr, refused := c.section("error"); refused {
		if applyErr == nil && parseErr == nil {
			return feedback, fmt.Errorf("want refusal, but the edits applied:\n%s", feedback)
		}
		for _, l := range strings.Split(strings.TrimSpace(wantErr), "\n") {
			if !strings.Contains(feedback, l) {
				return feedback, fmt.Errorf("feedback lacks %q:\n%s", l, feedback)
			}
		}
		if !sameTree(before, after) {
			return feedback, fmt.Errorf("a refused apply changed the workspace: %v", diffTrees(before, after))
		}
		if _, err := os.Stat(filepath.Join(outside, "new.txt")); err == nil {
			return feedback, errors.New("a file was written outside the workspace")
		}
	} else {
		if parseErr != nil || applyErr != nil {
			return feedback, fmt.Errorf("want success, got %v %v:\n%s", parseErr, applyErr, feedback)
		}
		want := map[string]string{}
		for p, b := range before {
			want[p] = b
		}
		for _, s := range c.sections {
			if p, ok := strings.CutPrefix(s.name, "out/"); ok {
				want[p] = c.content(s.name, s.body)
			}
		}
		if !sameTree(want, after) {
			return feedback, fmt.Errorf("workspace differs from out/: %v\n%s", diffTrees(want, after), feedback)
		}
	}
	if d := c.directive("strategy"); len(d) > 0 {
		var got []string
		for _, b := range res.Blocks {
			if b.Skipped {
				got = append(got, "skipped")
			} else {
				got = append(got, b.Strategy)
			}
		}
		if strings.Join(got, ", ") != d[0] {
			return feedback, fmt.Errorf("strategies %q, want %q", strings.Join(got, ", "), d[0])
		}
	}
	for _, d := range c.directive("mode") {
		var name string
		var mode uint32
		fmt.Sscanf(d, "%s %o", &name, &mode)
		fi, err := os.Stat(filepath.Join(root, strings.TrimPrefix(name, "in/")))
		if err != nil || fi.Mode().Perm() != fs.FileMode(mode) {
			return feedback, fmt.Errorf("mode of %s not kept: %v", name, fi.Mode())
		}
	}
	return feedback, nil
}

// snapshotTree reads every regular file under root; symbolic links are not
// followed, so files outside never show up.
func snapshotTree(root string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	return out, err
}

func sameTree(a, b map[string]string) bool { return len(diffTrees(a, b)) == 0 }

func diffTrees(want, got map[string]string) []string {
	var d []string
	for p, w := range want {
		if g, ok := got[p]; !ok {
			d = append(d, "missing "+p)
		} else if g != w {
			d = append(d, fmt.Sprintf("%s: got %q, want %q", p, g, w))
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			d = append(d, "unexpected "+p)
		}
	}
	sort.Strings(d)
	return d
}

func loadCorpus(tb testing.TB) []string {
	files, err := filepath.Glob("testdata/corpus/*.txt")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no corpus: %v", err)
	}
	sort.Strings(files)
	return files
}

// TestCorpus runs every recorded model output and logs the pass rate.
func TestCorpus(t *testing.T) {
	files := loadCorpus(t)
	passed := 0
	for _, f := range files {
		ok := t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c := parseCase(string(data))
			fb, err := runCase(c, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			golden, has := c.section("feedback")
			switch {
			case *update:
				if has {
					for i := range c.sections {
						if c.sections[i].name == "feedback" {
							c.sections[i].body = fb
						}
					}
				} else {
					c.sections = append(c.sections, section{"feedback", fb})
				}
				if err := os.WriteFile(f, []byte(c.format()), 0o644); err != nil {
					t.Fatal(err)
				}
			case has && golden != fb:
				t.Fatalf("feedback differs from golden (run with -update if intended):\ngot:\n%s\nwant:\n%s", fb, golden)
			}
		})
		if ok {
			passed++
		}
	}
	t.Logf("corpus: %d/%d passed", passed, len(files))
}
