package planact

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-dev/hearth/settings"
)

var update = flag.Bool("update", false, "rewrite the want/events section of scenario files")

// A scenario file (testdata/scenarios/*.txt) is a txtar-like archive:
//
//	-- config --        JSON, see scenarioConfig
//	-- model --         JSON array of replies (see reply in fakes_test.go)
//	-- ws/PATH --       a workspace file
//	-- want/events --   the event stream, one line per event (golden)
//	-- want/ws/PATH --  a file's content after the scenario; every other
//	                    workspace file must be as it started
//	-- want/model-saw --  lines that must each appear in some message
//	                      sent to the model
//
// In the model script, $ROOT and $OUTSIDE stand for the workspace and a
// directory outside it.
type scenarioConfig struct {
	Messages []struct {
		Text string `json:"text"`
		Mode Mode   `json:"mode"`
	} `json:"messages"`
	Native      bool            `json:"native"`
	NumCtx      int             `json:"numCtx"`
	AutoApprove json.RawMessage `json:"autoApprove"`
	Timeout     string          `json:"commandTimeout"`
	OutputLimit int             `json:"outputLimit"`
	ClockStep   string          `json:"clockStep"`
	// Approvals answer approval events in order: {"approve": bool,
	// "feedback": s} or {"hunks": ["accept"|"reject", ...], "feedback": s}.
	Approvals []struct {
		Approve  bool     `json:"approve"`
		Hunks    []string `json:"hunks"`
		Feedback string   `json:"feedback"`
	} `json:"approvals"`
	// CancelOn cancels the turn at the first event of this kind.
	CancelOn EventKind `json:"cancelOn"`
	// Symlinks maps workspace paths to targets ($OUTSIDE allowed).
	Symlinks map[string]string `json:"symlinks"`
	// ActModel names a different Act model (pre-warm is checked).
	ActModel string `json:"actModel"`
}

type archive struct {
	names []string
	files map[string]string
}

func parseArchive(data string) archive {
	a := archive{files: map[string]string{}}
	var cur string
	var b strings.Builder
	flush := func() {
		if cur != "" {
			a.names = append(a.names, cur)
			a.files[cur] = b.String()
		}
		b.Reset()
	}
	for _, line := range strings.SplitAfter(data, "\n") {
		t := strings.TrimRight(line, "\n")
		if strings.HasPrefix(t, "-- ") && strings.HasSuffix(t, " --") && len(t) > 6 {
			flush()
			cur = t[3 : len(t)-3]
			continue
		}
		if cur != "" {
			b.WriteString(line)
		}
	}
	flush()
	return a
}

func (a archive) format() string {
	var b strings.Builder
	for _, n := range a.names {
		fmt.Fprintf(&b, "-- %s --\n%s", n, a.files[n])
	}
	return b.String()
}

func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { runScenario(t, f) })
	}
}

func runScenario(t *testing.T, file string) {
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ar := parseArchive(string(raw))
	var cfg scenarioConfig
	if err := json.Unmarshal([]byte(ar.files["config"]), &cfg); err != nil {
		t.Fatalf("config: %v", err)
	}
	root := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	subst := strings.NewReplacer("$ROOT", root, "$OUTSIDE", outside)
	unsubst := strings.NewReplacer(root, "$ROOT", outside, "$OUTSIDE")
	initial := map[string]string{}
	for _, n := range ar.names {
		if p, ok := strings.CutPrefix(n, "ws/"); ok {
			initial[p] = ar.files[n]
			full := filepath.Join(root, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(ar.files[n]), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for link, target := range cfg.Symlinks {
		if err := os.Symlink(subst.Replace(target), filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	model := &scriptModel{}
	if err := json.Unmarshal([]byte(subst.Replace(ar.files["model"])), &model.replies); err != nil {
		t.Fatalf("model script: %v", err)
	}

	auto := settings.Default().AutoApprove
	if len(cfg.AutoApprove) > 0 {
		if err := json.Unmarshal(cfg.AutoApprove, &auto); err != nil {
			t.Fatalf("autoApprove: %v", err)
		}
	}
	var clockMu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	step := settings.Duration(cfg.ClockStep, time.Millisecond)
	events := make(chan Event, 10000)
	snaps := &fakeSnapshots{}
	plan := ModelChoice{Name: "qwen2.5-coder:7b", Tools: cfg.Native}
	act := plan
	if cfg.ActModel != "" {
		act.Name = cfg.ActModel
	}
	e, err := NewEngine(Config{
		Root: root, Model: model, Plan: plan, Act: act,
		NumCtx: cfg.NumCtx, Temperature: 0.15, AutoApprove: auto,
		CommandTimeout: settings.Duration(cfg.Timeout, 10*time.Second), OutputLimit: cfg.OutputLimit,
		Editor: lineEditor{}, Snapshots: snaps,
		OnEvent: func(ev Event) { events <- ev },
		Now: func() time.Time {
			clockMu.Lock()
			defer clockMu.Unlock()
			now = now.Add(step)
			return now
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	var lines []string
	approvals := cfg.Approvals
	sid := ""
	cancelled := false // CancelOn fires once per scenario.
	for _, m := range cfg.Messages {
		id, _, err := e.Chat(ChatRequest{SessionID: sid, Text: m.Text, Mode: m.Mode})
		if err != nil {
			t.Fatalf("chat: %v", err)
		}
		sid = id
	turn:
		for {
			var ev Event
			select {
			case ev = <-events:
			case <-time.After(20 * time.Second): // A hang guard, not a timing assertion.
				t.Fatalf("no event for 20s; so far:\n%s", strings.Join(lines, "\n"))
			}
			lines = append(lines, unsubst.Replace(eventLine(ev)))
			if ev.Kind == cfg.CancelOn && !cancelled {
				cancelled = true
				if err := e.Cancel(sid); err != nil {
					t.Fatal(err)
				}
			}
			switch ev.Kind {
			case EventApproval:
				if ev.Action == ActionEdit {
					checkPending(t, e, ev)
				}
				if cfg.CancelOn == EventApproval {
					continue
				}
				if len(approvals) == 0 {
					t.Fatalf("unscripted approval %q", ev.Title)
				}
				a := approvals[0]
				approvals = approvals[1:]
				if a.Hunks == nil {
					if err := e.Approve(ev.RequestID, a.Approve, a.Feedback); err != nil {
						t.Fatal(err)
					}
					continue
				}
				for i, h := range a.Hunks {
					hunk := i
					var err error
					if h == "accept" {
						_, err = e.ApplyProposal(ev.ProposalID, "", &hunk)
					} else {
						_, err = e.RejectProposal(ev.ProposalID, filepath.Join(root, "x", ".."), &hunk, a.Feedback)
						if err == nil {
							t.Fatalf("RejectProposal accepted a path the proposal does not change")
						}
						_, err = e.RejectProposal(ev.ProposalID, "", &hunk, a.Feedback)
					}
					if err != nil {
						t.Fatal(err)
					}
				}
			case EventDone:
				break turn
			}
		}
		if err := e.Wait(context.Background(), sid); err != nil {
			t.Fatal(err)
		}
	}
	if len(approvals) > 0 {
		t.Errorf("%d scripted approvals were never asked for", len(approvals))
	}

	// Events: the golden stream, and seq increasing by one.
	hist, err := e.History(sid)
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range hist {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
	}
	got := strings.Join(collapse(lines), "\n") + "\n"
	if *update {
		if _, ok := ar.files["want/events"]; !ok {
			ar.names = append(ar.names, "want/events")
		}
		ar.files["want/events"] = got
		if err := os.WriteFile(file, []byte(ar.format()), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if want := ar.files["want/events"]; got != want {
		t.Errorf("events differ (run with -update to accept)\ngot:\n%s\nwant:\n%s", got, want)
	}

	// Files: every workspace file as wanted; nothing outside touched.
	want := map[string]string{}
	for p, c := range initial {
		want[p] = c
	}
	for _, n := range ar.names {
		if p, ok := strings.CutPrefix(n, "want/ws/"); ok {
			want[p] = ar.files[n]
		}
	}
	have := map[string]string{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		data, _ := os.ReadFile(p)
		have[relPath(root, p)] = string(data)
		return nil
	})
	if !equalMaps(have, want) {
		t.Errorf("workspace:\n%s\nwant:\n%s", dumpMap(have), dumpMap(want))
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 1 {
		t.Errorf("the directory outside the workspace changed: %d entries", len(ents))
	}

	// What the model saw, and that no request overflowed the window.
	var seen strings.Builder
	for _, r := range model.requests {
		if n := estimateRequest(r); n > e.cfg.NumCtx {
			t.Errorf("a request was estimated at %d tokens, over num_ctx %d", n, e.cfg.NumCtx)
		}
		if r.Options["num_ctx"] != e.cfg.NumCtx {
			t.Errorf("request num_ctx = %v", r.Options["num_ctx"])
		}
		for _, m := range r.Messages {
			seen.WriteString(m.Content)
			seen.WriteString("\n")
			for _, c := range m.ToolCalls {
				seen.WriteString(c.Function.Arguments.String())
				seen.WriteString("\n")
			}
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(ar.files["want/model-saw"]), "\n") {
		if line != "" && !strings.Contains(seen.String(), subst.Replace(line)) {
			t.Errorf("the model never saw %q", line)
		}
	}
	if cfg.ActModel != "" {
		deadline := time.Now().Add(5 * time.Second)
		for {
			model.mu.Lock()
			w := append([]string(nil), model.warmed...)
			model.mu.Unlock()
			if len(w) > 0 {
				if w[0] != cfg.ActModel {
					t.Errorf("warmed %v, want %s", w, cfg.ActModel)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("the Act model was never pre-warmed")
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// checkPending checks that an edit's approval matches a pending proposal.
func checkPending(t *testing.T, e *Engine, ev Event) {
	t.Helper()
	for _, p := range e.PendingProposals() {
		if p.ProposalID == ev.ProposalID {
			if p.File.Diff != ev.Diff || p.File.Status != ProposalPending || p.New == "" && !p.Created {
				t.Errorf("pending proposal %+v does not match approval %+v", p, ev)
			}
			return
		}
	}
	t.Errorf("approval names proposal %s, which is not pending", ev.ProposalID)
}

// eventLine is an event as the golden file shows it: kind and the fields
// that matter to a user, without volatile ones (ids, times, tokens).
func eventLine(ev Event) string {
	switch ev.Kind {
	case EventTool:
		s := fmt.Sprintf("tool %s %s", ev.Name, ev.Status)
		if ev.Status != StatusRunning && ev.Summary != "" {
			s += ": " + ev.Summary
		}
		return s
	case EventApproval:
		return fmt.Sprintf("approval %s %q", ev.Action, ev.Title)
	case EventProposal:
		var hs []string
		for _, h := range ev.Files[0].Hunks {
			hs = append(hs, h.Status)
		}
		return fmt.Sprintf("proposal %s %s [%s]", relPathSlash(ev.Files[0].Path), ev.Files[0].Status, strings.Join(hs, " "))
	case EventDone:
		s := "done " + ev.Reason
		if ev.Summary != "" {
			s += ": " + firstLine(ev.Summary)
		}
		return s
	case EventError:
		return fmt.Sprintf("error retryable=%v: %s", ev.Retryable, ev.Message)
	case EventUser:
		return "user: " + firstLine(ev.Text)
	}
	return string(ev.Kind)
}

func relPathSlash(p string) string { return filepath.Base(p) }

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// collapse merges runs of identical lines (streamed text, command output).
func collapse(lines []string) []string {
	var out []string
	for _, l := range lines {
		if len(out) > 0 && out[len(out)-1] == l {
			continue
		}
		out = append(out, l)
	}
	return out
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func dumpMap(m map[string]string) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s: %q\n", k, m[k])
	}
	return b.String()
}
