package server

import (
	"context"

	lsp "go.lsp.dev/protocol"
)

func (l lspServer) CodeAction(ctx context.Context, p *lsp.CodeActionParams) ([]lsp.CodeAction, error) {
	return nil, nil
}

func (l lspServer) ExecuteCommand(ctx context.Context, p *lsp.ExecuteCommandParams) (any, error) {
	return nil, nil
}
