// Command fake-ollama serves the scripted fake Ollama of package
// llm/fakeollama on a real port, for the Node and VS Code tests; it holds
// no logic of its own beyond flags, the listener and shutdown.
//
// Usage:
//
//	fake-ollama --addr 127.0.0.1:0 --script script.json [--models models.json] [--record requests.jsonl]
//
// The first line on stdout is "listening on http://HOST:PORT". It exits on
// SIGTERM or SIGINT, or when stdin closes (so a test harness that dies
// takes it along).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hearth-dev/hearth/llm/fakeollama"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fake-ollama:", err)
		os.Exit(2)
	}
}

// run serves until ctx ends or stdin reaches EOF.
func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("fake-ollama", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on")
	scriptPath := fs.String("script", "", "JSON script of replies (required)")
	modelsPath := fs.String("models", "", "JSON catalogue of models (default: one qwen2.5-coder:7b)")
	recordPath := fs.String("record", "", "append every request to this file as JSON lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scriptPath == "" {
		return errors.New("--script is required")
	}
	script, err := fakeollama.LoadScript(*scriptPath)
	if err != nil {
		return err
	}
	cfg := fakeollama.Config{Script: script}
	if *modelsPath != "" {
		if cfg.Models, err = fakeollama.LoadModels(*modelsPath); err != nil {
			return err
		}
	}
	if *recordPath != "" {
		f, err := os.OpenFile(*recordPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		cfg.Record = f
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fake := fakeollama.New(cfg)
	srv := &http.Server{Handler: fake.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())

	stdinClosed := make(chan struct{})
	go func() {
		io.Copy(io.Discard, stdin)
		close(stdinClosed)
	}()
	select {
	case <-ctx.Done():
	case <-stdinClosed:
	case err := <-served:
		return err
	}
	// Scripted waits end at once so shutdown does not wait for them.
	fake.Close()
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		srv.Close()
	}
	return nil
}
