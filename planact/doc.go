// Package planact is the agent loop: sessions, the Plan and Act modes, the
// tools, approvals, the auto-approve policy and the context budget. It owns
// no persistence format beyond its transcript, and never imports LSP or
// JSON-RPC types.
//
// The entry point is Engine (NewEngine, Config). Plan and Act are two
// configurations of one loop (turn.go): the tools offered (toolTable in
// tool.go, one file per tool), the system prompt (prompt.go) and the model.
// Everything outside the loop comes in through narrow interfaces declared
// beside their users: Model and Warmer (model.go); FileSource, Writer,
// Snapshotter, Editor and Resolver (workspace.go). The loop reports through
// Config.OnEvent with plain Event values that the server converts to the
// wire.
package planact
