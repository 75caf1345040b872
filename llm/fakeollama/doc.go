// Package fakeollama is a scripted stand-in for an Ollama server that
// speaks its v0.17.4 wire format, records every request and plays faults on
// cue, for tests only; it never runs a model or touches the network beyond
// its own loopback listener.
package fakeollama
