package actions

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// parseHeaderFunc is one distinctive function in the middle of the big file,
// the target of the similarity benchmark.
const parseHeaderFunc = `func parseHeader(line string) (string, string) {
	name, value, ok := strings.Cut(line, ":")
	if !ok {
		return "", ""
	}
	return strings.TrimSpace(name), strings.TrimSpace(value)
}

`

// tenKLines builds a 10,000-line Go file of small distinct functions.
func tenKLines() string {
	var b strings.Builder
	b.WriteString("package big\n\n")
	for i := 0; b.Len() < 1<<30; i++ {
		fmt.Fprintf(&b, "func f%d(x int) int {\n\tif x > %d {\n\t\treturn x - %d\n\t}\n\treturn x + %d\n}\n\n", i, i, i, i)
		if i == 700 {
			b.WriteString(parseHeaderFunc)
		}
		if strings.Count(b.String(), "\n") >= 10000 {
			break
		}
	}
	return b.String()
}

// BenchmarkApply10kLines measures Parse plus Prepare of one block in the
// middle of a 10,000-line file, per matcher path; the goal is under 20 ms.
func BenchmarkApply10kLines(b *testing.B) {
	content := tenKLines()
	root := b.TempDir()
	abs := filepath.Join(root, "big.go")
	src := overlay{abs: content}
	blocks := map[string]string{
		"exact":           "\tif x > 700 {\n\t\treturn x - 700\n\t}\n",
		"relative-indent": "    if x > 700 {\n        return x - 700\n    }\n",
		"similarity":      "\tname, value, ok := strings.Cut(line, \":\")\n\tif !ok {\n\t\treturn \"\", \"\"\n\t}\n\treturn strings.TrimSpace(name), strings.Trimspace(value)\n",
		"not-found":       "\tif y > 123456 {\n\t\treturn y\n\t}\n",
	}
	for _, name := range []string{"exact", "relative-indent", "similarity", "not-found"} {
		msg := "big.go\n<<<<<<< SEARCH\n" + blocks[name] + "=======\n\tpanic(1)\n>>>>>>> REPLACE\n"
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				edits, _ := Parse(msg)
				res, err := Prepare(root, src, edits)
				if (err == nil) == (name == "not-found") {
					b.Fatalf("%s: %v\n%s", name, err, res.Feedback())
				}
			}
		})
	}
	b.Run("write", func(b *testing.B) {
		os.WriteFile(abs, []byte(content), 0o644)
		msg := "big.go\n<<<<<<< SEARCH\n" + blocks["exact"] + "=======\n\tpanic(1)\n>>>>>>> REPLACE\n"
		edits, _ := Parse(msg)
		for b.Loop() {
			res, err := Prepare(root, src, edits)
			if err == nil {
				err = Write(root, res.Changes)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkHunks10kLines measures diffing a 10,000-line file with ten
// scattered changes.
func BenchmarkHunks10kLines(b *testing.B) {
	old := tenKLines()
	lines := strings.SplitAfter(old, "\n")
	for i := 500; i < len(lines); i += 1000 {
		lines[i] = "// changed\n"
	}
	nw := []byte(strings.Join(lines, ""))
	for b.Loop() {
		if len(Hunks([]byte(old), nw)) != 10 {
			b.Fatal("want 10 hunks")
		}
	}
}

// BenchmarkCorpus runs the whole recorded corpus and reports its pass rate,
// so that a change to the parsers or the matcher shows up as a number.
func BenchmarkCorpus(b *testing.B) {
	files := loadCorpus(b)
	passed := 0
	for b.Loop() {
		passed = 0
		for _, f := range files {
			data, _ := os.ReadFile(f)
			if _, err := runCase(parseCase(string(data)), b.TempDir()); err == nil {
				passed++
			}
		}
	}
	b.ReportMetric(100*float64(passed)/float64(len(files)), "pass%")
	b.ReportMetric(float64(len(files)), "cases")
}
