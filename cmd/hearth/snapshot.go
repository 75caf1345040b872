package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/hearth-dev/hearth/internal/statedir"
	"github.com/hearth-dev/hearth/snapshot"
)

func runSnapshot(ctx context.Context, e *env, fs *flag.FlagSet, args []string) int {
	workspace := fs.String("workspace", ".", "the workspace `dir`ectory")
	label := fs.String("label", "", "create: a label for the snapshot")
	asJSON := fs.Bool("json", false, "list: print JSON")
	loadSettings := settingsFlag(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: hearth snapshot create|list|restore|diff [flags] [args]

  hearth snapshot create [--workspace DIR] [--label L]      take a full snapshot; prints its id last
  hearth snapshot list [--workspace DIR] [--json]          list snapshots, newest first
  hearth snapshot restore [--workspace DIR] ID [PATH...]   restore all, or only PATHs; undoable
  hearth snapshot diff [--workspace DIR] ID [ID2]          unified diff from ID to ID2 or the workspace

flags:
`)
		fs.PrintDefaults()
	}
	if len(args) == 0 {
		fs.Usage()
		return exitUsage
	}
	verb := args[0]
	if verb == "-h" || verb == "--help" || verb == "help" {
		fs.SetOutput(e.stdout)
		fs.Usage()
		return exitOK
	}
	switch verb {
	case "create", "list", "restore", "diff":
	default:
		return usageError(e, fs, fmt.Sprintf("unknown verb %q", verb))
	}
	if st, ok := parse(e, fs, args[1:]); !ok {
		return st
	}
	cfg, err := loadSettings()
	if err != nil {
		fmt.Fprintln(e.stderr, "hearth snapshot:", err)
		return exitUsage
	}
	root, err := workspaceRoot(*workspace)
	if err != nil {
		fmt.Fprintln(e.stderr, "hearth snapshot:", err)
		return exitUsage
	}
	dir, err := statedir.Resolve(cfg.StateDir, root, e.getenv)
	if err != nil {
		fmt.Fprintln(e.stderr, "hearth snapshot:", err)
		return exitFailure
	}
	store, err := snapshot.Open(dir, root, snapshot.Options{MaxFileBytes: cfg.Snapshots.MaxFileBytes, KeepSessions: cfg.Snapshots.KeepSessions, MaxStoreBytes: cfg.Snapshots.MaxStoreBytes})
	if err != nil {
		fmt.Fprintln(e.stderr, "hearth snapshot:", err)
		return exitFailure
	}
	defer store.Close()
	rest := fs.Args()
	switch verb {
	case "create":
		if len(rest) != 0 {
			return usageError(e, fs, "create takes no arguments")
		}
		info, err := store.Full(ctx, snapshot.Meta{Label: *label})
		if err != nil {
			fmt.Fprintln(e.stderr, "hearth snapshot create:", err)
			return exitFailure
		}
		for _, s := range info.Skipped {
			fmt.Fprintf(e.stderr, "skipped (over the size limit): %s\n", s)
		}
		fmt.Fprintf(e.stdout, "%d files, %s\n%s\n", info.Files, humanBytes(info.Bytes), info.ID)
	case "list":
		if len(rest) != 0 {
			return usageError(e, fs, "list takes no arguments")
		}
		list, err := store.List()
		if err != nil {
			fmt.Fprintln(e.stderr, "hearth snapshot list:", err)
			if len(list) == 0 {
				return exitFailure
			}
		}
		if *asJSON {
			out := make([]map[string]any, 0, len(list))
			for _, i := range list {
				out = append(out, map[string]any{"id": i.ID, "createdAt": i.CreatedAt.UTC().Format(time.RFC3339), "label": i.Label,
					"kind": i.Kind, "sessionId": i.SessionID, "files": i.Files, "bytes": i.Bytes})
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			enc.Encode(out)
			return exitOK
		}
		for _, i := range list {
			fmt.Fprintf(e.stdout, "%s  %s  %-7s %5d files %9s  %s\n", i.ID, i.CreatedAt.Local().Format("2006-01-02 15:04:05"), i.Kind, i.Files, humanBytes(i.Bytes), i.Label)
		}
	case "restore":
		if len(rest) == 0 {
			return usageError(e, fs, "restore needs a snapshot id")
		}
		res, err := store.Restore(ctx, rest[0], rest[1:])
		if err != nil {
			fmt.Fprintln(e.stderr, "hearth snapshot restore:", err)
			return exitFailure
		}
		for _, p := range res.Restored {
			fmt.Fprintln(e.stdout, "restored", p)
		}
		for _, p := range res.Deleted {
			fmt.Fprintln(e.stdout, "deleted ", p)
		}
		fmt.Fprintf(e.stdout, "undo with: hearth snapshot restore %s\n", res.SafetyID)
	case "diff":
		if len(rest) < 1 || len(rest) > 2 {
			return usageError(e, fs, "diff needs one or two snapshot ids")
		}
		to := ""
		if len(rest) == 2 {
			to = rest[1]
		}
		d, err := store.Diff(ctx, rest[0], to)
		if err != nil {
			fmt.Fprintln(e.stderr, "hearth snapshot diff:", err)
			return exitFailure
		}
		fmt.Fprint(e.stdout, d)
	}
	return exitOK
}

func usageError(e *env, fs *flag.FlagSet, msg string) int {
	fmt.Fprintln(e.stderr, "hearth snapshot:", msg)
	fs.Usage()
	return exitUsage
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
