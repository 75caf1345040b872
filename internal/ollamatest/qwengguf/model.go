package qwengguf

import (
	"fmt"
	"io"
	"strings"

	"github.com/hearth-dev/hearth/internal/ollamatest/gguf"
)

// Shape is the architecture of a qwen2 model.
type Shape struct {
	Layers   int  // qwen2.block_count
	Width    int  // qwen2.embedding_length
	Heads    int  // qwen2.attention.head_count
	KVHeads  int  // qwen2.attention.head_count_kv
	FFN      int  // qwen2.feed_forward_length
	Context  int  // qwen2.context_length: the training context, which caps num_ctx
	Vocab    int  // rows of the embedding matrix; the tokenizer is padded to it
	TiedEmbd bool // no output.weight: the output reuses token_embd
}

// Presets are the shapes mkgguf and the test harness know by name.
var Presets = map[string]Shape{
	// Tiny: what integration tests load on a CPU in about a second.
	"tiny": {Layers: 2, Width: 64, Heads: 4, KVHeads: 2, FFN: 256, Context: 32768, Vocab: 152064, TiedEmbd: true},
	// The shapes of Qwen2.5-Coder-1.5B-Instruct (its config.json).
	"qwen2.5-coder-1.5b": {Layers: 28, Width: 1536, Heads: 12, KVHeads: 2, FFN: 8960, Context: 32768, Vocab: 151936, TiedEmbd: true},
	// The shapes of Qwen2.5-Coder-7B-Instruct: same parameter count, KV cache
	// size and compute per token, for speed and memory measurements on a GPU.
	"qwen2.5-coder-7b": {Layers: 28, Width: 3584, Heads: 28, KVHeads: 4, FFN: 18944, Context: 32768, Vocab: 152064},
}

// Validate reports a shape that no qwen2 loader would accept.
func (s Shape) Validate() error {
	switch {
	case s.Layers <= 0 || s.Width <= 0 || s.Heads <= 0 || s.KVHeads <= 0 || s.FFN <= 0 || s.Context <= 0:
		return fmt.Errorf("shape %+v: every size must be positive", s)
	case s.Width%s.Heads != 0:
		return fmt.Errorf("width %d is not a multiple of heads %d", s.Width, s.Heads)
	case s.Heads%s.KVHeads != 0:
		return fmt.Errorf("heads %d is not a multiple of kv heads %d", s.Heads, s.KVHeads)
	}
	return nil
}

// HeadDim is the size of one attention head: qwen2 GGUFs carry no
// attention.key_length, so readers derive it the same way.
func (s Shape) HeadDim() int { return s.Width / s.Heads }

// Weights names a weight format: which tensor type each matrix gets.
type Weights string

// Weight formats. Q4_K_M follows llama.cpp's recipe in spirit: Q4_K
// everywhere except the output matrix and, on the layers llama.cpp gives
// "more bits", attn_v and ffn_down, which are Q6_K.
const (
	WeightsF32   Weights = "f32"
	WeightsF16   Weights = "f16"
	WeightsQ8_0  Weights = "q8_0"
	WeightsQ4_KM Weights = "q4_k_m"
	WeightsQ6_K  Weights = "q6_k"
)

// ParseWeights accepts the names above, in any case.
func ParseWeights(s string) (Weights, error) {
	w := Weights(strings.ToLower(s))
	switch w {
	case WeightsF32, WeightsF16, WeightsQ8_0, WeightsQ4_KM, WeightsQ6_K:
		return w, nil
	}
	return "", fmt.Errorf("unknown weight format %q (want f32, f16, q8_0, q4_k_m or q6_k)", s)
}

func (w Weights) fileType() gguf.FileType {
	return map[Weights]gguf.FileType{
		WeightsF32: gguf.FileF32, WeightsF16: gguf.FileF16, WeightsQ8_0: gguf.FileQ8_0,
		WeightsQ4_KM: gguf.FileQ4_K_M, WeightsQ6_K: gguf.FileQ6_K,
	}[w]
}

// matrixType picks the type of a 2-D weight; layer is -1 outside the blocks.
func (w Weights) matrixType(name string, layer, layers int) gguf.TensorType {
	switch w {
	case WeightsF32:
		return gguf.F32
	case WeightsF16:
		return gguf.F16
	case WeightsQ8_0:
		return gguf.Q8_0
	case WeightsQ6_K:
		return gguf.Q6_K
	}
	// Q4_K_M.
	if name == "output.weight" {
		return gguf.Q6_K
	}
	if strings.HasSuffix(name, "attn_v.weight") || strings.HasSuffix(name, "ffn_down.weight") {
		if layer < layers/8 || layer >= 7*layers/8 || (layer-layers/8)%3 == 2 {
			return gguf.Q6_K
		}
	}
	return gguf.Q4_K
}

// Options says what Write produces.
type Options struct {
	Shape   Shape
	Weights Weights
	Seed    uint64  // random seed of the weights
	Std     float64 // standard deviation of the weights; 0 means 0.02
	Name    string  // general.name
}

// Stats describes a written model.
type Stats struct {
	Tensors    int
	Params     uint64
	TensorSize uint64 // bytes of tensor data, without padding
}

// Write writes a complete qwen2 GGUF with random weights and tok's
// vocabulary (padded to Shape.Vocab) to w.
func Write(w io.Writer, tok *Tokenizer, o Options) (Stats, error) {
	kvs, ts, st, err := Plan(tok, o)
	if err != nil {
		return Stats{}, err
	}
	return st, gguf.Write(w, kvs, ts)
}

// Plan returns the metadata and tensors Write would write, without writing
// them: tensor data is produced only when written.
func Plan(tok *Tokenizer, o Options) ([]gguf.KV, []gguf.Tensor, Stats, error) {
	fail := func(err error) ([]gguf.KV, []gguf.Tensor, Stats, error) { return nil, nil, Stats{}, err }
	s := o.Shape
	if err := s.Validate(); err != nil {
		return fail(err)
	}
	if o.Std == 0 {
		o.Std = 0.02
	}
	if o.Weights == "" {
		o.Weights = WeightsF16
	}
	if _, err := ParseWeights(string(o.Weights)); err != nil {
		return fail(err)
	}
	if s.Vocab < len(tok.Tokens) {
		return fail(fmt.Errorf("vocab %d is smaller than the tokenizer's %d tokens", s.Vocab, len(tok.Tokens)))
	}
	padded := *tok
	padded.Tokens = append([]string(nil), tok.Tokens...)
	padded.Types = append([]int32(nil), tok.Types...)
	padded.PadTo(s.Vocab)

	kvs := []gguf.KV{
		{Key: "general.architecture", Value: "qwen2"},
		{Key: "general.type", Value: "model"},
		{Key: "general.name", Value: o.Name},
		{Key: "general.file_type", Value: uint32(o.Weights.fileType())},
		{Key: "general.quantization_version", Value: uint32(2)},
		{Key: "qwen2.block_count", Value: uint32(s.Layers)},
		{Key: "qwen2.context_length", Value: uint32(s.Context)},
		{Key: "qwen2.embedding_length", Value: uint32(s.Width)},
		{Key: "qwen2.feed_forward_length", Value: uint32(s.FFN)},
		{Key: "qwen2.attention.head_count", Value: uint32(s.Heads)},
		{Key: "qwen2.attention.head_count_kv", Value: uint32(s.KVHeads)},
		{Key: "qwen2.rope.freq_base", Value: float32(1e6)},
		{Key: "qwen2.attention.layer_norm_rms_epsilon", Value: float32(1e-6)},
		{Key: "tokenizer.ggml.model", Value: "gpt2"},
		{Key: "tokenizer.ggml.pre", Value: "qwen2"},
		{Key: "tokenizer.ggml.tokens", Value: padded.Tokens},
		{Key: "tokenizer.ggml.token_type", Value: padded.Types},
		{Key: "tokenizer.ggml.merges", Value: padded.Merges},
		{Key: "tokenizer.ggml.eos_token_id", Value: uint32(padded.EOS)},
		{Key: "tokenizer.ggml.padding_token_id", Value: uint32(padded.PAD)},
		{Key: "tokenizer.ggml.bos_token_id", Value: uint32(padded.BOS)},
		{Key: "tokenizer.ggml.add_bos_token", Value: false},
	}
	if padded.ChatTemplate != "" {
		kvs = append(kvs, gguf.KV{Key: "tokenizer.chat_template", Value: padded.ChatTemplate})
	}

	pools := map[gguf.TensorType]*gguf.Pool{}
	pool := func(t gguf.TensorType) (*gguf.Pool, error) {
		if p, ok := pools[t]; ok {
			return p, nil
		}
		p, err := gguf.NewPool(t, o.Seed+uint64(t)*0x1000193, o.Std)
		pools[t] = p
		return p, err
	}
	var ts []gguf.Tensor
	var firstErr error
	add := func(name string, layer int, shape ...int) {
		dims := make([]uint64, len(shape))
		for i, d := range shape {
			dims[i] = uint64(d)
		}
		t := gguf.Tensor{Name: name, Shape: dims}
		switch {
		case strings.HasSuffix(name, "norm.weight"):
			t.Type = gguf.F32
			t.Data = gguf.ConstF32{N: t.Elements(), V: 1}
		case strings.HasSuffix(name, ".bias"):
			t.Type = gguf.F32
		default:
			t.Type = o.Weights.matrixType(name, layer, s.Layers)
		}
		if t.Data == nil {
			p, err := pool(t.Type)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			// A different start per tensor keeps tiny models from having
			// identical matrices; big ones wrap around the pool anyway.
			t.Data = p.Data(t.Size(), uint64(len(ts))*104729)
		}
		ts = append(ts, t)
	}

	kvDim := s.HeadDim() * s.KVHeads
	add("token_embd.weight", -1, s.Width, s.Vocab)
	add("output_norm.weight", -1, s.Width)
	if !s.TiedEmbd {
		add("output.weight", -1, s.Width, s.Vocab)
	}
	for i := range s.Layers {
		p := fmt.Sprintf("blk.%d.", i)
		add(p+"attn_norm.weight", i, s.Width)
		add(p+"attn_q.weight", i, s.Width, s.Width)
		add(p+"attn_q.bias", i, s.Width)
		add(p+"attn_k.weight", i, s.Width, kvDim)
		add(p+"attn_k.bias", i, kvDim)
		add(p+"attn_v.weight", i, s.Width, kvDim)
		add(p+"attn_v.bias", i, kvDim)
		add(p+"attn_output.weight", i, s.Width, s.Width)
		add(p+"ffn_norm.weight", i, s.Width)
		add(p+"ffn_gate.weight", i, s.Width, s.FFN)
		add(p+"ffn_up.weight", i, s.Width, s.FFN)
		add(p+"ffn_down.weight", i, s.FFN, s.Width)
	}
	if firstErr != nil {
		return fail(firstErr)
	}
	var st Stats
	for _, t := range ts {
		if bs := t.Type.BlockSize(); uint64(t.Shape[0])%bs != 0 {
			return fail(fmt.Errorf("%s: %s needs rows that are multiples of %d, but %s has %d", o.Weights, t.Type, bs, t.Name, t.Shape[0]))
		}
		st.Tensors++
		st.Params += t.Elements()
		st.TensorSize += t.Size()
	}
	return kvs, ts, st, nil
}
