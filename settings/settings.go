// Package settings declares every Hearth setting once, with its documentation
// and default; package.json's contributes.configuration and docs/settings.md
// are generated from this file and must never be edited by hand.
package settings

import (
	"os"
	"time"
)

// Settings are Hearth's user settings. In VS Code each field is the setting
// "hearth." followed by the JSON names on its path (for example
// hearth.ollama.host); the server receives them in initializationOptions and
// workspace/didChangeConfiguration. Each field's comment is its documentation.
type Settings struct {
	Ollama      Ollama      `json:"ollama"`
	Models      Models      `json:"models"`
	Model       Model       `json:"model"`
	AutoApprove AutoApprove `json:"autoApprove"`
	Commands    Commands    `json:"commands"`
	Snapshots   Snapshots   `json:"snapshots"`
	VRAM        VRAM        `json:"vram"`
	Server      Server      `json:"server"`
	// Directory for Hearth's state (sessions, snapshots, logs). Empty means $HEARTH_STATE_DIR, else $XDG_STATE_HOME/hearth/<workspace id>. It is never inside the workspace.
	StateDir string `json:"stateDir"`
}

// Ollama is where the model server is and how Hearth talks to it.
type Ollama struct {
	// URL of the Ollama server. Empty means $OLLAMA_HOST, else http://127.0.0.1:11434.
	Host string `json:"host"`
	// How long Ollama keeps the model loaded after a request (a Go duration such as 30m).
	KeepAlive string `json:"keepAlive" default:"30m"`
	// How long to wait for the first token of an answer; it covers loading a model from disk, which can take minutes.
	FirstTokenTimeout string `json:"firstTokenTimeout" default:"5m"`
	// How long the model may pause between two tokens before the request counts as stalled.
	StallTimeout string `json:"stallTimeout" default:"90s"`
}

// Models chooses the model of each mode.
type Models struct {
	// Model for Plan mode. Empty means the best coding model installed.
	Plan string `json:"plan"`
	// Model for Act mode. Empty means the Plan model.
	Act string `json:"act"`
}

// Model tunes the requests Hearth sends.
type Model struct {
	// Sampling temperature; 0.1-0.2 keeps code edits precise.
	Temperature float64 `json:"temperature" default:"0.15" minimum:"0" maximum:"2"`
	// Context window (num_ctx) to request. 0 means the largest stable size that fits in free VRAM; the value never changes within a session.
	NumCtx int `json:"numCtx" default:"0" minimum:"0"`
}

// AutoApprove is the policy under which Act runs without asking.
type AutoApprove struct {
	// Run Act mode autonomously under this policy. Off in untrusted workspaces.
	Enabled bool `json:"enabled" default:"false"`
	// Approve reading, listing and searching files.
	Reads bool `json:"reads" default:"true"`
	// Approve edits to files inside the workspace.
	Edits bool `json:"edits" default:"true"`
	// Approve commands that match allowCommands.
	Commands bool `json:"commands" default:"false"`
	// Commands approved without asking: a prefix such as "go test", or a regular expression between slashes such as "/^npm (test|run lint)$/".
	AllowCommands []string `json:"allowCommands" default:"[\"go test\",\"go build\",\"go vet\",\"npm test\",\"ls\",\"cat\",\"git status\",\"git diff\"]"`
	// Commands never run, on top of Hearth's built-in deny-list (rm -rf /, sudo, git push --force, curl | sh and the like), which no setting can lift. Same syntax as allowCommands.
	DenyCommands []string `json:"denyCommands"`
	// Most tool calls in one turn.
	MaxSteps int `json:"maxSteps" default:"40" minimum:"1"`
	// Most wall-clock time for one turn (a Go duration).
	MaxDuration string `json:"maxDuration" default:"20m"`
	// Most consecutive failed tool calls before the turn stops.
	MaxConsecutiveFailures int `json:"maxConsecutiveFailures" default:"4" minimum:"1"`
}

// Commands limits what run_command does.
type Commands struct {
	// How long one command may run (a Go duration).
	Timeout string `json:"timeout" default:"2m"`
	// Most bytes of a command's output kept for the model (its head and tail).
	OutputLimit int `json:"outputLimit" default:"16384" minimum:"1024"`
}

// Snapshots tunes the snapshot store.
type Snapshots struct {
	// Files larger than this many bytes are not snapshotted (and recorded as skipped).
	MaxFileBytes int64 `json:"maxFileBytes" default:"10485760" minimum:"0"`
	// Snapshots of this many most recent sessions are kept.
	KeepSessions int `json:"keepSessions" default:"20" minimum:"1"`
	// The store is pruned to stay under this many bytes.
	MaxStoreBytes int64 `json:"maxStoreBytes" default:"2147483648" minimum:"0"`
}

// VRAM describes the Ollama server's memory settings, which Hearth cannot see.
type VRAM struct {
	// KV cache type of the Ollama server (OLLAMA_KV_CACHE_TYPE): f16, q8_0 or q4_0.
	KVCacheType string `json:"kvCacheType" default:"f16" enum:"f16,q8_0,q4_0"`
	// Whether the Ollama server runs with flash attention forced on (OLLAMA_FLASH_ATTENTION=1), which a quantized KV cache needs. Off means Ollama's default, which turns it on for CUDA and Metal cards by itself; a server with OLLAMA_FLASH_ATTENTION=0 uses more GPU memory than Hearth predicts.
	FlashAttention bool `json:"flashAttention" default:"false"`
}

// Server is read by the VS Code extension, not by the server.
type Server struct {
	// Path of the hearth binary. Empty means the one bundled with the extension.
	Path string `json:"path" scope:"machine-overridable"`
}

// EnvOllamaHost and EnvStateDir are the environment variables Hearth reads.
const (
	EnvOllamaHost = "OLLAMA_HOST"
	EnvStateDir   = "HEARTH_STATE_DIR"
)

// DefaultOllamaURL is used when neither the setting nor OLLAMA_HOST is set.
const DefaultOllamaURL = "http://127.0.0.1:11434"

// OllamaURL is the Ollama server to use: the setting, else OLLAMA_HOST, else
// the default. A bare host or host:port gets http:// and Ollama's port, as
// Ollama's own client does.
func (s Settings) OllamaURL() string {
	h := s.Ollama.Host
	if h == "" {
		h = os.Getenv(EnvOllamaHost)
	}
	if h == "" {
		return DefaultOllamaURL
	}
	return normalizeHost(h)
}

// Duration parses a duration setting, falling back to def when it is empty
// or malformed; Validate reports malformed ones.
func Duration(s string, def time.Duration) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return def
	}
	return d
}
