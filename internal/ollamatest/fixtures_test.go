package ollamatest

import (
	"encoding/json"
	"flag"
	"path/filepath"
	"testing"

	"github.com/ollama/ollama/api"

	goldenfile "github.com/hearth-dev/hearth/internal/golden"
)

var update = flag.Bool("update", false, "rewrite golden files from the real server's answers")

// readFileTool is the tool schema the tests offer the model.
func readFileTool() api.Tool {
	var t api.Tool
	if err := json.Unmarshal([]byte(`{"type":"function","function":{"name":"read_file","description":"Read a file of the workspace","parameters":{"type":"object","required":["path"],"properties":{"path":{"type":"string","description":"path relative to the workspace root"}}}}}`), &t); err != nil {
		panic(err)
	}
	return t
}

// toolConversation is a whole tool round trip: system, user, an assistant
// tool call, the tool's answer, and the next user turn.
func toolConversation() []api.Message {
	var msgs []api.Message
	if err := json.Unmarshal([]byte(`[
		{"role":"system","content":"You are Hearth, a coding agent."},
		{"role":"user","content":"What module is this?"},
		{"role":"assistant","content":"","tool_calls":[{"function":{"name":"read_file","arguments":{"path":"go.mod"}}}]},
		{"role":"tool","content":"module example.com/demo\n\ngo 1.26\n"},
		{"role":"user","content":"Thanks. Now ünïcödé, CRLF\r\nand digits 1234567."}
	]`), &msgs); err != nil {
		panic(err)
	}
	return msgs
}

// golden compares got with testdata/<name>, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", name), got, *update)
}
