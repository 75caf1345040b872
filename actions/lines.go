package actions

import "strings"

// text is a file split into lines without their endings, with the ending
// style and final-newline state remembered so that writing it back changes
// only the lines an edit touched.
type text struct {
	lines   []string
	eol     string
	finalNL bool
}

// splitText splits content into lines. The line ending is CRLF when the first
// line ends in CRLF, because that is what an editor would keep using.
func splitText(content string) text {
	t := text{eol: "\n"}
	if i := strings.IndexByte(content, '\n'); i > 0 && content[i-1] == '\r' {
		t.eol = "\r\n"
	}
	if content == "" {
		return t
	}
	t.finalNL = strings.HasSuffix(content, "\n")
	body := strings.TrimSuffix(content, "\n")
	t.lines = strings.Split(body, "\n")
	for i, l := range t.lines {
		t.lines[i] = strings.TrimSuffix(l, "\r")
	}
	return t
}

// join writes the lines back with the remembered ending.
func (t text) join() string {
	if len(t.lines) == 0 {
		return ""
	}
	s := strings.Join(t.lines, t.eol)
	if t.finalNL {
		s += t.eol
	}
	return s
}

// splitLines splits a SEARCH or REPLACE text into lines, ignoring CR and one
// final newline; an empty text has no lines.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

// indentOf returns a line's leading spaces and tabs.
func indentOf(l string) string {
	return l[:len(l)-len(strings.TrimLeft(l, " \t"))]
}

func isBlank(l string) bool { return strings.TrimSpace(l) == "" }

// trimRight drops trailing whitespace, which models neither see nor keep.
func trimRight(l string) string { return strings.TrimRight(l, " \t\r") }
