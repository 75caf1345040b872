package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hearth-dev/hearth/actions"
	"github.com/hearth-dev/hearth/internal/statedir"
	"github.com/hearth-dev/hearth/snapshot"
)

func runApply(ctx context.Context, e *env, fs *flag.FlagSet, args []string) int {
	workspace := fs.String("workspace", ".", "the workspace `dir`ectory; edits outside it are refused")
	dryRun := fs.Bool("dry-run", false, "check every block and print what would change, writing nothing")
	if st, ok := parse(e, fs, args); !ok {
		return st
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(e.stderr, "hearth apply: give at most one input file (or - for standard input)")
		return exitUsage
	}
	root, err := workspaceRoot(*workspace)
	if err != nil {
		fmt.Fprintln(e.stderr, "hearth apply:", err)
		return exitUsage
	}
	input, err := readInput(e, fs.Arg(0))
	if err != nil {
		fmt.Fprintln(e.stderr, "hearth apply:", err)
		return exitUsage
	}
	edits, err := actions.Parse(string(input))
	if err != nil || len(edits) == 0 {
		fmt.Fprintln(e.stderr, "hearth apply: no edit blocks found: expected SEARCH/REPLACE blocks, a unified diff or a named fenced file")
		return exitFailure
	}
	res, err := actions.Prepare(root, nil, edits)
	if err == nil && !*dryRun {
		if err = checkpoint(ctx, e, root, res.Changes); err == nil {
			err = actions.Write(root, res.Changes)
		}
	}
	fmt.Fprint(e.stdout, res.Feedback())
	if *dryRun {
		for _, c := range res.Changes {
			fmt.Fprint(e.stdout, "\n", c.Diff())
		}
	}
	var applyErr *actions.ApplyError
	switch {
	case errors.As(err, &applyErr):
		return exitFailure
	case err != nil:
		fmt.Fprintln(e.stderr, "hearth apply:", err)
		return exitFailure
	}
	return exitOK
}

// readInput reads the named file, or standard input for "" or "-".
func readInput(e *env, name string) ([]byte, error) {
	if name == "" || name == "-" {
		return io.ReadAll(e.stdin)
	}
	return os.ReadFile(name)
}

// workspaceRoot makes dir absolute and checks that it is a directory.
func workspaceRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("workspace: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("workspace %s is not a directory", abs)
	}
	return abs, nil
}

// checkpoint snapshots the files an apply is about to change, so `hearth
// snapshot restore` can undo it.
func checkpoint(ctx context.Context, e *env, root string, changes []actions.FileChange) error {
	dir, err := statedir.Resolve("", root, e.getenv)
	if err != nil {
		return err
	}
	store, err := snapshot.Open(dir, root, snapshot.Options{})
	if err != nil {
		return err
	}
	defer store.Close()
	paths := make([]string, 0, len(changes))
	for _, c := range changes {
		paths = append(paths, c.Path)
	}
	info, err := store.Checkpoint(ctx, paths, snapshot.Meta{Label: "before hearth apply"})
	if err != nil {
		return fmt.Errorf("snapshot before applying: %w", err)
	}
	fmt.Fprintf(e.stderr, "snapshot %s taken; undo with: hearth snapshot restore %s\n", info.ID, info.ID)
	return nil
}
