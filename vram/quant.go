package vram

import (
	"strings"

	"github.com/ollama/ollama/api"
)

// bitsPerWeight are the average bits per weight of common GGUF
// quantizations as llama.cpp mixes them (Q8_0 is exact: 34 bytes per 32
// weights; the K-quants keep some tensors at higher precision).
var bitsPerWeight = map[string]float64{
	"F32": 32, "F16": 16, "BF16": 16,
	"Q8_0": 8.5, "Q6_K": 6.56,
	"Q5_K_M": 5.69, "Q5_K_S": 5.54, "Q5_0": 5.5, "Q5_1": 6,
	"Q4_K_M": 4.85, "Q4_K_S": 4.58, "Q4_0": 4.5, "Q4_1": 5,
	"Q3_K_M": 3.91, "Q3_K_L": 4.27, "Q3_K_S": 3.5, "Q2_K": 3.35,
}

// BitsPerWeight is the average size of one weight in quantization q (an
// Ollama quantization_level such as Q4_K_M), or 0 for one it does not know.
func BitsPerWeight(q string) float64 {
	return bitsPerWeight[strings.ToUpper(strings.TrimSpace(q))]
}

// SpecFromShow describes a model for Assess from its /api/show answer.
// weightsBytes is its size from /api/tags; zero estimates it from the
// parameter count and the quantization's bits per weight. The tensor list,
// which Ollama 0.17 includes for GGUF models, gives the exact split of the
// weights between GPU and system RAM, the vocabulary and whether the
// embeddings are tied; without it the split is estimated.
func SpecFromShow(name string, show *api.ShowResponse, weightsBytes int64) (ModelSpec, error) {
	s, err := ShapeFromModelInfo(show.ModelInfo)
	if err != nil {
		return ModelSpec{}, err
	}
	ShapeFromTensors(&s, show.Tensors)
	q := show.Details.QuantizationLevel
	if weightsBytes <= 0 {
		weightsBytes = int64(float64(s.ParameterCount) * BitsPerWeight(q) / 8)
	}
	spec := ModelSpec{Name: name, Shape: s, WeightsBytes: weightsBytes, Quantization: q}
	if w, err := WeightsFromTensors(show.Tensors); err == nil {
		spec.Weights = w
	} else {
		spec.Weights = EstimateWeights(s, weightsBytes)
	}
	return spec, nil
}

// ShapeFromTensors completes a shape from the tensor list: the vocabulary
// is the token-embedding table's row count where model_info has none, and
// a model without an output matrix has tied embeddings. An empty list
// changes nothing.
func ShapeFromTensors(s *Shape, ts []api.Tensor) {
	if len(ts) == 0 {
		return
	}
	output := false
	for _, t := range ts {
		switch t.Name {
		case "output.weight":
			output = true
		case "token_embd.weight":
			if s.VocabSize == 0 && len(t.Shape) == 2 {
				s.VocabSize = int(t.Shape[1])
			}
		}
	}
	s.TiedEmbeddings = !output
}
