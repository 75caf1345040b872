package actions

import (
	"fmt"
	"regexp"
)

// blockMarkers are the three marker lines of a SEARCH/REPLACE dialect.
type blockMarkers struct {
	head, divider, tail *regexp.Regexp
	// example names the markers in error messages, in the dialect's own
	// spelling, so that the model corrects the right thing.
	example [3]string
}

// blockParser reads SEARCH/REPLACE blocks in one dialect. The file name
// comes from the lines before each block, or is inherited from the block
// before it, as models write several blocks for one file under one name.
type blockParser struct{ m blockMarkers }

func (bp blockParser) parse(lines []string) []parsed {
	m := bp.m
	var out []parsed
	path := ""
	for i := 0; i < len(lines); i++ {
		if !m.head.MatchString(lines[i]) {
			continue
		}
		if p := pathBefore(lines, i); p != "" {
			path = p
		}
		start := i
		var search, replace []string
		inReplace, closed := false, false
		problem := ""
		j := i + 1
	scan:
		for ; j < len(lines); j++ {
			l := lines[j]
			switch {
			case m.head.MatchString(l):
				if inReplace {
					problem = fmt.Sprintf("the block is not closed with %q before the next %q", m.example[2], m.example[0])
				} else {
					problem = fmt.Sprintf("a new %q starts before the %q of this block", m.example[0], m.example[1])
				}
				j--
				break scan
			case !inReplace && m.divider.MatchString(l):
				inReplace = true
			case !inReplace && m.tail.MatchString(l):
				problem = fmt.Sprintf("the block has no %q line between SEARCH and REPLACE", m.example[1])
				break scan
			case inReplace && m.tail.MatchString(l):
				closed = true
				break scan
			case inReplace && m.divider.MatchString(l) && !bp.tailAhead(lines, j+1):
				// Some models close REPLACE with a second divider; it
				// counts as the end unless a proper end follows.
				closed = true
				break scan
			case inReplace:
				replace = append(replace, l)
			default:
				search = append(search, l)
			}
		}
		if !closed && problem == "" {
			problem = fmt.Sprintf("the block is not closed with %q", m.example[2])
		}
		if j >= len(lines) {
			j = len(lines) - 1
		}
		e := Edit{Path: path, Search: joinLines(search), Replace: joinLines(replace), Kind: KindSearchReplace, Problem: problem}
		if path == "" && problem == "" {
			e.Problem = "no file name: put the file's path on the line before the block"
		}
		out = append(out, parsed{e, start, j + 1})
		i = j
	}
	return out
}

// tailAhead reports whether the block's end marker comes before the next
// block's head.
func (bp blockParser) tailAhead(lines []string, from int) bool {
	for _, l := range lines[from:] {
		if bp.m.head.MatchString(l) {
			return false
		}
		if bp.m.tail.MatchString(l) {
			return true
		}
	}
	return false
}
