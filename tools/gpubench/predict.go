package main

import (
	"github.com/ollama/ollama/api"

	"github.com/hearth-dev/hearth/vram"
)

// predict is Hearth's figure for one configuration (vram.Predict, the same
// arithmetic hearth doctor and the status item use), as a flat map so the
// results stay self-describing.
func predict(show *api.ShowResponse, sizeFromTags int64, kv string, flashAttention bool, numCtx int) (map[string]int64, error) {
	spec, err := vram.SpecFromShow("", show, sizeFromTags)
	if err != nil {
		return nil, err
	}
	cache, err := vram.ParseCacheType(kv)
	if err != nil {
		return nil, err
	}
	in := vram.FitInput{Shape: spec.Shape, WeightsBytes: spec.WeightsBytes, Weights: spec.Weights, CacheType: cache, FlashAttention: flashAttention, Cards: 1}
	p := vram.Predict(in, numCtx)
	exact := int64(0)
	if spec.Weights.Exact {
		exact = 1
	}
	return map[string]int64{
		"fileBytes":         spec.WeightsBytes,
		"gpuWeightsBytes":   p.GPUWeightsBytes,
		"inputBytes":        spec.Weights.InputBytes,
		"weightsExact":      exact,
		"kvBytes":           p.KVBytes,
		"kvBytesPerToken":   spec.Shape.KVBytesPerToken(p.CacheType),
		"graphBytes":        p.GraphBytes,
		"computeBytes":      p.ComputeBytes,
		"ollamaBytes":       p.OllamaBytes,
		"usedBytes":         p.UsedBytes,
		"runtimeBytes":      p.Overhead.Runtime,
		"layerBufferBytes":  p.Overhead.LayerBuffer,
		"graphReserveBytes": p.Overhead.Graph,
		"needBytes":         p.NeedBytes,
	}, nil
}
