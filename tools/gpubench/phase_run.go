package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// runTasks are short, different tasks for `hearth run`; with random
// weights the model's answers are gibberish, so they measure the loop,
// not the model.
var runTasks = []string{
	"Add a doc comment to the function Sum in sum.go.",
	"Rename the variable total to acc in sum.go.",
	"Add a test for Reverse in strings_test.go.",
	"Make Greet in greet.go return an error for an empty name.",
	"Explain what main.go prints, then run go vet.",
}

// workspaceFiles make a small Go module for hearth run to work in.
var workspaceFiles = map[string]string{
	"go.mod":     "module example.com/bench\n\ngo 1.22\n",
	"main.go":    "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(Greet(\"bench\"), Sum([]int{1, 2, 3}), Reverse(\"abc\"))\n}\n",
	"sum.go":     "package main\n\n// Sum adds up xs.\nfunc Sum(xs []int) int {\n\ttotal := 0\n\tfor _, x := range xs {\n\t\ttotal += x\n\t}\n\treturn total\n}\n",
	"greet.go":   "package main\n\n// Greet says hello to name.\nfunc Greet(name string) string {\n\treturn \"hello, \" + name\n}\n",
	"strings.go": "package main\n\n// Reverse reverses s rune by rune.\nfunc Reverse(s string) string {\n\tr := []rune(s)\n\tfor i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {\n\t\tr[i], r[j] = r[j], r[i]\n\t}\n\treturn string(r)\n}\n",
}

// runPhase times `hearth run` through a timing proxy in front of Ollama:
// one discarded warm-up (the model load), then cfg.runs runs.
func (b *bench) runPhase(ctx context.Context) error {
	if b.late() {
		return nil
	}
	env, _ := kvEnv("f16")
	if err := b.srv.start(ctx, "run", env); err != nil {
		return err
	}
	defer b.srv.stop()
	if err := b.ensureModels(ctx); err != nil {
		return err
	}
	runModel, err := b.runModelName(ctx)
	if err != nil {
		return err
	}
	proxy := newTimingProxy(&url.URL{Scheme: "http", Host: b.srv.host}, time.Now)
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", b.cfg.port+1))
	if err != nil {
		return fmt.Errorf("proxy: %w", err)
	}
	hs := &http.Server{Handler: proxy}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			b.log.Error("timing proxy", "err", err)
		}
	}()
	defer hs.Close()
	for i := 0; i <= b.cfg.runs; i++ {
		if b.late() || ctx.Err() != nil {
			return ctx.Err()
		}
		task := runTasks[max(i-1, 0)%len(runTasks)]
		rec := b.hearthRun(ctx, proxy, ln.Addr().String(), runModel, i, task)
		if err := b.results.Add(rec); err != nil {
			return err
		}
		b.log.Info("run", "index", i, "exit", rec.ExitCode, "wall_ms", rec.WallMs, "turns", rec.Turns, "overhead_ms", rec.OverheadMs)
	}
	return nil
}

// hearthRun runs one task in a fresh workspace and accounts for its time.
func (b *bench) hearthRun(ctx context.Context, proxy *timingProxy, proxyHost, model string, index int, task string) *RunRecord {
	rec := &RunRecord{Phase: "run", Index: index, Task: task, Model: model, ExitCode: -1}
	ws, err := makeWorkspace(ctx, b.srv.work, index)
	if err != nil {
		rec.Error = "workspace: " + err.Error()
		return rec
	}
	settings := filepath.Join(b.srv.work, "run-settings.json")
	data, _ := json.Marshal(map[string]any{"ollama": map[string]any{"host": "http://" + proxyHost}})
	if err := os.WriteFile(settings, data, 0o644); err != nil {
		rec.Error = err.Error()
		return rec
	}
	cctx, cancel := context.WithTimeout(ctx, b.cfg.runTimeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, b.cfg.hearth, "run", "--workspace", ws, "--mode", "act", "--auto-approve", "all",
		"--model", model, "--settings", settings, "--json", task)
	state := filepath.Join(b.srv.work, fmt.Sprintf("state-%d", index))
	os.RemoveAll(state)
	cmd.Env = append(os.Environ(), "OLLAMA_HOST="+proxyHost, "HEARTH_STATE_DIR="+state)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	proxy.Take() // nothing before this run counts
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	reqs := proxy.Take()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		rec.ExitCode = exit.ExitCode()
	case err != nil:
		rec.Error = err.Error()
	default:
		rec.ExitCode = 0
	}
	if cctx.Err() != nil {
		rec.Error = fmt.Sprintf("killed after %s", b.cfg.runTimeout)
	}
	fillRun(rec, wall, reqs)
	rec.Events, rec.DoneReason, rec.EventSpanMs = readEvents(stdout.Bytes())
	if rec.ExitCode != 0 {
		rec.StderrTail = tailString(stderr.String(), 1500)
	}
	return rec
}

// fillRun turns a run's wall time and proxied requests into its overhead:
// the time no request to Ollama was open, per turn (a /api/chat request)
// and against the model's own time.
func fillRun(rec *RunRecord, wall time.Duration, reqs []Request) {
	a := account(reqs)
	rec.WallMs, rec.Requests, rec.Paths, rec.BusyMs = ms(wall), len(reqs), a.Paths, ms(a.Busy)
	chat := a.Paths["/api/chat"]
	rec.Turns, rec.ChatMs = chat.Count, chat.SumMs
	rec.OverheadMs = ms(wall - a.Busy)
	if rec.Turns > 0 {
		rec.OverheadPerTurn = rec.OverheadMs / float64(rec.Turns)
	}
	if rec.ChatMs > 0 {
		rec.OverheadPct = 100 * rec.OverheadMs / rec.ChatMs
	}
}

// readEvents counts `hearth run --json` events by kind and returns the done
// reason and the span from the first event's time to the last's.
func readEvents(out []byte) (map[string]int, string, float64) {
	kinds := map[string]int{}
	var reason string
	var first, last time.Time
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var ev struct {
			Kind   string `json:"kind"`
			Time   string `json:"time"`
			Reason string `json:"reason"`
		}
		if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.Kind == "" {
			continue
		}
		kinds[ev.Kind]++
		if ev.Kind == "done" {
			reason = ev.Reason
		}
		if t, err := time.Parse(time.RFC3339Nano, ev.Time); err == nil {
			if first.IsZero() {
				first = t
			}
			last = t
		}
	}
	return kinds, reason, ms(last.Sub(first))
}

// makeWorkspace writes the small module into a fresh folder, committed in
// a new git repository as a user's project would be.
func makeWorkspace(ctx context.Context, parent string, index int) (string, error) {
	dir := filepath.Join(parent, fmt.Sprintf("ws-%d", index))
	// A kept -work directory holds the last call's workspace: start afresh.
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for name, text := range workspaceFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return "", err
		}
	}
	for _, args := range [][]string{
		{"init", "-q"},
		{"add", "-A"},
		{"-c", "user.name=gpubench", "-c", "user.email=gpubench@localhost", "commit", "-q", "-m", "initial"},
	} {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("git %v: %w: %s", args, err, out)
		}
	}
	return dir, nil
}
