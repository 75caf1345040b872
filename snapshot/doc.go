// Package snapshot keeps content-addressed snapshots of a workspace in the
// state directory, and creates, lists, restores, diffs and prunes them; it
// never reads or writes any .git folder, and never stores anything inside
// the workspace.
//
// Layout of the state directory:
//
//	objects/ab/cdef…   file contents named by their SHA-256 (tag byte, then raw or zstd)
//	objects/pack/      contents of large scans, in zstd chunks, with an index each
//	snapshots/<id>     one manifest per snapshot: header (Info), entries, SHA-256 trailer;
//	                   a whole-workspace one is usually a delta against the previous
//	                   one (base id, removed paths, changed entries), at most
//	                   maxDeltaDepth deep (delta.go)
//	lastfull           id of the newest whole-workspace snapshot, whose stat data
//	                   lets the next scan skip unchanged files
//	workspace          the workspace this directory serves
//	tmp/               files being written; renamed into place when whole
//	lock               the file lock that serialises every operation
//
// Every content is verified against its hash when read. A snapshot becomes
// visible when its manifest is renamed into snapshots/, after all its
// objects are in place; Prune rewrites whole any kept delta whose base it
// drops, then deletes manifests, then the objects only they referenced. So a process killed at any moment leaves a
// consistent store, and tmp/ is emptied whenever the lock is taken.
package snapshot
