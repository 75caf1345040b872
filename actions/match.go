package actions

import (
	"fmt"
	"strings"
)

// Strategy names, reported with every applied block so that the edit-format
// benchmark can see which forgiveness each model needs.
const (
	StratExact       = "exact"
	StratWhitespace  = "whitespace"
	StratIndent      = "indent-offset"
	StratRelative    = "relative-indent"
	StratBlankLines  = "blank-lines"
	StratLineNumbers = "line-numbers"
	StratElision     = "elision"
	StratAnchors     = "anchors"
	StratSimilarity  = "similarity"
	StratCreate      = "create"
	StratWholeFile   = "whole-file"
)

// segment is a run of file lines [start, end) to be replaced by repl.
type segment struct {
	start, end int
	repl       []string
}

// MatchError says why a SEARCH found no single place, with what the model
// needs to correct it.
type MatchError struct {
	// Reason is a sentence for the model.
	Reason string
	// Places lists the 1-based first lines of every equally good match when
	// the block was ambiguous.
	Places []int
	// Closest is the file region most like SEARCH, nil when nothing is close.
	Closest *Region
	// Candidates shows the first few equally good places of an ambiguous
	// block, so that the model can see which lines tell them apart.
	Candidates []Region
}

func (e *MatchError) Error() string { return e.Reason }

// Region is a run of file lines shown back to the model.
type Region struct {
	Start int // 1-based
	Lines []string
	Score float64 // similarity to SEARCH, 0..1
}

// matcher holds one file state and the views of it the strategies share.
type matcher struct {
	file     []string
	trimmed  []string
	fileUnit string
}

func newMatcher(lines []string) *matcher {
	m := &matcher{file: lines, trimmed: make([]string, len(lines))}
	for i, l := range lines {
		m.trimmed[i] = strings.TrimSpace(l)
	}
	m.fileUnit = indentUnit(lines)
	return m
}

// lineStrategy decides whether a window whose lines agree once trimmed is a
// match under a given forgiveness.
type lineStrategy struct {
	name string
	ok   func(m *matcher, at int, search []string, sUnit string) bool
}

// lineStrategies run in order; each is looser than the one before.
var lineStrategies = []lineStrategy{
	{StratExact, func(m *matcher, at int, s []string, _ string) bool {
		for i, l := range s {
			if m.file[at+i] != l {
				return false
			}
		}
		return true
	}},
	{StratWhitespace, func(m *matcher, at int, s []string, _ string) bool {
		for i, l := range s {
			if trimRight(m.file[at+i]) != trimRight(l) {
				return false
			}
		}
		return true
	}},
	{StratIndent, func(m *matcher, at int, s []string, _ string) bool {
		_, ok := uniformOffset(m.file[at:at+len(s)], s)
		return ok
	}},
	{StratRelative, relativeMatch},
}

// uniformOffset reports whether every non-blank line of the window is its
// SEARCH line with one common indentation added, or one removed.
func uniformOffset(win, search []string) (string, bool) {
	add, rem := true, true
	var addP, remP string
	first := true
	for i, s := range search {
		if isBlank(s) {
			continue
		}
		fi, si := indentOf(win[i]), indentOf(s)
		if first {
			first = false
			if strings.HasSuffix(fi, si) {
				addP = fi[:len(fi)-len(si)]
			} else {
				add = false
			}
			if strings.HasSuffix(si, fi) {
				remP = si[:len(si)-len(fi)]
			} else {
				rem = false
			}
		}
		if fi != addP+si {
			add = false
		}
		if si != remP+fi {
			rem = false
		}
	}
	return addP + remP, add || rem
}

// relativeMatch compares each line's indentation as a change from the line
// before, counted in units of each side's own style, so a block copied with
// spaces matches tab-indented code and a block shifted anywhere matches.
func relativeMatch(m *matcher, at int, s []string, sUnit string) bool {
	prevS, prevF, seen := 0, 0, false
	for i, l := range s {
		if isBlank(l) {
			continue
		}
		ls, _ := indentLevel(indentOf(l), sUnit)
		lf, _ := indentLevel(indentOf(m.file[at+i]), m.fileUnit)
		if seen && ls-prevS != lf-prevF {
			return false
		}
		prevS, prevF, seen = ls, lf, true
	}
	return true
}

// windows returns where search fits once every line is trimmed, at most
// limit places.
func (m *matcher) windows(search []string, limit int) []int {
	n := len(search)
	if n == 0 || n > len(m.file) {
		return nil
	}
	ts := make([]string, n)
	for i, l := range search {
		ts[i] = strings.TrimSpace(l)
	}
	var out []int
	for at := 0; at+n <= len(m.file); at++ {
		if m.trimmed[at] != ts[0] {
			continue
		}
		ok := true
		for i := 1; i < n; i++ {
			if m.trimmed[at+i] != ts[i] {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, at)
			if len(out) >= limit {
				break
			}
		}
	}
	return out
}

// findLines runs the line strategies on whole-line SEARCH text. It returns
// the strategy that found exactly one place and that place, or a refusal
// when a strategy found several, or found=-1 when none found any.
func (m *matcher) findLines(search []string, sUnit string) (name string, at int, err *MatchError) {
	// Every candidate is kept: a cap could hide the second exact place
	// behind the first and turn an ambiguity into a guess.
	cands := m.windows(search, len(m.file))
	if len(cands) == 0 {
		return "", -1, nil
	}
	for _, st := range lineStrategies {
		var hits []int
		for _, c := range cands {
			if st.ok(m, c, search, sUnit) {
				hits = append(hits, c)
			}
		}
		switch len(hits) {
		case 0:
			continue
		case 1:
			return st.name, hits[0], nil
		default:
			err := ambiguous(hits)
			for _, h := range hits[:min(len(hits), maxCandidates)] {
				err.Candidates = append(err.Candidates, m.region(h, len(search)))
			}
			return st.name, -1, err
		}
	}
	return "", -1, nil
}

// maxCandidates is how many places of an ambiguous block feedback shows.
const maxCandidates = 3

// region copies n file lines from at, widened by one line each side so that
// the model sees what surrounds each place.
func (m *matcher) region(at, n int) Region {
	from, to := max(0, at-1), min(len(m.file), at+n+1)
	return Region{Start: from + 1, Lines: append([]string(nil), m.file[from:to]...), Score: 1}
}

func ambiguous(starts []int) *MatchError {
	var places []int
	var names []string
	for _, s := range starts {
		if len(places) > 0 && places[len(places)-1] == s+1 {
			continue
		}
		places = append(places, s+1)
		if len(names) < 5 {
			names = append(names, fmt.Sprint(s+1))
		}
	}
	more := ""
	if len(places) > 5 {
		more = ", ..."
	}
	return &MatchError{
		Reason: fmt.Sprintf("SEARCH matches %d places (lines %s%s); add lines around the change so that it matches only one", len(places), strings.Join(names, ", "), more),
		Places: places,
	}
}

// pairsFor lists the indentation of aligned non-blank lines.
func pairsFor(win, search []string) []indentPair {
	var ps []indentPair
	for i, s := range search {
		if i < len(win) && !isBlank(s) && !isBlank(win[i]) {
			ps = append(ps, indentPair{indentOf(s), indentOf(win[i])})
		}
	}
	return ps
}

// trimBlankEdges drops leading and trailing blank lines.
func trimBlankEdges(lines []string) (out []string, lead, trail int) {
	for lead < len(lines) && isBlank(lines[lead]) {
		lead++
	}
	end := len(lines)
	for end > lead && isBlank(lines[end-1]) {
		end--
	}
	return lines[lead:end], lead, len(lines) - end
}

// dropBlank removes up to n blank lines from the start (front) or end of
// lines, mirroring what was dropped from SEARCH.
func dropBlank(lines []string, lead, trail int) []string {
	for lead > 0 && len(lines) > 0 && isBlank(lines[0]) {
		lines = lines[1:]
		lead--
	}
	for trail > 0 && len(lines) > 0 && isBlank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
		trail--
	}
	return lines
}
