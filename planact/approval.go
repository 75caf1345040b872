package planact

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// decision is a user's answer to an approval.
type decision struct {
	approved bool
	feedback string
}

// pendingApproval is an approval event waiting for its answer.
type pendingApproval struct {
	turn *turn
	// ch receives the decision of a command or read approval.
	ch chan decision
	// proposal is set for an edit; its hunks carry the decision.
	proposal *proposal
}

// proposal is an edit waiting for the user. Its mutable fields are guarded
// by Engine.mu.
type proposal struct {
	id, requestID string
	change        Change
	hunks         []string // Status of each hunk (one slot when the diff has none).
	feedback      []string
	decided       chan struct{} // Closed once no hunk is pending.
}

func (p *proposal) status() string {
	acc, rej := 0, 0
	for _, h := range p.hunks {
		switch h {
		case ProposalAccepted:
			acc++
		case ProposalRejected:
			rej++
		}
	}
	switch {
	case acc+rej < len(p.hunks):
		return ProposalPending
	case rej == 0:
		return ProposalAccepted
	case acc == 0:
		return ProposalRejected
	}
	return ProposalPartial
}

// Approve answers an approval event. For an edit it accepts or rejects the
// whole proposal. Feedback goes back to the model with a rejection (and an
// approval).
func (e *Engine) Approve(requestID string, approved bool, feedback string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	pa, ok := e.approvals[requestID]
	if !ok {
		return fmt.Errorf("%w %q (it may have been answered or cancelled)", ErrUnknownRequest, requestID)
	}
	if p := pa.proposal; p != nil {
		st := ProposalRejected
		if approved {
			st = ProposalAccepted
		}
		for i := range p.hunks {
			p.hunks[i] = st
		}
		e.settleLocked(p, feedback)
		return nil
	}
	delete(e.approvals, requestID)
	pa.ch <- decision{approved: approved, feedback: feedback}
	return nil
}

// ApplyProposal accepts a pending proposal, one file of it (path, absolute)
// or one hunk of that file (hunk, from 0). It returns the proposal's status
// afterwards: pending, accepted, rejected or partial. Once no hunk is
// pending the turn applies the accepted ones.
func (e *Engine) ApplyProposal(proposalID, path string, hunk *int) (string, error) {
	return e.decide(proposalID, path, hunk, ProposalAccepted, "")
}

// RejectProposal rejects a pending proposal, a file of it or a hunk; the
// feedback goes back to the model.
func (e *Engine) RejectProposal(proposalID, path string, hunk *int, feedback string) (string, error) {
	return e.decide(proposalID, path, hunk, ProposalRejected, feedback)
}

func (e *Engine) decide(proposalID, path string, hunk *int, st, feedback string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.proposals[proposalID]
	if !ok {
		return "", fmt.Errorf("%w %q (it may have been decided or cancelled)", ErrUnknownProposal, proposalID)
	}
	if path != "" && filepath.Clean(path) != p.change.Path {
		return "", fmt.Errorf("proposal %s does not change %s (it changes %s)", proposalID, path, p.change.Path)
	}
	if hunk != nil {
		if *hunk < 0 || *hunk >= len(p.hunks) {
			return "", fmt.Errorf("proposal %s has %d hunks; there is no hunk %d", proposalID, len(p.hunks), *hunk)
		}
		p.hunks[*hunk] = st
	} else {
		for i := range p.hunks {
			p.hunks[i] = st
		}
	}
	s := p.status()
	if s != ProposalPending || feedback != "" {
		e.settleLocked(p, feedback)
	}
	return s, nil
}

// settleLocked records feedback and, when nothing is pending any more,
// wakes the turn. e.mu must be held.
func (e *Engine) settleLocked(p *proposal, feedback string) {
	if feedback = strings.TrimSpace(feedback); feedback != "" {
		p.feedback = append(p.feedback, feedback)
	}
	if p.status() == ProposalPending {
		return
	}
	delete(e.proposals, p.id)
	delete(e.approvals, p.requestID)
	close(p.decided)
}

// The turn's side: the gate the tools go through.

func (t *turn) newIDs() (proposalID, requestID string) {
	t.s.mu.Lock()
	t.s.seqIDs++
	n := t.s.seqIDs
	t.s.mu.Unlock()
	return fmt.Sprintf("%s-p%d", t.s.id, n), fmt.Sprintf("%s-r%d", t.s.id, n)
}

// ask emits an approval and waits for the answer; ok is false when the turn
// was cancelled first.
func (t *turn) ask(action, title, command string) (d decision, ok bool) {
	_, rid := t.newIDs()
	pa := &pendingApproval{turn: t, ch: make(chan decision, 1)}
	t.e.mu.Lock()
	t.e.approvals[rid] = pa
	t.e.mu.Unlock()
	t.emit(Event{Kind: EventApproval, RequestID: rid, Action: action, Title: title, Command: command})
	select {
	case d = <-pa.ch:
		return d, true
	case <-t.ctx.Done():
		t.e.mu.Lock()
		delete(t.e.approvals, rid)
		t.e.mu.Unlock()
		return decision{}, false
	}
}

func feedbackText(f []string) string {
	if len(f) == 0 {
		return ""
	}
	return " The user's feedback: " + strings.Join(f, " ")
}

func (t *turn) askRead(c *call, name string) *result {
	title := name
	if p := argString(c.Args, "path"); p != "" {
		title += " " + p
	}
	d, ok := t.ask(ActionRead, title, "")
	if !ok {
		return &result{Status: StatusError, Output: "Cancelled by the user.", Summary: "cancelled"}
	}
	if !d.approved {
		return &result{Status: StatusDenied, Output: "The user did not allow " + title + "." + feedbackText([]string{d.feedback}), Summary: "rejected by the user"}
	}
	return nil
}

func (t *turn) approveCommand(ctx context.Context, c *call, line string) *result {
	v := t.e.currentPolicy().Command(line)
	if v.Denied {
		return &result{Status: StatusDenied, Summary: "denied: " + v.Reason,
			Output: fmt.Sprintf("Refused: `%s` is on Hearth's deny-list because %s. It will not run, whatever the settings or approvals. Do not try to do the same another way; go on without it or explain to the user.", line, v.Reason)}
	}
	if !v.Auto {
		d, ok := t.ask(ActionCommand, "Run "+line, line)
		if !ok {
			return &result{Status: StatusError, Output: "Cancelled by the user.", Summary: "cancelled"}
		}
		if !d.approved {
			fb := []string{}
			if d.feedback != "" {
				fb = append(fb, d.feedback)
			}
			return &result{Status: StatusDenied, Summary: "rejected by the user",
				Output: fmt.Sprintf("The user rejected the command `%s`; it did not run.%s", line, feedbackText(fb))}
		}
	}
	id, err := t.e.cfg.Snapshots.Full(ctx, SnapshotMeta{SessionID: t.s.id, Label: "before running " + line})
	if err != nil {
		return &result{Status: StatusError, Summary: "snapshot failed",
			Output: fmt.Sprintf("A snapshot of the workspace failed, so the command did not run: %v", err)}
	}
	t.emit(Event{Kind: EventSnapshot, SnapshotID: id})
	return nil
}

func (t *turn) proposalEvent(p *proposal) Event {
	f := ProposalFile{Path: p.change.Path, Diff: p.change.Diff, Status: p.status()}
	for i, h := range p.change.Hunks {
		f.Hunks = append(f.Hunks, ProposalHunk{Index: i, StartLine: h.StartLine, EndLine: h.EndLine, Diff: h.Diff, Status: p.hunks[i]})
	}
	return Event{Kind: EventProposal, ProposalID: p.id, Files: []ProposalFile{f}}
}

func (t *turn) proposeChange(ctx context.Context, c *call, ch Change) result {
	rel := relPath(t.e.cfg.Root, ch.Path)
	pid, rid := t.newIDs()
	p := &proposal{id: pid, requestID: rid, change: ch, hunks: make([]string, max(len(ch.Hunks), 1)), decided: make(chan struct{})}
	for i := range p.hunks {
		p.hunks[i] = ProposalPending
	}
	title := "Edit " + rel
	if ch.Created {
		title = "Create " + rel
	}
	if t.e.currentPolicy().AutoEdit() {
		for i := range p.hunks {
			p.hunks[i] = ProposalAccepted
		}
	} else {
		t.e.mu.Lock()
		t.e.proposals[pid] = p
		t.e.approvals[rid] = &pendingApproval{turn: t, proposal: p}
		t.e.mu.Unlock()
		t.emit(t.proposalEvent(p))
		t.emit(Event{Kind: EventApproval, RequestID: rid, Action: ActionEdit, Title: title, Diff: ch.Diff, ProposalID: pid})
		select {
		case <-p.decided:
		case <-ctx.Done():
			t.e.mu.Lock()
			delete(t.e.proposals, pid)
			delete(t.e.approvals, rid)
			for i := range p.hunks {
				p.hunks[i] = ProposalRejected
			}
			t.e.mu.Unlock()
			t.emit(t.proposalEvent(p))
			return result{Status: StatusError, Output: "Cancelled by the user.", Summary: "cancelled"}
		}
	}
	// The proposal is out of the maps now; nobody else touches it.
	var accepted, rejected []int
	for i, h := range p.hunks {
		if h == ProposalAccepted {
			accepted = append(accepted, i)
		} else {
			rejected = append(rejected, i)
		}
	}
	if len(accepted) == 0 {
		t.emit(t.proposalEvent(p))
		return result{Status: StatusDenied, Summary: "rejected by the user",
			Output: fmt.Sprintf("The user rejected your edit to %s; nothing was changed.%s", rel, feedbackText(p.feedback))}
	}
	content := ch.New
	if len(rejected) > 0 {
		var err error
		if content, err = t.e.cfg.Editor.ApplyHunks(ch, accepted); err != nil {
			return errResult("applying the accepted hunks of %s failed, so nothing was changed: %v", rel, err)
		}
	}
	id, err := t.e.cfg.Snapshots.Checkpoint(ctx, []string{ch.Path}, SnapshotMeta{SessionID: t.s.id, Label: "before editing " + rel})
	if err != nil {
		return errResult("a snapshot before editing %s failed, so nothing was changed: %v", rel, err)
	}
	t.emit(Event{Kind: EventSnapshot, SnapshotID: id})
	if err := t.e.cfg.Writer.WriteFile(ctx, ch.Path, []byte(content)); err != nil {
		return errResult("writing %s failed, so it is unchanged: %v", rel, err)
	}
	t.emit(t.proposalEvent(p))
	if len(rejected) == 0 {
		verb := "Edited"
		if ch.Created {
			verb = "Created"
		}
		return result{Status: StatusOK, Summary: strings.ToLower(verb) + " " + rel,
			Output: fmt.Sprintf("%s %s.%s", verb, rel, feedbackText(p.feedback))}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The user accepted %s and rejected %s of your edit to %s. Only the accepted hunks were applied, so %s now differs from your proposal; read it again before editing it further.\nRejected:\n",
		hunkList(accepted), hunkList(rejected), rel, rel)
	for _, i := range rejected {
		if i < len(ch.Hunks) {
			b.WriteString(ch.Hunks[i].Diff)
			if !strings.HasSuffix(ch.Hunks[i].Diff, "\n") {
				b.WriteString("\n")
			}
		}
	}
	b.WriteString(strings.TrimSpace(feedbackText(p.feedback)))
	return result{Status: StatusOK, Summary: fmt.Sprintf("partly applied to %s (%d of %d hunks)", rel, len(accepted), len(p.hunks)), Output: b.String()}
}

// hunkList names hunks from 1, as people count.
func hunkList(idx []int) string {
	var s []string
	for _, i := range idx {
		s = append(s, fmt.Sprint(i+1))
	}
	if len(s) == 1 {
		return "hunk " + s[0]
	}
	return "hunks " + strings.Join(s, ", ")
}

// cancelPending drops whatever this turn still waits for (a safety net: the
// waits clean up after themselves).
func (t *turn) cancelPending() {
	t.e.mu.Lock()
	defer t.e.mu.Unlock()
	for id, pa := range t.e.approvals {
		if pa.turn == t {
			delete(t.e.approvals, id)
			if pa.proposal != nil {
				delete(t.e.proposals, pa.proposal.id)
			}
		}
	}
}

// PendingProposal is an edit waiting for the user's decision.
type PendingProposal struct {
	SessionID  string
	ProposalID string
	File       ProposalFile
	// New is the file's content if the whole proposal is accepted.
	New     string
	Created bool
}

// PendingProposals lists the proposals waiting for a decision, for code
// actions and the diff view (which shows New against the file).
func (e *Engine) PendingProposals() []PendingProposal {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []PendingProposal
	for _, p := range e.proposals {
		pa := e.approvals[p.requestID]
		if pa == nil {
			continue
		}
		ev := pa.turn.proposalEvent(p)
		out = append(out, PendingProposal{SessionID: pa.turn.s.id, ProposalID: p.id, File: ev.Files[0], New: p.change.New, Created: p.change.Created})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ProposalID < out[j].ProposalID })
	return out
}
