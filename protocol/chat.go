package protocol

import lsp "go.lsp.dev/protocol"

// Mode is the agent's mode: Plan reads and answers; Act edits and runs.
type Mode string

// The two modes.
const (
	ModePlan Mode = "plan"
	ModeAct  Mode = "act"
)

// ChatParams are the params of hearth/chat.
type ChatParams struct {
	// SessionID continues a session; empty starts a new one.
	SessionID string `json:"sessionId,omitempty"`
	// Text is the user's message.
	Text string `json:"text"`
	// Mode switches the session's mode for this and later turns; empty keeps it.
	Mode Mode `json:"mode,omitempty"`
	// Context points the agent at files or a selection.
	Context *ChatContext `json:"context,omitempty"`
}

// ChatContext is what the user attached to a message.
type ChatContext struct {
	URIs      []lsp.DocumentURI `json:"uris,omitempty"`
	Selection *Location         `json:"selection,omitempty"`
}

// Location is a range in a document.
type Location struct {
	URI   lsp.DocumentURI `json:"uri"`
	Range lsp.Range       `json:"range"`
}

// ChatResult answers hearth/chat at once; the turn goes on streaming events.
type ChatResult struct {
	SessionID string `json:"sessionId"`
	TurnID    string `json:"turnId"`
}

// ApproveParams answer an approval event.
type ApproveParams struct {
	RequestID string `json:"requestId"`
	Approved  bool   `json:"approved"`
	// Feedback goes back to the model with a rejection (or an approval).
	Feedback string `json:"feedback,omitempty"`
}

// CancelParams cancel a session's running turn.
type CancelParams struct {
	SessionID string `json:"sessionId"`
}

// SetModeParams switch a session's mode.
type SetModeParams struct {
	SessionID string `json:"sessionId"`
	Mode      Mode   `json:"mode"`
}

// HistoryParams ask for a session's events.
type HistoryParams struct {
	SessionID string `json:"sessionId"`
}

// HistoryResult holds every event of a session, in seq order, so a reloaded
// chat view can rebuild itself.
type HistoryResult struct {
	Events []Event `json:"events"`
}

// SessionsResult lists the sessions kept in the state directory.
type SessionsResult struct {
	Sessions []SessionInfo `json:"sessions"`
}

// SessionInfo describes one stored session.
type SessionInfo struct {
	ID string `json:"id"`
	// Title is the first user message, shortened.
	Title string `json:"title"`
	Mode  Mode   `json:"mode"`
	// UpdatedAt is an RFC 3339 time.
	UpdatedAt string `json:"updatedAt"`
}

// SaveDocumentsParams name the documents the editor should save.
type SaveDocumentsParams struct {
	URIs []lsp.DocumentURI `json:"uris"`
}

// SaveDocumentsResult lists the documents the editor saved.
type SaveDocumentsResult struct {
	Saved []lsp.DocumentURI `json:"saved"`
}
