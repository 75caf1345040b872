// Package qwengguf builds GGUF files of the qwen2 architecture (the one
// Ollama runs Qwen2.5 and Qwen2.5-Coder with) from random weights and the
// real Qwen2.5 tokenizer; it exists for tests and must never be imported by
// product code.
package qwengguf

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Tokenizer is the byte-level BPE tokenizer of a Hugging Face tokenizer.json,
// laid out as GGUF's tokenizer.ggml.* keys expect.
type Tokenizer struct {
	Tokens       []string // index = token id
	Types        []int32  // TokenNormal, TokenControl, ...
	Merges       []string // "a b" pairs in priority order
	BOS, EOS     int      // token ids
	PAD          int
	ChatTemplate string // the Jinja template of tokenizer_config.json, if any
}

// Token types, as numbered by llama.cpp (and stored in tokenizer.ggml.token_type).
const (
	TokenNormal      = 1
	TokenControl     = 3
	TokenUserDefined = 4
	TokenUnused      = 5
)

// LoadTokenizer reads tokenizer.json and, if present, tokenizer_config.json
// from dir. Added tokens are typed the way llama.cpp's converter types them:
// special ones and "<|...|>" ones are control tokens, the rest (such as
// <tool_call>) user-defined, so both are matched whole in prompts.
func LoadTokenizer(dir string) (*Tokenizer, error) {
	b, err := os.ReadFile(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		return nil, err
	}
	var tj struct {
		AddedTokens []struct {
			ID      int    `json:"id"`
			Content string `json:"content"`
			Special bool   `json:"special"`
		} `json:"added_tokens"`
		Model struct {
			Type   string          `json:"type"`
			Vocab  map[string]int  `json:"vocab"`
			Merges json.RawMessage `json:"merges"`
		} `json:"model"`
	}
	if err := json.Unmarshal(b, &tj); err != nil {
		return nil, fmt.Errorf("tokenizer.json: %w", err)
	}
	if tj.Model.Type != "BPE" {
		return nil, fmt.Errorf("tokenizer.json: model type %q, want BPE", tj.Model.Type)
	}
	if len(tj.Model.Vocab) == 0 {
		return nil, errors.New("tokenizer.json: empty vocabulary")
	}

	n := 0
	for _, id := range tj.Model.Vocab {
		n = max(n, id+1)
	}
	for _, a := range tj.AddedTokens {
		n = max(n, a.ID+1)
	}
	if n > 1<<22 {
		return nil, fmt.Errorf("tokenizer.json: token id %d is implausibly large", n-1)
	}
	t := &Tokenizer{Tokens: make([]string, n), Types: make([]int32, n)}
	set := make([]bool, n)
	put := func(id int, s string, typ int32) error {
		if id < 0 {
			return fmt.Errorf("tokenizer.json: negative token id for %q", s)
		}
		if set[id] && t.Tokens[id] != s {
			return fmt.Errorf("tokenizer.json: token id %d is both %q and %q", id, t.Tokens[id], s)
		}
		t.Tokens[id], t.Types[id], set[id] = s, typ, true
		return nil
	}
	for s, id := range tj.Model.Vocab {
		if err := put(id, s, TokenNormal); err != nil {
			return nil, err
		}
	}
	ids := map[string]int{}
	for _, a := range tj.AddedTokens {
		typ := int32(TokenUserDefined)
		if a.Special || (strings.HasPrefix(a.Content, "<|") && strings.HasSuffix(a.Content, "|>")) {
			typ = TokenControl
		}
		if err := put(a.ID, a.Content, typ); err != nil {
			return nil, err
		}
		ids[a.Content] = a.ID
	}
	for id := range n {
		if !set[id] {
			t.Tokens[id], t.Types[id] = fmt.Sprintf("[PAD%d]", id), TokenUnused
		}
	}

	// Newer tokenizer.json files store merges as pairs, older ones as "a b".
	if err := json.Unmarshal(tj.Model.Merges, &t.Merges); err != nil {
		var pairs [][2]string
		if err2 := json.Unmarshal(tj.Model.Merges, &pairs); err2 != nil {
			return nil, fmt.Errorf("tokenizer.json: merges are neither strings nor pairs: %w", err)
		}
		t.Merges = make([]string, len(pairs))
		for i, p := range pairs {
			t.Merges[i] = p[0] + " " + p[1]
		}
	}

	// Qwen2.5 has no BOS token; like llama.cpp's converter we point BOS at
	// <|endoftext|> and turn add_bos_token off.
	eos, pad, bos := "<|im_end|>", "<|endoftext|>", "<|endoftext|>"
	if cb, err := os.ReadFile(filepath.Join(dir, "tokenizer_config.json")); err == nil {
		var tc struct {
			EOS          any    `json:"eos_token"`
			PAD          any    `json:"pad_token"`
			ChatTemplate string `json:"chat_template"`
		}
		if err := json.Unmarshal(cb, &tc); err != nil {
			return nil, fmt.Errorf("tokenizer_config.json: %w", err)
		}
		if s, ok := tc.EOS.(string); ok {
			eos = s
		}
		if s, ok := tc.PAD.(string); ok {
			pad = s
		}
		t.ChatTemplate = tc.ChatTemplate
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var ok bool
	for _, sp := range []struct {
		name string
		dst  *int
	}{{eos, &t.EOS}, {pad, &t.PAD}, {bos, &t.BOS}} {
		if *sp.dst, ok = ids[sp.name]; !ok {
			return nil, fmt.Errorf("tokenizer.json: special token %q is not an added token", sp.name)
		}
	}
	return t, nil
}

// PadTo grows the vocabulary to n entries with unused "[PADi]" tokens, as
// llama.cpp's converter does when the embedding matrix has more rows than the
// tokenizer has tokens (Qwen2.5-7B: 152064 rows, 151665 tokens).
func (t *Tokenizer) PadTo(n int) {
	for id := len(t.Tokens); id < n; id++ {
		t.Tokens = append(t.Tokens, fmt.Sprintf("[PAD%d]", id))
		t.Types = append(t.Types, TokenUnused)
	}
}
