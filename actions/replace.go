package actions

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// replaceIn finds search in t and replaces it, trying each strategy in turn
// and stopping at the first that finds exactly one place. It returns the
// strategy used, or why nothing was changed; t is untouched on error.
func replaceIn(t *text, search, replace string) (string, *MatchError) {
	search = strings.ReplaceAll(search, "\r\n", "\n")
	replace = strings.ReplaceAll(replace, "\r\n", "\n")
	if !strings.HasSuffix(search, "\n") {
		if name, err, done := replaceFragment(t, search, replace); done {
			return name, err
		}
	}
	sl, rl := splitLines(search), splitLines(replace)
	if core, _, _ := trimBlankEdges(sl); len(core) == 0 {
		return "", &MatchError{Reason: "SEARCH holds only blank lines; copy the lines to change from the file"}
	}
	if slices.ContainsFunc(rl, wordyElision) && !slices.ContainsFunc(sl, isElision) {
		return "", &MatchError{Reason: "REPLACE has a line such as \"// ... existing code ...\" standing for code, but SEARCH has none, so that code would be deleted; write out the code in REPLACE, or put the same \"...\" line in SEARCH"}
	}
	sUnit := indentUnit(append(append([]string(nil), sl...), rl...))
	m := newMatcher(t.lines)

	name, err, done := m.tryLines(t, sl, rl, sUnit, "")
	if !done {
		if core, lead, trail := trimBlankEdges(sl); lead+trail > 0 {
			name, err, done = m.tryLines(t, core, dropBlank(rl, lead, trail), sUnit, StratBlankLines)
		}
	}
	if !done {
		if ns, ok := stripLineNumbers(sl); ok {
			nr := stripSomeLineNumbers(rl)
			core, lead, trail := trimBlankEdges(ns)
			if len(core) > 0 {
				name, err, done = m.tryLines(t, core, dropBlank(nr, lead, trail), indentUnit(append(append([]string(nil), core...), nr...)), StratLineNumbers)
			}
		}
	}
	if !done {
		name, err, done = m.tryElision(t, sl, rl, sUnit)
	}
	core, lead, trail := trimBlankEdges(sl)
	rcore := dropBlank(rl, lead, trail)
	if !done {
		name, err, done = m.tryAnchors(t, core, rcore, sUnit)
	}
	if !done {
		name, err, done = m.trySimilar(t, core, rcore, sUnit)
	}
	if done {
		return name, err
	}
	return "", m.notFound(sl, rl, sUnit)
}

// replaceFragment handles SEARCH text that does not end a line, as edit_file
// calls often are: an exact substring, unique in the file or unique among
// the places where it spans whole lines.
func replaceFragment(t *text, search, replace string) (string, *MatchError, bool) {
	if search == "" {
		return "", nil, false
	}
	s := strings.Join(t.lines, "\n")
	if t.finalNL {
		s += "\n"
	}
	var at []int
	for i := 0; ; {
		j := strings.Index(s[i:], search)
		if j < 0 {
			break
		}
		at = append(at, i+j)
		i += j + 1
	}
	if len(at) > 1 {
		var whole []int
		for _, p := range at {
			end := p + len(search)
			if (p == 0 || s[p-1] == '\n') && (end == len(s) || s[end] == '\n') {
				whole = append(whole, p)
			}
		}
		if len(whole) != 1 {
			starts := make([]int, len(at))
			for i, p := range at {
				starts[i] = strings.Count(s[:p], "\n")
			}
			return StratExact, ambiguous(starts), true
		}
		at = whole
	}
	if len(at) == 0 {
		return "", nil, false
	}
	nt := splitText(s[:at[0]] + replace + s[at[0]+len(search):])
	t.lines, t.finalNL = nt.lines, nt.finalNL
	return StratExact, nil, true
}

// tryLines runs the line strategies and splices the replacement in on a hit.
func (m *matcher) tryLines(t *text, sl, rl []string, sUnit, prefix string) (string, *MatchError, bool) {
	name, at, err := m.findLines(sl, sUnit)
	name = compose(prefix, name)
	if err != nil {
		return name, err, true
	}
	if at < 0 {
		return "", nil, false
	}
	repl := reindent(rl, pairsFor(m.file[at:at+len(sl)], sl), m.fileUnit, sUnit)
	t.lines = splice(t.lines, []segment{{at, at + len(sl), repl}})
	return name, nil, true
}

// compose names a strategy reached through a transform, such as line numbers
// stripped and then a relative-indent match.
func compose(prefix, name string) string {
	switch {
	case prefix == "":
		return name
	case name == StratExact || name == StratWhitespace || name == "":
		return prefix
	}
	return prefix + "+" + name
}

// splice replaces the segments, which must be in order and disjoint.
func splice(lines []string, segs []segment) []string {
	out := make([]string, 0, len(lines))
	pos := 0
	for _, s := range segs {
		out = append(out, lines[pos:s.start]...)
		out = append(out, s.repl...)
		pos = s.end
	}
	return append(out, lines[pos:]...)
}

// isElision recognises the lines models write for "unchanged code here":
// a bare "...", or "..." followed by words ("... existing code ..."),
// optionally inside a comment. Code that starts with dots, such as a
// spread "...args,", is not one.
func isElision(l string) bool {
	t := strings.TrimSpace(l)
	commented := false
	for _, c := range []string{"//", "#", "--", "/*", "<!--", ";"} {
		if strings.HasPrefix(t, c) {
			t = strings.TrimSpace(t[len(c):])
			commented = true
			break
		}
	}
	if !strings.HasPrefix(t, "...") && !strings.HasPrefix(t, "…") {
		return false
	}
	tail := strings.TrimSpace(strings.Trim(t, ".… */->!"))
	if tail == "" {
		return true
	}
	for _, r := range tail {
		if !unicode.IsLetter(r) && r != ' ' && r != '.' && r != '…' && r != '\'' {
			return false
		}
	}
	return commented || strings.Contains(tail, " ")
}

// wordyElision is an elision line that says what it stands for; in REPLACE
// alone it would delete that code and write the placeholder instead.
func wordyElision(l string) bool {
	return isElision(l) && strings.ContainsFunc(l, unicode.IsLetter)
}

func splitElided(lines []string) [][]string {
	var pieces [][]string
	cur := []string{}
	for _, l := range lines {
		if isElision(l) {
			pieces = append(pieces, cur)
			cur = []string{}
			continue
		}
		cur = append(cur, l)
	}
	return append(pieces, cur)
}

// tryElision matches the pieces between "..." lines separately; each must be
// unique, in order, and REPLACE must elide the same way so that the skipped
// code is kept.
func (m *matcher) tryElision(t *text, sl, rl []string, sUnit string) (string, *MatchError, bool) {
	sp := splitElided(sl)
	if len(sp) < 2 {
		return "", nil, false
	}
	rp := splitElided(rl)
	if len(rp) != len(sp) {
		return StratElision, &MatchError{Reason: fmt.Sprintf("SEARCH has %d \"...\" lines but REPLACE has %d; REPLACE must keep the same \"...\" lines so the code they stand for is kept", len(sp)-1, len(rp)-1)}, true
	}
	var segs []segment
	pos := 0
	for k, piece := range sp {
		core, lead, trail := trimBlankEdges(piece)
		rcore := dropBlank(rp[k], lead, trail)
		if len(core) == 0 {
			if len(trimBlank(rcore)) != 0 {
				return StratElision, &MatchError{Reason: "a \"...\" line in SEARCH has no code on one side, so there is no place to put the REPLACE text; name the lines around it"}, true
			}
			continue
		}
		_, at, err := m.findLines(core, sUnit)
		if err != nil {
			err.Reason = fmt.Sprintf("the part of SEARCH between \"...\" lines starting %q: %s", strings.TrimSpace(core[0]), err.Reason)
			return StratElision, err, true
		}
		if at < 0 {
			return StratElision, &MatchError{
				Reason:  fmt.Sprintf("the part of SEARCH between \"...\" lines starting %q is not in the file", strings.TrimSpace(core[0])),
				Closest: m.closest(core),
			}, true
		}
		if at < pos {
			return StratElision, &MatchError{Reason: "the parts of SEARCH between \"...\" lines appear in the file in a different order"}, true
		}
		repl := reindent(rcore, pairsFor(m.file[at:at+len(core)], core), m.fileUnit, sUnit)
		segs = append(segs, segment{at, at + len(core), repl})
		pos = at + len(core)
	}
	t.lines = splice(t.lines, segs)
	return StratElision, nil, true
}

func trimBlank(lines []string) []string {
	out, _, _ := trimBlankEdges(lines)
	return out
}

// tryAnchors accepts a block of three or more lines whose first and last
// lines match exactly one region of about the same length whose middle is
// at least half the same; the model often misremembers the middle.
func (m *matcher) tryAnchors(t *text, sl, rl []string, sUnit string) (string, *MatchError, bool) {
	n := len(sl)
	if n < 3 {
		return "", nil, false
	}
	first, last := strings.TrimSpace(sl[0]), strings.TrimSpace(sl[n-1])
	if first == "" || last == "" {
		return "", nil, false
	}
	mid := map[string]bool{}
	for _, l := range sl[1 : n-1] {
		if !isBlank(l) {
			mid[strings.TrimSpace(l)] = true
		}
	}
	if len(mid) == 0 {
		return "", nil, false
	}
	type cand struct {
		start, end int
		score      float64
	}
	var cands []cand
	minL, maxL := n-n/2, n+n/2+1
	for i := range m.file {
		if m.trimmed[i] != first {
			continue
		}
		for L := max(minL, 3); L <= maxL && i+L <= len(m.file); L++ {
			j := i + L - 1
			if m.trimmed[j] != last || !sameStep(sl[0], sl[n-1], sUnit, m.file[i], m.file[j], m.fileUnit) {
				continue
			}
			// The score is the share of SEARCH's middle lines found in the
			// region's middle, each counted once.
			seen := map[string]bool{}
			for _, l := range m.trimmed[i+1 : j] {
				if mid[l] {
					seen[l] = true
				}
			}
			score := float64(len(seen)) / float64(len(mid))
			if score >= 0.5 {
				cands = append(cands, cand{i, j + 1, score})
			}
		}
	}
	if len(cands) == 0 {
		return "", nil, false
	}
	best, second := 0, -1.0
	for k, c := range cands {
		if c.score > cands[best].score {
			best = k
		}
	}
	for k, c := range cands {
		if k != best && c.score > second {
			second = c.score
		}
	}
	if second >= 0 && cands[best].score-second < 0.1 {
		starts := []int{}
		for _, c := range cands {
			if cands[best].score-c.score < 0.1 {
				starts = append(starts, c.start)
			}
		}
		return StratAnchors, ambiguous(starts), true
	}
	c := cands[best]
	win := m.file[c.start:c.end]
	pairs := []indentPair{{indentOf(sl[0]), indentOf(win[0])}, {indentOf(sl[n-1]), indentOf(win[len(win)-1])}}
	t.lines = splice(t.lines, []segment{{c.start, c.end, reindent(rl, pairs, m.fileUnit, sUnit)}})
	return StratAnchors, nil, true
}

// sameStep reports whether two file lines sit at the same relative depth as
// two SEARCH lines, so that a closing brace anchors its own block only.
func sameStep(s1, s2, sUnit, f1, f2, fUnit string) bool {
	a, _ := indentLevel(indentOf(s1), sUnit)
	b, _ := indentLevel(indentOf(s2), sUnit)
	c, _ := indentLevel(indentOf(f1), fUnit)
	d, _ := indentLevel(indentOf(f2), fUnit)
	return b-a == d-c
}

// trySimilar accepts the most similar window when it is nearly identical and
// clearly better than every other window.
func (m *matcher) trySimilar(t *text, sl, rl []string, sUnit string) (string, *MatchError, bool) {
	at, best, second := m.similar(sl)
	if at < 0 || best < minSimilarity {
		return "", nil, false
	}
	if best-second < similarityMargin {
		return StratSimilarity, &MatchError{
			Reason:  fmt.Sprintf("SEARCH is not in the file exactly, and at least two places are about equally close (%.0f%% and %.0f%% alike); copy the lines exactly", best*100, second*100),
			Closest: &Region{Start: at + 1, Lines: append([]string(nil), m.file[at:at+len(sl)]...), Score: best},
		}, true
	}
	repl := reindent(rl, pairsFor(m.file[at:at+len(sl)], sl), m.fileUnit, sUnit)
	t.lines = splice(t.lines, []segment{{at, at + len(sl), repl}})
	return StratSimilarity, nil, true
}

// notFound explains a miss: the closest region, or that the change seems to
// be in the file already.
func (m *matcher) notFound(sl, rl []string, sUnit string) *MatchError {
	if core := trimBlank(rl); len(core) > 0 {
		if _, at, err := m.findLines(core, sUnit); err == nil && at >= 0 {
			return &MatchError{Reason: fmt.Sprintf("SEARCH is not in the file, but the REPLACE text already is, at line %d; this block may have been applied already", at+1)}
		}
	}
	return &MatchError{Reason: "SEARCH is not in the file", Closest: m.closest(sl)}
}

// stripSomeLineNumbers strips read_file prefixes from the lines that carry
// one, for a REPLACE written partly from echoed output.
func stripSomeLineNumbers(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if loc := numberedLine.FindStringIndex(l); loc != nil {
			out[i] = l[loc[1]:]
		} else {
			out[i] = l
		}
	}
	return out
}
