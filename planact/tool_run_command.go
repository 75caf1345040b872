package planact

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// runCommand runs a shell command in the workspace, after the gate approved
// it and snapshotted the workspace.
type runCommand struct{ runner commandRunner }

// commandRunner runs `sh -c` in root with a timeout and keeps the head and
// tail of the output.
type commandRunner struct {
	root    string
	timeout time.Duration
	limit   int
}

func newRunCommand(r commandRunner) tool { return runCommand{runner: r} }

func (runCommand) spec() toolSpec {
	return toolSpec{
		Name:   "run_command",
		Short:  "Run a shell command in the workspace root.",
		Long:   "Run a shell command (sh -c) in the workspace root, for example to build or test. Its output and exit code come back. Long-running servers are stopped at the timeout.",
		Params: []param{{Name: "command", Type: "string", Doc: "the command line", Required: true}},
	}
}

func (t runCommand) run(ctx context.Context, c *call) result {
	line := strings.TrimSpace(argString(c.Args, "command"))
	if line == "" {
		return errResult("the command is empty")
	}
	if r := c.gate.approveCommand(ctx, c, line); r != nil {
		return *r
	}
	return t.runner.run(ctx, line, c.progress)
}

func (r commandRunner) run(ctx context.Context, line string, progress func(string)) result {
	tctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	cmd := exec.CommandContext(tctx, "sh", "-c", line)
	cmd.Dir = r.root
	out := &headTail{limit: r.limit, progress: progress}
	cmd.Stdout, cmd.Stderr = out, out
	killGroup(cmd)
	// Children that outlive the shell keep its output pipe open; do not
	// wait for them forever.
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	text := out.String()
	switch {
	case ctx.Err() != nil:
		return result{Status: StatusError, Output: "The command was cancelled.\n" + text, Summary: "cancelled"}
	case errors.Is(tctx.Err(), context.DeadlineExceeded):
		return result{Status: StatusError, Output: fmt.Sprintf("The command timed out after %s and was stopped. Output so far:\n%s", r.timeout, text), Summary: "timed out after " + r.timeout.String()}
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return result{Status: StatusError, Output: fmt.Sprintf("Exit code %d.\n%s", exit.ExitCode(), text), Summary: fmt.Sprintf("exit code %d", exit.ExitCode())}
	}
	if err != nil {
		return errResult("cannot run the command: %v", err)
	}
	if text == "" {
		text = "(no output)"
	}
	return result{Status: StatusOK, Output: "Exit code 0.\n" + text, Summary: "exit code 0"}
}

// headTail keeps the first and last limit/2 bytes written to it, so the
// model sees how a long output starts and ends.
type headTail struct {
	limit    int
	progress func(string)

	mu      sync.Mutex // Guards the fields below; exec may write from two goroutines.
	head    []byte
	tail    []byte
	dropped int
}

func (h *headTail) Write(p []byte) (int, error) {
	h.mu.Lock()
	n := len(p)
	half := h.limit / 2
	if room := half - len(h.head); room > 0 {
		k := min(room, len(p))
		h.head = append(h.head, p[:k]...)
		p = p[k:]
	}
	h.tail = append(h.tail, p...)
	if over := len(h.tail) - (h.limit - half); over > 0 {
		h.dropped += over
		h.tail = append(h.tail[:0], h.tail[over:]...)
	}
	s := h.stringLocked()
	h.mu.Unlock()
	if h.progress != nil {
		h.progress(s)
	}
	return n, nil
}

func (h *headTail) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stringLocked()
}

func (h *headTail) stringLocked() string {
	if h.dropped == 0 {
		return string(h.head) + string(h.tail)
	}
	return fmt.Sprintf("%s\n[... %d bytes omitted ...]\n%s", h.head, h.dropped, h.tail)
}
