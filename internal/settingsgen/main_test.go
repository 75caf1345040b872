package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedFilesAreFresh fails when package.json's configuration block or
// docs/settings.md no longer match settings/settings.go.
func TestGeneratedFilesAreFresh(t *testing.T) {
	root := filepath.Join("..", "..")
	pkg, md, err := generate(root)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]byte{"package.json": pkg, filepath.Join("docs", "settings.md"): md} {
		got, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run `go run ./internal/settingsgen -w` from the repository root", name)
		}
	}
}

func TestWithConfigurationKeepsOtherKeys(t *testing.T) {
	in := []byte(`{"name":"hearth","contributes":{"commands":[{"command":"a"}],"configuration":{"old":true}},"main":"x.js"}`)
	out, err := withConfiguration(in, []byte(`{"title":"Hearth"}`))
	if err != nil {
		t.Fatal(err)
	}
	o, _ := orderedObject(out)
	if got := o.keys; len(got) != 3 || got[0] != "name" || got[1] != "contributes" || got[2] != "main" {
		t.Fatalf("top-level keys %v, want [name contributes main]", got)
	}
	c, _ := o.get("contributes")
	co, _ := orderedObject(c)
	if cfg, _ := co.get("configuration"); !bytes.Contains(cfg, []byte(`"Hearth"`)) || bytes.Contains(cfg, []byte("old")) {
		t.Fatalf("configuration not replaced: %s", cfg)
	}
	if cmds, _ := co.get("commands"); !bytes.Contains(cmds, []byte(`"a"`)) {
		t.Fatalf("commands lost: %s", cmds)
	}
}
