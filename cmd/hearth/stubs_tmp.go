package main

import (
	"context"
	"flag"

	"github.com/hearth-dev/hearth/actions"
)

func runRun(ctx context.Context, e *env, fs *flag.FlagSet, args []string) int      { return parseOnly(e, fs, args) }
func runDoctor(ctx context.Context, e *env, fs *flag.FlagSet, args []string) int   { return parseOnly(e, fs, args) }
func runSnapshot(ctx context.Context, e *env, fs *flag.FlagSet, args []string) int { return parseOnly(e, fs, args) }
func parseOnly(e *env, fs *flag.FlagSet, args []string) int {
	st, _ := parse(e, fs, args)
	return st
}

func checkpoint(ctx context.Context, e *env, root string, changes []actions.FileChange) error { return nil }
