package vram

import (
	"strings"
	"testing"

	"github.com/ollama/ollama/api"
)

func TestTensorBytes(t *testing.T) {
	tests := []struct {
		typ   string
		shape []uint64
		want  int64
	}{
		// Qwen2.5-Coder-7B's embedding table at Q8_0: 152,064 × 3,584
		// values in blocks of 32 that take 34 bytes.
		{"Q8_0", []uint64{3584, 152064}, 579_059_712},
		{"F32", []uint64{3584}, 14_336},
		{"F16", []uint64{64, 32}, 4_096},
		{"BF16", []uint64{4096, 4096}, 33_554_432},
		// K-quants pack super-blocks of 256 values.
		{"Q4_K", []uint64{3584, 3584}, 3584 * 3584 / 256 * 144},
		{"Q6_K", []uint64{3584, 152064}, 3584 * 152064 / 256 * 210},
		{"q4_0", []uint64{4096, 32}, 4096 * 32 / 32 * 18},
		{"MXFP4", []uint64{2880, 2880}, 2880 * 2880 / 32 * 17},
	}
	for _, tt := range tests {
		got, err := TensorBytes(api.Tensor{Name: "x", Type: tt.typ, Shape: tt.shape})
		if err != nil || got != tt.want {
			t.Errorf("%s %v: %d, %v; want %d", tt.typ, tt.shape, got, err, tt.want)
		}
	}
	for _, bad := range []api.Tensor{
		{Name: "blk.0.ffn_up.weight", Type: "unknown", Shape: []uint64{64, 64}},
		{Name: "blk.0.ffn_up.weight", Type: "Q4_K", Shape: []uint64{100, 3}},
	} {
		if _, err := TensorBytes(bad); err == nil || !strings.Contains(err.Error(), bad.Name) {
			t.Errorf("%+v: error %v, want one naming the tensor", bad, err)
		}
	}
}

// The tiny model recorded from a real Ollama has tied embeddings: its
// output layer is the token-embedding table, which therefore counts twice,
// once on the GPU and once in system RAM.
func TestWeightsFromTensorsTied(t *testing.T) {
	show := loadShow(t, "show_tiny-qwen.json")
	spec, err := SpecFromShow("tiny-qwen", show, 0)
	if err != nil {
		t.Fatal(err)
	}
	embd := int64(64 * 152064 * 2) // F16
	w := spec.Weights
	if !w.Exact || w.InputBytes != embd {
		t.Fatalf("weights %+v: want exact with the %d-byte table as input", w, embd)
	}
	var all int64
	for _, x := range show.Tensors {
		n, err := TensorBytes(x)
		if err != nil {
			t.Fatal(err)
		}
		all += n
	}
	// Every tensor is on the GPU (the table as the output layer) except
	// the table itself, which is also in RAM: GPU = all.
	if w.GPUBytes != all {
		t.Errorf("GPU bytes %d, want all %d tensor bytes", w.GPUBytes, all)
	}
	if !spec.Shape.TiedEmbeddings || spec.Shape.VocabSize != 152064 {
		t.Errorf("shape %+v: want tied embeddings and the table's 152,064 rows", spec.Shape)
	}
	if w.LayerBytes <= 0 || 2*w.LayerBytes > all-embd { // two equal layers and a norm
		t.Errorf("first layer %d bytes of %d in both layers", w.LayerBytes, all-embd)
	}
}

func TestWeightsFromTensorsUntied(t *testing.T) {
	ts := []api.Tensor{
		{Name: "token_embd.weight", Type: "Q8_0", Shape: []uint64{64, 1000}},
		{Name: "output.weight", Type: "Q6_K", Shape: []uint64{256, 1000}},
		{Name: "output_norm.weight", Type: "F32", Shape: []uint64{64}},
		{Name: "rope_freqs.weight", Type: "F32", Shape: []uint64{32}},
		{Name: "blk.0.attn_q.weight", Type: "Q8_0", Shape: []uint64{64, 64}},
		{Name: "blk.1.attn_q.weight", Type: "Q8_0", Shape: []uint64{64, 64}},
		{Name: "blk.10.attn_q.weight", Type: "Q8_0", Shape: []uint64{64, 64}},
	}
	w, err := WeightsFromTensors(ts)
	if err != nil {
		t.Fatal(err)
	}
	block := int64(64 * 64 / 32 * 34)
	want := Weights{
		GPUBytes:   3*block + 256*1000/256*210 + 64*4,
		InputBytes: 64 * 1000 / 32 * 34,
		LayerBytes: block, // blk.0 only, not blk.10
		Exact:      true,
	}
	if w != want {
		t.Errorf("weights %+v, want %+v", w, want)
	}
	if _, err := WeightsFromTensors(nil); err == nil {
		t.Error("no tensors: want an error")
	}
}

// Without tensors the table is estimated at the file's average bytes per
// parameter and leaves the GPU unless the embeddings are tied; without a
// vocabulary nothing is subtracted.
func TestEstimateWeights(t *testing.T) {
	s := Shape{Layers: 28, Embedding: 3584, VocabSize: 152064, ParameterCount: 7615616512}
	file := int64(7615616512) * 85 / 80 // 8.5 bits a parameter
	w := EstimateWeights(s, file)
	table := int64(152064 * 3584 * 85 / 80)
	if w.Exact || w.InputBytes != table || w.GPUBytes != file-table {
		t.Errorf("untied: %+v, want input %d and GPU %d", w, table, file-table)
	}
	s.TiedEmbeddings = true
	if w := EstimateWeights(s, file); w.GPUBytes != file {
		t.Errorf("tied: GPU %d, want the whole file %d", w.GPUBytes, file)
	}
	s.VocabSize = 0
	if w := EstimateWeights(s, file); w.GPUBytes != file || w.InputBytes != 0 {
		t.Errorf("no vocabulary: %+v, want the whole file on the GPU", w)
	}
}

// A small model with a large vocabulary, untied: the estimated table can
// be most of the file, and a layer never comes out negative.
func TestEstimateWeightsSmallModelLargeVocabulary(t *testing.T) {
	s := Shape{Layers: 24, Embedding: 1024, VocabSize: 256000, ParameterCount: 400e6}
	w := EstimateWeights(s, 800e6)
	if w.LayerBytes < 0 || w.GPUBytes <= 0 {
		t.Errorf("%+v: a negative or empty split", w)
	}
}
