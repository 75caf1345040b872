package actions

import (
	"errors"
	"regexp"
	"sort"
	"strings"
)

// parsed is an edit with the span of message lines [start, end) it came
// from, so that formats claiming the same lines can be settled by priority.
type parsed struct {
	edit       Edit
	start, end int
}

// editParser recognises one edit format in a message split into lines.
type editParser interface {
	parse(lines []string) []parsed
}

// parsers is the one table of edit formats, in priority order: when two
// claim the same lines, the earlier wins (a fenced SEARCH/REPLACE block is
// not also a whole file).
var parsers = []struct {
	name string
	p    editParser
}{
	{"aider", blockParser{aiderMarkers}},
	{"cline", blockParser{clineMarkers}},
	{"unified-diff", diffParser{}},
	{"whole-file", wholeFileParser{}},
}

// ErrNoEdits is returned by Parse when the text looks like an edit attempt
// but not one edit could be read from it.
var ErrNoEdits = errors.New("the reply looks like an edit but no complete SEARCH/REPLACE block or diff could be read; check the markers")

// attempt spots marker lines of any format.
var attempt = regexp.MustCompile(`(?m)^\s*(<{5,9}|-{3,9}) ?SEARCH|^\s*(>{5,9}|\+{3,9}) ?REPLACE|^@@.*@@|^\+\+\+ `)

// Parse reads every edit in a model's message, in every known format, in
// message order, numbering them from 1. Malformed blocks come back with
// Problem set so that they fail visibly instead of vanishing. The error is
// ErrNoEdits when nothing usable was found although the text looked like an
// attempt; plain prose gives no edits and no error.
func Parse(msg string) ([]Edit, error) {
	lines := strings.Split(strings.ReplaceAll(msg, "\r\n", "\n"), "\n")
	var all []parsed
	for _, entry := range parsers {
		// A parser's own edits may share lines (the hunks of one diff);
		// only lines claimed by an earlier parser are off limits.
		claimed := all
		for _, p := range entry.p.parse(lines) {
			if !overlaps(claimed, p) {
				all = append(all, p)
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].start < all[j].start })
	other := false
	for _, p := range all {
		if p.edit.Kind != KindWholeFile {
			other = true
		}
	}
	edits := make([]Edit, 0, len(all))
	usable := 0
	for _, p := range all {
		e := p.edit
		if e.Kind == KindWholeFile && other {
			// Beside real edits, a fenced file is more likely an
			// illustration; it may create a file, never replace one.
			e.CreateOnly = true
		}
		e.Block = len(edits) + 1
		e.Line = p.start + 1
		if e.Problem == "" {
			usable++
		}
		edits = append(edits, e)
	}
	if usable == 0 && attempt.MatchString(msg) {
		return edits, ErrNoEdits
	}
	return edits, nil
}

func overlaps(have []parsed, p parsed) bool {
	for _, h := range have {
		if p.start < h.end && h.start < p.end {
			return true
		}
	}
	return false
}

// joinLines turns parsed lines back into text with a newline after each.
func joinLines(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}
