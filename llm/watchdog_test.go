package llm

import (
	"testing"
)

// watchOf feeds data to a streamWatch in pieces of size n (all at once
// when n is 0) and returns what it saw.
func watchOf(data []byte, n int) streamWatch {
	var w streamWatch
	if n <= 0 {
		n = len(data) + 1
	}
	for len(data) > 0 {
		k := min(n, len(data))
		w.feed(data[:k])
		data = data[k:]
	}
	w.finish()
	return w
}

func TestStreamWatch(t *testing.T) {
	cases := []struct {
		name, in          string
		garbage, errorMsg string
	}{
		{"clean stream", "{\"message\":{\"content\":\"a\"}}\n{\"done\":true}\n", "", ""},
		{"html from a proxy", "{\"done\":false}\n<html>502</html>\n", "<html>502</html>", ""},
		{"error line", "{\"done\":false}\n{\"error\":\"runner died\"}\n", "", "runner died"},
		{"last line without newline", "{\"done\":false}\n{\"done\":tr", "{\"done\":tr", ""},
		{"blank lines are fine", "\n\r\n{\"done\":true}\n", "", ""},
	}
	for _, tc := range cases {
		for _, n := range []int{0, 1, 3, 7} {
			w := watchOf([]byte(tc.in), n)
			if w.garbage != tc.garbage || w.streamErr != tc.errorMsg {
				t.Errorf("%s (pieces of %d): garbage %q error %q, want %q %q", tc.name, n, w.garbage, w.streamErr, tc.garbage, tc.errorMsg)
			}
		}
	}
}

// However the body is split into reads, the watch sees the same lines.
func FuzzStreamWatchSplits(f *testing.F) {
	f.Add([]byte("{\"a\":1}\nnot json\n{\"error\":\"x\"}\n"), 3)
	f.Add([]byte("{}\n{}"), 1)
	f.Fuzz(func(t *testing.T, data []byte, n int) {
		whole := watchOf(data, 0)
		split := watchOf(data, n%64)
		if whole.garbage != split.garbage || whole.streamErr != split.streamErr {
			t.Errorf("split %d: %q/%q vs %q/%q", n%64, split.garbage, split.streamErr, whole.garbage, whole.streamErr)
		}
	})
}
