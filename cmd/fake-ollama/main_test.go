package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The harness contract: first stdout line gives the URL, requests are
// recorded as JSON lines, and closing stdin stops the server.
func TestServesScriptAndStopsWhenStdinCloses(t *testing.T) {
	record := filepath.Join(t.TempDir(), "requests.jsonl")
	stdinR, stdinW := io.Pipe()
	stdoutR, stdoutW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{
			"--addr", "127.0.0.1:0", "--script", "testdata/hello.json",
			"--models", "testdata/models.json", "--record", record,
		}, stdinR, stdoutW)
		stdoutW.Close()
	}()
	first, err := bufio.NewReader(stdoutR).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(first), "listening on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first line %q", first)
	}

	resp, err := http.Post(url+"/api/chat", "application/json", strings.NewReader(
		`{"model":"qwen2.5-coder:7b-instruct-q8_0","messages":[{"role":"user","content":"hi"}],"options":{"num_ctx":4096},"truncate":false}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"content":" from"`) || !strings.Contains(string(body), `"done":true`) {
		t.Errorf("chat answer:\n%s", body)
	}
	resp, err = http.Get(url + "/api/tags")
	if err != nil {
		t.Fatal(err)
	}
	var tags struct{ Models []struct{ Name string } }
	json.NewDecoder(resp.Body).Decode(&tags)
	resp.Body.Close()
	if len(tags.Models) != 2 {
		t.Errorf("tags = %+v, want the two installed models", tags)
	}

	stdinW.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("did not stop when stdin closed")
	}
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"path":"/api/chat"`) || !strings.Contains(lines[0], `"truncate":false`) {
		t.Errorf("record:\n%s", data)
	}
}

func TestRefusesBadFlagsAndScripts(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"replies":[{"chunkz":[]}]}`), 0o644)
	for _, args := range [][]string{
		{},
		{"--script", "testdata/missing.json"},
		{"--script", bad},
		{"--script", "testdata/hello.json", "--models", "testdata/hello.json"},
	} {
		if err := run(context.Background(), args, strings.NewReader(""), io.Discard); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}
