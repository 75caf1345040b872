package protocol

import (
	"encoding/json"

	lsp "go.lsp.dev/protocol"
)

// EventKind names what an Event carries.
type EventKind string

// Event kinds. Each lists the fields it sets beside the common ones.
const (
	// EventUser echoes the user's message that started a turn: text.
	// (An addition to the v1 contract, so history can rebuild the chat.)
	EventUser EventKind = "user"
	// EventText streams the model's answer: delta.
	EventText EventKind = "text"
	// EventTool reports a tool call: callId, name, args, status, summary?,
	// output?.
	EventTool EventKind = "tool"
	// EventApproval asks the user to approve an action: requestId, action,
	// title, diff? (edits), command? (commands).
	EventApproval EventKind = "approval"
	// EventProposal announces a pending edit: proposalId, files.
	EventProposal EventKind = "proposal"
	// EventSnapshot reports a snapshot taken before a change: snapshotId.
	EventSnapshot EventKind = "snapshot"
	// EventUsage reports token use: promptTokens, completionTokens,
	// contextTokens, contextLimit.
	EventUsage EventKind = "usage"
	// EventDone ends a turn: reason, summary?.
	EventDone EventKind = "done"
	// EventError reports a failure: message, retryable.
	EventError EventKind = "error"
)

// Tool call statuses.
const (
	ToolRunning = "running"
	ToolOK      = "ok"
	ToolError   = "error"
	ToolDenied  = "denied"
)

// Approval actions.
const (
	ActionEdit    = "edit"
	ActionCommand = "command"
)

// Reasons a turn ends.
const (
	DoneCompleted    = "completed"
	DoneCancelled    = "cancelled"
	DoneError        = "error"
	DoneLimit        = "limit"
	DoneAwaitingUser = "awaitingUser"
)

// Event is the params of the hearth/event notification. The common fields
// are always present; the others belong to one kind each (see EventKind).
// Numbers and booleans whose zero value is meaningful are pointers, so they
// are present exactly when their kind is.
type Event struct {
	SessionID string    `json:"sessionId"`
	TurnID    string    `json:"turnId"`
	Seq       int64     `json:"seq"`
	Kind      EventKind `json:"kind"`
	// Time is an RFC 3339 time, so a rebuilt chat can show when. (Additive.)
	Time string `json:"time,omitempty"`

	// user
	Text string `json:"text,omitempty"`

	// text
	Delta string `json:"delta,omitempty"`

	// tool
	CallID string          `json:"callId,omitempty"`
	Name   string          `json:"name,omitempty"`
	Args   json.RawMessage `json:"args,omitempty"`
	Status string          `json:"status,omitempty"`
	// Output is a tool's output so far (run_command streams it). (Additive.)
	Output string `json:"output,omitempty"`

	// tool and done
	Summary string `json:"summary,omitempty"`

	// approval
	RequestID string `json:"requestId,omitempty"`
	Action    string `json:"action,omitempty"`
	Title     string `json:"title,omitempty"`
	Diff      string `json:"diff,omitempty"`
	Command   string `json:"command,omitempty"`

	// proposal (and approval of an edit, which also names its proposal)
	ProposalID string         `json:"proposalId,omitempty"`
	Files      []ProposalFile `json:"files,omitempty"`

	// snapshot
	SnapshotID string `json:"snapshotId,omitempty"`

	// usage
	PromptTokens     *int `json:"promptTokens,omitempty"`
	CompletionTokens *int `json:"completionTokens,omitempty"`
	ContextTokens    *int `json:"contextTokens,omitempty"`
	ContextLimit     *int `json:"contextLimit,omitempty"`

	// done
	Reason string `json:"reason,omitempty"`

	// error
	Message   string `json:"message,omitempty"`
	Retryable *bool  `json:"retryable,omitempty"`
}

// ProposalFile is one file of a proposal.
type ProposalFile struct {
	URI lsp.DocumentURI `json:"uri"`
	// Diff is the file's unified diff, current content against proposed.
	Diff string `json:"diff"`
	// Hunks can be accepted or rejected one by one.
	Hunks []ProposalHunk `json:"hunks"`
	// Status is "pending", "accepted" or "rejected". (Additive.)
	Status string `json:"status,omitempty"`
}

// ProposalHunk is one hunk of a ProposalFile's diff.
type ProposalHunk struct {
	// Index is the hunk's position in its file, from 0.
	Index int `json:"index"`
	// Range is the lines the hunk replaces in the current file.
	Range lsp.Range `json:"range"`
	// Diff is the hunk's text, starting with its @@ line.
	Diff string `json:"diff"`
	// Status is "pending", "accepted" or "rejected".
	Status string `json:"status"`
}

// ProposalCommandArgs are the argument of hearth.applyProposal and
// hearth.rejectProposal. Without uri the whole proposal is meant; without
// hunk the whole file.
type ProposalCommandArgs struct {
	ProposalID string          `json:"proposalId"`
	URI        lsp.DocumentURI `json:"uri,omitempty"`
	Hunk       *int            `json:"hunk,omitempty"`
	// Feedback goes back to the model with a rejection. (Additive.)
	Feedback string `json:"feedback,omitempty"`
}

// ProposalCommandResult says what a proposal command did. (Additive: v1 left
// the result unspecified.)
type ProposalCommandResult struct {
	// Status is the proposal's status afterwards: "pending", "accepted",
	// "rejected" or "partial" (some parts accepted, others rejected).
	Status string `json:"status"`
}

// FixDiagnosticArgs are the argument of hearth.fixDiagnostic.
type FixDiagnosticArgs struct {
	URI     lsp.DocumentURI `json:"uri"`
	Range   lsp.Range       `json:"range"`
	Message string          `json:"message"`
}

// SelectionArgs are the argument of hearth.explainSelection and
// hearth.refactorSelection.
type SelectionArgs struct {
	URI   lsp.DocumentURI `json:"uri"`
	Range lsp.Range       `json:"range"`
}

// ProposalContentParams ask for a file's proposed content.
type ProposalContentParams struct {
	ProposalID string          `json:"proposalId"`
	URI        lsp.DocumentURI `json:"uri"`
}

// ProposalContentResult is a file's content as the proposal would leave it;
// Exists is false when the proposal deletes or has not created it.
type ProposalContentResult struct {
	Content string `json:"content"`
	Exists  bool   `json:"exists"`
}
