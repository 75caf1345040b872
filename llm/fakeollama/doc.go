// Package fakeollama is a scripted stand-in for an Ollama server that
// speaks its v0.17.4 wire format, records every request and plays faults on
// cue, for tests only; it never runs a model or touches the network beyond
// its own loopback listener.
//
// A script is JSON (or a Script built in Go). Each chat request with
// messages uses up the next reply, in order; a load or unload (no
// messages), an unknown model and a prompt too long for num_ctx use none.
// When the replies run out the fake answers HTTP 500 "fakeollama: script
// exhausted", so a test fails loudly instead of hanging.
//
//	{"replies": [
//	  {"chunks": ["Hel", "lo"]},
//	  {"chunks": ["Reading."], "tool_calls": [{"name": "read_file", "arguments": {"path": "go.mod"}}]},
//	  {"error": {"status": 500, "message": "model requires more system memory (10.2 GiB) than is available (7.8 GiB)"}},
//	  {"chunks": ["slow"], "first_token_delay": "2s", "chunk_delay": "50ms"},
//	  {"chunks": ["a", "b"], "stall_after": 1, "stall": "10s"},
//	  {"chunks": ["a", "b"], "hang_up_after": 1},
//	  {"chunks": ["a"], "garbage": "<html>", "garbage_after": 1},
//	  {"chunks": ["a"], "stream_error": "an error was encountered while running the model"},
//	  {"tool_calls": [{"name": "write_file", "arguments": {"path": "a.go", "content": "package a\n"}}], "tool_call_delay": "3s"},
//	  {"chunks": ["cut"], "done_reason": "length", "eval_count": 512}
//	]}
//
// What the fake simulates besides the script: the catalogue of models
// (/api/tags, /api/show with capabilities, model_info and the Modelfile's
// num_ctx; /api/pull of models marked not_installed); loads, with a
// reload counted whenever num_ctx changes, reported as load_duration and in
// /api/ps (context_length, size with the KV cache, expires_at from
// keep_alive); prompt_eval_count from PromptTokens (about 4 bytes a token);
// HTTP 400 "the input length exceeds the context length" when the prompt
// exceeds num_ctx with truncate:false, and silent truncation (recorded in
// Request.Truncated) when truncate is unset, as Ollama does; with shift
// false, generation stops at num_ctx with done_reason "length"; with
// logprobs requested, one logprobs-only chunk per tick while a tool call is
// being written.
package fakeollama
