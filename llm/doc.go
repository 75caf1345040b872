// Package llm holds the model clients (Ollama through its api package) with
// one table of failures, and a scripted fake Ollama for tests; it holds no
// agent logic.
package llm
