package actions

import (
	"fmt"
	"regexp"
	"strings"
)

// LineNumberSep separates the line number from the code in read_file output.
// Models echo these prefixes back into SEARCH blocks, so the matcher strips
// exactly this format; planact's read_file must number lines with
// NumberLines for the two to agree.
const LineNumberSep = " | "

// numberedLine recognises one line as NumberLine writes it, tolerating the
// trailing space that models drop from empty lines.
var numberedLine = regexp.MustCompile(`^\s*[0-9]+ \|( |$)`)

// NumberLine formats one line of read_file output: the 1-based number right
// aligned in four columns, LineNumberSep, then the line.
func NumberLine(n int, line string) string {
	return fmt.Sprintf("%4d%s%s", n, LineNumberSep, line)
}

// NumberLines numbers lines (without their line endings) starting at first,
// one per output line.
func NumberLines(lines []string, first int) string {
	var b strings.Builder
	for i, l := range lines {
		b.WriteString(NumberLine(first+i, l))
		b.WriteByte('\n')
	}
	return b.String()
}

// stripLineNumbers removes read_file prefixes when every non-blank line has
// one; a partial match means the digits are real code, so nothing is
// stripped and ok is false.
func stripLineNumbers(lines []string) (out []string, ok bool) {
	seen := false
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if !numberedLine.MatchString(l) {
			return lines, false
		}
		seen = true
	}
	if !seen {
		return lines, false
	}
	out = make([]string, len(lines))
	for i, l := range lines {
		if loc := numberedLine.FindStringIndex(l); loc != nil {
			out[i] = l[loc[1]:]
		}
	}
	return out, true
}
