package server

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"go.lsp.dev/jsonrpc2"
	lsp "go.lsp.dev/protocol"

	"github.com/hearth-dev/hearth/planact"
	"github.com/hearth-dev/hearth/protocol"
)

// CodeAction offers, for a file with a pending proposal, "accept" and
// "reject" for the whole file and, when it has several hunks, for each hunk
// the requested range touches; "Fix with Hearth" for diagnostics in range;
// and "Explain"/"Refactor with Hearth" for a non-empty selection. Actions
// carry commands, so nothing is computed until the user picks one.
func (l lspServer) CodeAction(ctx context.Context, p *lsp.CodeActionParams) ([]lsp.CodeAction, error) {
	s := l.s
	path, err := filePath(p.TextDocument.URI)
	if err != nil {
		return nil, nil
	}
	ws, err := s.workspace()
	if err != nil {
		return nil, err
	}
	var out []lsp.CodeAction
	if e := ws.agent.current(); e != nil {
		for _, pp := range e.PendingProposals() {
			if pp.File.Path != path {
				continue
			}
			out = append(out, proposalActions(p.TextDocument.URI, p.Range, pp)...)
		}
	}
	for _, d := range p.Context.Diagnostics {
		out = append(out, lsp.CodeAction{
			Title: "Fix with Hearth: " + shorten(d.Message, 60), Kind: lsp.QuickFix, Diagnostics: []lsp.Diagnostic{d},
			Command: command("Fix with Hearth", protocol.CommandFixDiagnostic, protocol.FixDiagnosticArgs{URI: p.TextDocument.URI, Range: d.Range, Message: d.Message}),
		})
	}
	if p.Range.Start != p.Range.End {
		sel := protocol.SelectionArgs{URI: p.TextDocument.URI, Range: p.Range}
		out = append(out,
			lsp.CodeAction{Title: "Explain with Hearth", Kind: lsp.RefactorRewrite, Command: command("Explain with Hearth", protocol.CommandExplainSelection, sel)},
			lsp.CodeAction{Title: "Refactor with Hearth", Kind: lsp.RefactorRewrite, Command: command("Refactor with Hearth", protocol.CommandRefactorSelection, sel)},
		)
	}
	return out, nil
}

func proposalActions(u lsp.DocumentURI, rng lsp.Range, pp planact.PendingProposal) []lsp.CodeAction {
	name := filepath.Base(pp.File.Path)
	whole := protocol.ProposalCommandArgs{ProposalID: pp.ProposalID, URI: u}
	out := []lsp.CodeAction{
		{Title: "Hearth: accept change to " + name, Kind: lsp.QuickFix, IsPreferred: true, Command: command("Accept", protocol.CommandApplyProposal, whole)},
		{Title: "Hearth: reject change to " + name, Kind: lsp.QuickFix, Command: command("Reject", protocol.CommandRejectProposal, whole)},
	}
	if len(pp.File.Hunks) < 2 {
		return out
	}
	for _, h := range pp.File.Hunks {
		if h.Status != planact.ProposalPending || !touches(rng, h.StartLine, h.EndLine) {
			continue
		}
		idx := h.Index
		args := protocol.ProposalCommandArgs{ProposalID: pp.ProposalID, URI: u, Hunk: &idx}
		label := fmt.Sprintf("hunk %d of %d (line %d)", h.Index+1, len(pp.File.Hunks), h.StartLine+1)
		out = append(out,
			lsp.CodeAction{Title: "Hearth: accept " + label, Kind: lsp.QuickFix, Command: command("Accept hunk", protocol.CommandApplyProposal, args)},
			lsp.CodeAction{Title: "Hearth: reject " + label, Kind: lsp.QuickFix, Command: command("Reject hunk", protocol.CommandRejectProposal, args)},
		)
	}
	return out
}

// touches reports whether rng meets lines [start, end) (an insertion,
// start == end, counts as its line).
func touches(rng lsp.Range, start, end int) bool {
	if end <= start {
		end = start + 1
	}
	return int(rng.Start.Line) < end && int(rng.End.Line) >= start
}

func command(title, name string, arg any) *lsp.Command {
	return &lsp.Command{Title: title, Command: name, Arguments: []any{arg}}
}

// ExecuteCommand runs one of Hearth's commands.
func (l lspServer) ExecuteCommand(ctx context.Context, p *lsp.ExecuteCommandParams) (any, error) {
	s := l.s
	ws, err := s.workspace()
	if err != nil {
		return nil, err
	}
	switch p.Command {
	case protocol.CommandApplyProposal, protocol.CommandRejectProposal:
		var args protocol.ProposalCommandArgs
		if err := commandArg(p, &args); err != nil {
			return nil, err
		}
		return ws.decideProposal(p.Command == protocol.CommandApplyProposal, args)
	case protocol.CommandFixDiagnostic:
		var args protocol.FixDiagnosticArgs
		if err := commandArg(p, &args); err != nil {
			return nil, err
		}
		path, err := filePath(args.URI)
		if err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: %v", err)
		}
		rel, _ := filepath.Rel(ws.root, path)
		text := fmt.Sprintf("Fix this problem in %s at line %d: %s", filepath.ToSlash(rel), args.Range.Start.Line+1, args.Message)
		return ws.startTurn(ctx, planact.ChatRequest{Text: text, Mode: planact.ModeAct, Context: ws.rangeContext(path, args.Range)})
	case protocol.CommandExplainSelection, protocol.CommandRefactorSelection:
		var args protocol.SelectionArgs
		if err := commandArg(p, &args); err != nil {
			return nil, err
		}
		path, err := filePath(args.URI)
		if err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: %v", err)
		}
		rel, _ := filepath.Rel(ws.root, path)
		where := fmt.Sprintf("%s, lines %d-%d", filepath.ToSlash(rel), args.Range.Start.Line+1, args.Range.End.Line+1)
		req := planact.ChatRequest{Text: "Explain the selected code in " + where + ".", Mode: planact.ModePlan, Context: ws.rangeContext(path, args.Range)}
		if p.Command == protocol.CommandRefactorSelection {
			req.Text, req.Mode = "Refactor the selected code in "+where+": make it clearer without changing what it does.", planact.ModeAct
		}
		return ws.startTurn(ctx, req)
	}
	return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "unknown command %q", p.Command)
}

func (w *workspace) rangeContext(path string, r lsp.Range) *planact.ChatContext {
	c := w.chatContext(nil)
	c.Selection = w.selection(path, int(r.Start.Line), int(r.End.Line))
	return c
}

// commandArg decodes a command's single argument.
func commandArg(p *lsp.ExecuteCommandParams, v any) error {
	if len(p.Arguments) != 1 {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: %s takes one argument, got %d", p.Command, len(p.Arguments))
	}
	raw, err := json.Marshal(p.Arguments[0])
	if err == nil {
		err = json.Unmarshal(raw, v)
	}
	if err != nil {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: %s: %v", p.Command, err)
	}
	return nil
}

// decideProposal accepts or rejects a proposal, a file or a hunk of it.
func (w *workspace) decideProposal(accept bool, args protocol.ProposalCommandArgs) (*protocol.ProposalCommandResult, error) {
	if args.ProposalID == "" {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: proposalId is missing")
	}
	e := w.agent.current()
	if e == nil {
		return nil, jsonrpc2.Errorf(codeRequestFailed, "no pending proposal %q", args.ProposalID)
	}
	path := ""
	if args.URI != "" {
		p, err := filePath(args.URI)
		if err != nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: %v", err)
		}
		path = p
	}
	var status string
	var err error
	if accept {
		status, err = e.ApplyProposal(args.ProposalID, path, args.Hunk)
	} else {
		status, err = e.RejectProposal(args.ProposalID, path, args.Hunk, args.Feedback)
	}
	if err != nil {
		return nil, failed(err)
	}
	return &protocol.ProposalCommandResult{Status: status}, nil
}

func (s *Server) proposalContent(ctx context.Context, p *protocol.ProposalContentParams) (*protocol.ProposalContentResult, error) {
	ws, err := s.workspace()
	if err != nil {
		return nil, err
	}
	path, err := filePath(p.URI)
	if err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: %v", err)
	}
	if e := ws.agent.current(); e != nil {
		for _, pp := range e.PendingProposals() {
			if pp.ProposalID == p.ProposalID && pp.File.Path == path {
				return &protocol.ProposalContentResult{Content: pp.New, Exists: true}, nil
			}
		}
	}
	return nil, jsonrpc2.Errorf(codeRequestFailed, "no pending proposal %q for %s", p.ProposalID, p.URI)
}
