package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-dev/hearth/llm/fakeollama"
)

// cli runs hearth in-process with a state directory of its own.
type cli struct {
	t     *testing.T
	state string
}

func newCLI(t *testing.T) *cli { return &cli{t: t, state: t.TempDir()} }

func (c *cli) run(stdin string, args ...string) (int, string, string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string {
		if k == "HEARTH_STATE_DIR" {
			return c.state
		}
		return ""
	}}
	return dispatch(context.Background(), e, args), out.String(), errb.String()
}

// fakeSettings starts a scripted Ollama and writes a settings file for it.
func fakeSettings(t *testing.T, replies ...fakeollama.Reply) (string, *fakeollama.Fake) {
	fake := fakeollama.Start(fakeollama.Config{Script: fakeollama.Script{Replies: replies}})
	t.Cleanup(fake.Close)
	p := filepath.Join(t.TempDir(), "settings.json")
	data, _ := json.Marshal(map[string]any{"ollama": map[string]any{"host": fake.URL()}, "models": map[string]any{"plan": "qwen2.5-coder:7b"}})
	os.WriteFile(p, data, 0o644)
	return p, fake
}

func TestRunEditsUnderThePolicyAndSnapshots(t *testing.T) {
	settingsFile, _ := fakeSettings(t,
		fakeollama.Call("edit_file", map[string]any{"path": "a.txt", "search": "old", "replace": "new"}),
		fakeollama.Call("attempt_completion", map[string]any{"summary": "replaced"}),
	)
	ws := t.TempDir()
	os.WriteFile(filepath.Join(ws, "a.txt"), []byte("old\n"), 0o644)
	c := newCLI(t)
	code, out, errOut := c.run("", "run", "--workspace", ws, "--settings", settingsFile, "make it new")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if got, _ := os.ReadFile(filepath.Join(ws, "a.txt")); string(got) != "new\n" {
		t.Fatalf("a.txt = %q", got)
	}
	if !strings.Contains(out, "→ edit_file a.txt: ok") || !strings.Contains(out, "done: completed: replaced") {
		t.Fatalf("output:\n%s", out)
	}
	// The edit was snapshotted, and the snapshot undoes it.
	code, list, _ := c.run("", "snapshot", "list", "--workspace", ws)
	if code != 0 || !strings.Contains(list, "before editing a.txt") {
		t.Fatalf("snapshot list: exit %d\n%s", code, list)
	}
	id := strings.Fields(list)[0]
	if code, out, errOut := c.run("", "snapshot", "restore", "--workspace", ws, id); code != 0 {
		t.Fatalf("restore: exit %d\n%s\n%s", code, out, errOut)
	}
	if got, _ := os.ReadFile(filepath.Join(ws, "a.txt")); string(got) != "old\n" {
		t.Fatalf("a.txt after restore = %q", got)
	}
}

func TestRunRefusesWhatThePolicyDoesNotCover(t *testing.T) {
	settingsFile, fake := fakeSettings(t,
		fakeollama.Call("run_command", map[string]any{"command": "touch made-by-command"}),
		fakeollama.Call("attempt_completion", map[string]any{"summary": "gave up"}),
	)
	ws := t.TempDir()
	c := newCLI(t)
	code, out, _ := c.run("", "run", "--workspace", ws, "--settings", settingsFile, "--json", "run something")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(ws, "made-by-command")); err == nil {
		t.Fatal("a command ran under --auto-approve edits")
	}
	// The model was told why, and JSON lines were printed.
	msgs := fake.ChatRequests()[1].Chat.Messages
	if last := msgs[len(msgs)-1].Content; !strings.Contains(last, "no user to ask") {
		t.Fatalf("the model was not told: %q", last)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &first); err != nil {
		t.Fatalf("--json output is not JSON lines: %v\n%s", err, out)
	}
	if first["kind"] != "user" || first["sessionId"] == nil || first["seq"] != float64(1) {
		t.Fatalf("--json lines are not hearth/event's fields: %v", first)
	}
}

func TestRunPlanModeChangesNothing(t *testing.T) {
	settingsFile, _ := fakeSettings(t,
		fakeollama.Call("write_file", map[string]any{"path": "x.txt", "content": "x"}),
		fakeollama.Call("attempt_completion", map[string]any{"summary": "planned"}),
	)
	ws := t.TempDir()
	c := newCLI(t)
	code, out, _ := c.run("", "run", "--workspace", ws, "--settings", settingsFile, "--mode", "plan", "--auto-approve", "all", "plan it")
	if code != 0 || !strings.Contains(out, "write_file x.txt: denied") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(ws, "x.txt")); err == nil {
		t.Fatal("plan mode wrote a file")
	}
}

func TestRunOllamaDown(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.json")
	os.WriteFile(p, []byte(`{"ollama":{"host":"http://127.0.0.1:9"},"models":{"plan":"m"}}`), 0o644)
	code, _, errOut := newCLI(t).run("", "run", "--workspace", t.TempDir(), "--settings", p, "hi")
	if code != 1 || !strings.Contains(errOut, "ollama serve") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := newCLI(t).run("", "run", "--auto-approve", "maybe", "hi"); code != 2 {
		t.Fatalf("bad policy: exit %d, want 2", code)
	}
}

func TestSnapshotCreateDiffAndApplyUndo(t *testing.T) {
	ws := t.TempDir()
	os.WriteFile(filepath.Join(ws, "f.txt"), []byte("one\n"), 0o644)
	c := newCLI(t)
	code, out, _ := c.run("", "snapshot", "create", "--workspace", ws, "--label", "start")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	id := lines[len(lines)-1]
	if code != 0 || id == "" {
		t.Fatalf("create: exit %d\n%s", code, out)
	}
	os.WriteFile(filepath.Join(ws, "f.txt"), []byte("two\n"), 0o644)
	code, diff, _ := c.run("", "snapshot", "diff", "--workspace", ws, id)
	if code != 0 || !strings.Contains(diff, "-one") || !strings.Contains(diff, "+two") {
		t.Fatalf("diff: exit %d\n%s", code, diff)
	}
	// hearth apply snapshots what it changes, so it can be undone.
	block := "f.txt\n```\n<<<<<<< SEARCH\ntwo\n=======\nthree\n>>>>>>> REPLACE\n```\n"
	if code, out, errOut := c.run(block, "apply", "--workspace", ws); code != 0 || !strings.Contains(errOut, "undo with: hearth snapshot restore") {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	code, _, _ = c.run("", "snapshot", "restore", "--workspace", ws, id, "f.txt")
	if got, _ := os.ReadFile(filepath.Join(ws, "f.txt")); code != 0 || string(got) != "one\n" {
		t.Fatalf("restore: exit %d, f.txt = %q", code, got)
	}
	if code, _, _ := c.run("", "snapshot", "restore", "--workspace", ws, "nonexistent"); code != 1 {
		t.Fatalf("unknown id: exit %d, want 1", code)
	}
	if code, _, _ := c.run("", "snapshot", "frob"); code != 2 {
		t.Fatalf("unknown verb: exit %d, want 2", code)
	}
}

func TestDoctorJSONForAnOverriddenCard(t *testing.T) {
	settingsFile, _ := fakeSettings(t)
	code, out, errOut := newCLI(t).run("", "doctor", "--json", "--vram", "12GB", "--settings", settingsFile)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var report struct {
		GPUs struct {
			Source string `json:"source"`
		} `json:"gpus"`
		Plan []struct {
			Model             string `json:"model"`
			Quantization      string `json:"quantization"`
			Fits              bool   `json:"fits"`
			KVBytesPerToken   int64  `json:"kvBytesPerToken"`
			MaxContext        int    `json:"maxContext"`
			RecommendedNumCtx int    `json:"recommendedNumCtx"`
		} `json:"plan"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if report.GPUs.Source != "override" || len(report.Plan) == 0 {
		t.Fatalf("report %+v", report)
	}
	found := false
	for _, p := range report.Plan {
		if strings.Contains(strings.ToLower(p.Model), "qwen2.5-coder") && strings.Contains(p.Model, "7b") && p.Quantization == "Q8_0" {
			found = true
			if !p.Fits || p.KVBytesPerToken != 57344 || p.RecommendedNumCtx%2048 != 0 || p.RecommendedNumCtx > p.MaxContext {
				t.Errorf("Qwen2.5-Coder 7B Q8_0 on 12 GB: %+v", p)
			}
		}
	}
	if !found {
		t.Errorf("no Qwen2.5-Coder 7B Q8_0 entry in the plan")
	}
}
