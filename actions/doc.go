// Package actions parses the edit formats models write, applies them with
// forgiving but unambiguous matching, writes files atomically and builds
// diffs and hunks; it never calls a model.
//
// The pipeline is Parse (model text to Edits, one parser per format in the
// parsers table), Prepare (every file's new content computed in memory
// through the matcher; nothing written, and no Changes unless every block
// applied), Write (checked first, then each file replaced through
// internal/atomicfile), with Result.Feedback telling the model what
// happened. Paths from models go through ResolvePath or ResolveNewPath,
// which planact's tools share, and files are read through a FileSource so
// that unsaved editor buffers win over disk.
package actions
