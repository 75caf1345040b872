package actions

// EditKind says which format an edit came from, because the formats differ in
// what an empty SEARCH or a missing file means.
type EditKind int

const (
	// KindSearchReplace is a SEARCH/REPLACE block (Aider or Cline markers) or
	// an edit_file tool call.
	KindSearchReplace EditKind = iota
	// KindDiff is one hunk of a unified diff, turned into search and replace.
	KindDiff
	// KindWholeFile is a fenced block holding a file's entire new content.
	KindWholeFile
)

func (k EditKind) String() string {
	switch k {
	case KindSearchReplace:
		return "search/replace"
	case KindDiff:
		return "diff"
	case KindWholeFile:
		return "whole file"
	}
	return "unknown"
}

// Edit is one change a model asked for. Search and Replace hold whole lines,
// each ending in "\n", when they come from a parser; an edit_file tool call
// may pass any text.
type Edit struct {
	Path    string
	Search  string
	Replace string
	Kind    EditKind
	// Block is the edit's 1-based position in the message, so that feedback
	// can name it the way the model sees it.
	Block int
	// Line is the 1-based line of the message where the edit starts; 0 for
	// edits that did not come from a message.
	Line int
	// Problem is set when the block could not be read whole (a missing
	// divider, a deleted file); such an edit always fails in Prepare, so
	// that a malformed block is reported instead of silently dropped.
	Problem string
	// CreateOnly marks a whole-file block found beside other edit formats:
	// there it is more likely an illustration, so it may create a missing
	// file but is skipped, not applied, when the file exists.
	CreateOnly bool
}
