package statedir

import (
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestResolveOrder(t *testing.T) {
	root := t.TempDir()
	other := t.TempDir()
	got, err := Resolve(filepath.Join(other, "explicit"), root, env(map[string]string{EnvStateDir: filepath.Join(other, "env")}))
	if err != nil || got != filepath.Join(other, "explicit") {
		t.Fatalf("explicit: got %q, %v", got, err)
	}
	got, err = Resolve("", root, env(map[string]string{EnvStateDir: filepath.Join(other, "env")}))
	if err != nil || got != filepath.Join(other, "env") {
		t.Fatalf("env: got %q, %v", got, err)
	}
	got, err = Resolve("", root, env(map[string]string{"XDG_STATE_HOME": other}))
	want := filepath.Join(other, "hearth", WorkspaceID(root))
	if err != nil || got != want {
		t.Fatalf("xdg: got %q, %v; want %q", got, err, want)
	}
	got, err = Resolve("", root, env(map[string]string{"HOME": other}))
	want = filepath.Join(other, ".local", "state", "hearth", WorkspaceID(root))
	if err != nil || got != want {
		t.Fatalf("home: got %q, %v; want %q", got, err, want)
	}
}

func TestResolveRefusesInsideWorkspace(t *testing.T) {
	root := t.TempDir()
	_, err := Resolve(filepath.Join(root, ".hearth"), root, env(nil))
	if err == nil || !strings.Contains(err.Error(), "inside the workspace") {
		t.Fatalf("got %v, want an inside-the-workspace error", err)
	}
}

func TestWorkspaceIDDistinguishesSameName(t *testing.T) {
	a := filepath.Join(t.TempDir(), "proj")
	b := filepath.Join(t.TempDir(), "proj")
	if WorkspaceID(a) == WorkspaceID(b) {
		t.Fatal("two folders named proj share an id")
	}
	if !strings.HasPrefix(WorkspaceID(a), "proj-") {
		t.Fatalf("id %q does not start with the folder name", WorkspaceID(a))
	}
}
