package qwengguf

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hearth-dev/hearth/internal/ollamatest/gguf"
)

func TestLoadTokenizer(t *testing.T) {
	tok, err := LoadTokenizer("testdata")
	if err != nil {
		t.Fatal(err)
	}
	if len(tok.Tokens) != 13 {
		t.Fatalf("%d tokens, want 13", len(tok.Tokens))
	}
	// Special and <|...|> tokens must be control tokens; <tool_call> must be
	// user-defined so prompts match it whole without it ending generation.
	wantTypes := map[string]int32{"h": TokenNormal, "<|endoftext|>": TokenControl, "<|im_end|>": TokenControl,
		"<tool_call>": TokenUserDefined, "<|fim_prefix|>": TokenControl}
	for id, s := range tok.Tokens {
		if want, ok := wantTypes[s]; ok && tok.Types[id] != want {
			t.Errorf("%q has type %d, want %d", s, tok.Types[id], want)
		}
	}
	if want := []string{"h e", "l l", "he ll"}; !reflect.DeepEqual(tok.Merges, want) {
		t.Errorf("merges %q, want %q", tok.Merges, want)
	}
	if tok.EOS != 10 || tok.PAD != 8 || tok.BOS != 8 {
		t.Errorf("eos %d pad %d bos %d, want 10 8 8", tok.EOS, tok.PAD, tok.BOS)
	}
	if !strings.Contains(tok.ChatTemplate, "messages") {
		t.Errorf("chat template %q not read", tok.ChatTemplate)
	}
}

func TestLoadTokenizerErrors(t *testing.T) {
	write := func(t *testing.T, body string) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "tokenizer.json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	cases := map[string]string{
		"not json":        `{`,
		"not BPE":         `{"model":{"type":"Unigram","vocab":{"a":0}}}`,
		"no eos token":    `{"model":{"type":"BPE","vocab":{"a":0},"merges":[]}}`,
		"conflicting ids": `{"added_tokens":[{"id":0,"content":"<|im_end|>","special":true}],"model":{"type":"BPE","vocab":{"a":0},"merges":[]}}`,
	}
	for name, body := range cases {
		if _, err := LoadTokenizer(write(t, body)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := LoadTokenizer(t.TempDir()); err == nil {
		t.Error("missing tokenizer.json: no error")
	}
}

func TestWriteTinyModel(t *testing.T) {
	tok, err := LoadTokenizer("testdata")
	if err != nil {
		t.Fatal(err)
	}
	shape := Shape{Layers: 2, Width: 64, Heads: 4, KVHeads: 2, FFN: 128, Context: 4096, Vocab: 16, TiedEmbd: true}
	var buf bytes.Buffer
	st, err := Write(&buf, tok, Options{Shape: shape, Weights: WeightsQ8_0, Seed: 3, Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{
		"general.architecture":          "qwen2",
		"general.file_type":             uint32(gguf.FileQ8_0),
		"qwen2.block_count":             uint32(2),
		"qwen2.embedding_length":        uint32(64),
		"qwen2.attention.head_count":    uint32(4),
		"qwen2.attention.head_count_kv": uint32(2),
		"qwen2.context_length":          uint32(4096),
		"tokenizer.ggml.model":          "gpt2",
		"tokenizer.ggml.pre":            "qwen2",
		"tokenizer.ggml.eos_token_id":   uint32(10),
		"tokenizer.ggml.add_bos_token":  false,
	} {
		if got := f.KV[k]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", k, got, want)
		}
	}
	// Qwen2 files carry no key_length: readers must use width / heads.
	if _, ok := f.KV["qwen2.attention.key_length"]; ok {
		t.Error("qwen2.attention.key_length written")
	}
	toks := f.KV["tokenizer.ggml.tokens"].([]string)
	if len(toks) != 16 || toks[15] != "[PAD15]" || f.KV["tokenizer.ggml.token_type"].([]int32)[15] != TokenUnused {
		t.Errorf("vocabulary not padded to 16 with unused tokens: %q", toks)
	}
	if len(tok.Tokens) != 13 {
		t.Error("Write modified the caller's tokenizer")
	}
	// Tied embeddings: token_embd, output_norm, then 12 tensors per layer.
	if len(f.Tensors) != 2+12*2 || st.Tensors != len(f.Tensors) {
		t.Fatalf("%d tensors (stats %d), want 26", len(f.Tensors), st.Tensors)
	}
	byName := map[string]gguf.TensorInfo{}
	for _, ti := range f.Tensors {
		byName[ti.Name] = ti
	}
	if ti := byName["blk.1.attn_k.weight"]; !reflect.DeepEqual(ti.Shape, []uint64{64, 32}) || ti.Type != gguf.Q8_0 {
		t.Errorf("attn_k: %+v, want 64x32 Q8_0 (kv heads x head dim = 32)", ti)
	}
	if ti := byName["blk.0.attn_q.bias"]; ti.Type != gguf.F32 {
		t.Errorf("bias type %s, want F32", ti.Type)
	}
	if ti := byName["blk.0.ffn_down.weight"]; !reflect.DeepEqual(ti.Shape, []uint64{128, 64}) {
		t.Errorf("ffn_down shape %v", ti.Shape)
	}
	if _, ok := byName["output.weight"]; ok {
		t.Error("tied model has output.weight")
	}
}

func TestPlanQwen25Coder7B(t *testing.T) {
	tok, err := LoadTokenizer("testdata")
	if err != nil {
		t.Fatal(err)
	}
	shape := Presets["qwen2.5-coder-7b"]
	_, ts, st, err := Plan(tok, Options{Shape: shape, Weights: WeightsQ8_0})
	if err != nil {
		t.Fatal(err)
	}
	// The real Qwen2.5-Coder-7B-Instruct has 7,615,616,512 parameters in 339 tensors.
	if st.Params != 7_615_616_512 || st.Tensors != 339 {
		t.Errorf("%d params in %d tensors, want 7615616512 in 339", st.Params, st.Tensors)
	}
	if st.TensorSize < 8_000_000_000 || st.TensorSize > 8_200_000_000 {
		t.Errorf("Q8_0 data is %d bytes, want about 8.1 GB", st.TensorSize)
	}

	_, ts, st, err = Plan(tok, Options{Shape: shape, Weights: WeightsQ4_KM})
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]gguf.TensorType{}
	for _, x := range ts {
		types[x.Name] = x.Type
	}
	// llama.cpp's Q4_K_M gives the output matrix and, on the first and last
	// eighth and every third layer between, attn_v and ffn_down 6 bits.
	for name, want := range map[string]gguf.TensorType{
		"output.weight": gguf.Q6_K, "token_embd.weight": gguf.Q4_K,
		"blk.0.attn_v.weight": gguf.Q6_K, "blk.4.ffn_down.weight": gguf.Q4_K, "blk.5.ffn_down.weight": gguf.Q6_K,
		"blk.27.attn_v.weight": gguf.Q6_K, "blk.10.attn_q.weight": gguf.Q4_K, "blk.3.attn_q.bias": gguf.F32,
	} {
		if types[name] != want {
			t.Errorf("%s is %s, want %s", name, types[name], want)
		}
	}
	// The real Q4_K_M file is 4.68 GB.
	if st.TensorSize < 4_400_000_000 || st.TensorSize > 4_800_000_000 {
		t.Errorf("Q4_K_M data is %d bytes, want about 4.6 GB", st.TensorSize)
	}

	if _, _, _, err := Plan(tok, Options{Shape: Presets["tiny"], Weights: WeightsQ4_KM}); err == nil {
		t.Error("Q4_K_M accepted width 64, which is not a multiple of 256")
	}
	bad := shape
	bad.Heads = 5
	if _, _, _, err := Plan(tok, Options{Shape: bad}); err == nil {
		t.Error("width not divisible by heads accepted")
	}
}
