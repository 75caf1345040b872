// Package vram probes GPU memory, reads model residency from Ollama and
// estimates KV-cache size, the context that fits and the headroom left; it
// makes no model calls other than read-only queries.
package vram
