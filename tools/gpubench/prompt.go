package main

import (
	"errors"
	"strings"
)

// corpus hands out slices of a text file as prompts, each starting where
// the last one ended, so consecutive prompts differ and no prompt cache
// serves one from another.
type corpus struct {
	text string
	next int // offset of the next slice
	// charsPerToken is learned from Ollama's prompt_eval_count; Qwen's
	// tokenizer makes about 3 characters of Go a token.
	charsPerToken float64
}

func newCorpus(text string) (*corpus, error) {
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("the corpus is empty")
	}
	return &corpus{text: text, charsPerToken: 3}, nil
}

// take returns about tokens tokens of text (by the current estimate).
func (c *corpus) take(tokens int) string {
	s, next := cut(c.text, c.next, int(float64(tokens)*c.charsPerToken))
	c.next = next
	return s
}

// learn updates the estimate from a prompt of chars characters that Ollama
// counted as tokens tokens. Counts include the template's few tokens, which
// only matter for tiny prompts, so those are ignored.
func (c *corpus) learn(chars, tokens int) {
	if tokens < 64 || chars <= 0 {
		return
	}
	c.charsPerToken = float64(chars) / float64(tokens)
}

// cut returns at most maxChars characters of text starting at offset
// (wrapping around its end as often as needed), ending at a line end when
// there is one in the slice, and the offset just past it.
func cut(text string, offset, maxChars int) (string, int) {
	if len(text) == 0 || maxChars <= 0 {
		return "", offset
	}
	offset %= len(text)
	var b strings.Builder
	for b.Len() < maxChars {
		chunk := text[offset:]
		if room := maxChars - b.Len(); len(chunk) > room {
			chunk = chunk[:room]
		}
		b.WriteString(chunk)
		offset = (offset + len(chunk)) % len(text)
	}
	s := b.String()
	if i := strings.LastIndexByte(s, '\n'); i > 0 && i < len(s)-1 {
		// Give the text after the last line end back to the next slice.
		back := len(s) - i - 1
		s = s[:i+1]
		offset = ((offset-back)%len(text) + len(text)) % len(text)
	}
	return toValidUTF8(s), offset
}

// toValidUTF8 drops a rune split by the cut.
func toValidUTF8(s string) string { return strings.ToValidUTF8(s, "") }
