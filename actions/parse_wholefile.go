package actions

import "strings"

// wholeFileParser reads fenced blocks that carry a file name and hold a
// file's entire content. A fence without a name is never an edit: models
// show code in prose all the time.
type wholeFileParser struct{}

func (wholeFileParser) parse(lines []string) []parsed {
	var out []parsed
	for i := 0; i < len(lines); i++ {
		m := fence.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		open := m[1]
		end := -1
		for j := i + 1; j < len(lines); j++ {
			if c := fence.FindStringSubmatch(lines[j]); c != nil && c[2] == "" && strings.HasPrefix(c[1], open[:1]) && len(c[1]) >= len(open) {
				end = j
				break
			}
		}
		if end < 0 {
			break
		}
		path := pathFromFence(m[2])
		if path == "" {
			path = pathBefore(lines, i)
		}
		lang := strings.ToLower(strings.Fields(m[2] + " x")[0])
		body := lines[i+1 : end]
		if path != "" && lang != "diff" && lang != "patch" && !looksLikeOtherFormat(body) {
			out = append(out, parsed{Edit{Path: path, Replace: joinLines(body), Kind: KindWholeFile}, i, end + 1})
		}
		i = end
	}
	return out
}

// looksLikeOtherFormat keeps fences of SEARCH/REPLACE blocks or diffs away
// from the whole-file reading even when their own parser rejected them.
func looksLikeOtherFormat(body []string) bool {
	for _, l := range body {
		if aiderMarkers.head.MatchString(l) || clineMarkers.head.MatchString(l) || strings.HasPrefix(l, "@@") || strings.HasPrefix(l, "+++ ") {
			return true
		}
	}
	return false
}
