package doctor

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hearth-dev/hearth/vram"
)

// MinUsefulContext is the least context the recommendation accepts when it
// can: an agent's system prompt, tools and a few files take several
// thousand tokens before any work starts.
const MinUsefulContext = 8192

// hybridContext is the context planned for a model that only fits with
// some layers in system RAM, as in the seed guide's 14B hybrid set-up.
const hybridContext = 16384

// minHybridGPUPercent is the least share of layers on the GPU for a
// partial offload to be worth it: below it the PCIe traffic makes the
// hybrid slower than it is worth (the seed guide's 60-75 % GPU advice).
const minHybridGPUPercent = 60

// Candidate is one model and quantization on this card.
type Candidate struct {
	// Model is the Ollama tag to pull or run.
	Model        string `json:"model"`
	Name         string `json:"name"`
	Quantization string `json:"quantization"`
	Installed    bool   `json:"installed"`
	// WeightsBytes is the installed size, or parameters × bits per weight
	// for one not installed.
	WeightsBytes int64 `json:"weightsBytes"`
	// Fits is whether the whole model and at least vram.FloorContext of
	// context fit on the GPU with the server's settings.
	Fits              bool           `json:"fits"`
	CacheType         vram.CacheType `json:"cacheType"`
	KVBytesPerToken   int64          `json:"kvBytesPerToken"`
	MaxContext        int            `json:"maxContext"`
	RecommendedNumCtx int            `json:"recommendedNumCtx"`
	HeadroomBytes     int64          `json:"headroomBytes"`
	// ByCacheType is the same arithmetic for each KV cache type, with
	// flash attention on (Ollama quantizes the cache only then).
	ByCacheType []CacheFit `json:"byCacheType"`
	// PartialOffload is set for a model that does not fit when the user
	// asked to consider partial offload.
	PartialOffload *Offload `json:"partialOffload,omitempty"`
	// Footprint is the prediction at Options.NumCtx, or at
	// RecommendedNumCtx when that is zero and the model fits: what Ollama
	// will report, what the card will show, and what must be free.
	Footprint *vram.Footprint `json:"footprint,omitempty"`
	// FitsAtNumCtx says whether the budget covers Footprint.NeedBytes when
	// Options.NumCtx was given.
	FitsAtNumCtx *bool  `json:"fitsAtNumCtx,omitempty"`
	Arithmetic   string `json:"arithmetic"`
	Problem      string `json:"problem,omitempty"`

	tier, quality int
	shape         vram.Shape
	weights       vram.Weights
}

// CacheFit is a candidate's context with one KV cache type.
type CacheFit struct {
	CacheType         vram.CacheType `json:"cacheType"`
	KVBytesPerToken   int64          `json:"kvBytesPerToken"`
	MaxContext        int            `json:"maxContext"`
	RecommendedNumCtx int            `json:"recommendedNumCtx"`
	// Note says what the server needs for this type, or why Ollama would
	// not use it for this model.
	Note string `json:"note,omitempty"`
}

// Offload is how a model that does not fit would split at hybridContext.
type Offload struct {
	NumCtx     int    `json:"numCtx"`
	GPULayers  int    `json:"gpuLayers"`
	Layers     int    `json:"layers"`
	GPUPercent int    `json:"gpuPercent"`
	Arithmetic string `json:"arithmetic"`
}

func plan(o Options, budget int64, cards int, installed []installedModel) []Candidate {
	have := map[string]installedModel{}
	for _, m := range installed {
		have[strings.ToLower(m.Name)] = m
	}
	used := map[string]bool{}
	var out []Candidate
	for _, m := range catalog {
		for _, q := range quantizations {
			tag := m.Tag + "-q" + q.Name[1:]
			c := Candidate{
				Model: tag, Name: m.Name, Quantization: q.Name,
				WeightsBytes: int64(float64(m.Shape.ParameterCount) * vram.BitsPerWeight(q.Name) / 8),
				tier:         q.Tier, quality: m.Quality, shape: m.Shape,
			}
			if im, ok := have[strings.ToLower(tag)]; ok {
				c.Installed, c.WeightsBytes, c.shape, c.weights = true, im.SizeBytes, im.Shape, im.Weights
				used[strings.ToLower(im.Name)] = true
			}
			out = append(out, c)
		}
	}
	for _, im := range installed {
		if used[strings.ToLower(im.Name)] {
			continue
		}
		c := Candidate{
			Model: im.Name, Name: im.Name, Quantization: im.Quantization, Installed: true,
			WeightsBytes: im.SizeBytes, tier: quantTier(strings.ToUpper(im.Quantization)), shape: im.Shape, weights: im.Weights,
		}
		for _, m := range catalog {
			if sameShape(im.Shape, m.Shape) {
				c.Name, c.quality = m.Name, m.Quality
				break
			}
		}
		out = append(out, c)
	}
	for i := range out {
		fill(&out[i], o, budget, cards)
	}
	return out
}

// fill does a candidate's arithmetic.
func fill(c *Candidate, o Options, budget int64, cards int) {
	cache := o.CacheType
	if cache == "" {
		cache = vram.CacheF16
	}
	in := vram.FitInput{
		Shape: c.shape, WeightsBytes: c.WeightsBytes, Weights: c.weights, CacheType: cache,
		FlashAttention: o.FlashAttention, BudgetBytes: budget, Cards: cards,
	}
	f := vram.Estimate(in)
	c.Fits, c.CacheType, c.KVBytesPerToken = f.Fits(), f.CacheType, f.KVBytesPerToken
	c.MaxContext, c.RecommendedNumCtx, c.HeadroomBytes = f.MaxContext, f.RecommendedNumCtx, f.HeadroomBytes
	c.Problem = f.Problem
	c.Arithmetic = arithmetic(c.shape, f)
	switch {
	case o.NumCtx > 0:
		p := vram.Predict(in, o.NumCtx)
		fits := budget > 0 && p.NeedBytes <= budget
		c.Footprint, c.FitsAtNumCtx = &p, &fits
	case c.Fits:
		p := vram.Predict(in, c.RecommendedNumCtx)
		c.Footprint = &p
	}

	for _, ct := range vram.CacheTypes {
		fa := o.FlashAttention || ct != vram.CacheF16
		g := vram.Estimate(vram.FitInput{
			Shape: c.shape, WeightsBytes: c.WeightsBytes, Weights: c.weights, CacheType: ct,
			FlashAttention: fa, BudgetBytes: budget, Cards: cards,
		})
		cf := CacheFit{CacheType: ct, KVBytesPerToken: g.KVBytesPerToken, MaxContext: g.MaxContext, RecommendedNumCtx: g.RecommendedNumCtx}
		switch {
		case g.CacheType != ct:
			cf.Note = "Ollama keeps f16 for this model: it cannot use flash attention"
		case ct != vram.CacheF16 && (!o.FlashAttention || ct != cache):
			cf.Note = "needs OLLAMA_FLASH_ATTENTION=1 OLLAMA_KV_CACHE_TYPE=" + string(ct)
		}
		c.ByCacheType = append(c.ByCacheType, cf)
	}

	if o.PartialOffload && !c.Fits && budget > 0 && c.shape.Layers > 0 {
		n := hybridContext
		if c.shape.ContextLength > 0 {
			n = min(n, c.shape.ContextLength)
		}
		p := vram.Predict(in, n)
		kv, over := p.KVBytes, p.Overhead
		perLayer := (p.GPUWeightsBytes + kv) / int64(c.shape.Layers)
		room := budget - over.Runtime - over.Graph - over.LayerBuffer
		layers := 0
		if room > 0 && perLayer > 0 {
			layers = int(min(room/perLayer, int64(c.shape.Layers)))
		}
		c.PartialOffload = &Offload{NumCtx: n, GPULayers: layers, Layers: c.shape.Layers,
			GPUPercent: layers * 100 / c.shape.Layers,
			Arithmetic: fmt.Sprintf("a layer is (weights %s + KV %s at %s tokens) / %d = %s; the GPU has %s budget - %s runtime - %s compute - %s one-layer buffer = %s for layers, so %d of %d layers fit on it and %s stays in system RAM",
				vram.FormatBytes(p.GPUWeightsBytes), vram.FormatBytes(kv), commas(int64(n)), c.shape.Layers, vram.FormatBytes(perLayer),
				vram.FormatBytes(budget), vram.FormatBytes(over.Runtime), vram.FormatBytes(over.Graph), vram.FormatBytes(over.LayerBuffer),
				vram.FormatBytes(max(room, 0)), layers, c.shape.Layers, vram.FormatBytes(perLayer*int64(c.shape.Layers-layers))),
		}
	}
}

// arithmetic shows the sum behind a fit.
func arithmetic(s vram.Shape, f vram.Fit) string {
	at := f.RecommendedNumCtx
	if at == 0 {
		at = vram.FloorContext
	}
	var b strings.Builder
	weights := "weights " + vram.FormatBytes(f.GPUWeightsBytes)
	if f.GPUWeightsBytes < f.WeightsBytes {
		weights += " on the GPU (of " + vram.FormatBytes(f.WeightsBytes) + "; the embedding table stays in RAM)"
	}
	kv := vram.FormatBytes(f.KVBytes)
	if f.OllamaKVBytes != f.KVBytes {
		kv += " (Ollama counts " + vram.FormatBytes(f.OllamaKVBytes) + ", without the blocks' scales)"
	}
	fmt.Fprintf(&b, "%s + KV %s B/token (%d layers × %d KV heads × (%d + %d) × %s) × %s tokens = %s + overhead %s (runtime %s, layer buffer %s, compute %s) = %s",
		weights, commas(f.KVBytesPerToken), s.Layers, s.KVHeads, s.KeyLength, s.ValueLength,
		strconv.FormatFloat(f.CacheType.BytesPerElement(), 'f', -1, 64), commas(int64(at)),
		kv, vram.FormatBytes(f.Overhead.Total()), vram.FormatBytes(f.Overhead.Runtime),
		vram.FormatBytes(f.Overhead.LayerBuffer), vram.FormatBytes(f.Overhead.Graph), vram.FormatBytes(f.NeedBytes))
	if f.RecommendedNumCtx == 0 {
		fmt.Fprintf(&b, " > %s budget: does not fit", vram.FormatBytes(f.BudgetBytes))
		return b.String()
	}
	fmt.Fprintf(&b, " of %s budget; largest context %s", vram.FormatBytes(f.BudgetBytes), commas(int64(f.MaxContext)))
	if f.MaxContext == s.ContextLength {
		b.WriteString(" (the model's limit)")
	}
	fmt.Fprintf(&b, ", %d %% of it in %s-token steps → num_ctx %s", int(vram.SafeFraction*100), commas(vram.Bucket), commas(int64(f.RecommendedNumCtx)))
	return b.String()
}

// commas writes 57344 as 57,344.
func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// Recommendation is the plan's pick.
type Recommendation struct {
	Model        string `json:"model"`
	Name         string `json:"name"`
	Quantization string `json:"quantization"`
	NumCtx       int    `json:"numCtx"`
	Installed    bool   `json:"installed"`
	// PartialOffload is set when the pick keeps some layers in system RAM
	// (only when the user asked to consider that).
	PartialOffload *Offload `json:"partialOffload,omitempty"`
	Reason         string   `json:"reason"`
	Arithmetic     string   `json:"arithmetic"`
	// Pull is the command that installs the pick, when it is not.
	Pull string `json:"pull,omitempty"`
	// BestInstalled is the best pick among installed models, when the
	// overall pick is not installed.
	BestInstalled string `json:"bestInstalled,omitempty"`
}

// recommend follows the seed guide: the whole model on the GPU with a
// usable context; Q8_0 or Q6_K first, then Q5_K_M, then Q4_K_M (a 7B at
// Q8_0 before a 14B at Q4_K_M); within a tier the stronger coding model;
// then more context. Partial offload is considered only when asked.
func recommend(plan []Candidate, o Options) *Recommendation {
	var pool []Candidate
	for _, minCtx := range []int{MinUsefulContext, vram.FloorContext} {
		for _, c := range plan {
			if c.Fits && c.RecommendedNumCtx >= minCtx {
				pool = append(pool, c)
			} else if c.PartialOffload != nil && c.PartialOffload.GPUPercent >= minHybridGPUPercent {
				pool = append(pool, c)
			}
		}
		if len(pool) > 0 {
			break
		}
	}
	if len(pool) == 0 {
		return nil
	}
	sort.SliceStable(pool, func(i, j int) bool { return better(pool[i], pool[j]) })
	best := pool[0]
	r := &Recommendation{
		Model: best.Model, Name: best.Name, Quantization: best.Quantization,
		NumCtx: best.RecommendedNumCtx, Installed: best.Installed, Arithmetic: best.Arithmetic,
		PartialOffload: best.PartialOffload,
	}
	if best.PartialOffload != nil && !best.Fits {
		r.NumCtx = best.PartialOffload.NumCtx
		r.Arithmetic = best.PartialOffload.Arithmetic
	}
	if !best.Installed {
		r.Pull = "ollama pull " + best.Model
		for _, c := range pool {
			if c.Installed {
				r.BestInstalled = c.Model
				break
			}
		}
	}
	r.Reason = reason(best, plan)
	return r
}

// better orders two candidates for the recommendation.
func better(a, b Candidate) bool {
	if a.tier != b.tier {
		return a.tier < b.tier
	}
	if a.quality != b.quality {
		return a.quality > b.quality
	}
	// The same model: a roomy context beats extra bits, extra bits beat
	// more context beyond that.
	ra, rb := a.RecommendedNumCtx >= 16384, b.RecommendedNumCtx >= 16384
	if ra != rb {
		return ra
	}
	if a.WeightsBytes != b.WeightsBytes && a.shape.ParameterCount == b.shape.ParameterCount {
		return a.WeightsBytes > b.WeightsBytes
	}
	if a.Installed != b.Installed {
		return a.Installed
	}
	return a.RecommendedNumCtx > b.RecommendedNumCtx
}

// reason explains the pick in the seed guide's terms.
func reason(best Candidate, plan []Candidate) string {
	var parts []string
	switch {
	case best.PartialOffload != nil && !best.Fits:
		parts = append(parts, fmt.Sprintf("%s at %s keeps %d %% of its layers on the GPU with %s of context, as asked; expect a few times slower answers than a model that fits",
			best.Name, best.Quantization, best.PartialOffload.GPUPercent, vram.FormatTokens(best.PartialOffload.NumCtx)))
	case best.tier == 1:
		parts = append(parts, fmt.Sprintf("%s at %s is near-lossless for code and fits whole on the GPU with %s of context",
			best.Name, best.Quantization, vram.FormatTokens(best.RecommendedNumCtx)))
	default:
		parts = append(parts, fmt.Sprintf("no Q6_K or Q8_0 build of a stronger model fits; %s at %s fits whole with %s of context but loses some accuracy on code",
			best.Name, best.Quantization, vram.FormatTokens(best.RecommendedNumCtx)))
	}
	// Name the stronger model passed over for needing a lower tier, the
	// seed guide's "a 7B at Q8 before a 14B at Q4".
	for _, c := range plan {
		if c.quality > best.quality && c.Fits && c.tier > best.tier {
			parts = append(parts, fmt.Sprintf("%s fits only at %s (with %s of context), and higher precision at a smaller size beats lower precision at a larger one for code",
				c.Name, c.Quantization, vram.FormatTokens(c.RecommendedNumCtx)))
			break
		}
	}
	return strings.Join(parts, "; ")
}
