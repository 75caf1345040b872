package doctor

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/hearth-dev/hearth/vram"
)

// WriteText writes the report for people: state first, then the plan
// table, then the pick with its arithmetic.
func (r Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	p := func(format string, a ...any) { fmt.Fprintf(ew, format, a...) }

	switch {
	case r.Ollama.Reachable && r.Ollama.Error != "":
		p("Ollama   %s: version %s, but %s\n", r.Ollama.URL, r.Ollama.Version, r.Ollama.Error)
	case r.Ollama.Reachable:
		p("Ollama   %s: version %s\n", r.Ollama.URL, r.Ollama.Version)
	default:
		p("Ollama   %s: NOT REACHABLE (%s); start it with `ollama serve` or set OLLAMA_HOST\n", r.Ollama.URL, r.Ollama.Error)
	}

	g := r.GPUs
	switch g.Source {
	case vram.SourceNone:
		p("GPU      none found (no NVIDIA driver or nvidia-smi); plan for a card with --vram 12GB\n")
	case vram.SourceOverride:
		p("GPU      planning for a %s card (--vram), not the one in this machine\n", vram.FormatBytes(g.TotalBytes))
	case vram.SourceOllama:
		p("GPU      seen only through Ollama: its models hold %s; card size unknown, plan with --vram\n", vram.FormatBytes(sumUsed(g.Devices)))
	default:
		for _, d := range g.Devices {
			p("GPU %d    %s (%s): %s total, %s used, %s free", d.Index, d.Name, g.Source,
				vram.FormatBytes(d.TotalBytes), vram.FormatBytes(d.UsedBytes), vram.FormatBytes(d.FreeBytes))
			if d.ReservedBytes > 0 {
				p(", %s reserved by the driver", vram.FormatBytes(d.ReservedBytes))
			}
			p("\n")
		}
	}
	for _, n := range g.Notes {
		p("         note: %s\n", n)
	}
	switch {
	case g.BudgetBytes > 0 && g.Source == vram.SourceOverride:
		p("Budget   %s for a model (the whole card)\n", vram.FormatBytes(g.BudgetBytes))
	case g.BudgetBytes > 0:
		p("Budget   %s for a model (free memory plus what Ollama's loaded models hold)\n", vram.FormatBytes(g.BudgetBytes))
	}
	fa := "off"
	if r.Settings.FlashAttention {
		fa = "on"
	}
	p("Server   KV cache %s, flash attention %s (Hearth settings vram.kvCacheType, vram.flashAttention)\n", r.Settings.CacheType, fa)

	if len(r.Models) > 0 {
		p("\nInstalled models\n")
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		for _, m := range r.Models {
			line := fmt.Sprintf("  %s\t%s\t%s\t%s\t%s", m.Name, m.Family, m.Parameters, m.Quantization, vram.FormatBytes(m.SizeBytes))
			if m.Problem != "" {
				line += "\t(" + m.Problem + ")"
			}
			fmt.Fprintln(tw, line)
		}
		tw.Flush()
	}
	if len(r.Loaded) > 0 {
		p("\nLoaded models\n")
		for _, m := range r.Loaded {
			where := fmt.Sprintf("%d %% in VRAM", m.VRAMPercent)
			if m.VRAMPercent < 100 && m.SizeBytes > 0 {
				where += fmt.Sprintf(", %s in system RAM", vram.FormatBytes(m.SizeBytes-m.VRAMBytes))
			}
			p("  %s: %s of %s, context %s, unloads at %s\n", m.Name, where, vram.FormatBytes(m.SizeBytes),
				vram.FormatTokens(m.ContextLength), m.ExpiresAt.UTC().Format("15:04 MST"))
		}
	}

	p("\nPlan (KV cache %s)\n", r.Settings.CacheType)
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  model\tquant\tweights\tfits\tKV/token\tmax ctx\tnum_ctx\tq8_0 KV\tq4_0 KV\t")
	for _, c := range r.Plan {
		fits := "no"
		switch {
		case c.Fits:
			fits = "yes"
		case c.PartialOffload != nil:
			fits = fmt.Sprintf("%d%% GPU", c.PartialOffload.GPUPercent)
		}
		name := c.Model
		if c.Installed {
			name += " *"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name, c.Quantization, vram.FormatBytes(c.WeightsBytes), fits,
			commas(c.KVBytesPerToken), ctx(c.MaxContext), ctx(c.RecommendedNumCtx), cacheCtx(c, vram.CacheQ8_0), cacheCtx(c, vram.CacheQ4_0))
	}
	tw.Flush()
	p("  (* installed; max ctx is the largest context that fits, num_ctx %d %% of it in %s-token steps;\n   q8_0/q4_0 KV: num_ctx with a quantized KV cache, which needs OLLAMA_FLASH_ATTENTION=1)\n",
		int(vram.SafeFraction*100), commas(vram.Bucket))

	if n := r.Settings.NumCtx; n > 0 {
		p("\nAt num_ctx %s (installed models)\n", commas(int64(n)))
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  model	fits	needs free	Ollama reports	GPU will show	")
		for _, c := range r.Plan {
			if !c.Installed || c.Footprint == nil || c.FitsAtNumCtx == nil {
				continue
			}
			fits := "no"
			if *c.FitsAtNumCtx {
				fits = "yes"
			}
			f := c.Footprint
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t\n", c.Model, fits, vram.FormatBytes(f.NeedBytes), vram.FormatBytes(f.OllamaBytes), vram.FormatBytes(f.UsedBytes))
		}
		tw.Flush()
		p("  (needs free: what Ollama wants free to put every layer on the GPU; Ollama reports: /api/ps size;\n   GPU will show: the runner's memory as nvidia-smi shows it, CUDA context included)\n")
	}

	p("\nRecommendation\n")
	if r.Best == nil {
		if g.BudgetBytes <= 0 {
			p("  none: no GPU memory to plan with; run with --vram SIZE (e.g. --vram 12GB) to plan for a card\n")
		} else {
			p("  none: no candidate fits this card whole; a smaller model, or --partial-offload to consider splitting one\n")
		}
		return ew.err
	}
	b := r.Best
	p("  %s with num_ctx %d\n", b.Model, b.NumCtx)
	p("  why: %s\n", b.Reason)
	p("  arithmetic: %s\n", b.Arithmetic)
	if b.Pull != "" {
		p("  install: %s\n", b.Pull)
		if b.BestInstalled != "" {
			p("  best already installed: %s\n", b.BestInstalled)
		}
	}
	return ew.err
}

func ctx(n int) string {
	if n == 0 {
		return "-"
	}
	return vram.FormatTokens(n)
}

func cacheCtx(c Candidate, t vram.CacheType) string {
	for _, f := range c.ByCacheType {
		if f.CacheType == t {
			if strings.HasPrefix(f.Note, "Ollama keeps f16") {
				return "f16 only"
			}
			return ctx(f.RecommendedNumCtx)
		}
	}
	return "-"
}

func sumUsed(ds []vram.Device) int64 {
	var n int64
	for _, d := range ds {
		n += d.UsedBytes
	}
	return n
}

// errWriter keeps the first write error so the text can be written
// without checking each line.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	e.err = err
	return n, err
}
