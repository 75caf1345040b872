package actions

import (
	"errors"
	"fmt"
	"strings"
)

// Feedback tells the model what became of its edits: which blocks applied
// and how, and for each failure why, with the closest lines of the file
// numbered as read_file shows them, so that a small model can fix the block
// in one turn.
func (r Result) Feedback() string {
	var b strings.Builder
	failed := 0
	for _, br := range r.Blocks {
		if br.Err != nil {
			failed++
		}
	}
	n := len(r.Blocks)
	switch {
	case n == 0:
		return "No edit blocks were found. Write each change as a SEARCH/REPLACE block with the file path on the line before it.\n"
	case failed == 0:
		fmt.Fprintf(&b, "All %d edit blocks applied.\n", n)
	default:
		fmt.Fprintf(&b, "%d of %d edit blocks failed, so nothing was written. Fix the failed blocks and send all the blocks again.\n", failed, n)
	}
	for _, br := range r.Blocks {
		b.WriteString("\n")
		path := br.Path
		if path == "" {
			path = "no file"
		}
		switch {
		case br.Skipped:
			fmt.Fprintf(&b, "Block %d (%s): skipped: the file exists and this fenced block was read as an illustration, not as its new content.\n", br.Block, path)
		case br.Err == nil && failed == 0:
			fmt.Fprintf(&b, "Block %d (%s): applied (%s).\n", br.Block, path, br.Strategy)
		case br.Err == nil:
			fmt.Fprintf(&b, "Block %d (%s): matched (%s), not written because another block failed.\n", br.Block, path, br.Strategy)
		default:
			fmt.Fprintf(&b, "Block %d (%s): FAILED: %s.\n", br.Block, path, strings.TrimSuffix(br.Err.Error(), "."))
			var me *MatchError
			if errors.As(br.Err, &me) && me.Closest != nil {
				c := me.Closest
				fmt.Fprintf(&b, "Did you mean these lines of %s (%s)?\n", path, lineSpan(c.Start, len(c.Lines)))
				b.WriteString(NumberLines(c.Lines, c.Start))
				b.WriteString("Copy SEARCH from the file exactly, without the line numbers.\n")
			}
			if me != nil && len(me.Candidates) > 0 {
				b.WriteString("The places, with a line around each:\n")
				for _, c := range me.Candidates {
					b.WriteString(NumberLines(c.Lines, c.Start))
					b.WriteString("----\n")
				}
			}
		}
	}
	return b.String()
}

func lineSpan(start, n int) string {
	if n == 1 {
		return fmt.Sprintf("line %d", start)
	}
	return fmt.Sprintf("lines %d-%d", start, start+n-1)
}
