package server

import (
	"context"

	"go.lsp.dev/jsonrpc2"
	lsp "go.lsp.dev/protocol"
)

// unsupported answers the standard methods Hearth does not implement. The
// dispatch table never routes them here; if a change ever does, the client
// gets MethodNotFound rather than a silent empty answer.
type unsupported struct{}

// DidChange is decoded by the dispatch table itself (see routes).
func (unsupported) DidChange(_ context.Context, _ *lsp.DidChangeTextDocumentParams) error {
	return notSupported("DidChange")
}

func notSupported(method string) error {
	return jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not supported: %s", method)
}

func (unsupported) LogTrace(_ context.Context, _ *lsp.LogTraceParams) (err error) {
	return notSupported("LogTrace")
}
func (unsupported) CodeLens(_ context.Context, _ *lsp.CodeLensParams) (result []lsp.CodeLens, err error) {
	return nil, notSupported("CodeLens")
}
func (unsupported) CodeLensResolve(_ context.Context, _ *lsp.CodeLens) (result *lsp.CodeLens, err error) {
	return nil, notSupported("CodeLensResolve")
}
func (unsupported) ColorPresentation(_ context.Context, _ *lsp.ColorPresentationParams) (result []lsp.ColorPresentation, err error) {
	return nil, notSupported("ColorPresentation")
}
func (unsupported) Completion(_ context.Context, _ *lsp.CompletionParams) (result *lsp.CompletionList, err error) {
	return nil, notSupported("Completion")
}
func (unsupported) CompletionResolve(_ context.Context, _ *lsp.CompletionItem) (result *lsp.CompletionItem, err error) {
	return nil, notSupported("CompletionResolve")
}
func (unsupported) Declaration(_ context.Context, _ *lsp.DeclarationParams) (result []lsp.Location, err error) {
	return nil, notSupported("Declaration")
}
func (unsupported) Definition(_ context.Context, _ *lsp.DefinitionParams) (result []lsp.Location, err error) {
	return nil, notSupported("Definition")
}
func (unsupported) DidChangeWatchedFiles(_ context.Context, _ *lsp.DidChangeWatchedFilesParams) (err error) {
	return notSupported("DidChangeWatchedFiles")
}
func (unsupported) DidChangeWorkspaceFolders(_ context.Context, _ *lsp.DidChangeWorkspaceFoldersParams) (err error) {
	return notSupported("DidChangeWorkspaceFolders")
}
func (unsupported) DocumentColor(_ context.Context, _ *lsp.DocumentColorParams) (result []lsp.ColorInformation, err error) {
	return nil, notSupported("DocumentColor")
}
func (unsupported) DocumentHighlight(_ context.Context, _ *lsp.DocumentHighlightParams) (result []lsp.DocumentHighlight, err error) {
	return nil, notSupported("DocumentHighlight")
}
func (unsupported) DocumentLink(_ context.Context, _ *lsp.DocumentLinkParams) (result []lsp.DocumentLink, err error) {
	return nil, notSupported("DocumentLink")
}
func (unsupported) DocumentLinkResolve(_ context.Context, _ *lsp.DocumentLink) (result *lsp.DocumentLink, err error) {
	return nil, notSupported("DocumentLinkResolve")
}
func (unsupported) DocumentSymbol(_ context.Context, _ *lsp.DocumentSymbolParams) (result []interface{}, err error) {
	return nil, notSupported("DocumentSymbol")
}
func (unsupported) FoldingRanges(_ context.Context, _ *lsp.FoldingRangeParams) (result []lsp.FoldingRange, err error) {
	return nil, notSupported("FoldingRanges")
}
func (unsupported) Formatting(_ context.Context, _ *lsp.DocumentFormattingParams) (result []lsp.TextEdit, err error) {
	return nil, notSupported("Formatting")
}
func (unsupported) Hover(_ context.Context, _ *lsp.HoverParams) (result *lsp.Hover, err error) {
	return nil, notSupported("Hover")
}
func (unsupported) Implementation(_ context.Context, _ *lsp.ImplementationParams) (result []lsp.Location, err error) {
	return nil, notSupported("Implementation")
}
func (unsupported) OnTypeFormatting(_ context.Context, _ *lsp.DocumentOnTypeFormattingParams) (result []lsp.TextEdit, err error) {
	return nil, notSupported("OnTypeFormatting")
}
func (unsupported) PrepareRename(_ context.Context, _ *lsp.PrepareRenameParams) (result *lsp.Range, err error) {
	return nil, notSupported("PrepareRename")
}
func (unsupported) RangeFormatting(_ context.Context, _ *lsp.DocumentRangeFormattingParams) (result []lsp.TextEdit, err error) {
	return nil, notSupported("RangeFormatting")
}
func (unsupported) References(_ context.Context, _ *lsp.ReferenceParams) (result []lsp.Location, err error) {
	return nil, notSupported("References")
}
func (unsupported) Rename(_ context.Context, _ *lsp.RenameParams) (result *lsp.WorkspaceEdit, err error) {
	return nil, notSupported("Rename")
}
func (unsupported) SignatureHelp(_ context.Context, _ *lsp.SignatureHelpParams) (result *lsp.SignatureHelp, err error) {
	return nil, notSupported("SignatureHelp")
}
func (unsupported) Symbols(_ context.Context, _ *lsp.WorkspaceSymbolParams) (result []lsp.SymbolInformation, err error) {
	return nil, notSupported("Symbols")
}
func (unsupported) TypeDefinition(_ context.Context, _ *lsp.TypeDefinitionParams) (result []lsp.Location, err error) {
	return nil, notSupported("TypeDefinition")
}
func (unsupported) WillSave(_ context.Context, _ *lsp.WillSaveTextDocumentParams) (err error) {
	return notSupported("WillSave")
}
func (unsupported) WillSaveWaitUntil(_ context.Context, _ *lsp.WillSaveTextDocumentParams) (result []lsp.TextEdit, err error) {
	return nil, notSupported("WillSaveWaitUntil")
}
func (unsupported) ShowDocument(_ context.Context, _ *lsp.ShowDocumentParams) (result *lsp.ShowDocumentResult, err error) {
	return nil, notSupported("ShowDocument")
}
func (unsupported) WillCreateFiles(_ context.Context, _ *lsp.CreateFilesParams) (result *lsp.WorkspaceEdit, err error) {
	return nil, notSupported("WillCreateFiles")
}
func (unsupported) DidCreateFiles(_ context.Context, _ *lsp.CreateFilesParams) (err error) {
	return notSupported("DidCreateFiles")
}
func (unsupported) WillRenameFiles(_ context.Context, _ *lsp.RenameFilesParams) (result *lsp.WorkspaceEdit, err error) {
	return nil, notSupported("WillRenameFiles")
}
func (unsupported) DidRenameFiles(_ context.Context, _ *lsp.RenameFilesParams) (err error) {
	return notSupported("DidRenameFiles")
}
func (unsupported) WillDeleteFiles(_ context.Context, _ *lsp.DeleteFilesParams) (result *lsp.WorkspaceEdit, err error) {
	return nil, notSupported("WillDeleteFiles")
}
func (unsupported) DidDeleteFiles(_ context.Context, _ *lsp.DeleteFilesParams) (err error) {
	return notSupported("DidDeleteFiles")
}
func (unsupported) CodeLensRefresh(_ context.Context) (err error) {
	return notSupported("CodeLensRefresh")
}
func (unsupported) PrepareCallHierarchy(_ context.Context, _ *lsp.CallHierarchyPrepareParams) (result []lsp.CallHierarchyItem, err error) {
	return nil, notSupported("PrepareCallHierarchy")
}
func (unsupported) IncomingCalls(_ context.Context, _ *lsp.CallHierarchyIncomingCallsParams) (result []lsp.CallHierarchyIncomingCall, err error) {
	return nil, notSupported("IncomingCalls")
}
func (unsupported) OutgoingCalls(_ context.Context, _ *lsp.CallHierarchyOutgoingCallsParams) (result []lsp.CallHierarchyOutgoingCall, err error) {
	return nil, notSupported("OutgoingCalls")
}
func (unsupported) SemanticTokensFull(_ context.Context, _ *lsp.SemanticTokensParams) (result *lsp.SemanticTokens, err error) {
	return nil, notSupported("SemanticTokensFull")
}
func (unsupported) SemanticTokensFullDelta(_ context.Context, _ *lsp.SemanticTokensDeltaParams) (result interface{}, err error) {
	return nil, notSupported("SemanticTokensFullDelta")
}
func (unsupported) SemanticTokensRange(_ context.Context, _ *lsp.SemanticTokensRangeParams) (result *lsp.SemanticTokens, err error) {
	return nil, notSupported("SemanticTokensRange")
}
func (unsupported) SemanticTokensRefresh(_ context.Context) (err error) {
	return notSupported("SemanticTokensRefresh")
}
func (unsupported) LinkedEditingRange(_ context.Context, _ *lsp.LinkedEditingRangeParams) (result *lsp.LinkedEditingRanges, err error) {
	return nil, notSupported("LinkedEditingRange")
}
func (unsupported) Moniker(_ context.Context, _ *lsp.MonikerParams) (result []lsp.Moniker, err error) {
	return nil, notSupported("Moniker")
}
func (unsupported) Request(_ context.Context, _ string, _ interface{}) (result interface{}, err error) {
	return nil, notSupported("Request")
}
