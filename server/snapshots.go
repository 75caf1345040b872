package server

import (
	"context"
	"path/filepath"
	"strings"
	"time"

	"go.lsp.dev/jsonrpc2"
	lsp "go.lsp.dev/protocol"

	"github.com/hearth-dev/hearth/protocol"
	"github.com/hearth-dev/hearth/snapshot"
)

func (s *Server) snapshots(ctx context.Context, _ *protocol.Empty) (*protocol.SnapshotsResult, error) {
	ws, err := s.workspace()
	if err != nil {
		return nil, err
	}
	store, err := ws.snapshots()
	if err != nil {
		return nil, failed(err)
	}
	list, err := store.List()
	if err != nil {
		return nil, failed(err)
	}
	out := &protocol.SnapshotsResult{Snapshots: make([]protocol.Snapshot, 0, len(list))}
	for _, info := range list {
		out.Snapshots = append(out.Snapshots, toWireSnapshot(info))
	}
	return out, nil
}

func toWireSnapshot(info snapshot.Info) protocol.Snapshot {
	return protocol.Snapshot{
		ID: info.ID, CreatedAt: info.CreatedAt.UTC().Format(time.RFC3339), Label: info.Label,
		Files: info.Files, Bytes: info.Bytes, Kind: string(info.Kind), SessionID: info.SessionID,
	}
}

func (s *Server) restore(ctx context.Context, p *protocol.RestoreParams) (*protocol.RestoreResult, error) {
	ws, err := s.workspace()
	if err != nil {
		return nil, err
	}
	if p.SnapshotID == "" {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: snapshotId is missing")
	}
	store, err := ws.snapshots()
	if err != nil {
		return nil, failed(err)
	}
	paths := make([]string, 0, len(p.Paths))
	for _, raw := range p.Paths {
		rel, err := ws.relPath(raw)
		if err != nil {
			return nil, failed(err)
		}
		paths = append(paths, rel)
	}
	res, err := store.Restore(ctx, p.SnapshotID, paths)
	if err != nil {
		return nil, failed(err)
	}
	ws.reloadOpenDocuments(append(append([]string{}, res.Restored...), res.Deleted...))
	return &protocol.RestoreResult{
		Restored: len(res.Restored), Deleted: len(res.Deleted), SafetySnapshotID: res.SafetyID,
		RestoredPaths: nonNil(res.Restored), DeletedPaths: nonNil(res.Deleted),
	}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// relPath turns a workspace-relative path or a file URI into a clean
// workspace-relative path, refusing anything outside the workspace.
func (w *workspace) relPath(raw string) (string, error) {
	p := raw
	if isFileURI(raw) {
		abs, err := filePath(lsp.DocumentURI(raw))
		if err != nil {
			return "", err
		}
		p = abs
	}
	if filepath.IsAbs(p) {
		rel, err := filepath.Rel(w.root, p)
		if err != nil {
			return "", err
		}
		p = rel
	}
	p = filepath.Clean(p)
	if p == ".." || strings.HasPrefix(p, "../") || filepath.IsAbs(p) {
		return "", jsonrpc2.Errorf(codeRequestFailed, "%s is outside the workspace", raw)
	}
	return filepath.ToSlash(p), nil
}

// reloadOpenDocuments refreshes the overlay after a restore wrote files
// behind the editor's back: the editor reloads a clean buffer from disk,
// so the overlay takes the disk content too, and the editor's next
// incremental change applies to the same text.
func (w *workspace) reloadOpenDocuments(rels []string) {
	for _, rel := range rels {
		w.s.docs.reload(filepath.Join(w.root, filepath.FromSlash(rel)))
	}
}
