package actions

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	godiff "github.com/sourcegraph/go-diff/diff"
)

// diffParser reads unified diffs. Models get hunk line numbers wrong or
// leave them out ("@@ ... @@"), so the headers are rebuilt from the hunk
// bodies before go-diff reads them, and each hunk is then applied by
// content through the matcher, never by number.
type diffParser struct{}

func (diffParser) parse(lines []string) []parsed {
	var out []parsed
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		isFileHeader := strings.HasPrefix(l, "diff --git ") ||
			(strings.HasPrefix(l, "--- ") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "+++ "))
		if !isFileHeader && !strings.HasPrefix(l, "@@") {
			continue
		}
		end := diffEnd(lines, i)
		region := lines[i:end]
		for len(region) > 0 && isBlank(region[len(region)-1]) {
			region = region[:len(region)-1]
		}
		for _, e := range diffEdits(region, pathBefore(lines, i)) {
			out = append(out, parsed{e, i, end})
		}
		i = end - 1
	}
	return out
}

// hunkCounts reads the line counts of a hunk header that has them.
var hunkCounts = regexp.MustCompile(`^@@ -[0-9]+(?:,([0-9]+))? \+[0-9]+(?:,([0-9]+))? @@`)

// diffEnd finds where the diff starting at line i ends. While a numbered
// hunk still expects lines, a line without a prefix is taken as context
// whose leading space was lost; otherwise the first line that cannot be
// part of a diff ends it.
func diffEnd(lines []string, i int) int {
	oldLeft, newLeft := 0, 0
	end := i + 1
	for ; end < len(lines); end++ {
		l := lines[end]
		if m := hunkCounts.FindStringSubmatch(l); m != nil {
			oldLeft, newLeft = count(m[1]), count(m[2])
			continue
		}
		if fence.MatchString(l) {
			break
		}
		switch {
		case l == "" || l[0] == ' ':
			oldLeft--
			newLeft--
		case l[0] == '-':
			oldLeft--
		case l[0] == '+':
			newLeft--
		case isDiffLine(l):
		case oldLeft > 0 && newLeft > 0:
			oldLeft--
			newLeft--
		default:
			return end
		}
	}
	return end
}

func count(s string) int {
	if s == "" {
		return 1
	}
	n, _ := strconv.Atoi(s)
	return n
}

// isDiffLine says whether a line can continue a diff; prose or a closing
// fence ends it.
func isDiffLine(l string) bool {
	if l == "" {
		return true
	}
	switch l[0] {
	case ' ', '+', '-', '@', '\\':
		return true
	}
	for _, p := range []string{"diff ", "index ", "new file mode", "deleted file mode", "old mode", "new mode", "similarity index", "rename from", "rename to"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// diffEdits turns one diff region into one edit per hunk.
func diffEdits(region []string, ctxPath string) []Edit {
	text, problem := normaliseDiff(region, ctxPath)
	if problem != "" {
		return []Edit{{Path: ctxPath, Kind: KindDiff, Problem: problem}}
	}
	files, err := godiff.ParseMultiFileDiff([]byte(text))
	if err != nil {
		return []Edit{{Path: ctxPath, Kind: KindDiff, Problem: "the diff could not be read: " + err.Error()}}
	}
	var edits []Edit
	for _, f := range files {
		orig, upd := diffNames(f.OrigName, f.NewName)
		switch {
		case upd == "":
			edits = append(edits, Edit{Path: orig, Kind: KindDiff, Problem: "deleting a file is not supported as an edit; say which file to delete instead"})
			continue
		case len(f.Hunks) == 0:
			edits = append(edits, Edit{Path: upd, Kind: KindDiff, Problem: "the diff for this file has no hunks"})
			continue
		}
		for _, h := range f.Hunks {
			var search, replace []string
			for _, l := range strings.Split(strings.TrimSuffix(string(h.Body), "\n"), "\n") {
				switch {
				case strings.HasPrefix(l, "-"):
					search = append(search, l[1:])
				case strings.HasPrefix(l, "+"):
					replace = append(replace, l[1:])
				case strings.HasPrefix(l, "\\"):
				default:
					l = strings.TrimPrefix(l, " ")
					search = append(search, l)
					replace = append(replace, l)
				}
			}
			edits = append(edits, Edit{Path: upd, Kind: KindDiff, Search: joinLines(search), Replace: joinLines(replace)})
		}
	}
	return edits
}

// diffNames strips git's a/ and b/ prefixes and maps /dev/null to "".
func diffNames(orig, upd string) (string, string) {
	clean := func(n, prefix string, strip bool) string {
		n = strings.TrimSpace(n)
		if n == "/dev/null" {
			return ""
		}
		if strip {
			n = strings.TrimPrefix(n, prefix)
		}
		return n
	}
	strip := (strings.HasPrefix(orig, "a/") || orig == "/dev/null") && (strings.HasPrefix(upd, "b/") || upd == "/dev/null")
	o, u := clean(orig, "a/", strip), clean(upd, "b/", strip)
	if o == "" && u == "" {
		return "", ""
	}
	if u == "" {
		return o, ""
	}
	return o, u
}

// normaliseDiff adds file headers to a bare hunk and rewrites every hunk
// header with line counts taken from its body, so that go-diff accepts
// diffs whose numbers are wrong or missing.
func normaliseDiff(region []string, ctxPath string) (string, string) {
	var out []string
	if strings.HasPrefix(region[0], "@@") {
		if ctxPath == "" {
			return "", "the diff has no file name: start it with \"--- a/path\" and \"+++ b/path\" lines"
		}
		out = append(out, "--- a/"+ctxPath, "+++ b/"+ctxPath)
	}
	oldStart, newStart := 1, 1
	for i := 0; i < len(region); {
		l := region[i]
		if !strings.HasPrefix(l, "@@") {
			out = append(out, l)
			i++
			continue
		}
		j := i + 1
		var body []string
		oldN, newN := 0, 0
	body:
		for ; j < len(region); j++ {
			b := region[j]
			switch {
			case strings.HasPrefix(b, "@@"), strings.HasPrefix(b, "diff --git "),
				strings.HasPrefix(b, "--- ") && j+1 < len(region) && strings.HasPrefix(region[j+1], "+++ "):
				break body
			case b == "":
				// Models and editors drop the space of blank context lines.
				b = " "
				oldN++
				newN++
			case b[0] == '-':
				oldN++
			case b[0] == '+':
				newN++
			case b[0] == '\\':
			default:
				if b[0] != ' ' {
					b = " " + b
				}
				oldN++
				newN++
			}
			body = append(body, b)
		}
		oStart, nStart := oldStart, newStart
		if oldN == 0 {
			oStart = 0
		}
		if newN == 0 {
			nStart = 0
		}
		out = append(out, fmt.Sprintf("@@ -%d,%d +%d,%d @@", oStart, oldN, nStart, newN))
		out = append(out, body...)
		oldStart += oldN
		newStart += newN
		i = j
	}
	return strings.Join(out, "\n") + "\n", ""
}
