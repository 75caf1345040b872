package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hearth-dev/hearth/vram"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gpubench:", err)
		os.Exit(1)
	}
}

// config is the parsed command line.
type config struct {
	ollama     string
	models     []model
	ctxs       []int
	kvs        []string
	phases     map[string]bool
	corpusPath string
	hearth     string
	template   string
	out        string
	work       string
	port       int
	runModel   string
	numPredict int
	numThread  int
	runTimeout time.Duration
	budget     time.Duration
	runs       int
}

type model struct{ name, path string }

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("gpubench", flag.ContinueOnError)
	var c config
	var gguf, ctxs, kvs, phases string
	fs.StringVar(&c.ollama, "ollama", "ollama", "the ollama `binary`")
	fs.StringVar(&gguf, "gguf", "", "models to create: name=path,... (required)")
	fs.StringVar(&ctxs, "ctx", "4096,8192,16384,32768", "num_ctx values")
	fs.StringVar(&kvs, "kv", "f16,q8_0", "KV cache types (q8_0 runs with flash attention)")
	fs.StringVar(&phases, "phases", "vram,fit,run", "phases to run: vram, fit, run")
	fs.StringVar(&c.corpusPath, "corpus", "", "text `file` the prompts are cut from (required for vram)")
	fs.StringVar(&c.hearth, "hearth", "", "the hearth `binary` (doctor in vram, and the run phase)")
	fs.StringVar(&c.template, "template", "", "chat template `file` for the Modelfile (qwen2.5-tools.gotmpl; required)")
	fs.StringVar(&c.out, "out", "", "output `dir`ectory: results.jsonl, summary.md, serve.log (required)")
	fs.StringVar(&c.work, "work", "", "working `dir`ectory (Ollama's models, workspaces), kept afterwards so a later run reuses the models; default: a temporary one, removed")
	fs.IntVar(&c.port, "port", 11500, "Ollama's port; the run phase's proxy uses port+1")
	fs.StringVar(&c.runModel, "run-model", "m-q4_k_m", "the model hearth run uses")
	fs.IntVar(&c.numPredict, "run-num-predict", 256, "cap on each answer in the run phase (a random-weight model never stops by itself); 0: no cap")
	fs.IntVar(&c.numThread, "num-thread", 0, "PARAMETER num_thread of every model (0: Ollama's default); 1 keeps a CPU test light")
	fs.IntVar(&c.runs, "runs", 5, "hearth runs after the warm-up (at most 5 distinct tasks, then repeated)")
	fs.DurationVar(&c.runTimeout, "run-timeout", 3*time.Minute, "limit of one hearth run")
	fs.DurationVar(&c.budget, "budget", 0, "stop starting measurements after this long and write the summary (0: no limit)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if gguf == "" || c.out == "" || c.template == "" {
		return c, errors.New("-gguf, -template and -out are required")
	}
	for _, kv := range strings.Split(gguf, ",") {
		name, path, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || name == "" || path == "" {
			return c, fmt.Errorf("-gguf %q: want name=path", kv)
		}
		c.models = append(c.models, model{name, path})
	}
	for _, s := range strings.Split(ctxs, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return c, fmt.Errorf("-ctx %q: not a positive number", s)
		}
		c.ctxs = append(c.ctxs, n)
	}
	for _, s := range strings.Split(kvs, ",") {
		if _, err := vram.ParseCacheType(s); err != nil {
			return c, fmt.Errorf("-kv: %w", err)
		}
		c.kvs = append(c.kvs, strings.TrimSpace(s))
	}
	c.phases = map[string]bool{}
	for _, p := range strings.Split(phases, ",") {
		p = strings.TrimSpace(p)
		if p != "vram" && p != "fit" && p != "run" {
			return c, fmt.Errorf("-phases: unknown phase %q", p)
		}
		c.phases[p] = true
	}
	if c.phases["vram"] && c.corpusPath == "" {
		return c, errors.New("-corpus is required for the vram phase")
	}
	if c.phases["run"] && c.hearth == "" {
		return c, errors.New("-hearth is required for the run phase")
	}
	return c, nil
}

// kvEnv is the server environment of a KV cache type: f16 is Ollama's
// default (flash attention "auto"); a quantized cache needs flash
// attention on.
func kvEnv(kv string) (env []string, flash bool) {
	if kv == "f16" {
		return nil, false
	}
	return []string{"OLLAMA_FLASH_ATTENTION=1", "OLLAMA_KV_CACHE_TYPE=" + kv}, true
}

// bench is one gpubench run's shared state.
type bench struct {
	cfg      config
	log      *slog.Logger
	results  *Results
	gpu      *gpuReader
	srv      *ollamaServer
	template string
	corpus   *corpus
	created  map[string]bool
	deadline time.Time // zero: none
}

// late reports whether the budget is spent, and logs that it is each time
// it says so, so a cut-short run says why.
func (b *bench) late() bool {
	if b.deadline.IsZero() || time.Now().Before(b.deadline) {
		return false
	}
	b.log.Warn("budget spent: skipping the remaining measurements")
	return true
}

func run(ctx context.Context, args []string) error {
	cfg, err := parseFlags(args)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	tmpl, err := os.ReadFile(cfg.template)
	if err != nil {
		return err
	}
	res, err := OpenResults(filepath.Join(cfg.out, "results.jsonl"))
	if err != nil {
		return err
	}
	defer res.Close()
	work := cfg.work
	if work == "" {
		if work, err = os.MkdirTemp("", "gpubench-"); err != nil {
			return err
		}
		defer os.RemoveAll(work)
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	b := &bench{
		cfg: cfg, log: log, results: res, gpu: newGPUReader(), template: string(tmpl), created: map[string]bool{},
		srv: newOllamaServer(cfg.ollama, work, filepath.Join(cfg.out, "serve.log"), cfg.port),
	}
	defer b.gpu.Close()
	defer b.srv.stop()
	if cfg.budget > 0 {
		b.deadline = time.Now().Add(cfg.budget)
	}
	if cfg.corpusPath != "" {
		text, err := os.ReadFile(cfg.corpusPath)
		if err != nil {
			return err
		}
		if b.corpus, err = newCorpus(string(text)); err != nil {
			return fmt.Errorf("%s: %w", cfg.corpusPath, err)
		}
	}
	start := time.Now()
	var errs []error
	if cfg.phases["vram"] {
		for _, kv := range cfg.kvs {
			errs = append(errs, b.vramPhase(ctx, kv))
		}
	}
	if cfg.phases["fit"] {
		errs = append(errs, b.fitPhase(ctx))
	}
	if cfg.phases["run"] {
		errs = append(errs, b.runPhase(ctx))
	}
	b.srv.stop()
	res.Add(map[string]any{"phase": "end", "wallMs": ms(time.Since(start)), "errors": errStrings(errs)})
	if err := writeSummary(cfg.out); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// writeSummary renders results.jsonl as Markdown to stdout and summary.md.
func writeSummary(out string) error {
	f, err := os.Open(filepath.Join(out, "results.jsonl"))
	if err != nil {
		return err
	}
	defer f.Close()
	lines, err := ReadResults(f)
	if err != nil {
		return err
	}
	md := Summary(lines)
	fmt.Print(md)
	return os.WriteFile(filepath.Join(out, "summary.md"), []byte(md), 0o644)
}

func errStrings(errs []error) []string {
	var out []string
	for _, e := range errs {
		if e != nil {
			out = append(out, e.Error())
		}
	}
	return out
}

// ensureModels creates the models not yet created on this server's model
// store (it survives restarts, so each is created once).
func (b *bench) ensureModels(ctx context.Context) error {
	for _, m := range b.cfg.models {
		if b.created[m.name] {
			continue
		}
		t := time.Now()
		if err := b.srv.create(ctx, m.name, m.path, b.template, b.params()...); err != nil {
			return err
		}
		b.created[m.name] = true
		b.log.Info("created", "model", m.name, "in", time.Since(t).Round(time.Millisecond))
	}
	return nil
}

// params are the PARAMETER lines every model gets.
func (b *bench) params() []string {
	if b.cfg.numThread > 0 {
		return []string{fmt.Sprintf("num_thread %d", b.cfg.numThread)}
	}
	return nil
}

// runModelName creates, when answers are capped, a variant of the run
// model with num_predict set in its Modelfile (Hearth sends none), sharing
// its weights, and returns the name hearth run should use.
func (b *bench) runModelName(ctx context.Context) (string, error) {
	if b.cfg.numPredict <= 0 {
		return b.cfg.runModel, nil
	}
	for _, m := range b.cfg.models {
		if m.name == b.cfg.runModel {
			name := fmt.Sprintf("%s-np%d", m.name, b.cfg.numPredict)
			params := append(b.params(), fmt.Sprintf("num_predict %d", b.cfg.numPredict))
			if err := b.srv.create(ctx, name, m.path, b.template, params...); err != nil {
				return "", err
			}
			return name, nil
		}
	}
	return "", fmt.Errorf("-run-model %s is not one of -gguf's models, so its answers cannot be capped (or pass -run-num-predict 0)", b.cfg.runModel)
}
