package actions

import "strings"

// Similarity thresholds: a fuzzy match must be nearly the same text and
// clearly better than any other place, because a wrong place silently
// corrupts code while a refusal only costs the model one more turn.
const (
	minSimilarity    = 0.9
	similarityMargin = 0.05
	// closestFloor is the least similarity worth showing a model as "did
	// you mean"; below it the region would only mislead.
	closestFloor = 0.4
)

// similar slides a window of len(search) lines over the file and scores each
// by character similarity of trimmed lines, weighted by line length. It
// returns the best window and the best score of any other window.
func (m *matcher) similar(search []string) (at int, best, second float64) {
	n := len(search)
	at = -1
	if n == 0 || n > len(m.file) {
		return -1, 0, 0
	}
	ts := make([]string, n)
	w := make([]float64, n)
	total := 0.0
	for i, l := range search {
		ts[i] = strings.TrimSpace(l)
		w[i] = float64(len(ts[i]) + 1)
		total += w[i]
	}
	// Code repeats lines (braces, blank lines, returns), so each SEARCH
	// line's similarity to a given file line is computed once.
	cache := make([]map[string]float64, n)
	for i := range cache {
		cache[i] = map[string]float64{}
	}
	sim := func(i int, f string) float64 {
		v, ok := cache[i][f]
		if !ok {
			v = lineSimilarity(ts[i], f)
			cache[i][f] = v
		}
		return v
	}
	for start := 0; start+n <= len(m.file); start++ {
		// A cheap bound from line lengths skips windows that cannot beat
		// the runner-up, or cannot even be shown as closest; below that
		// floor the runner-up's exact score does not matter.
		floor := max(second, closestFloor)
		bound := 0.0
		for i := range ts {
			bound += w[i] * lengthRatio(ts[i], m.trimmed[start+i])
		}
		if bound/total <= floor {
			continue
		}
		sum, rest := 0.0, bound
		for i := range ts {
			rest -= w[i] * lengthRatio(ts[i], m.trimmed[start+i])
			sum += w[i] * sim(i, m.trimmed[start+i])
			if (sum+rest)/total <= floor {
				break
			}
		}
		score := sum / total
		switch {
		case score > best:
			second, best, at = best, score, start
		case score > second:
			second = score
		}
	}
	return at, best, second
}

func lengthRatio(a, b string) float64 {
	la, lb := len(a), len(b)
	if la == lb {
		return 1
	}
	if la > lb {
		la, lb = lb, la
	}
	return float64(la) / float64(lb)
}

// lineSimilarity is 1 minus the edit distance over the longer length.
func lineSimilarity(a, b string) float64 {
	if a == b {
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	mx := la
	if lb > mx {
		mx = lb
	}
	return 1 - float64(levenshtein(a, b))/float64(mx)
}

// maxLevenshtein caps the quadratic distance on very long lines, where a
// coarse answer from the lengths is good enough.
const maxLevenshtein = 1000

func levenshtein(a, b string) int {
	if len(a) > maxLevenshtein || len(b) > maxLevenshtein {
		d := len(a) - len(b)
		if d < 0 {
			d = -d
		}
		if a[:min(len(a), len(b))] != b[:min(len(a), len(b))] {
			d += min(len(a), len(b)) / 2
		}
		return d
	}
	// Two rows on the stack cover ordinary lines without allocating.
	var buf [2 * 256]int
	var prev, cur []int
	if len(b)+1 <= 256 {
		prev, cur = buf[:len(b)+1], buf[256:256+len(b)+1]
	} else {
		prev, cur = make([]int, len(b)+1), make([]int, len(b)+1)
	}
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// closest returns the region most like search, or nil when nothing is
// similar enough to help.
func (m *matcher) closest(search []string) *Region {
	s, _, _ := trimBlankEdges(search)
	if len(s) == 0 {
		return nil
	}
	if len(s) > len(m.file) {
		s = s[:len(m.file)]
	}
	at, best, _ := m.similar(s)
	if at < 0 || best < closestFloor {
		return nil
	}
	return &Region{Start: at + 1, Lines: append([]string(nil), m.file[at:at+len(s)]...), Score: best}
}
