// Package planact is the agent loop: sessions, the Plan and Act modes, the
// tools, approvals, the auto-approve policy and the context budget. It owns
// no persistence format beyond its transcript, and never imports LSP or
// JSON-RPC types.
package planact
