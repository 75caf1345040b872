package main

import (
	"github.com/ollama/ollama/api"

	"github.com/hearth-dev/hearth/vram"
)

// predict is Hearth's figure for one configuration, as a flat map so the
// results stay self-describing whatever vram's API becomes (the lead
// rewrites this one function when vram.Predict lands).
func predict(show *api.ShowResponse, sizeFromTags int64, kv string, flashAttention bool, numCtx int) (map[string]int64, error) {
	spec, err := vram.SpecFromShow("", show, sizeFromTags)
	if err != nil {
		return nil, err
	}
	cache, err := vram.ParseCacheType(kv)
	if err != nil {
		return nil, err
	}
	in := vram.FitInput{Shape: spec.Shape, WeightsBytes: spec.WeightsBytes, CacheType: cache, FlashAttention: flashAttention, Cards: 1}
	kvBytes, over, total := vram.Need(in, numCtx)
	return map[string]int64{
		"weightsBytes":     spec.WeightsBytes,
		"kvBytes":          kvBytes,
		"kvBytesPerToken":  spec.Shape.KVBytesPerToken(vram.EffectiveCacheType(spec.Shape, cache, flashAttention)),
		"graphBytes":       over.Graph,
		"runtimeBytes":     over.Runtime,
		"layerBufferBytes": over.LayerBuffer,
		"needBytes":        total,
	}, nil
}
