package actions

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
)

// FileChange is the complete new content of one file, computed before
// anything is written.
type FileChange struct {
	Path      string // workspace-relative, slash-separated
	Old, New  []byte
	OldExists bool
	// Mode is the file's permission bits: kept for existing files, 0644 for
	// new ones.
	Mode fs.FileMode
}

// BlockResult is what became of one edit.
type BlockResult struct {
	Block    int
	Path     string // resolved when resolution succeeded, else as given
	Kind     EditKind
	Applied  bool
	Skipped  bool   // a CreateOnly whole-file block for a file that exists
	Strategy string // which matcher strategy found the place
	Err      error  // *MatchError, *PathError or a plain reason
}

// Result holds every block's fate and, when all applied, the changes.
type Result struct {
	// Changes is nil unless every block applied, so that a partial apply
	// cannot be written by mistake.
	Changes []FileChange
	Blocks  []BlockResult
}

// ApplyError says which blocks failed; nothing was changed.
type ApplyError struct{ Failed []int }

func (e *ApplyError) Error() string {
	return fmt.Sprintf("%d of the edit blocks did not apply (%s); nothing was written", len(e.Failed), joinInts(e.Failed))
}

// fileState is one file as the edits of a message see it, in order.
type fileState struct {
	rel, abs  string
	old       []byte
	oldExists bool
	mode      fs.FileMode
	exists    bool
	t         text
}

// Prepare applies edits in memory, in order, each seeing the ones before.
// It writes nothing. When any block fails the error is an *ApplyError and
// Result.Changes is nil; Result.Blocks always tells what happened.
func Prepare(root string, src FileSource, edits []Edit) (Result, error) {
	if src == nil {
		src = OSFiles{}
	}
	var res Result
	files := map[string]*fileState{}
	var order []string
	var failed []int
	for _, e := range edits {
		br := BlockResult{Block: e.Block, Path: e.Path, Kind: e.Kind}
		fail := func(err error) {
			br.Err = err
			failed = append(failed, e.Block)
			res.Blocks = append(res.Blocks, br)
		}
		if e.Problem != "" {
			fail(errors.New(e.Problem))
			continue
		}
		st, err := stateFor(root, src, e, files)
		if err != nil {
			fail(err)
			continue
		}
		if files[st.rel] == nil {
			files[st.rel] = st
			order = append(order, st.rel)
		}
		br.Path = st.rel
		strategy, skipped, err := applyEdit(st, e)
		if err != nil {
			fail(err)
			continue
		}
		br.Applied, br.Skipped, br.Strategy = !skipped, skipped, strategy
		res.Blocks = append(res.Blocks, br)
	}
	if len(failed) > 0 {
		return res, &ApplyError{Failed: failed}
	}
	for _, rel := range order {
		st := files[rel]
		if !st.exists {
			continue
		}
		nw := []byte(st.t.join())
		if st.oldExists && bytes.Equal(nw, st.old) {
			continue
		}
		res.Changes = append(res.Changes, FileChange{Path: st.rel, Old: st.old, New: nw, OldExists: st.oldExists, Mode: st.mode})
	}
	return res, nil
}

// stateFor resolves the edit's path and loads the file once per message.
// Edits that may create a file resolve strictly: a loose match would turn a
// new file into an overwrite of another.
func stateFor(root string, src FileSource, e Edit, files map[string]*fileState) (*fileState, error) {
	rel, abs, err := ResolveNewPath(root, e.Path)
	if err != nil {
		return nil, err
	}
	if st := files[rel]; st != nil {
		return st, nil
	}
	creates := e.Kind == KindWholeFile || e.Search == ""
	if !creates {
		if rel, abs, err = ResolvePath(root, e.Path); err != nil {
			return nil, err
		}
		if st := files[rel]; st != nil {
			return st, nil
		}
	}
	st := &fileState{rel: rel, abs: abs, mode: 0o644}
	data, err := src.ReadFile(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("cannot read %s: %w", rel, err)
	case bytes.IndexByte(data, 0) >= 0:
		return nil, fmt.Errorf("%s is a binary file; it cannot be edited as text", rel)
	default:
		st.old, st.oldExists, st.exists = data, true, true
		st.t = splitText(string(data))
		if fi, err := os.Stat(abs); err == nil {
			st.mode = fi.Mode().Perm()
		}
	}
	return st, nil
}

// applyEdit changes st by one edit.
func applyEdit(st *fileState, e Edit) (strategy string, skipped bool, err error) {
	switch {
	case e.Kind == KindWholeFile:
		if st.exists && e.CreateOnly {
			return "", true, nil
		}
		if st.exists && hasElision(e.Replace) {
			return "", false, errors.New("the whole-file block has \"...\" lines standing for unchanged code, which would delete that code; send SEARCH/REPLACE blocks for the lines that change instead")
		}
		nt := splitText(e.Replace)
		if st.exists {
			nt.eol = st.t.eol
			strategy = StratWholeFile
		} else {
			strategy = StratCreate
		}
		st.t, st.exists = nt, true
		return strategy, false, nil
	case e.Search == "":
		if st.exists && len(st.t.lines) > 0 && e.Kind == KindDiff {
			return "", false, errors.New("the hunk has no context or removed lines, so there is no place to put its additions; include the unchanged lines around them")
		}
		if st.exists && len(st.t.lines) > 0 {
			return "", false, errors.New("SEARCH is empty but the file already exists and is not empty; put the lines the new code goes next to in SEARCH")
		}
		nt := splitText(e.Replace)
		if st.exists {
			nt.eol = st.t.eol
		}
		st.t, st.exists = nt, true
		return StratCreate, false, nil
	case !st.exists:
		return "", false, fmt.Errorf("%s does not exist; to create it, send a block with an empty SEARCH", st.rel)
	}
	strategy, merr := replaceIn(&st.t, e.Search, e.Replace)
	if merr != nil {
		return "", false, merr
	}
	return strategy, false, nil
}

// hasElision reports a line that stands for omitted code.
func hasElision(s string) bool {
	return slices.ContainsFunc(strings.Split(s, "\n"), wordyElision)
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}
