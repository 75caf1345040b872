package vram

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Prober reads this machine's GPU memory from the best source that answers:
// NVML, then nvidia-smi, then none. Its zero value uses the real library
// and the real command.
type Prober struct {
	// NVML is the library to ask; nil means SystemNVML.
	NVML NVML
	// Runner runs nvidia-smi; nil means ExecRunner.
	Runner Runner
	// Timeout bounds nvidia-smi, which hangs on a wedged driver; zero means
	// five seconds.
	Timeout time.Duration
	// Log receives why a source was skipped; nil means slog.Default.
	Log *slog.Logger

	mu sync.Mutex // serializes probes and guards the fields below
	// lib is the NVML in use, kept initialized between probes once it
	// works, since initializing NVML can take a good part of a second.
	lib      NVML
	nvmlOpen bool
}

// nvmlMu serializes NVML initialization across Probers: go-nvml swaps
// process-wide function tables when it loads the library.
var nvmlMu sync.Mutex

// Probe returns the reading of the first source that works. It never fails:
// the worst case is a reading from SourceNone whose Notes say why. Probes
// may run from several goroutines; they take turns.
func (p *Prober) Probe(ctx context.Context) Reading {
	p.mu.Lock()
	defer p.mu.Unlock()
	log := p.Log
	if log == nil {
		log = slog.Default()
	}
	var notes []string

	devs, err := p.readNVMLLocked()
	if err == nil {
		return Reading{Source: SourceNVML, Devices: devs}
	}
	if !errors.Is(err, errNoNVML) {
		log.Debug("vram: NVML unusable", "err", err)
		notes = append(notes, err.Error())
	}

	run := p.Runner
	if run == nil {
		run = ExecRunner{}
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	devs, err = readNvidiaSMI(cctx, run)
	if err == nil {
		return Reading{Source: SourceNvidiaSMI, Devices: devs, Notes: notes}
	}
	if !errors.Is(err, ErrCommandNotFound) {
		log.Debug("vram: nvidia-smi unusable", "err", err)
		notes = append(notes, err.Error())
	}
	return Reading{Source: SourceNone, Notes: notes}
}

// readNVMLLocked reads NVML, initializing it first if needed. A failed
// read shuts NVML down, so the next probe starts afresh (after a driver
// reset, say).
func (p *Prober) readNVMLLocked() ([]Device, error) {
	if p.lib == nil {
		p.lib = p.NVML
		if p.lib == nil {
			p.lib = SystemNVML()
		}
	}
	if !p.nvmlOpen {
		nvmlMu.Lock()
		err := openNVML(p.lib)
		nvmlMu.Unlock()
		if err != nil {
			return nil, err
		}
		p.nvmlOpen = true
	}
	devs, err := readNVML(p.lib)
	if err != nil {
		p.closeLocked()
	}
	return devs, err
}

// Close shuts NVML down if a probe left it open. The Prober stays usable.
func (p *Prober) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closeLocked()
}

func (p *Prober) closeLocked() {
	if !p.nvmlOpen {
		return
	}
	nvmlMu.Lock()
	p.lib.Shutdown()
	nvmlMu.Unlock()
	p.nvmlOpen = false
}

// WithOllama fills in a reading that found no GPU from what Ollama's loaded
// models hold in VRAM: Ollama sees GPUs this process cannot (another
// vendor's card, a container without the NVIDIA tools). The device's total
// stays unknown (zero), so no headroom is claimed from it.
func WithOllama(r Reading, loaded []Loaded) Reading {
	if r.Source != SourceNone {
		return r
	}
	vram := OllamaVRAM(loaded)
	if vram == 0 {
		return r
	}
	r.Source = SourceOllama
	r.Devices = []Device{{Name: "GPU used by Ollama", UsedBytes: vram}}
	return r
}
