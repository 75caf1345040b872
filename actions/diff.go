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

// Hunks splits the change from old to new into the hunks of its unified
// diff (changes whose context would touch share a hunk, as in git), so that
// hunk i is the i-th @@ section of UnifiedDiff. Each can be accepted or
// rejected on its own by ApplyHunks.
func Hunks(old, new []byte) []Hunk {
	a, b := splitKeep(string(old)), splitKeep(string(new))
	ops := diffLines(a, b)
	var hs []Hunk
	for i, g := range hunkGroups(ops) {
		h := Hunk{Index: i}
		h.OldStart, h.NewStart = startOf(ops, g.from)
		for _, o := range ops[g.from:g.to] {
			if o.kind != opInsert {
				h.OldLines++
			}
			if o.kind != opDelete {
				h.NewLines++
			}
		}
		h.Diff = formatHunk(ops, a, b, withContext(ops, g))
		hs = append(hs, h)
	}
	return hs
}

// hunkGroups merges change blocks closer than two contexts into one hunk;
// each group spans [from, to) of the script, first change to last.
func hunkGroups(ops []op) []block {
	var gs []block
	for _, bl := range changeBlocks(ops) {
		if n := len(gs); n > 0 && bl.from-gs[n-1].to <= 2*contextLines {
			gs[n-1].to = bl.to
			continue
		}
		gs = append(gs, bl)
	}
	return gs
}

// withContext widens a hunk by up to contextLines unchanged lines on each
// side.
func withContext(ops []op, g block) block {
	return block{max(0, g.from-contextLines), min(len(ops), g.to+contextLines)}
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
	for i, g := range hunkGroups(ops) {
		for _, o := range ops[pos:g.from] {
			out.WriteString(a[o.a])
		}
		for _, o := range ops[g.from:g.to] {
			switch {
			case o.kind == opEqual:
				out.WriteString(a[o.a])
			case take[i] && o.kind == opInsert:
				out.WriteString(b[o.b])
			case !take[i] && o.kind == opDelete:
				out.WriteString(a[o.a])
			}
		}
		pos = g.to
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

// UnifiedDiffNamed renders the change from old to new in unified format
// under the given --- and +++ names (such as a/x and /dev/null); it is
// empty when nothing changed.
func UnifiedDiffNamed(from, to string, old, new []byte) string {
	return unified(from, to, old, new)
}

func unified(from, to string, old, new []byte) string {
	a, b := splitKeep(string(old)), splitKeep(string(new))
	ops := diffLines(a, b)
	gs := hunkGroups(ops)
	if len(gs) == 0 {
		return ""
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", from, to)
	for _, g := range gs {
		out.WriteString(formatHunk(ops, a, b, withContext(ops, g)))
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
