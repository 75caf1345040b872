package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/ollama/ollama/api"

	"github.com/hearth-dev/hearth/doctor"
	"github.com/hearth-dev/hearth/internal/engine"
	"github.com/hearth-dev/hearth/vram"
)

func runDoctor(ctx context.Context, e *env, fs *flag.FlagSet, args []string) int {
	asJSON := fs.Bool("json", false, "print the report as JSON")
	vramSize := fs.String("vram", "", "plan for a card with this much memory (such as 12GB) instead of the one present")
	partial := fs.Bool("partial-offload", false, "also consider models that fit only with some layers in system RAM")
	pull := fs.String("pull", "", "pull this `model` from the Ollama library first, showing progress")
	numCtx := fs.Int("num-ctx", 0, "predict each model's GPU memory at this context `size` instead of the recommended one")
	loadSettings := settingsFlag(fs)
	if st, ok := parse(e, fs, args); !ok {
		return st
	}
	cfg, err := loadSettings()
	if err != nil {
		fmt.Fprintln(e.stderr, "hearth doctor:", err)
		return exitUsage
	}
	if *numCtx < 0 {
		fmt.Fprintf(e.stderr, "hearth doctor: --num-ctx %d: want a positive number of tokens\n", *numCtx)
		return exitUsage
	}
	opts := doctor.Options{OllamaURL: cfg.OllamaURL(), FlashAttention: cfg.VRAM.FlashAttention, PartialOffload: *partial, NumCtx: *numCtx}
	if opts.CacheType, err = vram.ParseCacheType(cfg.VRAM.KVCacheType); err != nil {
		fmt.Fprintln(e.stderr, "hearth doctor:", err)
		return exitUsage
	}
	if *vramSize != "" {
		if opts.VRAMBytes, err = vram.ParseSize(*vramSize); err != nil {
			fmt.Fprintf(e.stderr, "hearth doctor: --vram %s: %v\n", *vramSize, err)
			return exitUsage
		}
	}
	client, err := engine.Client(cfg, nil)
	if err != nil {
		fmt.Fprintln(e.stderr, "hearth doctor:", err)
		return exitUsage
	}
	if *pull != "" {
		if err := pullModel(ctx, e, client.Pull, *pull); err != nil {
			fmt.Fprintln(e.stderr, "hearth doctor:", err)
			return exitFailure
		}
	}
	opts.Ollama = client
	prober := &vram.Prober{}
	defer prober.Close()
	opts.GPU = prober
	report := doctor.Run(ctx, opts)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return exitFailure
		}
		return exitOK
	}
	if err := report.WriteText(e.stdout); err != nil {
		return exitFailure
	}
	return exitOK
}

// pullModel pulls a model, printing progress a line per status change and
// a percentage while layers download.
func pullModel(ctx context.Context, e *env, pull func(context.Context, *api.PullRequest, api.PullProgressFunc) error, name string) error {
	last, lastPct := "", -1
	err := pull(ctx, &api.PullRequest{Model: name}, func(p api.ProgressResponse) error {
		pct := -1
		if p.Total > 0 {
			pct = int(p.Completed * 100 / p.Total)
		}
		if p.Status != last || (pct >= 0 && pct/10 != lastPct/10) {
			if pct >= 0 {
				fmt.Fprintf(e.stderr, "pull %s: %s %d%%\n", name, p.Status, pct)
			} else {
				fmt.Fprintf(e.stderr, "pull %s: %s\n", name, p.Status)
			}
			last, lastPct = p.Status, pct
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pull %s: %w", name, err)
	}
	return nil
}
