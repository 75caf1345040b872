package protocol

// SnapshotsResult lists the workspace's snapshots, newest first.
type SnapshotsResult struct {
	Snapshots []Snapshot `json:"snapshots"`
}

// Snapshot describes one snapshot.
type Snapshot struct {
	ID string `json:"id"`
	// CreatedAt is an RFC 3339 time.
	CreatedAt string `json:"createdAt"`
	Label     string `json:"label"`
	// Files is how many files the snapshot records.
	Files int `json:"files"`
	// Bytes is the total size of those files.
	Bytes int64 `json:"bytes"`
	// Kind is "edit" (pre-images of the files an edit changes), "full" (the
	// whole workspace) or "restore" (taken before a restore). (Additive.)
	Kind string `json:"kind,omitempty"`
	// SessionID is the session that took it, if any. (Additive.)
	SessionID string `json:"sessionId,omitempty"`
}

// RestoreParams restore a snapshot whole, or only the given paths
// (workspace-relative, or file URIs).
type RestoreParams struct {
	SnapshotID string   `json:"snapshotId"`
	Paths      []string `json:"paths,omitempty"`
}

// RestoreResult says what a restore did.
type RestoreResult struct {
	// Restored counts files written back.
	Restored int `json:"restored"`
	// Deleted counts files removed because the snapshot did not have them.
	Deleted int `json:"deleted"`
	// SafetySnapshotID is the snapshot taken just before, to undo the restore.
	SafetySnapshotID string `json:"safetySnapshotId"`
	// RestoredPaths and DeletedPaths name them, workspace-relative. (Additive.)
	RestoredPaths []string `json:"restoredPaths"`
	DeletedPaths  []string `json:"deletedPaths"`
}
