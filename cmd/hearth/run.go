package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/hearth-dev/hearth/internal/engine"
	"github.com/hearth-dev/hearth/internal/journal"
	"github.com/hearth-dev/hearth/internal/statedir"
	"github.com/hearth-dev/hearth/planact"
	"github.com/hearth-dev/hearth/server"
	"github.com/hearth-dev/hearth/settings"
	"github.com/hearth-dev/hearth/snapshot"
	"github.com/hearth-dev/hearth/vram"
)

// Auto-approve policies of `hearth run`. Reads never ask. What a policy does
// not approve is refused (nobody is there to ask), and the deny-list holds
// under every policy.
var runPolicies = map[string]string{
	"none":     "nothing: every edit and command is refused",
	"edits":    "edits inside the workspace (the default)",
	"commands": "edits, and commands matching hearth.autoApprove.allowCommands",
	"all":      "edits and every command not on the deny-list",
}

func runRun(ctx context.Context, e *env, fs *flag.FlagSet, args []string) int {
	workspace := fs.String("workspace", ".", "the workspace `dir`ectory")
	mode := fs.String("mode", "act", "plan (read and answer) or act (edit and run)")
	policy := fs.String("auto-approve", "edits", "what runs without a person: none, edits, commands or all (see --help)")
	model := fs.String("model", "", "the Ollama model to use; default: the settings' model, else the best coding model installed")
	asJSON := fs.Bool("json", false, "print events as JSON lines (hearth/event's fields)")
	loadSettings := settingsFlag(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: hearth run [flags] \"task\"\n\nRun one agent task headless. Exit status 0 when the task completed, 1 when it did not, 2 for bad usage.\n\nflags:\n")
		fs.PrintDefaults()
		fmt.Fprintln(fs.Output(), "\nauto-approve policies:")
		for _, k := range []string{"none", "edits", "commands", "all"} {
			fmt.Fprintf(fs.Output(), "  %-9s %s\n", k, runPolicies[k])
		}
	}
	if st, ok := parse(e, fs, args); !ok {
		return st
	}
	task := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if task == "" {
		fmt.Fprintln(e.stderr, "hearth run: give the task as an argument")
		return exitUsage
	}
	if *mode != "plan" && *mode != "act" {
		fmt.Fprintf(e.stderr, "hearth run: --mode %q is not plan or act\n", *mode)
		return exitUsage
	}
	cfg, err := loadSettings()
	if err != nil {
		fmt.Fprintln(e.stderr, "hearth run:", err)
		return exitUsage
	}
	if err := applyPolicy(&cfg, *policy); err != nil {
		fmt.Fprintln(e.stderr, "hearth run:", err)
		return exitUsage
	}
	if *model != "" {
		cfg.Models.Plan, cfg.Models.Act = *model, *model
	}
	root, err := workspaceRoot(*workspace)
	if err != nil {
		fmt.Fprintln(e.stderr, "hearth run:", err)
		return exitUsage
	}
	dir, err := statedir.Resolve(cfg.StateDir, root, e.getenv)
	if err != nil {
		fmt.Fprintln(e.stderr, "hearth run:", err)
		return exitFailure
	}
	j, err := journal.Open(dir)
	if err != nil {
		fmt.Fprintln(e.stderr, "hearth run:", err)
		return exitFailure
	}
	defer j.Close()

	var store *snapshot.Store
	var storeMu sync.Mutex
	openStore := func() (*snapshot.Store, error) {
		storeMu.Lock()
		defer storeMu.Unlock()
		if store == nil {
			s, err := snapshot.Open(dir, root, snapshot.Options{MaxFileBytes: cfg.Snapshots.MaxFileBytes, KeepSessions: cfg.Snapshots.KeepSessions, MaxStoreBytes: cfg.Snapshots.MaxStoreBytes})
			if err != nil {
				return nil, err
			}
			store = s
		}
		return store, nil
	}
	defer func() {
		if store != nil {
			store.Close()
		}
	}()

	printer := &eventPrinter{out: e.stdout, json: *asJSON, policy: *policy}
	var built *engine.Built
	var reason string
	done := make(chan struct{})
	onEvent := func(ev planact.Event) {
		wire := server.WireEvent(ev, 0)
		j.Append(ev.SessionID, wire)
		printer.print(ev, wire)
		switch ev.Kind {
		case planact.EventApproval:
			// Nobody is there to ask: what the policy did not approve is refused.
			built.Engine.Approve(ev.RequestID, false, fmt.Sprintf("refused: hearth run has no user to ask, and --auto-approve %s does not cover this", *policy))
		case planact.EventDone:
			reason = ev.Reason
			close(done)
		}
	}
	prober := &vram.Prober{}
	defer prober.Close()
	built, err = engine.Build(ctx, engine.Options{
		Root: root, Settings: cfg, Store: openStore, OnEvent: onEvent, GPU: prober.Probe,
		Note: func(s string) { fmt.Fprint(e.stderr, s) },
	})
	if err != nil {
		fmt.Fprintln(e.stderr, "hearth run:", userMessage(err))
		return exitFailure
	}
	defer built.Engine.Close()
	sid, _, err := built.Engine.Chat(planact.ChatRequest{Text: task, Mode: planact.Mode(*mode)})
	if err != nil {
		fmt.Fprintln(e.stderr, "hearth run:", err)
		return exitFailure
	}
	select {
	case <-done:
	case <-ctx.Done():
		built.Engine.Cancel(sid)
		<-done
	}
	if reason != planact.DoneCompleted {
		return exitFailure
	}
	return exitOK
}

// applyPolicy turns a --auto-approve policy into the auto-approve settings.
func applyPolicy(cfg *settings.Settings, policy string) error {
	a := &cfg.AutoApprove
	a.Enabled, a.Reads = true, true
	switch policy {
	case "none":
		a.Edits, a.Commands = false, false
	case "edits":
		a.Edits, a.Commands = true, false
	case "commands":
		a.Edits, a.Commands = true, true
	case "all":
		a.Edits, a.Commands = true, true
		a.AllowCommands = []string{"/.*/"}
	default:
		return fmt.Errorf("--auto-approve %q is not one of none, edits, commands, all", policy)
	}
	return nil
}

func userMessage(err error) string {
	var me interface{ UserMessage() string }
	if errors.As(err, &me) {
		return me.UserMessage()
	}
	return err.Error()
}

// eventPrinter prints a turn's events as readable lines or JSON lines.
type eventPrinter struct {
	out    io.Writer
	json   bool
	policy string
	inText bool // the last thing printed was streamed text without a newline
}

func (p *eventPrinter) print(ev planact.Event, wire any) {
	if p.json {
		data, _ := json.Marshal(wire)
		fmt.Fprintf(p.out, "%s\n", data)
		return
	}
	if ev.Kind != planact.EventText && p.inText {
		fmt.Fprintln(p.out)
		p.inText = false
	}
	switch ev.Kind {
	case planact.EventText:
		fmt.Fprint(p.out, ev.Delta)
		p.inText = !strings.HasSuffix(ev.Delta, "\n")
	case planact.EventTool:
		if ev.Status == planact.StatusRunning {
			return
		}
		fmt.Fprintf(p.out, "→ %s %s: %s", ev.Name, compactArgs(ev.Args), ev.Status)
		if ev.Summary != "" {
			fmt.Fprintf(p.out, " (%s)", ev.Summary)
		}
		fmt.Fprintln(p.out)
	case planact.EventSnapshot:
		fmt.Fprintf(p.out, "· snapshot %s\n", ev.SnapshotID)
	case planact.EventError:
		fmt.Fprintf(p.out, "error: %s\n", ev.Message)
	case planact.EventDone:
		fmt.Fprintf(p.out, "done: %s", ev.Reason)
		if ev.Summary != "" {
			fmt.Fprintf(p.out, ": %s", ev.Summary)
		}
		fmt.Fprintln(p.out)
	}
}

// compactArgs shows a tool call's arguments on one short line.
func compactArgs(raw json.RawMessage) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	for _, k := range []string{"path", "command", "pattern"} {
		if v, ok := m[k].(string); ok {
			return v
		}
	}
	return ""
}
