// Package snapshot keeps content-addressed snapshots of a workspace in the
// state directory, and creates, lists, restores, diffs and prunes them; it
// never reads or writes any .git folder.
package snapshot
