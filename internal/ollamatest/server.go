package ollamatest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ollama/ollama/api"
)

// Version is the Ollama release the tests pin; scripts/ollama-build.sh
// builds exactly this.
const Version = "0.17.4"

// Enabled reports whether real-server tests should run: HEARTH_REAL_OLLAMA=1.
func Enabled() bool { return os.Getenv("HEARTH_REAL_OLLAMA") == "1" }

// Options adjusts Start.
type Options struct {
	// Debug sets OLLAMA_DEBUG=1, which logs prompt-cache reuse
	// ("loading cache slot ... used=N") among much else; see CacheReuse.
	Debug bool
	// NumCtx is the num_ctx the models are created with; 0 means DefaultNumCtx.
	NumCtx int
	// Env adds environment variables (KEY=VALUE) to the server's.
	Env []string
}

// Server is a running `ollama serve` owned by one test.
type Server struct {
	// Host is host:port, as OLLAMA_HOST wants it.
	Host string
	// URL is the server's base URL.
	URL *url.URL
	// Client talks to the server.
	Client *api.Client
	// Dir holds the server's HOME, models and log.
	Dir    string
	NumCtx int

	bin     string
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{} // closed when the process has been waited for

	stopOnce sync.Once
}

var (
	prepOnce sync.Once
	prepBin  string
	prepGGUF string
	prepErr  error
)

// prepare finds the binary and the model file once per test process.
func prepare() (bin, gguf string, err error) {
	prepOnce.Do(func() {
		if prepBin, prepErr = Binary(); prepErr != nil {
			return
		}
		prepGGUF, prepErr = ModelFile()
	})
	return prepBin, prepGGUF, prepErr
}

// Binary returns the ollama binary: $HEARTH_OLLAMA_BIN if set, else the one
// scripts/ollama-build.sh provides (building it on first use takes 10-15
// minutes on 2 cores; CI runs the script before the tests).
func Binary() (string, error) {
	if b := os.Getenv("HEARTH_OLLAMA_BIN"); b != "" {
		if _, err := os.Stat(b); err != nil {
			return "", fmt.Errorf("HEARTH_OLLAMA_BIN: %w", err)
		}
		return b, nil
	}
	script, err := findScript()
	if err != nil {
		return "", err
	}
	var stderr bytes.Buffer
	cmd := exec.Command("bash", script)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s: %w\n%s", script, err, tail(stderr.String(), 4000))
	}
	bin := lastLine(string(out))
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("%s printed %q, which is not a file", script, bin)
	}
	return bin, nil
}

// findScript walks up from the working directory (a package folder under
// go test) to the repository's scripts/ollama-build.sh.
func findScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "scripts", "ollama-build.sh")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("scripts/ollama-build.sh not found above the working directory; set HEARTH_OLLAMA_BIN")
		}
		dir = parent
	}
}

// Start runs a fresh server with the test models created, or skips the test
// unless HEARTH_REAL_OLLAMA=1. The server stops when the test ends.
func Start(t testing.TB, opts ...Options) *Server {
	t.Helper()
	if !Enabled() {
		t.Skip("set HEARTH_REAL_OLLAMA=1 to run tests against a real Ollama server")
	}
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.NumCtx == 0 {
		o.NumCtx = DefaultNumCtx
	}
	bin, gguf, err := prepare()
	if err != nil {
		t.Fatalf("preparing ollama: %v", err)
	}
	s, err := start(bin, t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("ollama serve log (tail):\n%s", tail(s.Log(), 6000))
		}
	})
	s.bin = bin
	for _, m := range []string{Model, ToolModel} {
		if err := s.create(m, m, gguf); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// Create registers another model from a GGUF file, with the Qwen2.5 tools
// template and the server's num_ctx, for tests of other shapes or weight
// formats.
func (s *Server) Create(name, ggufPath string) error { return s.create(name, Model, ggufPath) }

func start(bin, dir string, o Options) (*Server, error) {
	for _, d := range []string{"home", "models"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	// A port picked by the kernel is free now; the small race with other
	// processes is retried below.
	var lastErr error
	for range 3 {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s := &Server{
			Host:    fmt.Sprintf("127.0.0.1:%d", port),
			Dir:     dir,
			NumCtx:  o.NumCtx,
			logPath: filepath.Join(dir, "serve.log"),
			exited:  make(chan struct{}),
		}
		s.URL = &url.URL{Scheme: "http", Host: s.Host}
		s.Client = newClient(s.Host)
		if lastErr = s.run(bin, o); lastErr == nil {
			return s, nil
		}
	}
	return nil, lastErr
}

func newClient(host string) *api.Client {
	return api.NewClient(&url.URL{Scheme: "http", Host: host}, http.DefaultClient)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// env is the server's whole environment: nothing from the caller's
// environment leaks in (a developer's OLLAMA_HOST or OLLAMA_MODELS would
// point the test at their own server or models).
func (s *Server) env(o Options) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + filepath.Join(s.Dir, "home"), // ollama writes ~/.ollama/id_ed25519 on first start
		"TMPDIR=" + os.TempDir(),
		"OLLAMA_HOST=" + s.Host,
		"OLLAMA_MODELS=" + filepath.Join(s.Dir, "models"),
		"OLLAMA_NOPRUNE=1",  // don't delete blobs at start
		"OLLAMA_NO_CLOUD=1", // no ollama.com models
		"GIN_MODE=release",
	}
	if o.Debug {
		env = append(env, "OLLAMA_DEBUG=1")
	}
	return append(env, o.Env...)
}

func (s *Server) run(bin string, o Options) error {
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = s.env(o)
	cmd.Dir = s.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group, so Stop also ends the runner subprocesses.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("starting %s serve: %w", bin, err)
	}
	s.cmd = cmd
	go func() {
		cmd.Wait()
		logf.Close()
		close(s.exited)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("ollama serve exited at start:\n%s", tail(s.Log(), 3000))
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := s.Client.Version(ctx)
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.Stop()
	return fmt.Errorf("ollama serve did not answer on %s within 30s:\n%s", s.Host, tail(s.Log(), 3000))
}

// create registers model name with `ollama create`, the way a user would,
// using the Modelfile of test model kind.
func (s *Server) create(name, kind, gguf string) error {
	mf, err := Modelfile(kind, gguf, s.NumCtx)
	if err != nil {
		return err
	}
	path := filepath.Join(s.Dir, name+".Modelfile")
	if err := os.WriteFile(path, []byte(mf), 0o644); err != nil {
		return err
	}
	cmd := exec.Command(s.bin, "create", name, "-f", path)
	cmd.Env = s.env(Options{})
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("ollama create %s: %w\n%s", name, err, tail(string(out), 2000))
	}
	return nil
}

// Stop ends the server and its runners: SIGTERM to the process group, then
// SIGKILL if it has not exited within five seconds. It is safe to call more
// than once.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		if s.cmd == nil || s.cmd.Process == nil {
			return
		}
		pgid := s.cmd.Process.Pid
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-s.exited
		}
		// Runners that outlived the server in the same group.
		syscall.Kill(-pgid, syscall.SIGKILL)
	})
}

// Kill ends the server and its runners at once with SIGKILL, as a crash
// would.
func (s *Server) Kill() {
	s.stopOnce.Do(func() {
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.exited
	})
}

// Log returns what the server has logged so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.logPath)
	return string(b)
}

// LogLines returns the log lines that contain substr.
func (s *Server) LogLines(substr string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s.Log()))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if strings.Contains(sc.Text(), substr) {
			out = append(out, sc.Text())
		}
	}
	return out
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// ModelLoads counts the model runners the server has started so far: each
// load (first use, or a reload because num_ctx or another load-time option
// changed) starts one `ollama runner --model ...` process. The start-up
// hardware probe also starts a runner, without --model, and is not counted.
func (s *Server) ModelLoads() int {
	n := 0
	for _, l := range s.LogLines(`msg="starting runner"`) {
		if strings.Contains(l, " --model ") {
			n++
		}
	}
	return n
}
