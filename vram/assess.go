package vram

import (
	"fmt"
	"math"
	"strings"
)

// Health is the overall state shown by the status item.
type Health string

// The health levels, as on the wire.
const (
	HealthOK      Health = "ok"
	HealthWarning Health = "warning"
	HealthError   Health = "error"
)

// Thresholds of Assess.
const (
	// LowHeadroomBytes: with less VRAM free than this, a longer prompt or
	// another program's allocation spills the model (the seed guide asks
	// for 0.5-1 GB of headroom).
	LowHeadroomBytes int64 = 512 << 20
	// FullContextFraction of the window in use warns that Ollama will soon
	// drop the oldest messages without telling anyone.
	FullContextFraction = 0.90
)

// ModelSpec is what Assess needs to know about the session's model.
type ModelSpec struct {
	Name         string
	Shape        Shape
	WeightsBytes int64
	// Weights is the split of WeightsBytes between GPU and system RAM;
	// zero when the tensors are unknown.
	Weights Weights
	// Quantization is Ollama's quantization_level, such as Q8_0 or Q4_K_M.
	Quantization string
}

// Observation is everything Assess looks at, gathered by the caller.
type Observation struct {
	GPU Reading
	// OllamaURL and OllamaErr: a non-nil OllamaErr means Ollama did not
	// answer.
	OllamaURL string
	OllamaErr error
	// Loaded is Ollama's /api/ps.
	Loaded []Loaded
	// Model is the session's model; nil when none is chosen or its
	// metadata is unknown (Name may still be set through ModelName).
	Model     *ModelSpec
	ModelName string
	// RequestedNumCtx is the num_ctx Hearth asks for; UsedTokens the
	// tokens the session's last prompt took.
	RequestedNumCtx int
	UsedTokens      int
	// CacheType and FlashAttention are the vram.* settings.
	CacheType      CacheType
	FlashAttention bool
}

// Assessment is the status item's verdict.
type Assessment struct {
	Health Health `json:"health"`
	// Message says what is wrong and what to do about it, or how things
	// stand; Problems lists every warning, most urgent first, and Message
	// starts with the first.
	Message  string   `json:"message"`
	Problems []string `json:"problems,omitempty"`
	// HeadroomBytes is the VRAM left with the model loaded (NVML's free
	// memory), or that will be once it loads (budget − Footprint.UsedBytes);
	// MaxContextTokens the largest context that fits.
	// Both are zero when no card size is known.
	HeadroomBytes    int64 `json:"headroomBytes"`
	MaxContextTokens int   `json:"maxContextTokens"`
	// ContextLimit is the window in force: what Ollama allocated when the
	// model is loaded, else what Hearth asks for.
	ContextLimit int `json:"contextLimit"`
	// Fit is the estimate for the session's model, when known.
	Fit *Fit `json:"fit,omitempty"`
}

// Assess turns an observation into health and a message that says what to
// do. It is pure: the same observation gives the same verdict.
func Assess(o Observation) Assessment {
	name := o.ModelName
	if o.Model != nil && o.Model.Name != "" {
		name = o.Model.Name
	}
	a := Assessment{ContextLimit: o.RequestedNumCtx}
	if o.OllamaErr != nil {
		a.Health = HealthError
		url := o.OllamaURL
		if url == "" {
			url = "its address"
		}
		a.Message = fmt.Sprintf("Ollama is not reachable at %s (%v): start it with `ollama serve` or set hearth.ollama.host", url, o.OllamaErr)
		a.Problems = []string{a.Message}
		return a
	}

	loaded, isLoaded := FindLoaded(o.Loaded, name)
	if isLoaded && loaded.ContextLength > 0 {
		a.ContextLimit = loaded.ContextLength
	}
	hasSize := o.GPU.Usable() > 0

	var fit *Fit
	var in FitInput
	if o.Model != nil && hasSize {
		in = FitInput{
			Shape:          o.Model.Shape,
			WeightsBytes:   o.Model.WeightsBytes,
			Weights:        o.Model.Weights,
			CacheType:      o.CacheType,
			FlashAttention: o.FlashAttention,
			BudgetBytes:    Budget(o.GPU, o.Loaded),
			Cards:          len(o.GPU.Devices),
		}
		f := Estimate(in)
		fit = &f
		a.Fit = fit
		a.MaxContextTokens = f.MaxContext
	}
	// Before the model loads, headroom is what NVML will show free once it
	// has: the budget less the runner's predicted use. Whether Ollama puts
	// every layer on the GPU is a different test, against what its
	// scheduler wants free, which is more (its compute-graph reservation
	// assumes no flash attention, and it keeps margins).
	var willSpill string
	switch {
	case !hasSize:
	case isLoaded || name == "" || fit == nil:
		a.HeadroomBytes = o.GPU.Free()
	default:
		n := o.RequestedNumCtx
		if n <= 0 {
			n = fit.RecommendedNumCtx
		}
		if n <= 0 {
			n = FloorContext // nothing fits: say so at the smallest context worth having
		}
		p := Predict(in, n)
		n = p.NumCtx
		a.HeadroomBytes = in.BudgetBytes - p.UsedBytes
		if p.NeedBytes > in.BudgetBytes {
			fix := "use a smaller model"
			if fit.RecommendedNumCtx > 0 && fit.RecommendedNumCtx < n {
				fix = "lower the context to " + FormatTokens(fit.RecommendedNumCtx)
			} else if q := SmallerQuantization(o.Model.Quantization); q != "" {
				fix = "use the " + q + " build"
			}
			willSpill = fmt.Sprintf("%s will not fit whole on the GPU with %s of context: Ollama wants %s free and %s is, so it would put layers in system RAM and run several times slower; %s",
				name, FormatTokens(n), FormatBytes(p.NeedBytes), FormatBytes(in.BudgetBytes), fix)
		}
	}

	// Spills first: they cost the most speed (the seed guide's 30-50x).
	for _, m := range o.Loaded {
		if m.SpilledBytes() == 0 || (m.VRAMBytes == 0 && !o.GPU.HasGPU()) {
			continue
		}
		a.Problems = append(a.Problems, spillAdvice(m, o, fit))
	}
	if isLoaded && o.RequestedNumCtx > 0 && loaded.ContextLength > 0 && loaded.ContextLength < o.RequestedNumCtx {
		a.Problems = append(a.Problems, fmt.Sprintf(
			"Ollama allocated %s of context to %s, not the %s Hearth asked for (the model's limit or the server's settings cap it): older messages will be cut silently; set hearth.model.numCtx to %s or less",
			FormatTokens(loaded.ContextLength), name, FormatTokens(o.RequestedNumCtx), FormatTokens(loaded.ContextLength)))
	}
	if willSpill != "" {
		a.Problems = append(a.Problems, willSpill)
	} else if hasSize && a.HeadroomBytes < LowHeadroomBytes {
		msg := fmt.Sprintf("only %s of VRAM left", FormatBytes(max(a.HeadroomBytes, 0)))
		if a.HeadroomBytes < 0 {
			msg = fmt.Sprintf("VRAM is %s short", FormatBytes(-a.HeadroomBytes))
		}
		if !isLoaded && name != "" {
			msg += " once " + name + " loads"
		}
		advice := "close other GPU programs or lower the context"
		if fit != nil && fit.RecommendedNumCtx > 0 && fit.RecommendedNumCtx < a.ContextLimit {
			advice = "lower the context to " + FormatTokens(fit.RecommendedNumCtx) + " or close other GPU programs"
		}
		a.Problems = append(a.Problems, msg+": "+advice)
	}
	if a.ContextLimit > 0 && float64(o.UsedTokens) >= FullContextFraction*float64(a.ContextLimit) {
		a.Problems = append(a.Problems, fmt.Sprintf(
			"context %d %% full (%s of %s tokens): Ollama will soon drop the oldest messages; start a new session or raise the context",
			int(math.Round(100*float64(o.UsedTokens)/float64(a.ContextLimit))), FormatTokens(o.UsedTokens), FormatTokens(a.ContextLimit)))
	}

	if len(a.Problems) > 0 {
		a.Health = HealthWarning
		a.Message = a.Problems[0]
		if n := len(a.Problems) - 1; n > 0 {
			a.Message += fmt.Sprintf(" (and %d more)", n)
		}
		return a
	}
	a.Health = HealthOK
	a.Message = okMessage(o, name, isLoaded, loaded, a)
	return a
}

func okMessage(o Observation, name string, isLoaded bool, loaded Loaded, a Assessment) string {
	var parts []string
	switch {
	case name == "":
		parts = append(parts, "no model chosen")
	case isLoaded && loaded.VRAMBytes == 0:
		parts = append(parts, name+" runs on the CPU")
	case isLoaded:
		parts = append(parts, name+" loaded")
	default:
		parts = append(parts, name+" not loaded yet")
	}
	if a.ContextLimit > 0 {
		parts = append(parts, FormatTokens(a.ContextLimit)+" context")
	}
	if o.GPU.Usable() > 0 {
		parts = append(parts, FormatBytes(a.HeadroomBytes)+" VRAM headroom")
	} else if !o.GPU.HasGPU() {
		parts = append(parts, "no NVIDIA GPU seen")
	}
	return strings.Join(parts, ", ")
}

// spillAdvice says how much of m sits in system RAM and what would bring it
// back: a context that fits, or a smaller build of the same model.
func spillAdvice(m Loaded, o Observation, fit *Fit) string {
	pct := int(math.Round(100 * m.SpilledFraction()))
	share := fmt.Sprintf("%d %%", pct)
	if pct == 0 {
		share = "under 1 %"
	}
	var fixes []string
	sessionModel := fit != nil && o.Model != nil && strings.EqualFold(normalizeModelName(m.Name), normalizeModelName(o.Model.Name))
	switch {
	case sessionModel && fit.RecommendedNumCtx > 0 && fit.RecommendedNumCtx < m.ContextLength:
		fixes = append(fixes, "lower the context to "+FormatTokens(fit.RecommendedNumCtx))
	case sessionModel && fit.KVBytesPerToken > 0 && m.ContextLength > 0:
		// Shed the spilled bytes from the KV cache, if that leaves a usable
		// window.
		shed := int(math.Ceil(float64(m.SpilledBytes()) / float64(fit.KVBytesPerToken)))
		if n := (m.ContextLength - shed) / Bucket * Bucket; n >= FloorContext {
			fixes = append(fixes, "lower the context to "+FormatTokens(n))
		}
	case !sessionModel && m.ContextLength > FloorContext:
		fixes = append(fixes, "lower the context")
	}
	if q := SmallerQuantization(m.Quantization); q != "" {
		fixes = append(fixes, "use the "+q+" build")
	} else {
		fixes = append(fixes, "use a smaller model")
	}
	return fmt.Sprintf("%s is %s in system RAM: %s", m.Name, share, strings.Join(fixes, " or "))
}

// quantizationLadder is the common GGUF quantizations, largest first.
var quantizationLadder = []string{"F16", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M"}

// SmallerQuantization is the next smaller common quantization than q, or ""
// at the bottom of the ladder or for one it does not know.
func SmallerQuantization(q string) string {
	q = strings.ToUpper(strings.TrimSpace(q))
	if q == "BF16" || q == "F32" {
		q = "F16"
	}
	for i, s := range quantizationLadder {
		if s == q && i+1 < len(quantizationLadder) {
			return quantizationLadder[i+1]
		}
	}
	return ""
}

// FormatTokens writes a token count the way context sizes are spoken: 12K
// for 12,288; counts that are no multiple of 1,024 keep one decimal.
func FormatTokens(n int) string {
	switch {
	case n < 1024:
		return fmt.Sprint(n)
	case n%1024 == 0:
		return fmt.Sprintf("%dK", n/1024)
	}
	return fmt.Sprintf("%.1fK", float64(n)/1024)
}
