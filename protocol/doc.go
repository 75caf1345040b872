// Package protocol holds the method names and wire structs of Hearth's LSP
// extensions (the hearth/* methods); it contains no logic, and standard LSP
// types come from go.lsp.dev/protocol and are never redefined here.
//
// docs/lsp-extensions.md documents every type in this package and carries a
// hash of this folder on its first line; server tests fail when they drift.
package protocol
