package llm

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ollama/ollama/api"
)

// RecommendedModel is what Hearth suggests pulling when nothing usable is
// installed: the seed's choice for a 12 GB card.
const RecommendedModel = "qwen2.5-coder:7b-instruct-q8_0"

// Choice is the model picked from the installed ones, and why.
type Choice struct {
	Model string
	// Reason is one sentence for the chat, such as "qwen2.5-coder:7b: a
	// coding model, 7.6B parameters, Q8_0 (near-lossless)".
	Reason string
	// Coder is false when no coding model was installed and a general chat
	// model was chosen instead.
	Coder bool
}

// coderFamilies are the coding model families, best first; a name
// containing one of them is a coding model.
var coderFamilies = []string{
	"qwen2.5-coder", "qwen3-coder", "deepseek-coder-v2", "deepseek-coder",
	"codestral", "devstral", "starcoder2", "starcoder", "codegemma",
	"codellama", "granite-code", "opencoder", "yi-coder", "codeqwen",
}

// quantRank orders quantizations: Q8_0 and Q6_K keep code edits precise,
// Q5 is acceptable, Q4 loses noticeably; full precision rarely fits.
func quantRank(q string) (int, string) {
	q = strings.ToUpper(q)
	switch {
	case q == "Q8_0":
		return 6, "near-lossless"
	case strings.HasPrefix(q, "Q6"):
		return 5, "close to lossless"
	case strings.HasPrefix(q, "Q5"):
		return 4, "acceptable quality loss"
	case strings.HasPrefix(q, "Q4"):
		return 3, "noticeable quality loss"
	case q == "F16" || q == "BF16" || q == "F32":
		return 2, "full precision, rarely fits a consumer GPU"
	case q == "":
		return 0, "unknown quantization"
	}
	return 1, "heavy quantization"
}

// sizeRank prefers 7B–14B, the size that fits 8–16 GB cards with room for
// context; smaller models come next, then bigger ones.
func sizeRank(billions float64) int {
	switch {
	case billions >= 6.5 && billions <= 15:
		return 3
	case billions >= 3 && billions < 6.5:
		return 2
	case billions > 15 && billions <= 34:
		return 1
	}
	return 0
}

// parseParamSize reads "7.6B", "494.03M", "14B" as billions of parameters.
func parseParamSize(s string) float64 {
	s = strings.TrimSpace(strings.ToUpper(s))
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "B"):
		s = strings.TrimSuffix(s, "B")
	case strings.HasSuffix(s, "M"):
		s, mult = strings.TrimSuffix(s, "M"), 1e-3
	case strings.HasSuffix(s, "K"):
		s, mult = strings.TrimSuffix(s, "K"), 1e-6
	default:
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return f * mult
}

func coderRank(name string) (int, string) {
	lower := strings.ToLower(name)
	for i, fam := range coderFamilies {
		if strings.Contains(lower, fam) {
			return len(coderFamilies) - i, fam
		}
	}
	return 0, ""
}

// notChat reports models that cannot hold a conversation: embedding
// models and cloud-only entries.
func notChat(m api.ListModelResponse) bool {
	lower := strings.ToLower(m.Name + " " + m.Details.Family)
	return strings.Contains(lower, "embed") || strings.Contains(lower, "bert") || m.RemoteHost != ""
}

// ChooseModel picks the best installed model for coding: a coding family
// first, then 7B–14B parameters, then the better quantization (Q8_0, Q6_K
// over Q4), then the better-known family, then the smaller file. maxBytes,
// when > 0, demotes models whose file is larger (the GPU's memory).
func ChooseModel(models []api.ListModelResponse, maxBytes int64) (Choice, error) {
	type cand struct {
		m                        api.ListModelResponse
		fits, coder, size, quant int
		family, quantWhy         string
		billions                 float64
	}
	var cands []cand
	for _, m := range models {
		if notChat(m) {
			continue
		}
		c := cand{m: m, fits: 1}
		if maxBytes > 0 && m.Size > maxBytes {
			c.fits = 0
		}
		c.coder, c.family = coderRank(m.Name)
		c.billions = parseParamSize(m.Details.ParameterSize)
		c.size = sizeRank(c.billions)
		c.quant, c.quantWhy = quantRank(m.Details.QuantizationLevel)
		cands = append(cands, c)
	}
	if len(cands) == 0 {
		return Choice{}, &Error{
			Kind: KindModelNotFound, OfferPull: true, Model: RecommendedModel,
			Message: fmt.Sprintf("No chat model is installed: pull one with `ollama pull %s`.", RecommendedModel),
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		return cmp.Or(
			cmp.Compare(b.fits, a.fits),
			cmp.Compare(min(b.coder, 1), min(a.coder, 1)),
			cmp.Compare(b.size, a.size),
			cmp.Compare(b.quant, a.quant),
			cmp.Compare(b.coder, a.coder),
			cmp.Compare(a.m.Size, b.m.Size),
			strings.Compare(a.m.Name, b.m.Name),
		)
	})
	best := cands[0]
	var why []string
	if best.coder > 0 {
		why = append(why, "a coding model ("+best.family+")")
	} else {
		why = append(why, "no coding model is installed, so the best general chat model")
	}
	if best.billions > 0 {
		size := strconv.FormatFloat(best.billions, 'f', -1, 64) + "B parameters"
		if best.size == 3 {
			size += ", in the 7B–14B range that fits consumer GPUs"
		}
		why = append(why, size)
	}
	if q := best.m.Details.QuantizationLevel; q != "" {
		why = append(why, q+" ("+best.quantWhy+")")
	}
	if best.fits == 0 {
		why = append(why, "although its file is larger than the GPU memory")
	}
	return Choice{
		Model:  best.m.Name,
		Reason: best.m.Name + ": " + strings.Join(why, ", "),
		Coder:  best.coder > 0,
	}, nil
}

// ChooseModel lists the installed models and picks one (see ChooseModel).
func (c *Client) ChooseModel(ctx context.Context, maxBytes int64) (Choice, error) {
	list, err := c.List(ctx)
	if err != nil {
		return Choice{}, err
	}
	return ChooseModel(list.Models, maxBytes)
}
