package vram

import (
	"strings"
	"testing"
)

const gib = 1 << 30

func qwen7B(t *testing.T) Shape {
	s, err := ShapeFromModelInfo(loadShow(t, "show_qwen2.5-coder-7b.json").ModelInfo)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// q8Weights is Qwen2.5-Coder-7B at Q8_0: 7,615,616,512 parameters at 8.5
// bits.
const q8Weights = 7615616512 * 85 / 80

func TestEstimateQwen7BQ8On12GiB(t *testing.T) {
	in := FitInput{Shape: qwen7B(t), WeightsBytes: q8Weights, CacheType: CacheF16, BudgetBytes: 12 * gib}
	f := Estimate(in)
	// Without a tensor list or vocabulary the whole file W counts as GPU
	// weights and a layer as W/28. Past about 10K tokens Ollama's qwen2
	// partial-offload graph, 4·(512·(1 + 2·3584 + 29c) + 3584·(1 + c)),
	// is the largest, so
	//   Need(c) = W + 457 MiB + W/28 + 14,696,448
	//           + c·(57,344 KV + 57,344/28 layer KV + 73,728 graph)
	//           = 8,874,473,672 + 133,120·c,
	// and 12 GiB holds 30,126 tokens: 29,952 in whole 256-token granules,
	// 70 % of which rounds down to the 20,480 bucket.
	if f.MaxContext != 29952 || f.RecommendedNumCtx != 20480 {
		t.Fatalf("max %d, recommended %d; want 29952, 20480", f.MaxContext, f.RecommendedNumCtx)
	}
	if f.KVBytesPerToken != 57344 || f.KVBytes != 57344*20480 || f.CacheType != CacheF16 {
		t.Errorf("KV: %d B/token, %d B", f.KVBytesPerToken, f.KVBytes)
	}
	if !f.Fits() || f.Problem != "" || f.HeadroomBytes != 12*gib-f.UsedBytes || f.UsedBytes >= f.NeedBytes {
		t.Errorf("fit = %+v", f)
	}

	// Half a GiB taken by the desktop: 3,473,557,304 / 133,120 = 26,093
	// tokens, 25,856 in granules; 70 % of that is 18,099, which rounds
	// down to the 16,384 bucket.
	in.BudgetBytes = 12*gib - gib/2
	f = Estimate(in)
	if f.MaxContext != 25856 || f.RecommendedNumCtx != 16384 {
		t.Errorf("11.5 GiB: max %d, recommended %d; want 25856, 16384", f.MaxContext, f.RecommendedNumCtx)
	}
}

func TestEstimateInvariants(t *testing.T) {
	s := qwen7B(t)
	for budget := int64(8 * gib); budget <= 24*gib; budget += 97 << 20 {
		for _, c := range CacheTypes {
			in := FitInput{Shape: s, WeightsBytes: q8Weights, CacheType: c, FlashAttention: true, BudgetBytes: budget}
			f := Estimate(in)
			if f.MaxContext > 0 {
				if need := Predict(in, f.MaxContext).NeedBytes; need > budget {
					t.Fatalf("budget %d: max %d needs %d", budget, f.MaxContext, need)
				}
			}
			if f.MaxContext < s.ContextLength {
				if need := Predict(in, f.MaxContext+contextGranule).NeedBytes; need <= budget {
					t.Fatalf("budget %d: %d tokens more would still fit", budget, contextGranule)
				}
			}
			r := f.RecommendedNumCtx
			switch {
			case f.MaxContext < FloorContext:
				if r != 0 || f.Problem == "" {
					t.Fatalf("budget %d: max %d below the floor but recommended %d, problem %q", budget, f.MaxContext, r, f.Problem)
				}
			case r%Bucket != 0 || r < FloorContext || r > s.ContextLength || r > f.MaxContext:
				t.Fatalf("budget %d: recommended %d for max %d", budget, r, f.MaxContext)
			case r > FloorContext && float64(r) > SafeFraction*float64(f.MaxContext):
				t.Fatalf("budget %d: recommended %d above %v of %d", budget, r, SafeFraction, f.MaxContext)
			}
		}
	}
}

func TestEstimateNothingFits(t *testing.T) {
	f := Estimate(FitInput{Shape: qwen7B(t), WeightsBytes: q8Weights, CacheType: CacheF16, BudgetBytes: 8 * gib})
	if f.Fits() || f.RecommendedNumCtx != 0 || f.HeadroomBytes >= 0 {
		t.Fatalf("7B Q8_0 in 8 GiB: %+v", f)
	}
	if !containsAll(f.Problem, "2048 tokens", "do not fit") {
		t.Errorf("problem = %q", f.Problem)
	}
	f = Estimate(FitInput{Shape: qwen7B(t), WeightsBytes: q8Weights})
	if f.Problem != "no GPU memory to plan with" {
		t.Errorf("zero budget: problem %q", f.Problem)
	}
}

func TestQuantizedCacheBuysContext(t *testing.T) {
	s := qwen7B(t)
	in := FitInput{Shape: s, WeightsBytes: q8Weights, FlashAttention: true, BudgetBytes: 11 * gib}
	var prev int
	for i, c := range CacheTypes {
		in.CacheType = c
		f := Estimate(in)
		if i > 0 && f.MaxContext <= prev && prev < s.ContextLength {
			t.Errorf("%s: max %d not above %d", c, f.MaxContext, prev)
		}
		prev = f.MaxContext
	}
	// Without flash attention Ollama keeps f16, so asking for q4_0 buys
	// nothing.
	in.FlashAttention = false
	a := Estimate(FitInput{Shape: s, WeightsBytes: q8Weights, CacheType: CacheF16, BudgetBytes: 11 * gib})
	in.CacheType = CacheQ4_0
	if b := Estimate(in); b.MaxContext != a.MaxContext || b.CacheType != CacheF16 {
		t.Errorf("q4_0 without flash attention: %+v, want the f16 figures %+v", b, a)
	}
}

// TestBudgetIgnoresOllamasOwnModel shows why the budget adds Ollama's
// resident memory back: loading Hearth's model must not change the number
// that sized it.
func TestBudgetIgnoresOllamasOwnModel(t *testing.T) {
	before := Reading{Source: SourceNVML, Devices: []Device{{TotalBytes: 12 * gib, ReservedBytes: 250 << 20, UsedBytes: 700 << 20, FreeBytes: 12*gib - 950<<20}}}
	model := int64(9800 << 20)
	after := Reading{Source: SourceNVML, Devices: []Device{{TotalBytes: 12 * gib, ReservedBytes: 250 << 20, UsedBytes: 700<<20 + model, FreeBytes: 12*gib - 950<<20 - model}}}
	loaded := []Loaded{{Name: "qwen2.5-coder:7b", SizeBytes: model, VRAMBytes: model}}
	if b, a := Budget(before, nil), Budget(after, loaded); a != b {
		t.Fatalf("budget before load %d, after %d", b, a)
	}
	in := FitInput{Shape: qwen7B(t), WeightsBytes: q8Weights, CacheType: CacheF16}
	in.BudgetBytes = Budget(before, nil)
	r1 := Estimate(in).RecommendedNumCtx
	in.BudgetBytes = after.Free() // what a naive estimate would use
	if r2 := Estimate(in).RecommendedNumCtx; r2 == r1 {
		t.Fatalf("momentary free memory gave the same %d: the test shows nothing", r1)
	}
}

// TestStableNumCtxHoldsUnderNoise feeds budgets that wander by up to
// ±200 MiB (a browser opening tabs) around several base sizes: the raw
// recommendation crosses bucket borders, the stable one never moves.
func TestStableNumCtxHoldsUnderNoise(t *testing.T) {
	s := qwen7B(t)
	rawFlips := 0
	for base := int64(10 * gib); base <= 12*gib; base += 128 << 20 {
		in := FitInput{Shape: s, WeightsBytes: q8Weights, CacheType: CacheF16, BudgetBytes: base}
		first := Estimate(in)
		cur, raw := first.RecommendedNumCtx, first.RecommendedNumCtx
		for i := 0; i < 40; i++ {
			noise := int64((i*7919)%401-200) << 20
			in.BudgetBytes = base + noise
			f := Estimate(in)
			if f.RecommendedNumCtx != raw {
				rawFlips++
				raw = f.RecommendedNumCtx
			}
			next := StableNumCtx(cur, f)
			if next != cur {
				t.Fatalf("base %s, noise %d MiB: num_ctx moved %d -> %d (max %d)", FormatBytes(base), noise>>20, cur, next, f.MaxContext)
			}
		}
	}
	if rawFlips == 0 {
		t.Fatal("the raw recommendation never flipped: the noise is too small to test anything")
	}
}

func TestStableNumCtxMovesWhenItMatters(t *testing.T) {
	s := qwen7B(t)
	at := func(budget int64) Fit {
		return Estimate(FitInput{Shape: s, WeightsBytes: q8Weights, CacheType: CacheF16, BudgetBytes: budget})
	}
	start := at(12 * gib)
	// Another program takes 2 GiB: the old context would crowd the card.
	shrunk := at(10 * gib)
	if got := StableNumCtx(start.RecommendedNumCtx, shrunk); got != shrunk.RecommendedNumCtx || got >= start.RecommendedNumCtx {
		t.Errorf("after losing 2 GiB: %d, want the lower %d", got, shrunk.RecommendedNumCtx)
	}
	// It gives them back: two buckets more are worth a reload.
	if got := StableNumCtx(shrunk.RecommendedNumCtx, start); got != start.RecommendedNumCtx {
		t.Errorf("after regaining 2 GiB: %d, want %d", got, start.RecommendedNumCtx)
	}
	if got := StableNumCtx(0, start); got != start.RecommendedNumCtx {
		t.Errorf("no previous: %d", got)
	}
	if got := StableNumCtx(8192, at(8*gib)); got != 0 {
		t.Errorf("nothing fits any more: %d, want 0", got)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
