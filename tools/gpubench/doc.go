// Command gpubench measures a real Ollama server (VRAM, context, speed, the
// fit boundary and hearth run's overhead) against Hearth's prediction and
// appends every figure to results.jsonl as it is measured; it owns only its
// temporary directories and the Ollama server it starts, and must never
// touch a user's own Ollama models or server.
package main
