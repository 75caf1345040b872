package actions

import (
	"fmt"
	"strings"
)

// contextLines is how many unchanged lines surround a change in a diff.
const contextLines = 3

// Hunk is one contiguous change between two versions of a file. The ranges
// are 0-based with counts, ready for LSP ranges: OldStart is where the
// change begins in the old file (for a pure insertion, the line it goes
// before), OldLines how many old lines it replaces.
type Hunk struct {
	Index              int
	OldStart, OldLines int
	NewStart, NewLines int
	// Diff is the hunk in unified format with its context, header included.
	Diff string
}

// splitKeep splits content into lines that keep their "\n", so that joining
// them gives the content back byte for byte.
func splitKeep(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// block is a maximal run of changed ops, [from, to) in the script.
type block struct{ from, to int }

func changeBlocks(ops []op) []block {
	var bs []block
	for i := 0; i < len(ops); {
		if ops[i].kind == opEqual {
			i++
			continue
		}
		j := i
		for j < len(ops) && ops[j].kind != opEqual {
			j++
		}
		bs = append(bs, block{i, j})
		i = j
	}
	return bs
}

// Hunks splits the change from old to new into its contiguous changes, each
// of which can be accepted or rejected on its own by ApplyHunks.
func Hunks(old, new []byte) []Hunk {
	a, b := splitKeep(string(old)), splitKeep(string(new))
	ops := diffLines(a, b)
	var hs []Hunk
	for i, bl := range changeBlocks(ops) {
		h := Hunk{Index: i}
		h.OldStart, h.NewStart = startOf(ops, bl.from)
		for _, o := range ops[bl.from:bl.to] {
			if o.kind == opDelete {
				h.OldLines++
			} else {
				h.NewLines++
			}
		}
		h.Diff = formatHunk(ops, a, b, withContext(ops, bl))
		hs = append(hs, h)
	}
	return hs
}

// withContext widens a change by up to contextLines unchanged lines on
// each side, stopping at a neighbouring change so that a hunk's text shows
// only its own change.
func withContext(ops []op, bl block) block {
	r := bl
	for r.from > 0 && bl.from-r.from < contextLines && ops[r.from-1].kind == opEqual {
		r.from--
	}
	for r.to < len(ops) && r.to-bl.to < contextLines && ops[r.to].kind == opEqual {
		r.to++
	}
	return r
}

// startOf gives the old and new line indexes at which op i happens.
func startOf(ops []op, i int) (int, int) {
	oa, ob := 0, 0
	for _, o := range ops[:i] {
		if o.kind != opInsert {
			oa++
		}
		if o.kind != opDelete {
			ob++
		}
	}
	return oa, ob
}

// ApplyHunks builds the content that takes the accepted hunks (by Index)
// from new and keeps old everywhere else.
func ApplyHunks(old, new []byte, accepted []int) []byte {
	a, b := splitKeep(string(old)), splitKeep(string(new))
	ops := diffLines(a, b)
	take := map[int]bool{}
	for _, i := range accepted {
		take[i] = true
	}
	var out strings.Builder
	pos := 0
	for i, bl := range changeBlocks(ops) {
		for _, o := range ops[pos:bl.from] {
			out.WriteString(a[o.a])
		}
		for _, o := range ops[bl.from:bl.to] {
			if take[i] && o.kind == opInsert {
				out.WriteString(b[o.b])
			}
			if !take[i] && o.kind == opDelete {
				out.WriteString(a[o.a])
			}
		}
		pos = bl.to
	}
	for _, o := range ops[pos:] {
		out.WriteString(a[o.a])
	}
	return []byte(out.String())
}

// UnifiedDiff renders the change from old to new for path in unified
// format, with git's a/ and b/ prefixes; it is empty when nothing changed.
func UnifiedDiff(path string, old, new []byte) string {
	return unified("a/"+path, "b/"+path, old, new)
}

// Diff renders the change in unified format, naming /dev/null as the old
// side of a new file.
func (c FileChange) Diff() string {
	from := "a/" + c.Path
	if !c.OldExists {
		from = "/dev/null"
	}
	return unified(from, "b/"+c.Path, c.Old, c.New)
}

func unified(from, to string, old, new []byte) string {
	a, b := splitKeep(string(old)), splitKeep(string(new))
	ops := diffLines(a, b)
	bs := changeBlocks(ops)
	if len(bs) == 0 {
		return ""
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", from, to)
	// Changes whose contexts touch share one hunk, as in git's output.
	for i := 0; i < len(bs); {
		j := i
		for j+1 < len(bs) && bs[j+1].from-bs[j].to <= 2*contextLines {
			j++
		}
		out.WriteString(formatHunk(ops, a, b, block{max(0, bs[i].from-contextLines), min(len(ops), bs[j].to+contextLines)}))
		i = j + 1
	}
	return out.String()
}

// formatHunk writes ops[from:to] as one unified hunk; within each change the
// deletions come first, as readers expect.
func formatHunk(ops []op, a, b []string, r block) string {
	oa, ob := startOf(ops, r.from)
	na, nb := 0, 0
	for _, o := range ops[r.from:r.to] {
		if o.kind != opInsert {
			na++
		}
		if o.kind != opDelete {
			nb++
		}
	}
	var out strings.Builder
	fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(oa, na), hunkRange(ob, nb))
	line := func(prefix byte, l string) {
		out.WriteByte(prefix)
		out.WriteString(l)
		if !strings.HasSuffix(l, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
	for i := r.from; i < r.to; {
		if ops[i].kind == opEqual {
			line(' ', a[ops[i].a])
			i++
			continue
		}
		j := i
		for j < r.to && ops[j].kind != opEqual {
			j++
		}
		for _, o := range ops[i:j] {
			if o.kind == opDelete {
				line('-', a[o.a])
			}
		}
		for _, o := range ops[i:j] {
			if o.kind == opInsert {
				line('+', b[o.b])
			}
		}
		i = j
	}
	return out.String()
}

// hunkRange writes a unified range: 1-based start and count, where an empty
// range names the line before it.
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprint(start + 1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
