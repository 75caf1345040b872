package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Summary renders results as Markdown: one table per phase, in the order
// the lines were measured.
func Summary(lines []Line) string {
	var b strings.Builder
	b.WriteString("# gpubench summary\n")
	var vr []*VRAMRecord
	var fit []*FitRecord
	var runs []*RunRecord
	var doctors, ends []map[string]any
	for _, l := range lines {
		switch {
		case l.VRAM != nil:
			vr = append(vr, l.VRAM)
		case l.Fit != nil:
			fit = append(fit, l.Fit)
		case l.Run != nil:
			runs = append(runs, l.Run)
		case l.Other["phase"] == "doctor":
			doctors = append(doctors, l.Other)
		case l.Other["phase"] == "end":
			ends = append(ends, l.Other)
		}
	}
	if len(vr) > 0 {
		vramTable(&b, vr)
	}
	if len(doctors) > 0 {
		b.WriteString("\n## hearth doctor\n\n")
		for _, d := range doctors {
			fmt.Fprintf(&b, "- kv %v: exit %v%s\n", d["kv"], orDash(d["exitCode"]), doctorNote(d))
		}
	}
	if len(fit) > 0 {
		fitTable(&b, fit)
	}
	if len(runs) > 0 {
		runTable(&b, runs)
	}
	for _, e := range ends {
		fmt.Fprintf(&b, "\nTotal time %s.", dur(num(e["wallMs"])))
		if errs, ok := e["errors"].([]any); ok && len(errs) > 0 {
			fmt.Fprintf(&b, " Errors: %d (see results.jsonl).", len(errs))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func vramTable(b *strings.Builder, rs []*VRAMRecord) {
	b.WriteString("\n## VRAM, speed and prompt cache\n\n")
	b.WriteString("Δ is GPU memory used minus the baseline with nothing loaded; \"peak\" is after the long prompt; the layers on the GPU are from the server log. TTFT is a follow-up turn's time to first token with the prompt cache warm / cold.\n\n")
	b.WriteString("| kv | model | num_ctx | /api/ps size | in VRAM | NVML Δ loaded | NVML Δ peak | nvidia-smi Δ peak | Hearth: ps size / GPU Δ / need | prompt tokens | prompt tok/s | gen tok/s | TTFT warm / cold | load |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, r := range rs {
		size, inVRAM := "–", "–"
		if r.PS != nil {
			size = mib(r.PS.Size)
			inVRAM = mib(r.PS.SizeVRAM)
			if r.Layers != "" {
				inVRAM += " (" + r.Layers + ")"
			}
			if r.PS.ContextLength != 0 && r.PS.ContextLength != r.NumCtx {
				size += fmt.Sprintf(" (ctx %d)", r.PS.ContextLength)
			}
		}
		hearth := "–"
		if r.Predict != nil {
			hearth = mib(r.Predict["ollamaBytes"]) + " / " + mib(r.Predict["usedBytes"]) + " / " + mib(r.Predict["needBytes"])
		}
		prompt, pps, gps := "–", "–", "–"
		if p := r.Prompt; p != nil {
			if p.Error != "" {
				prompt = "error"
			} else {
				prompt = fmt.Sprintf("%d of %d", p.PromptEvalCount, p.TargetTokens)
				pps, gps = strconv.FormatFloat(p.PromptTokensPerSec, 'f', 0, 64), strconv.FormatFloat(p.GenTokensPerSec, 'f', 1, 64)
			}
		}
		ttft := "–"
		if f := r.FollowUp; f != nil && f.Warm != nil && f.Cold != nil {
			ttft = turnMs(f.Warm) + " / " + turnMs(f.Cold)
		}
		row := []string{r.KV, r.Model, strconv.Itoa(r.NumCtx), size, inVRAM,
			delta(r.Loaded.NVMLUsedBytes, r.Baseline.NVMLUsedBytes, 1),
			delta(r.AfterPrompt.NVMLUsedBytes, r.Baseline.NVMLUsedBytes, 1),
			delta(r.AfterPrompt.SMIUsedMiB, r.Baseline.SMIUsedMiB, 1<<20),
			hearth, prompt, pps, gps, ttft, dur(r.LoadWallMs)}
		if len(r.Errors) > 0 {
			row[len(row)-1] += fmt.Sprintf(" (%d errors)", len(r.Errors))
		}
		fmt.Fprintf(b, "| %s |\n", strings.Join(row, " | "))
	}
}

func turnMs(t *Turn) string {
	if t.Error != "" {
		return "error"
	}
	if t.FirstContentMs == nil {
		return dur(t.FirstChunkMs) + "*"
	}
	return dur(*t.FirstContentMs)
}

func fitTable(b *strings.Builder, rs []*FitRecord) {
	b.WriteString("\n## Fit: does Ollama offload everything exactly when Hearth says the model fits?\n\n")
	b.WriteString("OLLAMA_GPU_OVERHEAD leaves Ollama Hearth's need × 1.01 (expect all layers on the GPU), then × 0.99 (expect a spill).\n\n")
	b.WriteString("| model | num_ctx | Hearth need | free | × 1.01 | × 0.99 | agrees |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, r := range rs {
		if r.Skipped != "" {
			fmt.Fprintf(b, "| %s | %d | %s | – | – | – | skipped: %s |\n", r.Model, r.NumCtx, mibOrDash(r.NeedBytes), r.Skipped)
			continue
		}
		cells := map[float64]string{}
		agrees := len(r.Attempts) > 0
		for _, a := range r.Attempts {
			switch {
			case a.Error != "":
				cells[a.Factor] = "error"
				agrees = false
			default:
				s := "spilled"
				if a.AllOnGPU {
					s = "all on GPU"
				}
				if a.Layers != "" {
					s += " (" + a.Layers + ")"
				}
				cells[a.Factor] = s
				agrees = agrees && a.AllOnGPU == a.Expected
			}
		}
		cell := func(f float64) string {
			if s, ok := cells[f]; ok {
				return s
			}
			return "–"
		}
		fmt.Fprintf(b, "| %s | %d | %s | %s | %s | %s | %s |\n", r.Model, r.NumCtx, mib(r.NeedBytes), mib(r.FreeBytes), cell(1.01), cell(0.99), yesNo(agrees))
	}
}

func runTable(b *strings.Builder, rs []*RunRecord) {
	b.WriteString("\n## hearth run: Hearth's own time per turn\n\n")
	b.WriteString("Overhead is wall time with no request to Ollama open. The model has random weights, so its answers are gibberish and a run usually ends after one turn (exit 1, task not completed, is expected). Run 0 is the warm-up (model load), left out of the mean.\n\n")
	b.WriteString("| run | task | exit | wall | requests (by path) | turns | Σ /api/chat | overhead | per turn | % of chat |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	var sumOver, sumChat float64
	var turns, n int
	for _, r := range rs {
		paths := make([]string, 0, len(r.Paths))
		for p, t := range r.Paths {
			paths = append(paths, fmt.Sprintf("%s %d", strings.TrimPrefix(p, "/api/"), t.Count))
		}
		sort.Strings(paths)
		exit := strconv.Itoa(r.ExitCode)
		if r.Error != "" {
			exit += " (" + r.Error + ")"
		}
		fmt.Fprintf(b, "| %d | %s | %s | %s | %d (%s) | %d | %s | %s | %s | %.1f %% |\n",
			r.Index, r.Task, exit, dur(r.WallMs), r.Requests, strings.Join(paths, ", "), r.Turns, dur(r.ChatMs), dur(r.OverheadMs), dur(r.OverheadPerTurn), r.OverheadPct)
		if r.Index > 0 && r.Error == "" {
			sumOver += r.OverheadMs
			sumChat += r.ChatMs
			turns += r.Turns
			n++
		}
	}
	if n > 0 && turns > 0 {
		fmt.Fprintf(b, "\nOver %d runs (warm-up left out): %d turns, overhead %s per turn, %.1f %% of the model's time.\n", n, turns, dur(sumOver/float64(turns)), 100*sumOver/sumChat)
	}
}

func doctorNote(d map[string]any) string {
	var notes []string
	if _, ok := d["report"]; ok {
		notes = append(notes, "JSON report in results.jsonl")
	}
	if e, ok := d["error"].(string); ok && e != "" {
		notes = append(notes, e)
	}
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, "; ") + ")"
}

// delta is a − b in MiB (scale is the bytes per unit of a and b), or "–"
// when either is unknown.
func delta(a, b *int64, scale int64) string {
	if a == nil || b == nil {
		return "–"
	}
	return mib((*a - *b) * scale)
}

func mibOrDash(n int64) string {
	if n == 0 {
		return "–"
	}
	return mib(n)
}

// mib formats bytes as whole MiB with thousands separators.
func mib(n int64) string {
	v := n / (1 << 20)
	if n < 0 {
		v = -((-n) / (1 << 20))
	}
	return group(v) + " MiB"
}

func group(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []string
	for len(s) > 3 {
		out = append([]string{s[len(s)-3:]}, out...)
		s = s[:len(s)-3]
	}
	out = append([]string{s}, out...)
	r := strings.Join(out, ",")
	if neg {
		r = "-" + r
	}
	return r
}

// dur formats milliseconds: "850 ms", "2.31 s".
func dur(ms float64) string {
	if ms < 1000 && ms > -1000 {
		return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
	}
	return strconv.FormatFloat(ms/1000, 'f', 2, 64) + " s"
}

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

func orDash(v any) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprint(v)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
