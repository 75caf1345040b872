package main

import (
	"context"
	"flag"
	"log/slog"
	"os"

	"github.com/hearth-dev/hearth/server"
)

func runServe(ctx context.Context, e *env, fs *flag.FlagSet, args []string) int {
	level := fs.String("log-level", "info", "log level on stderr: debug, info, warn or error")
	fs.Bool("stdio", true, "talk LSP over stdin/stdout (the only transport; accepted for clients that pass it)")
	if st, ok := parse(e, fs, args); !ok {
		return st
	}
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		fs.Usage()
		return exitUsage
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: lv}))
	in, out := e.stdin, e.stdout
	if e.stdin == os.Stdin {
		// stdout belongs to the protocol: nothing else may print there.
		in, out = os.Stdin, os.Stdout
	}
	return server.Run(ctx, in, out, server.Options{Version: version, Logger: log, Getenv: e.getenv})
}
