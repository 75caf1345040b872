package engine

import (
	"context"
	"testing"

	"github.com/hearth-dev/hearth/llm/fakeollama"
	"github.com/hearth-dev/hearth/settings"
	"github.com/hearth-dev/hearth/vram"
)

// Building an engine sizes the context from the model's /api/show answer
// and the GPU: it must ask Ollama for that answer once, since each
// /api/show costs Ollama 100-150 ms of re-reading the model file (measured
// on an H200, issue 9), and must still size the context from it.
func TestBuildAsksForTheModelOnce(t *testing.T) {
	built, fake := build(t, func(context.Context) vram.Reading { return vram.Override(12 << 30) })

	shows := 0
	for _, r := range fake.Requests() {
		if r.Path == "/api/show" {
			shows++
		}
	}
	if shows != 1 {
		t.Errorf("%d /api/show requests, want 1", shows)
	}
	// The context came from the VRAM estimate, not the 8K fallback.
	if built.NumCtx%vram.Bucket != 0 || built.NumCtx <= 8192 {
		t.Errorf("num_ctx %d: want a VRAM-sized context above the 8K fallback", built.NumCtx)
	}
}

// A GPU library that panics leaves the engine without a GPU reading, not
// without a server.
func TestBuildSurvivesAPanickingGPUProbe(t *testing.T) {
	built, _ := build(t, func(context.Context) vram.Reading { panic("nvml: driver gone") })
	if built.NumCtx <= 0 {
		t.Errorf("num_ctx %d: want the fallback context", built.NumCtx)
	}
}

// build builds an engine for a temporary workspace against a fake Ollama
// with its default 7B model, reading the GPU with gpu.
func build(t *testing.T, gpu func(context.Context) vram.Reading) (*Built, *fakeollama.Fake) {
	t.Helper()
	fake := fakeollama.Start(fakeollama.Config{})
	t.Cleanup(fake.Close)
	cfg := settings.Default()
	cfg.Ollama.Host = fake.URL()
	cfg.Models.Plan = fakeollama.DefaultModels()[0].Name
	built, err := Build(context.Background(), Options{Root: t.TempDir(), Settings: cfg, GPU: gpu})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(built.Engine.Close)
	return built, fake
}
