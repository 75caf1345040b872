package planact

import (
	"encoding/json"
	"time"
)

// EventKind names what an Event carries. The kinds mirror the wire kinds of
// hearth/event one for one; the server converts Event to its wire form.
type EventKind string

// Event kinds. Each lists the fields it sets beside the common ones.
const (
	// EventUser echoes the user's message that started a turn: Text.
	EventUser EventKind = "user"
	// EventText streams the model's answer: Delta.
	EventText EventKind = "text"
	// EventTool reports a tool call: CallID, Name, Args, Status, Summary,
	// Output (run_command streams its output so far with StatusRunning).
	EventTool EventKind = "tool"
	// EventApproval asks the user to approve an action: RequestID, Action,
	// Title, Diff and ProposalID (edits), Command (commands).
	EventApproval EventKind = "approval"
	// EventProposal announces a pending edit, or a change of its state:
	// ProposalID, Files.
	EventProposal EventKind = "proposal"
	// EventSnapshot reports a snapshot taken before a change: SnapshotID.
	EventSnapshot EventKind = "snapshot"
	// EventUsage reports token use: Usage.
	EventUsage EventKind = "usage"
	// EventDone ends a turn: Reason, Summary.
	EventDone EventKind = "done"
	// EventError reports a failure: Message, Retryable.
	EventError EventKind = "error"
)

// Tool call statuses.
const (
	StatusRunning = "running"
	StatusOK      = "ok"
	StatusError   = "error"
	StatusDenied  = "denied"
)

// Approval actions. ActionRead is an addition to the wire's two: it is only
// asked for when auto-approve is on with autoApprove.reads off.
const (
	ActionEdit    = "edit"
	ActionCommand = "command"
	ActionRead    = "read"
)

// Reasons a turn ends.
const (
	DoneCompleted    = "completed"
	DoneCancelled    = "cancelled"
	DoneError        = "error"
	DoneLimit        = "limit"
	DoneAwaitingUser = "awaitingUser"
)

// Proposal, file and hunk states.
const (
	ProposalPending  = "pending"
	ProposalAccepted = "accepted"
	ProposalRejected = "rejected"
	ProposalPartial  = "partial"
)

// Event is one thing that happened in a session. The common fields are
// always set; the others belong to one kind each (see EventKind).
type Event struct {
	SessionID string
	TurnID    string
	// Seq increases by one per event within a session, from 1.
	Seq  int64
	Kind EventKind
	Time time.Time

	// user
	Text string

	// text
	Delta string

	// tool
	CallID string
	Name   string
	Args   json.RawMessage
	Status string
	Output string

	// tool and done
	Summary string

	// approval
	RequestID string
	Action    string
	Title     string
	Diff      string
	Command   string

	// proposal (and approval of an edit)
	ProposalID string
	Files      []ProposalFile

	// snapshot
	SnapshotID string

	// usage
	Usage Usage

	// done
	Reason string

	// error
	Message   string
	Retryable bool
}

// Usage is the token accounting of one model call.
type Usage struct {
	// PromptTokens is Ollama's prompt_eval_count (tokens it evaluated; a
	// cached prefix is not counted).
	PromptTokens int
	// CompletionTokens is Ollama's eval_count.
	CompletionTokens int
	// ContextTokens is how much of the window the session fills now: the
	// larger of the estimate and the prompt+completion counts.
	ContextTokens int
	// ContextLimit is the session's num_ctx.
	ContextLimit int
}

// ProposalFile is one file of a proposal.
type ProposalFile struct {
	// Path is absolute and inside the workspace.
	Path string
	// Diff is the unified diff, current content against proposed.
	Diff   string
	Hunks  []ProposalHunk
	Status string
}

// ProposalHunk is one hunk of a ProposalFile's diff.
type ProposalHunk struct {
	// Index is the hunk's position in its file, from 0.
	Index int
	// StartLine and EndLine (exclusive), from 0, are the lines of the
	// current file the hunk replaces; StartLine == EndLine for an insertion.
	StartLine, EndLine int
	// Diff is the hunk's text, starting with its @@ line.
	Diff   string
	Status string
}
