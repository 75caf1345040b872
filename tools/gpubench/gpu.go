package main

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-dev/hearth/vram"
)

// gpuReader reads NVML and nvidia-smi separately: the point is to compare
// them, so neither stands in for the other.
type gpuReader struct {
	prober *vram.Prober
}

func newGPUReader() *gpuReader {
	// A failing nvidia-smi would make the Prober fall back to it; that
	// reading is discarded below (only SourceNVML counts as NVML).
	return &gpuReader{prober: &vram.Prober{}}
}

func (g *gpuReader) Close() { g.prober.Close() }

// nvml returns the NVML reading, or false without NVML.
func (g *gpuReader) nvml(ctx context.Context) (vram.Reading, bool) {
	r := g.prober.Probe(ctx)
	return r, r.Source == vram.SourceNVML && r.HasGPU()
}

// Read takes one look; apps adds nvidia-smi's compute processes.
func (g *gpuReader) Read(ctx context.Context, apps bool) GPU {
	var out GPU
	if r, ok := g.nvml(ctx); ok {
		used, total, free := r.Used(), r.Total(), r.Free()
		out.NVMLUsedBytes, out.NVMLTotalBytes, out.NVMLFreeBytes = &used, &total, &free
	}
	if b, err := smi(ctx, "--query-gpu=memory.used,memory.total", "--format=csv,noheader,nounits"); err == nil {
		if f := numbers(firstLine(b)); len(f) == 2 {
			out.SMIUsedMiB, out.SMITotalMiB = &f[0], &f[1]
		}
	}
	if apps {
		if b, err := smi(ctx, "--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits"); err == nil {
			out.SMIApps = parseApps(b)
		}
	}
	return out
}

func smi(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	b, err := exec.CommandContext(ctx, "nvidia-smi", args...).Output()
	return string(b), err
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// numbers reads a CSV line of integers; nil if any field is not one (such
// as nvidia-smi's "[N/A]").
func numbers(line string) []int64 {
	var out []int64
	for _, f := range strings.Split(line, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil
		}
		out = append(out, n)
	}
	return out
}

func parseApps(s string) []SMIApp {
	var out []SMIApp
	for _, line := range strings.Split(s, "\n") {
		if f := numbers(line); len(f) == 2 {
			out = append(out, SMIApp{PID: int(f[0]), UsedMiB: f[1]})
		}
	}
	return out
}
