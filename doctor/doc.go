// Package doctor is the engine of `hearth doctor`: it gathers the GPUs,
// Ollama's state and models, and plans which model, quantization and
// context fit this card; it only reads, never pulls, loads or changes
// anything.
package doctor
