package planact

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ollama/ollama/api"
)

// charsPerToken is the token estimate's divisor: about 3.5 characters a
// token for code and English with the BPE vocabularies of Qwen2.5 and its
// peers. It errs towards more tokens than the real count for prose, which
// keeps requests under num_ctx; the lead calibrates it against real counts.
const charsPerToken = 3.5

// messageOverhead is what a chat template adds around each message (role
// markers and separators), in tokens.
const messageOverhead = 4

// smallWindow is the num_ctx at or under which the prompt is the compact
// one (system prompt plus tool schemas under 1,500 tokens).
const smallWindow = 8192

func estimateTokens(s string) int { return int(math.Ceil(float64(len(s)) / charsPerToken)) }

func estimateMessage(m api.Message) int {
	n := messageOverhead + estimateTokens(m.Content)
	for _, c := range m.ToolCalls {
		n += estimateTokens(c.Function.Name) + estimateTokens(c.Function.Arguments.String()) + messageOverhead
	}
	return n
}

func estimateTools(t api.Tools) int {
	if len(t) == 0 {
		return 0
	}
	b, _ := json.Marshal(t)
	return estimateTokens(string(b))
}

// systemPrompt is the stable start of every request of a mode. It holds
// nothing volatile (no time, open files or diagnostics), so Ollama reuses
// its prompt cache from turn to turn; those go at the end of the newest user
// message instead (see volatileContext).
func systemPrompt(mode Mode, native bool, numCtx int, tools []tool, rules string) string {
	long := numCtx > smallWindow
	var b strings.Builder
	b.WriteString("You are Hearth, a coding agent working in the user's workspace. Paths are relative to the workspace root.\n")
	if mode == ModePlan {
		b.WriteString("Mode: PLAN. Read, list and search files to understand the task, then call attempt_completion with a short numbered plan (files to change and how). You cannot edit files or run commands in this mode.\n")
	} else {
		b.WriteString("Mode: ACT. Carry out the task with the tools. Read a file before you edit it. Edit with edit_file: `search` is a few whole lines copied exactly from the file, without the line-number prefix. Check your work with run_command (build, tests) when useful. When done, call attempt_completion with a short summary.\n")
	}
	b.WriteString("Use one tool per message and wait for its result. If you need something from the user, ask in plain text without a tool call.\n")
	if long {
		b.WriteString("Keep edits small and focused; prefer several small edit_file calls over rewriting a file. If a tool fails, read its error and change your call rather than repeating it. Never invent file contents you have not read.\n")
	}
	if !native {
		b.WriteString("\nTo use a tool, write the call in this form and nothing after it:\n<tool_name>\n<parameter_name>value</parameter_name>\n</tool_name>\nFor example:\n<read_file>\n<path>src/main.go</path>\n</read_file>\n\nTools:\n")
		for _, t := range tools {
			s := t.spec()
			desc := s.Short
			if long && s.Long != "" {
				desc = s.Long
			}
			var ps []string
			for _, p := range s.Params {
				n := p.Name
				if !p.Required {
					n += "?"
				}
				ps = append(ps, n)
			}
			fmt.Fprintf(&b, "- %s(%s): %s\n", s.Name, strings.Join(ps, ", "), desc)
		}
	}
	if rules = strings.TrimSpace(rules); rules != "" {
		b.WriteString("\nProject rules (from the workspace; follow them):\n")
		b.WriteString(rules)
		b.WriteString("\n")
	}
	return b.String()
}

// maxRulesChars bounds the project rules kept in the prompt.
func maxRulesChars(numCtx int) int {
	if numCtx <= smallWindow {
		return 1400
	}
	return 6000
}

// ChatContext is what the editor knows at the time of a message. It is
// appended to that message, never to the system prompt, so the prompt
// prefix stays cacheable.
type ChatContext struct {
	// OpenFiles are workspace-relative paths of the files open in the editor.
	OpenFiles []string
	// Selection is the user's selection, if any.
	Selection *Selection
	// Diagnostics are problems the editor reports, one line each.
	Diagnostics []string
	// Time is when the message was sent; zero leaves it out.
	Time time.Time
}

// Selection is a range of a file the user selected.
type Selection struct {
	Path string
	// StartLine and EndLine are from 1, inclusive.
	StartLine, EndLine int
	Text               string
}

func volatileContext(c *ChatContext, switched Mode) string {
	var b strings.Builder
	if switched == ModeAct {
		b.WriteString("The user switched to Act mode: carry out the plan above.\n")
	} else if switched == ModePlan {
		b.WriteString("The user switched to Plan mode: do not change anything; answer with a plan.\n")
	}
	if c != nil {
		if len(c.OpenFiles) > 0 {
			fmt.Fprintf(&b, "Open files: %s\n", strings.Join(c.OpenFiles, ", "))
		}
		if s := c.Selection; s != nil {
			fmt.Fprintf(&b, "Selected in %s, lines %d-%d:\n```\n%s\n```\n", s.Path, s.StartLine, s.EndLine, strings.TrimRight(s.Text, "\n"))
		}
		if len(c.Diagnostics) > 0 {
			b.WriteString("Diagnostics:\n")
			for _, d := range c.Diagnostics {
				fmt.Fprintf(&b, "- %s\n", d)
			}
		}
		if !c.Time.IsZero() {
			fmt.Fprintf(&b, "Time: %s\n", c.Time.Format(time.RFC3339))
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "\n\n[Context]\n" + b.String()
}
