package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"

	"github.com/ollama/ollama/api"
)

// The prompts' sizes, as fractions of num_ctx: a long prompt that still
// leaves room for the answer, and a chat history of half the context.
const (
	promptFraction  = 0.85
	historyFraction = 0.5
	promptPredict   = 128
	chatPredict     = 32
)

// vramPhase measures every model at every num_ctx under one KV cache type,
// on a server of its own.
func (b *bench) vramPhase(ctx context.Context, kv string) error {
	if b.late() {
		return nil
	}
	env, flash := kvEnv(kv)
	if err := b.srv.start(ctx, "vram kv="+kv, env); err != nil {
		return err
	}
	defer b.srv.stop()
	if err := b.ensureModels(ctx); err != nil {
		return err
	}
	if b.cfg.hearth != "" {
		b.doctor(ctx, kv, flash)
	}
	for _, m := range b.cfg.models {
		for _, n := range b.cfg.ctxs {
			if b.late() || ctx.Err() != nil {
				return ctx.Err()
			}
			rec := b.measureVRAM(ctx, kv, flash, m.name, n)
			if err := b.results.Add(rec); err != nil {
				return err
			}
			b.log.Info("vram", "kv", kv, "model", m.name, "num_ctx", n, "errors", rec.Errors)
		}
	}
	return nil
}

func (b *bench) measureVRAM(ctx context.Context, kv string, flash bool, name string, numCtx int) *VRAMRecord {
	rec := &VRAMRecord{Phase: "vram", KV: kv, FlashAttention: flash, Model: name, NumCtx: numCtx}
	fail := func(what string, err error) *VRAMRecord {
		rec.Errors = append(rec.Errors, what+": "+err.Error())
		return rec
	}
	if p, err := b.predictFor(ctx, name, kv, flash, numCtx); err != nil {
		rec.Errors = append(rec.Errors, "predict: "+err.Error())
	} else {
		rec.Predict = p
	}
	if err := b.srv.unload(ctx); err != nil {
		return fail("unload before", err)
	}
	rec.Baseline = b.gpu.Read(ctx, false)
	wall, loadDur, err := b.srv.load(ctx, name, numCtx)
	rec.LoadWallMs, rec.LoadDurationMs = ms(wall), ms(loadDur)
	if err != nil {
		return fail("load", err)
	}
	defer func() {
		if err := b.srv.unload(ctx); err != nil {
			rec.Errors = append(rec.Errors, "unload after: "+err.Error())
		}
	}()
	if rec.PS, err = b.srv.ps(ctx, name); err != nil {
		rec.Errors = append(rec.Errors, "ps: "+err.Error())
	}
	rec.Loaded = b.gpu.Read(ctx, true)
	log := b.srv.currentLog()
	rec.Layers, rec.OllamaFlash = lastOffload(log), flashOn(log)
	rec.Prompt = b.longPrompt(ctx, name, numCtx)
	rec.AfterPrompt = b.gpu.Read(ctx, true)
	rec.FollowUp = b.followUp(ctx, name, numCtx)
	return rec
}

// predictFor asks /api/show and /api/tags for the model and runs predict.
func (b *bench) predictFor(ctx context.Context, name, kv string, flash bool, numCtx int) (map[string]int64, error) {
	show, err := b.srv.client.Show(ctx, &api.ShowRequest{Model: name})
	if err != nil {
		return nil, err
	}
	tags, err := b.srv.client.List(ctx)
	if err != nil {
		return nil, err
	}
	var size int64
	for _, m := range tags.Models {
		if m.Name == name || m.Name == name+":latest" {
			size = m.Size
		}
	}
	return predict(show, size, kv, flash, numCtx)
}

// longPrompt sends a raw prompt of about promptFraction × numCtx tokens and
// records prompt and generation speed. Ollama's prompt_eval_count
// corrects the corpus's characters-per-token estimate; a prompt that came
// out far from its target, or over the context, is sent again at the
// corrected size.
func (b *bench) longPrompt(ctx context.Context, name string, numCtx int) *Prompt {
	target := int(promptFraction * float64(numCtx))
	p := &Prompt{TargetTokens: target}
	no := false
	for p.Attempts < 3 {
		p.Attempts++
		text := b.corpus.take(target)
		p.Chars = len(text)
		var last api.GenerateResponse
		err := b.srv.client.Generate(ctx, &api.GenerateRequest{
			Model: name, Prompt: text, Raw: true, Stream: &no, Truncate: &no, Shift: &no,
			KeepAlive: &api.Duration{Duration: 10 * time.Minute},
			Options:   map[string]any{"num_ctx": numCtx, "num_predict": promptPredict, "temperature": 0},
		}, func(r api.GenerateResponse) error { last = r; return nil })
		if err != nil {
			p.Error = err.Error()
			// Most likely longer than the context: fewer characters make
			// a token than assumed, so send less next time.
			b.corpus.charsPerToken *= 0.8
			continue
		}
		p.Error = ""
		p.PromptEvalCount, p.PromptEvalMs = last.PromptEvalCount, ms(last.PromptEvalDuration)
		p.EvalCount, p.EvalMs = last.EvalCount, ms(last.EvalDuration)
		p.PromptTokensPerSec = perSec(last.PromptEvalCount, last.PromptEvalDuration)
		p.GenTokensPerSec = perSec(last.EvalCount, last.EvalDuration)
		b.corpus.learn(len(text), last.PromptEvalCount)
		if c := last.PromptEvalCount; c >= target*9/10 && c <= target*11/10 {
			break
		}
	}
	return p
}

func perSec(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Questions of the follow-up test; their wording does not matter to a
// random-weight model, only that turn 2 extends turn 1.
const (
	question1 = "In one sentence, what does the code above do?"
	question2 = "Which function there would you change first, and why?"
)

// followUp measures a follow-up turn's time to first token with the prompt
// cache warm (right after turn 1) and cold (after an unrelated chat of the
// same length has replaced it).
func (b *bench) followUp(ctx context.Context, name string, numCtx int) *FollowUp {
	f := &FollowUp{}
	opts := map[string]any{"num_ctx": numCtx, "num_predict": chatPredict, "temperature": 0}
	history := []api.Message{
		{Role: "system", Content: b.corpus.take(int(historyFraction * float64(numCtx)))},
		{Role: "user", Content: question1},
	}
	answer, count, err := b.chatOnce(ctx, name, history, opts)
	if err != nil {
		f.Error = "turn 1: " + err.Error()
		return f
	}
	f.HistoryTokens = count
	follow := append(history, api.Message{Role: "assistant", Content: answer}, api.Message{Role: "user", Content: question2})
	f.Warm = b.streamTurn(ctx, name, follow, opts)
	other := []api.Message{
		{Role: "system", Content: b.corpus.take(int(historyFraction * float64(numCtx)))},
		{Role: "user", Content: question1},
	}
	if _, _, err := b.chatOnce(ctx, name, other, opts); err != nil {
		f.Error = "unrelated chat: " + err.Error()
		return f
	}
	f.Cold = b.streamTurn(ctx, name, follow, opts)
	return f
}

// chatOnce sends one non-streamed chat and returns the answer and the
// prompt's token count.
func (b *bench) chatOnce(ctx context.Context, name string, msgs []api.Message, opts map[string]any) (string, int, error) {
	no := false
	var last api.ChatResponse
	err := b.srv.client.Chat(ctx, &api.ChatRequest{
		Model: name, Messages: msgs, Stream: &no, Options: opts,
		KeepAlive: &api.Duration{Duration: 10 * time.Minute},
	}, func(r api.ChatResponse) error { last = r; return nil })
	return last.Message.Content, last.PromptEvalCount, err
}

// streamTurn times one streamed chat from sending to its first chunk, its
// first chunk with text, and its end.
func (b *bench) streamTurn(ctx context.Context, name string, msgs []api.Message, opts map[string]any) *Turn {
	t := &Turn{}
	yes := true
	start := time.Now()
	first := true
	err := b.srv.client.Chat(ctx, &api.ChatRequest{
		Model: name, Messages: msgs, Stream: &yes, Options: opts,
		KeepAlive: &api.Duration{Duration: 10 * time.Minute},
	}, func(r api.ChatResponse) error {
		now := ms(time.Since(start))
		if first {
			t.FirstChunkMs, first = now, false
		}
		if t.FirstContentMs == nil && r.Message.Content != "" {
			t.FirstContentMs = &now
		}
		if r.Done {
			t.PromptEvalCount, t.PromptEvalMs = r.PromptEvalCount, ms(r.PromptEvalDuration)
		}
		return nil
	})
	t.TotalMs = ms(time.Since(start))
	if err != nil {
		t.Error = err.Error()
	}
	return t
}

// doctor runs `hearth doctor --json` against this server once per KV type,
// for the card's NVML total when there is one, and keeps its report.
func (b *bench) doctor(ctx context.Context, kv string, flash bool) {
	rec := map[string]any{"phase": "doctor", "kv": kv, "flashAttention": flash}
	defer func() {
		if err := b.results.Add(rec); err != nil {
			b.log.Error("recording hearth doctor", "err", err)
		}
	}()
	settings := filepath.Join(b.srv.work, "doctor-settings-"+kv+".json")
	data, _ := json.Marshal(map[string]any{
		"ollama": map[string]any{"host": "http://" + b.srv.host},
		"vram":   map[string]any{"kvCacheType": kv, "flashAttention": flash},
	})
	if err := os.WriteFile(settings, data, 0o644); err != nil {
		rec["error"] = err.Error()
		return
	}
	args := []string{"doctor", "--json", "--settings", settings}
	if r, ok := b.gpu.nvml(ctx); ok {
		args = append(args, "--vram", fmt.Sprintf("%dMiB", r.Total()>>20))
	}
	rec["args"] = args
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, b.cfg.hearth, args...)
	cmd.Env = append(os.Environ(), "OLLAMA_HOST="+b.srv.host, "HEARTH_STATE_DIR="+filepath.Join(b.srv.work, "hearth-state"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		rec["exitCode"] = exit.ExitCode()
	case err != nil:
		rec["error"] = err.Error()
	default:
		rec["exitCode"] = 0
	}
	if json.Valid(stdout.Bytes()) {
		rec["report"] = json.RawMessage(stdout.Bytes())
	} else {
		rec["stdout"] = tailString(stdout.String(), 4000)
	}
	rec["stderr"] = tailString(stderr.String(), 2000)
}

// flashOnRE matches the server log's lines that say flash attention is
// on: Ollama's own engine ("enabling flash attention"), the load request
// it sends the llama.cpp runner when the user set it ("FlashAttention:Enabled"),
// and llama.cpp's when "auto" resolved to enabled.
var flashOnRE = regexp.MustCompile(`enabling flash attention|FlashAttention:Enabled|Flash Attention was auto, set to enabled|flash_attn\s*=\s*enabled`)

// flashOn reports whether the server log says flash attention is on.
func flashOn(log string) bool { return flashOnRE.MatchString(log) }
