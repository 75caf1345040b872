package protocol

// Hearth's custom methods. Requests go from client to server unless marked.
const (
	// MethodChat starts a turn: ChatParams → ChatResult. The turn streams
	// MethodEvent notifications until an event of kind "done".
	MethodChat = "hearth/chat"
	// MethodEvent is a server → client notification carrying one Event.
	MethodEvent = "hearth/event"
	// MethodApprove answers an approval event: ApproveParams → Empty.
	MethodApprove = "hearth/approve"
	// MethodCancel cancels the running turn of a session: CancelParams → Empty.
	MethodCancel = "hearth/cancel"
	// MethodSetMode switches a session between plan and act: SetModeParams → Empty.
	MethodSetMode = "hearth/setMode"
	// MethodHistory returns a session's events: HistoryParams → HistoryResult.
	MethodHistory = "hearth/history"
	// MethodSnapshots lists the workspace's snapshots: Empty → SnapshotsResult.
	MethodSnapshots = "hearth/snapshots"
	// MethodRestore restores a snapshot: RestoreParams → RestoreResult.
	MethodRestore = "hearth/restore"
	// MethodStatus is both a server → client notification carrying Status
	// and a request (Empty → Status) returning the latest one.
	MethodStatus = "hearth/status"
	// MethodProposalContent returns a file's content as a proposal would
	// leave it, for the editor's diff view: ProposalContentParams →
	// ProposalContentResult. (An addition to the v1 contract.)
	MethodProposalContent = "hearth/proposalContent"
	// MethodSessions lists the sessions kept in the state directory, newest
	// first: Empty → SessionsResult. (An addition to the v1 contract.)
	MethodSessions = "hearth/sessions"
	// MethodSaveDocuments is a server → client request: save these open
	// documents, after the server changed them through workspace/applyEdit:
	// SaveDocumentsParams → SaveDocumentsResult. (An addition to the v1
	// contract.)
	MethodSaveDocuments = "hearth/saveDocuments"
)

// Commands for workspace/executeCommand.
const (
	// CommandApplyProposal accepts a proposal, a file of it or one hunk:
	// ProposalCommandArgs.
	CommandApplyProposal = "hearth.applyProposal"
	// CommandRejectProposal rejects a proposal, a file of it or one hunk:
	// ProposalCommandArgs.
	CommandRejectProposal = "hearth.rejectProposal"
	// CommandFixDiagnostic starts an Act turn scoped to one diagnostic:
	// FixDiagnosticArgs.
	CommandFixDiagnostic = "hearth.fixDiagnostic"
	// CommandExplainSelection starts a Plan turn explaining a selection:
	// SelectionArgs. (An addition to the v1 contract.)
	CommandExplainSelection = "hearth.explainSelection"
	// CommandRefactorSelection starts an Act turn refactoring a selection:
	// SelectionArgs. (An addition to the v1 contract.)
	CommandRefactorSelection = "hearth.refactorSelection"
)

// Experimental is the block the server advertises under
// capabilities.experimental.hearth in its initialize result.
type Experimental struct {
	// Version of the wire contract; 1 for this package.
	Version int `json:"version"`
	// Methods lists every hearth/* method the server handles or sends.
	Methods []string `json:"methods"`
	// Commands lists the workspace/executeCommand commands.
	Commands []string `json:"commands"`
}

// Empty is the params or result of a method that carries nothing: {}.
type Empty struct{}
