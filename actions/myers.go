package actions

// opKind is one step of a line edit script.
type opKind byte

const (
	opEqual  opKind = '='
	opDelete opKind = '-'
	opInsert opKind = '+'
)

// op is a step of the script: old line a and/or new line b (-1 when the step
// has none).
type op struct {
	kind opKind
	a, b int
}

// maxEditDistance bounds Myers' search, whose trace grows with the square of
// the distance; beyond it the differing middle is shown as one replacement,
// which is still a correct diff, only not a minimal one.
const maxEditDistance = 1500

// diffLines computes a line edit script from a to b: the common prefix and
// suffix are peeled off, then Myers' O(ND) algorithm runs on the middle.
func diffLines(a, b []string) []op {
	ids := map[string]int{}
	intern := func(ls []string) []int {
		out := make([]int, len(ls))
		for i, l := range ls {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	x, y := intern(a), intern(b)
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	ops := make([]op, 0, len(a)+len(b)-pre-suf)
	for i := 0; i < pre; i++ {
		ops = append(ops, op{opEqual, i, i})
	}
	for _, o := range myers(x[pre:len(x)-suf], y[pre:len(y)-suf]) {
		if o.a >= 0 {
			o.a += pre
		}
		if o.b >= 0 {
			o.b += pre
		}
		ops = append(ops, o)
	}
	for i := 0; i < suf; i++ {
		ops = append(ops, op{opEqual, len(a) - suf + i, len(b) - suf + i})
	}
	return ops
}

// myers returns the shortest edit script from a to b, deletions before
// insertions within a change.
func myers(a, b []int) []op {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return replaceAll(n, m)
	}
	maxD := n + m
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	final := -1
	for d := 0; d <= maxD && final < 0; d++ {
		if d > maxEditDistance {
			return replaceAll(n, m)
		}
		trace = append(trace, append([]int(nil), v[off-d:off+d+1]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				final = d
				break
			}
		}
	}
	var rev []op
	x, y := n, m
	for d := final; d > 0; d-- {
		prev := trace[d]
		get := func(k int) int { return prev[k+d] }
		k := x - y
		var pk int
		if k == -d || (k != d && get(k-1) < get(k+1)) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := get(pk)
		py := px - pk
		for x > px && y > py {
			x--
			y--
			rev = append(rev, op{opEqual, x, y})
		}
		if x == px {
			y--
			rev = append(rev, op{opInsert, -1, y})
		} else {
			x--
			rev = append(rev, op{opDelete, x, -1})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, op{opEqual, x, y})
	}
	out := make([]op, len(rev))
	for i, o := range rev {
		out[len(rev)-1-i] = o
	}
	return out
}

func replaceAll(n, m int) []op {
	ops := make([]op, 0, n+m)
	for i := 0; i < n; i++ {
		ops = append(ops, op{opDelete, i, -1})
	}
	for j := 0; j < m; j++ {
		ops = append(ops, op{opInsert, -1, j})
	}
	return ops
}
