// Package vram probes GPU memory, reads model residency from Ollama and
// estimates KV-cache size, the context that fits and the headroom left; it
// makes no model calls other than read-only queries.
//
// A status update is four steps, each a plain function of plain types:
//
//	reading := prober.Probe(ctx)                    // NVML, then nvidia-smi, then none
//	loaded := vram.Residency(ps)                    // Ollama's /api/ps
//	reading = vram.WithOllama(reading, loaded)      // "ollama" when only Ollama sees a GPU
//	spec, _ := vram.SpecFromShow(model, show, size) // /api/show and /api/tags
//	a := vram.Assess(vram.Observation{GPU: reading, Loaded: loaded, Model: &spec, ...})
//
// The session's num_ctx comes from Estimate on Budget (free memory plus
// what Ollama's models hold, so loading the model does not move it), kept
// steady by StableNumCtx. Everything Hearth guesses about memory beyond
// weights and KV cache is in overhead.go.
package vram
