// Command hearth is Hearth's one binary: the language server and the
// headless CLI over the same engine. It holds flag parsing and wiring only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand.
type command struct {
	name    string
	usage   string // the argument synopsis after the name
	summary string
	// run parses args with fs and does the work; it returns the exit status.
	run func(ctx context.Context, env *env, fs *flag.FlagSet, args []string) int
}

// env is what a subcommand may touch, so tests can run it in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// commands is the CLI, one line per subcommand.
var commands = []command{
	{"serve", "", "run the language server on stdin/stdout (VS Code starts this)", runServe},
	{"run", "[flags] \"task\"", "run one agent task headless and print its events", runRun},
	{"doctor", "[flags]", "check the GPU, Ollama and models, and plan what fits this card", runDoctor},
	{"snapshot", "create|list|restore|diff [flags] [args]", "create, list, restore and diff workspace snapshots", runSnapshot},
	{"apply", "[flags] [FILE|-]", "apply a model's edit blocks or a unified diff to the workspace", runApply},
	{"version", "", "print the version", runVersion},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	os.Exit(dispatch(ctx, e, os.Args[1:]))
}

// Exit statuses shared by the subcommands.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func dispatch(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			return dispatch(ctx, e, []string{args[1], "--help"})
		}
		usage(e.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		args[0] = "version"
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		fs := flag.NewFlagSet("hearth "+c.name, flag.ContinueOnError)
		fs.SetOutput(e.stderr)
		fs.Usage = func() {
			fmt.Fprintf(fs.Output(), "usage: hearth %s %s\n\n%s.\n", c.name, c.usage, capitalize(c.summary))
			if hasFlags(fs) {
				fmt.Fprintln(fs.Output(), "\nflags:")
				fs.PrintDefaults()
			}
		}
		return c.run(ctx, e, fs, args[1:])
	}
	fmt.Fprintf(e.stderr, "hearth: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return exitUsage
}

// parse parses flags, printing help to stdout for --help (exit 0) and an
// error plus usage to stderr for bad flags (exit 2). ok is false when the
// caller should return status.
func parse(e *env, fs *flag.FlagSet, args []string) (status int, ok bool) {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(e.stdout)
		fs.Usage()
		return exitOK, false
	}
	if err != nil {
		return exitUsage, false
	}
	return 0, true
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Hearth: a local-first coding agent for VS Code, on your own GPU through Ollama.")
	fmt.Fprintln(w, "\nusage: hearth <command> [flags] [args]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'hearth <command> --help' for a command's flags.")
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

func runVersion(ctx context.Context, e *env, fs *flag.FlagSet, args []string) int {
	if st, ok := parse(e, fs, args); !ok {
		return st
	}
	fmt.Fprintf(e.stdout, "hearth %s\n", version)
	return exitOK
}
