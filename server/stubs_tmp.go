package server

import (
	"context"

	"github.com/hearth-dev/hearth/protocol"
)

func (s *Server) chat(ctx context.Context, p *protocol.ChatParams) (*protocol.ChatResult, error) {
	return nil, nil
}
func (s *Server) approve(ctx context.Context, p *protocol.ApproveParams) (*protocol.Empty, error) {
	return nil, nil
}
func (s *Server) cancel(ctx context.Context, p *protocol.CancelParams) (*protocol.Empty, error) {
	return nil, nil
}
func (s *Server) setMode(ctx context.Context, p *protocol.SetModeParams) (*protocol.Empty, error) {
	return nil, nil
}
func (s *Server) history(ctx context.Context, p *protocol.HistoryParams) (*protocol.HistoryResult, error) {
	return nil, nil
}
func (s *Server) sessions(ctx context.Context, p *protocol.Empty) (*protocol.SessionsResult, error) {
	return nil, nil
}
func (s *Server) snapshots(ctx context.Context, p *protocol.Empty) (*protocol.SnapshotsResult, error) {
	return nil, nil
}
func (s *Server) restore(ctx context.Context, p *protocol.RestoreParams) (*protocol.RestoreResult, error) {
	return nil, nil
}
func (s *Server) proposalContent(ctx context.Context, p *protocol.ProposalContentParams) (*protocol.ProposalContentResult, error) {
	return nil, nil
}
