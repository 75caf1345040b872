package actions

import "strings"

// indentUnit guesses one indentation step of lines: a tab when most indented
// lines start with one, else the smallest change in space indentation
// between neighbouring lines, or "" when nothing is indented.
func indentUnit(lines []string) string {
	tabs, spaces := 0, 0
	for _, l := range lines {
		if isBlank(l) {
			continue
		}
		switch ind := indentOf(l); {
		case ind == "":
		case ind[0] == '\t':
			tabs++
		default:
			spaces++
		}
	}
	if tabs == 0 && spaces == 0 {
		return ""
	}
	if tabs > spaces {
		return "\t"
	}
	step, prev := 0, 0
	for _, l := range lines {
		if isBlank(l) {
			continue
		}
		w := indentWidth(indentOf(l), 4)
		d := w - prev
		if d < 0 {
			d = -d
		}
		if d > 0 && (step == 0 || d < step) {
			step = d
		}
		prev = w
	}
	if step == 0 || step > 8 {
		step = 4
	}
	return strings.Repeat(" ", step)
}

// indentWidth counts columns, a tab counting as tab columns.
func indentWidth(ind string, tab int) int {
	w := 0
	for _, c := range ind {
		if c == '\t' {
			w += tab
		} else {
			w++
		}
	}
	return w
}

// indentLevel says how many units deep an indentation is, and how many
// columns are left over (alignment spaces after the last whole unit).
func indentLevel(ind, unit string) (level, rest int) {
	n := len(unit)
	if unit == "\t" || n == 0 {
		n = 4
	}
	w := indentWidth(ind, n)
	return w / n, w % n
}

// makeIndent builds an indentation of level units plus rest spaces.
func makeIndent(unit string, level, rest int) string {
	if level < 0 {
		level = 0
	}
	if unit == "" {
		unit = "    "
	}
	return strings.Repeat(unit, level) + strings.Repeat(" ", rest)
}

// indentPair is the indentation of one non-blank SEARCH line and of the file
// line it matched; the pairs tell how to move the REPLACE lines over.
type indentPair struct{ search, file string }

// reindent moves the replacement lines to where their SEARCH lines matched:
// unchanged when the indentation agreed, shifted by a common prefix when the
// match was shifted, else rebuilt level by level in the file's own unit, so
// that a block written with spaces lands as tabs in a tab-indented file.
func reindent(repl []string, pairs []indentPair, fileUnit, searchUnit string) []string {
	out := make([]string, len(repl))
	copy(out, repl)
	if len(pairs) == 0 {
		return fixStyle(out, fileUnit)
	}
	same, add, remove := true, true, true
	addP, remP := "", ""
	for i, p := range pairs {
		if p.search != p.file {
			same = false
		}
		if i == 0 {
			if strings.HasSuffix(p.file, p.search) {
				addP = p.file[:len(p.file)-len(p.search)]
			}
			if strings.HasSuffix(p.search, p.file) {
				remP = p.search[:len(p.search)-len(p.file)]
			}
		}
		if p.file != addP+p.search {
			add = false
		}
		if p.search != remP+p.file {
			remove = false
		}
	}
	switch {
	case same:
		return fixStyle(out, fileUnit)
	case add:
		for i, l := range out {
			if !isBlank(l) {
				out[i] = addP + l
			}
		}
		return fixStyle(out, fileUnit)
	case remove:
		for i, l := range out {
			if strings.HasPrefix(l, remP) {
				out[i] = l[len(remP):]
			} else {
				out[i] = strings.TrimLeft(l, " \t")
			}
		}
		return fixStyle(out, fileUnit)
	}
	if searchUnit == "" {
		searchUnit = fileUnit
	}
	unit := fileUnit
	if unit == "" {
		unit = searchUnit
	}
	anchorS, _ := indentLevel(pairs[0].search, searchUnit)
	anchorF, anchorRest := indentLevel(pairs[0].file, unit)
	for i, l := range out {
		if isBlank(l) {
			out[i] = ""
			continue
		}
		lvl, rest := indentLevel(indentOf(l), searchUnit)
		r := anchorRest
		if lvl != anchorS {
			r = rest
		}
		out[i] = makeIndent(unit, anchorF+lvl-anchorS, r) + strings.TrimLeft(l, " \t")
	}
	return out
}

// fixStyle converts replacement lines indented against the file's style:
// spaces in a tab-indented file, tabs in a space-indented one. Models often
// write new lines with spaces even when they copied tabs into SEARCH.
func fixStyle(lines []string, fileUnit string) []string {
	if fileUnit == "" {
		return lines
	}
	if fileUnit == "\t" {
		spaceUnit := indentUnit(spaceIndented(lines))
		for i, l := range lines {
			ind := indentOf(l)
			if len(ind) >= 2 && !strings.Contains(ind, "\t") {
				lvl, rest := indentLevel(ind, spaceUnit)
				lines[i] = makeIndent("\t", lvl, rest) + l[len(ind):]
			}
		}
		return lines
	}
	for i, l := range lines {
		ind := indentOf(l)
		if strings.Contains(ind, "\t") {
			lines[i] = strings.ReplaceAll(ind, "\t", fileUnit) + l[len(ind):]
		}
	}
	return lines
}

func spaceIndented(lines []string) []string {
	var out []string
	for _, l := range lines {
		if ind := indentOf(l); ind != "" && !strings.Contains(ind, "\t") {
			out = append(out, l)
		}
	}
	return out
}
