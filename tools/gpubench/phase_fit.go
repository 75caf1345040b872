package main

import (
	"context"
	"fmt"
	"math"
	"time"
)

// fitFactors bracket Hearth's need: Ollama may use 1 % more (all layers
// should go to the GPU), then 1 % less (some should spill).
var fitFactors = []float64{1.01, 0.99}

// fitPhase checks, with the f16 cache, that Ollama offloads the whole
// model exactly when Hearth's need says it fits: OLLAMA_GPU_OVERHEAD hides
// all free memory but the need ± 1 %.
func (b *bench) fitPhase(ctx context.Context) error {
	if b.late() {
		return nil
	}
	if _, ok := b.gpu.nvml(ctx); !ok {
		for _, m := range b.cfg.models {
			for _, n := range b.cfg.ctxs {
				if err := b.results.Add(&FitRecord{Phase: "fit", Model: m.name, NumCtx: n, Skipped: "no NVML: free GPU memory unknown"}); err != nil {
					return err
				}
			}
		}
		return nil
	}
	env, flash := kvEnv("f16")
	if err := b.srv.start(ctx, "fit: predictions", env); err != nil {
		return err
	}
	if err := b.ensureModels(ctx); err != nil {
		b.srv.stop()
		return err
	}
	// Predictions first, with one server; each attempt restarts it.
	need := map[string]map[int]int64{}
	var skips []*FitRecord
	for _, m := range b.cfg.models {
		need[m.name] = map[int]int64{}
		for _, n := range b.cfg.ctxs {
			p, err := b.predictFor(ctx, m.name, "f16", flash, n)
			if err != nil {
				skips = append(skips, &FitRecord{Phase: "fit", Model: m.name, NumCtx: n, Skipped: "predict: " + err.Error()})
				continue
			}
			need[m.name][n] = p["needBytes"]
		}
	}
	b.srv.stop()
	for _, s := range skips {
		if err := b.results.Add(s); err != nil {
			return err
		}
	}
	for _, m := range b.cfg.models {
		for _, n := range b.cfg.ctxs {
			N, ok := need[m.name][n]
			if !ok {
				continue
			}
			if b.late() || ctx.Err() != nil {
				return ctx.Err()
			}
			rec := &FitRecord{Phase: "fit", Model: m.name, NumCtx: n, NeedBytes: N}
			for _, f := range fitFactors {
				// Free memory is read again before each attempt: the
				// last attempt's runner may still be letting go.
				a := b.fitAttempt(ctx, m.name, n, b.idleFree(ctx), N, f)
				rec.Attempts = append(rec.Attempts, a)
				if rec.FreeBytes == 0 {
					rec.FreeBytes = a.FreeBytes
				}
			}
			if err := b.results.Add(rec); err != nil {
				return err
			}
			b.log.Info("fit", "model", m.name, "num_ctx", n, "attempts", len(rec.Attempts))
		}
	}
	return nil
}

// fitAttempt loads the model on a server allowed round(need × factor)
// bytes of the free memory and reports where the layers went.
func (b *bench) fitAttempt(ctx context.Context, name string, numCtx int, free, need int64, factor float64) Attempt {
	a := Attempt{Factor: factor, Expected: factor >= 1, FreeBytes: free}
	a.OverheadBytes = free - int64(math.Round(float64(need)*factor))
	if a.OverheadBytes < 0 {
		a.Error = fmt.Sprintf("need × %.2f is more than the %d free bytes", factor, free)
		return a
	}
	env, _ := kvEnv("f16")
	env = append(env, fmt.Sprintf("OLLAMA_GPU_OVERHEAD=%d", a.OverheadBytes))
	if err := b.srv.start(ctx, fmt.Sprintf("fit %s num_ctx=%d factor=%.2f", name, numCtx, factor), env); err != nil {
		a.Error = err.Error()
		return a
	}
	defer b.srv.stop()
	if _, _, err := b.srv.load(ctx, name, numCtx); err != nil {
		a.Error = "load: " + err.Error()
		return a
	}
	ps, err := b.srv.ps(ctx, name)
	if err != nil {
		a.Error = "ps: " + err.Error()
		return a
	}
	a.PS = ps
	a.AllOnGPU = ps.SizeVRAM == ps.Size
	a.Layers = lastOffload(b.srv.currentLog())
	return a
}

// idleFree is NVML's free memory once no compute process holds the card
// (a stopped server's runner may take a moment to let go), or after ten
// seconds whatever it is then.
func (b *bench) idleFree(ctx context.Context) int64 {
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, _ := b.gpu.nvml(ctx)
		busy := false
		for _, d := range r.Devices {
			busy = busy || len(d.Processes) > 0
		}
		if !busy || time.Now().After(deadline) {
			return r.Free()
		}
		time.Sleep(250 * time.Millisecond)
	}
}
