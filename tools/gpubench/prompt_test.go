package main

import (
	"strings"
	"testing"
	"unicode/utf8"
)

const sample = "package a\n\nfunc A() {}\n\n// é is two bytes.\nfunc B() int { return 1 }\n"

func TestCutKeepsBudgetAndLineEnds(t *testing.T) {
	for _, max := range []int{5, 12, 30, len(sample), 3*len(sample) + 7} {
		s, next := cut(sample, 0, max)
		if len(s) > max {
			t.Errorf("cut(%d) gave %d bytes", max, len(s))
		}
		if !utf8.ValidString(s) {
			t.Errorf("cut(%d) split a rune: %q", max, s)
		}
		if strings.Contains(s[:len(s)-1], "\n") && !strings.HasSuffix(s, "\n") {
			t.Errorf("cut(%d) = %q: ends mid-line though a line end was in reach", max, s)
		}
		// The next slice starts right after this one, around the wrap.
		if want := len(s) % len(sample); next != want {
			t.Errorf("cut(%d): next offset %d, want %d", max, next, want)
		}
	}
}

func TestCutWrapsAndContinues(t *testing.T) {
	a, next := cut(sample, 0, 30)
	b, _ := cut(sample, next, 30)
	if a == b {
		t.Fatalf("two consecutive slices are the same: %q", a)
	}
	if !strings.HasPrefix(sample[len(a):], b[:min(len(b), len(sample)-len(a))]) {
		t.Errorf("second slice %q does not continue where %q ended", b, a)
	}
	long, _ := cut(sample, 10, 2*len(sample))
	if !strings.Contains(long, sample[10:]+sample[:5]) {
		t.Errorf("a slice longer than the text does not wrap around: %q", long)
	}
}

func TestCorpusLearnsCharsPerToken(t *testing.T) {
	c, err := newCorpus(strings.Repeat(sample, 100))
	if err != nil {
		t.Fatal(err)
	}
	first := c.take(100)
	if len(first) > 300 || len(first) < 250 {
		t.Errorf("100 tokens at 3 chars a token gave %d chars", len(first))
	}
	// Ollama counted 4 characters a token: the next prompt is longer.
	c.learn(4000, 1000)
	if got := len(c.take(100)); got > 400 || got < 350 {
		t.Errorf("after learning 4 chars a token, 100 tokens gave %d chars", got)
	}
	// Too small a prompt to learn from.
	c.learn(10, 2)
	if c.charsPerToken != 4 {
		t.Errorf("a 2-token count changed the estimate to %v", c.charsPerToken)
	}
	if _, err := newCorpus(" \n"); err == nil {
		t.Error("an empty corpus was accepted")
	}
}
