package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
)

// GPU is one look at the card's memory: NVML (through vram.Prober) and
// nvidia-smi, each nil where that source did not answer, so a CPU run
// records nulls instead of failing.
type GPU struct {
	NVMLUsedBytes  *int64   `json:"nvmlUsedBytes"`
	NVMLTotalBytes *int64   `json:"nvmlTotalBytes"`
	NVMLFreeBytes  *int64   `json:"nvmlFreeBytes"`
	SMIUsedMiB     *int64   `json:"smiUsedMiB"`
	SMITotalMiB    *int64   `json:"smiTotalMiB"`
	SMIApps        []SMIApp `json:"smiApps,omitempty"`
}

// SMIApp is one compute process as nvidia-smi lists it.
type SMIApp struct {
	PID     int   `json:"pid"`
	UsedMiB int64 `json:"usedMiB"`
}

// PS is the loaded model as /api/ps reports it.
type PS struct {
	Size          int64 `json:"size"`
	SizeVRAM      int64 `json:"sizeVram"`
	ContextLength int   `json:"contextLength"`
}

// Prompt is one raw /api/generate with a long prompt.
type Prompt struct {
	TargetTokens       int     `json:"targetTokens"`
	Chars              int     `json:"chars"`
	Attempts           int     `json:"attempts"`
	PromptEvalCount    int     `json:"promptEvalCount"`
	PromptEvalMs       float64 `json:"promptEvalMs"`
	PromptTokensPerSec float64 `json:"promptTokensPerSec"`
	EvalCount          int     `json:"evalCount"`
	EvalMs             float64 `json:"evalMs"`
	GenTokensPerSec    float64 `json:"genTokensPerSec"`
	Error              string  `json:"error,omitempty"`
}

// Turn is one streamed follow-up /api/chat request.
type Turn struct {
	// FirstChunkMs is when any chunk arrived; FirstContentMs when the first
	// one carrying text did (the user-visible time to first token), nil if
	// the model said nothing.
	FirstChunkMs    float64  `json:"firstChunkMs"`
	FirstContentMs  *float64 `json:"firstContentMs"`
	TotalMs         float64  `json:"totalMs"`
	PromptEvalCount int      `json:"promptEvalCount"`
	PromptEvalMs    float64  `json:"promptEvalMs"`
	Error           string   `json:"error,omitempty"`
}

// FollowUp compares a follow-up turn with the prompt cache warm and cold.
type FollowUp struct {
	HistoryTokens int    `json:"historyTokens"`
	Warm          *Turn  `json:"warm,omitempty"`
	Cold          *Turn  `json:"cold,omitempty"`
	Error         string `json:"error,omitempty"`
}

// VRAMRecord is one model at one num_ctx and KV cache type.
type VRAMRecord struct {
	Phase          string  `json:"phase"`
	KV             string  `json:"kv"`
	FlashAttention bool    `json:"flashAttention"`
	Model          string  `json:"model"`
	NumCtx         int     `json:"numCtx"`
	Baseline       GPU     `json:"baseline"`
	LoadWallMs     float64 `json:"loadWallMs"`
	LoadDurationMs float64 `json:"loadDurationMs"`
	PS             *PS     `json:"ps"`
	// Layers is the server log's last "offloaded X/Y layers to GPU";
	// OllamaFlash whether it logged that flash attention is on (f16 runs
	// with Ollama's "auto", which may turn it on).
	Layers      string           `json:"layers,omitempty"`
	OllamaFlash bool             `json:"ollamaFlashAttention"`
	Loaded      GPU              `json:"loaded"`
	Prompt      *Prompt          `json:"prompt,omitempty"`
	AfterPrompt GPU              `json:"afterPrompt"`
	FollowUp    *FollowUp        `json:"followUp,omitempty"`
	Predict     map[string]int64 `json:"predict"`
	Errors      []string         `json:"errors,omitempty"`
}

// Attempt is one load under a given OLLAMA_GPU_OVERHEAD.
type Attempt struct {
	Factor float64 `json:"factor"`
	// FreeBytes is NVML's free memory with the card idle, read just
	// before this attempt; OverheadBytes = FreeBytes − need × Factor.
	FreeBytes     int64 `json:"freeBytes"`
	OverheadBytes int64 `json:"overheadBytes"`
	PS            *PS   `json:"ps"`
	// AllOnGPU is size_vram == size; Expected is what Hearth's need says.
	AllOnGPU bool   `json:"allOnGpu"`
	Expected bool   `json:"expected"`
	Layers   string `json:"layers,omitempty"` // "X/Y" from "offloaded X/Y layers to GPU"
	Error    string `json:"error,omitempty"`
}

// FitRecord checks Ollama's offload decision around Hearth's need.
type FitRecord struct {
	Phase     string    `json:"phase"`
	Model     string    `json:"model"`
	NumCtx    int       `json:"numCtx"`
	NeedBytes int64     `json:"needBytes"`
	FreeBytes int64     `json:"freeBytes"`
	Attempts  []Attempt `json:"attempts,omitempty"`
	Skipped   string    `json:"skipped,omitempty"`
}

// PathTime is the proxied requests of one path.
type PathTime struct {
	Count int     `json:"count"`
	SumMs float64 `json:"sumMs"`
}

// RunRecord is one `hearth run`.
type RunRecord struct {
	Phase           string              `json:"phase"`
	Index           int                 `json:"index"` // 0 is the discarded warm-up
	Task            string              `json:"task"`
	Model           string              `json:"model"`
	ExitCode        int                 `json:"exitCode"`
	WallMs          float64             `json:"wallMs"`
	Requests        int                 `json:"requests"`
	Paths           map[string]PathTime `json:"paths"`
	BusyMs          float64             `json:"busyMs"` // union of all proxied request intervals
	ChatMs          float64             `json:"chatMs"` // Σ /api/chat
	Turns           int                 `json:"turns"`
	OverheadMs      float64             `json:"overheadMs"`
	OverheadPerTurn float64             `json:"overheadPerTurnMs"`
	OverheadPct     float64             `json:"overheadPctOfChat"`
	Events          map[string]int      `json:"events,omitempty"`
	DoneReason      string              `json:"doneReason,omitempty"`
	EventSpanMs     float64             `json:"eventSpanMs,omitempty"` // first to last --json event time
	StderrTail      string              `json:"stderrTail,omitempty"`
	Error           string              `json:"error,omitempty"`
}

// Results appends one JSON object per line and syncs after each, so a run
// killed at the device's time limit still returns what it measured.
type Results struct {
	mu sync.Mutex // serializes writes to f
	f  *os.File
}

// OpenResults opens (appending) the results file.
func OpenResults(path string) (*Results, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &Results{f: f}, nil
}

// Add writes v as one line. A failure is reported, never fatal: the
// measurement itself is still printed to stderr by the caller's log.
func (r *Results) Add(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.f.Write(append(data, '\n')); err != nil {
		return err
	}
	return r.f.Sync()
}

// Close closes the file.
func (r *Results) Close() error { return r.f.Close() }

// Line is one results line decoded by its phase; exactly one field is set.
type Line struct {
	VRAM  *VRAMRecord
	Fit   *FitRecord
	Run   *RunRecord
	Other map[string]any
}

// ReadResults decodes a results file; lines of other phases are kept raw
// and a truncated last line (a killed run) is skipped, not an error.
func ReadResults(rd io.Reader) ([]Line, error) {
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var raw [][]byte
	for sc.Scan() {
		raw = append(raw, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var out []Line
	for i, b := range raw {
		if len(b) == 0 {
			continue
		}
		var head struct {
			Phase string `json:"phase"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			if i == len(raw)-1 { // cut short by a kill
				break
			}
			return nil, fmt.Errorf("results line %d: %w", i+1, err)
		}
		var l Line
		var err error
		switch head.Phase {
		case "vram":
			l.VRAM = new(VRAMRecord)
			err = json.Unmarshal(b, l.VRAM)
		case "fit":
			l.Fit = new(FitRecord)
			err = json.Unmarshal(b, l.Fit)
		case "run":
			l.Run = new(RunRecord)
			err = json.Unmarshal(b, l.Run)
		default:
			err = json.Unmarshal(b, &l.Other)
		}
		if err != nil {
			return nil, fmt.Errorf("results line %d: %w", i+1, err)
		}
		out = append(out, l)
	}
	return out, nil
}
