// Package server is Hearth's language server: it owns the JSON-RPC
// connection, the LSP lifecycle, the open-document overlay and the dispatch
// of hearth/* methods, and converts between wire and domain types; it holds
// no agent logic, which lives in planact.
package server
