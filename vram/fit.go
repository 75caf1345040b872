package vram

import "fmt"

// Context sizing rules.
const (
	// Bucket is the step of recommended contexts. Each new num_ctx makes
	// Ollama reload the model, so recommendations move in coarse steps.
	Bucket = 2048
	// FloorContext is the smallest context worth recommending: below it
	// Hearth's system prompt and tools leave no room for work.
	FloorContext = 2048
	// SafeFraction of the largest context that fits is recommended, leaving
	// room for other programs' growth and estimate error, as the seed
	// guide's 60-70 % rule advises.
	SafeFraction = 0.70
	// KeepFraction bounds how close to the largest fitting context a
	// session's num_ctx may drift before StableNumCtx lowers it.
	KeepFraction = 0.85
	// contextGranule is llama.cpp's padding of num_ctx: the cache is
	// allocated in steps of 256 tokens.
	contextGranule = 256
	// searchLimit caps the search where the model's own limit is unknown.
	searchLimit = 1 << 20
)

// FitInput is a model, a cache setting and the GPU memory it may use.
type FitInput struct {
	Shape Shape
	// WeightsBytes is the model's file size (its GGUF).
	WeightsBytes int64
	// Weights is how the weights split between GPU and system RAM; the
	// zero value means unknown, and EstimateWeights stands in.
	Weights Weights
	// CacheType is the KV cache type asked for (vram.kvCacheType);
	// Ollama may fall back to f16, see EffectiveCacheType.
	CacheType      CacheType
	FlashAttention bool
	// BudgetBytes is the GPU memory the model may take (see Budget).
	BudgetBytes int64
	// Cards is the number of GPUs the budget spans; zero means one.
	Cards int
}

// weights is the split in force: the given one, else the estimate.
func (in FitInput) weights() Weights {
	if in.Weights.GPUBytes > 0 {
		return in.Weights
	}
	return EstimateWeights(in.Shape, in.WeightsBytes)
}

// Fit is the arithmetic for one model on one budget.
type Fit struct {
	// CacheType is the type Ollama will really use.
	CacheType       CacheType `json:"cacheType"`
	KVBytesPerToken int64     `json:"kvBytesPerToken"`
	// WeightsBytes is the file; GPUWeightsBytes the part of it the GPU
	// holds (see Weights).
	WeightsBytes    int64 `json:"weightsBytes"`
	GPUWeightsBytes int64 `json:"gpuWeightsBytes"`
	BudgetBytes     int64 `json:"budgetBytes"`
	// MaxContext is the largest context (a multiple of 256, at most the
	// model's context_length) whose weights, KV cache and overhead fit the
	// budget; zero when not even 256 tokens do.
	MaxContext int `json:"maxContext"`
	// RecommendedNumCtx is SafeFraction of MaxContext rounded down to a
	// Bucket, at least FloorContext and at most the model's
	// context_length; zero when FloorContext does not fit.
	RecommendedNumCtx int `json:"recommendedNumCtx"`
	// The costs at RecommendedNumCtx (at FloorContext when nothing fits),
	// as in Footprint. HeadroomBytes is what the card will show free with
	// the model loaded, budget − UsedBytes, as the status item shows it;
	// whether the model fits is decided by NeedBytes, which is larger.
	KVBytes       int64    `json:"kvBytes"`
	OllamaKVBytes int64    `json:"ollamaKvBytes"`
	Overhead      Overhead `json:"overhead"`
	OllamaBytes   int64    `json:"ollamaBytes"`
	UsedBytes     int64    `json:"usedBytes"`
	NeedBytes     int64    `json:"needBytes"`
	HeadroomBytes int64    `json:"headroomBytes"`
	// Problem says why nothing fits; empty when it does.
	Problem string `json:"problem,omitempty"`
}

// Fits reports whether the model fits fully on the GPU at FloorContext.
func (f Fit) Fits() bool { return f.RecommendedNumCtx > 0 }

// Footprint is one model at one context on the GPU, three ways: as Ollama
// accounts for it (/api/ps), as the card sees it (NVML, nvidia-smi), and
// what must be free for Ollama to put every layer on the GPU.
type Footprint struct {
	NumCtx    int       `json:"numCtx"`
	CacheType CacheType `json:"cacheType"`
	// GPUWeightsBytes are the weights on the GPU (Weights.GPUBytes).
	GPUWeightsBytes int64 `json:"gpuWeightsBytes"`
	KVBytes         int64 `json:"kvBytes"`
	// GraphBytes is Ollama's compute-graph figure with every layer on the
	// GPU; ComputeBytes what the runner really allocates for it.
	GraphBytes   int64 `json:"graphBytes"`
	ComputeBytes int64 `json:"computeBytes"`
	// OllamaBytes = GPU weights + KV + graph: what /api/ps reports as size
	// (and size_vram) once the model is loaded.
	OllamaBytes int64 `json:"ollamaBytes"`
	// UsedBytes = GPU weights + KV + compute + CUDARuntimeBytes per card:
	// the GPU memory the runner process takes, as NVML shows it.
	UsedBytes int64 `json:"usedBytes"`
	// Overhead and NeedBytes = GPU weights + KV + overhead: the free memory
	// Ollama's scheduler wants before it offloads every layer. Below it,
	// layers spill to system RAM. Ollama counts a quantized KV cache
	// without its scales (OllamaKVBytes), and so do these two figures.
	Overhead      Overhead `json:"overhead"`
	NeedBytes     int64    `json:"needBytes"`
	OllamaKVBytes int64    `json:"ollamaKvBytes"`
}

// Predict is the footprint of the model in at numCtx tokens of context,
// or at the model's trained context where numCtx is larger: Ollama never
// allocates more (Footprint.NumCtx says which).
//
// With several cards, each card Ollama uses keeps its own minimum, its own
// layer buffer and its own compute graph, and runs its own CUDA context.
// Hearth counts them on every card the budget spans, as if the model were
// split across all of them: safe, and exact for a model that needs them
// all (not measured on several cards).
func Predict(in FitInput, numCtx int) Footprint {
	if in.Shape.ContextLength > 0 {
		numCtx = min(numCtx, in.Shape.ContextLength)
	}
	cards := int64(max(in.Cards, 1))
	cache := EffectiveCacheType(in.Shape, in.CacheType, in.FlashAttention)
	w := in.weights()
	kv := in.Shape.KVBytesPerToken(cache) * int64(numCtx)
	// Ollama's scheduler sizes each layer's cache on its own, rounding
	// down, as its per-layer sums do.
	var ollamaKV, layerKV int64
	if in.Shape.Layers > 0 {
		layerKV = int64(float64(numCtx) * in.Shape.kvElementsPerToken() / float64(in.Shape.Layers) * cache.ollamaBytesPerElement())
		ollamaKV = layerKV * int64(in.Shape.Layers)
	}
	partial, full := graphEstimate(in.Shape, numCtx, ollamaKV, in.FlashAttention)
	f := Footprint{
		NumCtx: numCtx, CacheType: cache,
		GPUWeightsBytes: w.GPUBytes, KVBytes: kv, OllamaKVBytes: ollamaKV,
		GraphBytes: full, ComputeBytes: computeAllocated(in.Shape, numCtx, ollamaKV, cache, in.FlashAttention),
		Overhead: Overhead{
			Runtime:     RuntimeReserveBytes * cards,
			Graph:       max(partial, full) * cards,
			LayerBuffer: (w.LayerBytes + layerKV) * cards,
		},
	}
	f.OllamaBytes = w.GPUBytes + ollamaKV + full
	f.UsedBytes = w.GPUBytes + kv + (f.ComputeBytes+CUDARuntimeBytes)*cards
	f.NeedBytes = w.GPUBytes + ollamaKV + f.Overhead.Total()
	return f
}

// Estimate finds the largest context that fits the budget and the context
// to recommend.
func Estimate(in FitInput) Fit {
	cache := EffectiveCacheType(in.Shape, in.CacheType, in.FlashAttention)
	f := Fit{
		CacheType:       cache,
		KVBytesPerToken: in.Shape.KVBytesPerToken(cache),
		WeightsBytes:    in.WeightsBytes,
		GPUWeightsBytes: in.weights().GPUBytes,
		BudgetBytes:     in.BudgetBytes,
	}
	limit := in.Shape.ContextLength
	if limit <= 0 {
		limit = searchLimit
	}
	fits := func(n int) bool { return Predict(in, n).NeedBytes <= in.BudgetBytes }

	// NeedBytes grows with the context, so search the granules for the last
	// that fits.
	lo, hi := 0, limit/contextGranule // invariant: lo fits (0 trivially), hi+1 does not or is past the limit
	if !fits(contextGranule) {
		hi = 0
	}
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(mid * contextGranule) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	f.MaxContext = lo * contextGranule
	if limit < contextGranule && fits(limit) {
		f.MaxContext = limit
	}

	at := FloorContext
	switch {
	case f.MaxContext >= FloorContext:
		rec := int(float64(f.MaxContext)*SafeFraction) / Bucket * Bucket
		rec = max(rec, FloorContext)
		if in.Shape.ContextLength > 0 {
			rec = min(rec, in.Shape.ContextLength)
		}
		f.RecommendedNumCtx, at = rec, rec
	case in.Shape.ContextLength > 0 && in.Shape.ContextLength < FloorContext && f.MaxContext >= in.Shape.ContextLength:
		// A model trained for less than the floor gets all it has.
		f.RecommendedNumCtx, at = in.Shape.ContextLength, in.Shape.ContextLength
	}
	p := Predict(in, at)
	f.KVBytes, f.Overhead, f.NeedBytes = p.KVBytes, p.Overhead, p.NeedBytes
	f.OllamaBytes, f.UsedBytes, f.OllamaKVBytes = p.OllamaBytes, p.UsedBytes, p.OllamaKVBytes
	f.HeadroomBytes = in.BudgetBytes - f.UsedBytes
	if f.RecommendedNumCtx == 0 {
		if in.BudgetBytes <= 0 {
			f.Problem = "no GPU memory to plan with"
		} else {
			f.Problem = fmt.Sprintf("even %d tokens of context do not fit: %s needed, %s available",
				at, FormatBytes(f.NeedBytes), FormatBytes(in.BudgetBytes))
		}
	}
	return f
}

// Budget is the GPU memory a model Hearth loads may use: what is free now
// plus what Ollama's loaded models hold, since Ollama evicts or replaces
// them to load another. It is deliberately not the momentary free memory
// alone: that drops as soon as Hearth's own model loads, and a
// recommendation computed from it would shrink, reload the model with the
// smaller context, grow again, and so on. What it leaves out is memory
// other programs (the desktop, a browser) hold, which changes only
// slowly. A reading without a card size (none, ollama) gives zero.
func Budget(r Reading, loaded []Loaded) int64 {
	switch r.Source {
	case SourceNone, SourceOllama:
		return 0
	case SourceOverride:
		return r.Total()
	}
	b := r.Free() + OllamaVRAM(loaded)
	return min(b, r.Usable())
}

// StableNumCtx is the num_ctx to use given the one in use (prev, zero for
// none) and a fresh estimate. It keeps prev while prev still fits with a
// margin (at most KeepFraction of MaxContext) and the fresh recommendation
// is less than two buckets larger, so small swings of free memory never
// flip the context, and each flip (a model reload) is worth its cost. It
// lowers the context at once when prev would crowd the GPU.
func StableNumCtx(prev int, f Fit) int {
	switch {
	case prev <= 0 || f.RecommendedNumCtx == 0:
		return f.RecommendedNumCtx
	case float64(prev) > float64(f.MaxContext)*KeepFraction:
		return f.RecommendedNumCtx
	case f.RecommendedNumCtx >= prev+2*Bucket:
		return f.RecommendedNumCtx
	}
	return prev
}
