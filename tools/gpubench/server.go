package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/ollama/ollama/api"
)

// ollamaServer is one `ollama serve` process. Every restart appends to the
// same log file, which comes back from the device; logStart marks where the
// current process's part begins.
type ollamaServer struct {
	bin     string
	work    string // HOME and OLLAMA_MODELS live here
	host    string
	logPath string
	client  *api.Client

	cmd      *exec.Cmd
	exited   chan struct{}
	logStart int64
}

func newOllamaServer(bin, work, logPath string, port int) *ollamaServer {
	host := fmt.Sprintf("127.0.0.1:%d", port)
	return &ollamaServer{
		bin: bin, work: work, host: host, logPath: logPath,
		client: api.NewClient(&url.URL{Scheme: "http", Host: host}, &http.Client{}),
	}
}

// env is the server's whole environment, so nothing of the caller's
// (a developer's OLLAMA_MODELS) leaks in; extra is the phase's settings.
func (s *ollamaServer) env(extra []string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + filepath.Join(s.work, "home"),
		"TMPDIR=" + os.TempDir(),
		"OLLAMA_HOST=" + s.host,
		"OLLAMA_MODELS=" + filepath.Join(s.work, "models"),
		"OLLAMA_NOPRUNE=1",
		"OLLAMA_NO_CLOUD=1",
		"GIN_MODE=release",
	}
	// The CUDA runtime must stay findable on the device.
	for _, k := range []string{"LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return append(env, extra...)
}

// start starts the server with extra environment and waits for
// /api/version.
func (s *ollamaServer) start(ctx context.Context, label string, extra []string) error {
	for _, d := range []string{"home", "models"} {
		if err := os.MkdirAll(filepath.Join(s.work, d), 0o755); err != nil {
			return err
		}
	}
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(logf, "\n===== gpubench: ollama serve (%s) env %s at %s\n", label, strings.Join(extra, " "), time.Now().UTC().Format(time.RFC3339))
	if st, err := logf.Stat(); err == nil {
		s.logStart = st.Size()
	}
	cmd := exec.Command(s.bin, "serve")
	cmd.Env = s.env(extra)
	cmd.Dir = s.work
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group, so stop also ends the runners.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("starting %s serve: %w", s.bin, err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	exited := s.exited
	go func() {
		cmd.Wait()
		logf.Close()
		close(exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			s.cmd = nil
			return fmt.Errorf("ollama serve exited at start; see %s", s.logPath)
		case <-ctx.Done():
			s.stop()
			return ctx.Err()
		default:
		}
		vctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := s.client.Version(vctx)
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.stop()
	return fmt.Errorf("ollama serve did not answer on %s within 60s", s.host)
}

// stop ends the server and its runners: SIGTERM to the group, SIGKILL
// after ten seconds.
func (s *ollamaServer) stop() {
	if s.cmd == nil {
		return
	}
	pgid := s.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-s.exited
	}
	syscall.Kill(-pgid, syscall.SIGKILL) // runners left in the group
	s.cmd = nil
}

// currentLog is what the running server has logged since it started.
func (s *ollamaServer) currentLog() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil || int64(len(b)) < s.logStart {
		return ""
	}
	return string(b[s.logStart:])
}

var offloadedRE = regexp.MustCompile(`offloaded (\d+/\d+) layers to GPU`)

// lastOffload is the last "offloaded X/Y layers to GPU" of log, as "X/Y".
func lastOffload(log string) string {
	m := offloadedRE.FindAllStringSubmatch(log, -1)
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1][1]
}

// modelfile is the Modelfile of a benchmark model: the Qwen2.5 tools
// template (so Ollama reports the tools capability Hearth wants) and the
// turn markers as stops; no num_ctx, which every request sets. params are
// more PARAMETER lines ("num_predict 256").
func modelfile(gguf, template string, params ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "FROM %s\nTEMPLATE \"\"\"%s\"\"\"\n", gguf, template)
	b.WriteString("SYSTEM \"\"\"You are Qwen, created by Alibaba Cloud. You are a helpful assistant.\"\"\"\n")
	for _, p := range append([]string{"stop <|im_start|>", "stop <|im_end|>", "stop <|endoftext|>"}, params...) {
		fmt.Fprintf(&b, "PARAMETER %s\n", p)
	}
	return b.String()
}

// create registers a model with `ollama create`, as a user would.
func (s *ollamaServer) create(ctx context.Context, name, gguf, template string, params ...string) error {
	path := filepath.Join(s.work, name+".Modelfile")
	if err := os.WriteFile(path, []byte(modelfile(gguf, template, params...)), 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, s.bin, "create", name, "-f", path)
	cmd.Env = s.env(nil)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("ollama create %s: %w: %s", name, err, tailString(string(out), 1000))
	}
	return nil
}

// load loads model at numCtx with a one-word prompt and one token out, as
// a client's first request would. (An empty prompt loads too, but Ollama
// then reports no load_duration.)
func (s *ollamaServer) load(ctx context.Context, model string, numCtx int) (wall time.Duration, loadDur time.Duration, err error) {
	start := time.Now()
	stream := false
	err = s.client.Generate(ctx, &api.GenerateRequest{
		Model: model, Prompt: "Hello", Raw: true, Stream: &stream, KeepAlive: &api.Duration{Duration: 10 * time.Minute},
		Options: map[string]any{"num_ctx": numCtx, "num_predict": 1},
	}, func(r api.GenerateResponse) error {
		loadDur = r.LoadDuration
		return nil
	})
	return time.Since(start), loadDur, err
}

// unload asks Ollama to drop every loaded model and waits until /api/ps is
// empty.
func (s *ollamaServer) unload(ctx context.Context) error {
	ps, err := s.client.ListRunning(ctx)
	if err != nil {
		return err
	}
	for _, m := range ps.Models {
		stream := false
		// A failed unload shows as the model still listed below.
		_ = s.client.Generate(ctx, &api.GenerateRequest{Model: m.Name, Stream: &stream, KeepAlive: &api.Duration{}}, func(api.GenerateResponse) error { return nil })
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		ps, err := s.client.ListRunning(ctx)
		if err == nil && len(ps.Models) == 0 {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return errors.New("models still loaded 60s after keep_alive 0")
}

// ps is the loaded model's /api/ps entry.
func (s *ollamaServer) ps(ctx context.Context, model string) (*PS, error) {
	r, err := s.client.ListRunning(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range r.Models {
		if m.Name == model || strings.TrimSuffix(m.Name, ":latest") == model {
			return &PS{Size: m.Size, SizeVRAM: m.SizeVRAM, ContextLength: m.ContextLength}, nil
		}
	}
	return nil, fmt.Errorf("%s is not in /api/ps", model)
}

func tailString(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
