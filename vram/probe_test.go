package vram

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// fakeNVML plays a driver back from memory.
type fakeNVML struct {
	initRet   nvml.Return
	countRet  nvml.Return
	devices   []fakeDevice
	panics    bool
	inits     int
	shutdowns int
}

type fakeDevice struct {
	name    string
	v2      *nvml.Memory_v2 // nil: the driver lacks the v2 call
	v1      nvml.Memory
	procs   []nvml.ProcessInfo
	procRet nvml.Return
}

func (f *fakeNVML) Init() nvml.Return     { f.inits++; return f.initRet }
func (f *fakeNVML) Shutdown() nvml.Return { f.shutdowns++; return nvml.SUCCESS }
func (f *fakeNVML) DeviceCount() (int, nvml.Return) {
	if f.countRet != nvml.SUCCESS {
		return 0, f.countRet
	}
	return len(f.devices), nvml.SUCCESS
}
func (f *fakeNVML) DeviceName(i int) (string, nvml.Return) {
	if f.panics {
		panic("driver returned nonsense")
	}
	return f.devices[i].name, nvml.SUCCESS
}
func (f *fakeNVML) MemoryV2(i int) (nvml.Memory_v2, nvml.Return) {
	if f.devices[i].v2 == nil {
		return nvml.Memory_v2{}, nvml.ERROR_FUNCTION_NOT_FOUND
	}
	return *f.devices[i].v2, nvml.SUCCESS
}
func (f *fakeNVML) Memory(i int) (nvml.Memory, nvml.Return) { return f.devices[i].v1, nvml.SUCCESS }
func (f *fakeNVML) ComputeProcesses(i int) ([]nvml.ProcessInfo, nvml.Return) {
	return f.devices[i].procs, f.devices[i].procRet
}

// fileRunner plays back recorded nvidia-smi outputs from testdata.
type fileRunner struct {
	file string // empty: the command is missing
	err  error
	runs int
}

func (r *fileRunner) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	r.runs++
	if name != "nvidia-smi" || strings.Join(args, " ") != "--query-gpu=name,memory.total,memory.used,memory.free --format=csv,noheader,nounits" {
		return nil, fmt.Errorf("unexpected command %s %v", name, args)
	}
	if r.err != nil {
		return nil, r.err
	}
	if r.file == "" {
		return nil, fmt.Errorf("nvidia-smi: %w", ErrCommandNotFound)
	}
	return os.ReadFile(filepath.Join("testdata", r.file))
}

const mib = 1 << 20

func TestProbeNVMLv2CountsReservedMemory(t *testing.T) {
	lib := &fakeNVML{devices: []fakeDevice{{
		name: "NVIDIA GeForce RTX 3060",
		v2:   &nvml.Memory_v2{Total: 12288 * mib, Reserved: 254 * mib, Used: 8110 * mib, Free: 3924 * mib},
		// v1 would count the reservation as used; it must not be asked.
		v1:    nvml.Memory{Total: 12288 * mib, Used: 8364 * mib, Free: 3924 * mib},
		procs: []nvml.ProcessInfo{{Pid: 4242, UsedGpuMemory: 7900 * mib}},
	}}}
	run := &fileRunner{file: "nvidia-smi_one.txt"}
	r := (&Prober{NVML: lib, Runner: run}).Probe(context.Background())
	if r.Source != SourceNVML || len(r.Devices) != 1 {
		t.Fatalf("Probe = %+v, want one NVML device", r)
	}
	d := r.Devices[0]
	if d.ReservedBytes != 254*mib || d.UsedBytes != 8110*mib || d.FreeBytes != 3924*mib {
		t.Errorf("device memory = %+v, want v2's figures", d)
	}
	if r.Usable() != (12288-254)*mib {
		t.Errorf("Usable = %d, want total less reserved", r.Usable())
	}
	if len(d.Processes) != 1 || d.Processes[0].PID != 4242 || d.Processes[0].UsedBytes != 7900*mib {
		t.Errorf("processes = %+v", d.Processes)
	}
	if run.runs != 0 {
		t.Error("nvidia-smi ran although NVML answered")
	}
}

func TestProbeKeepsNVMLOpen(t *testing.T) {
	lib := &fakeNVML{devices: []fakeDevice{{name: "card", v1: nvml.Memory{Total: 8 << 30, Free: 8 << 30}}}}
	p := &Prober{NVML: lib, Runner: &fileRunner{}}
	for i := 0; i < 3; i++ {
		if r := p.Probe(context.Background()); r.Source != SourceNVML {
			t.Fatalf("probe %d: %+v", i, r)
		}
	}
	if lib.inits != 1 || lib.shutdowns != 0 {
		t.Errorf("3 probes: %d inits, %d shutdowns; want NVML initialized once and kept", lib.inits, lib.shutdowns)
	}
	// A failed read closes NVML so the next probe starts afresh.
	lib.countRet = nvml.ERROR_GPU_IS_LOST
	if r := p.Probe(context.Background()); r.Source != SourceNone || len(r.Notes) != 1 {
		t.Fatalf("lost GPU: %+v", r)
	}
	lib.countRet = nvml.SUCCESS
	if r := p.Probe(context.Background()); r.Source != SourceNVML || lib.inits != 2 || lib.shutdowns != 1 {
		t.Fatalf("after recovery: %+v, %d inits, %d shutdowns", r, lib.inits, lib.shutdowns)
	}
	p.Close()
	p.Close()
	if lib.shutdowns != 2 {
		t.Errorf("Close: %d shutdowns, want 2", lib.shutdowns)
	}
}

func TestProbeNVMLv1FallbackAndSummedCards(t *testing.T) {
	lib := &fakeNVML{devices: []fakeDevice{
		{name: "NVIDIA GeForce RTX 3090", v1: nvml.Memory{Total: 24576 * mib, Used: 18000 * mib, Free: 6576 * mib}},
		{name: "NVIDIA GeForce RTX 3060", v1: nvml.Memory{Total: 12288 * mib, Used: 300 * mib, Free: 11988 * mib},
			procRet: nvml.ERROR_NO_PERMISSION},
	}}
	r := (&Prober{NVML: lib, Runner: &fileRunner{}}).Probe(context.Background())
	if r.Source != SourceNVML || len(r.Devices) != 2 {
		t.Fatalf("Probe = %+v", r)
	}
	if r.Total() != 36864*mib || r.Free() != (6576+11988)*mib || r.Reserved() != 0 {
		t.Errorf("sums: total %d free %d reserved %d", r.Total(), r.Free(), r.Reserved())
	}
	if r.Devices[1].Index != 1 || r.Devices[1].Processes != nil {
		t.Errorf("second card = %+v: a card that hides its processes still reads", r.Devices[1])
	}
}

func TestProbeFallsBackQuietlyWithoutNVML(t *testing.T) {
	lib := &fakeNVML{initRet: nvml.ERROR_LIBRARY_NOT_FOUND}
	r := (&Prober{NVML: lib, Runner: &fileRunner{file: "nvidia-smi_one.txt"}}).Probe(context.Background())
	if r.Source != SourceNvidiaSMI || len(r.Notes) != 0 {
		t.Fatalf("Probe = %+v, want nvidia-smi with no note", r)
	}
	if lib.shutdowns != 0 {
		t.Error("Shutdown called on a library that never initialized")
	}
}

func TestProbeNotesBrokenNVML(t *testing.T) {
	for name, lib := range map[string]*fakeNVML{
		"driver not loaded": {initRet: nvml.ERROR_DRIVER_NOT_LOADED},
		"count fails":       {countRet: nvml.ERROR_UNKNOWN},
		"no devices":        {},
		"panics":            {panics: true, devices: []fakeDevice{{name: "x"}}},
	} {
		r := (&Prober{NVML: lib, Runner: &fileRunner{file: "nvidia-smi_two.txt"}}).Probe(context.Background())
		if r.Source != SourceNvidiaSMI || len(r.Notes) != 1 || !strings.HasPrefix(r.Notes[0], "NVML") {
			t.Errorf("%s: Probe = %+v, want nvidia-smi with one NVML note", name, r)
		}
	}
}

func TestProbeNvidiaSMIRecordings(t *testing.T) {
	noNVML := &fakeNVML{initRet: nvml.ERROR_LIBRARY_NOT_FOUND}
	tests := []struct {
		name      string
		run       *fileRunner
		source    Source
		devices   int
		total     int64
		free      int64
		noteMatch string
	}{
		{"one GPU", &fileRunner{file: "nvidia-smi_one.txt"}, SourceNvidiaSMI, 1, 12288 * mib, 10976 * mib, ""},
		{"two GPUs", &fileRunner{file: "nvidia-smi_two.txt"}, SourceNvidiaSMI, 2, 36864 * mib, (6032 + 11632) * mib, ""},
		{"garbage", &fileRunner{file: "nvidia-smi_garbage.txt"}, SourceNone, 0, 0, 0, "want name, total, used, free"},
		{"no memory figures", &fileRunner{file: "nvidia-smi_na.txt"}, SourceNone, 0, 0, 0, "not a size"},
		{"command missing", &fileRunner{}, SourceNone, 0, 0, 0, ""},
		{"command fails", &fileRunner{err: errors.New("nvidia-smi: exit status 9")}, SourceNone, 0, 0, 0, "exit status 9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := (&Prober{NVML: noNVML, Runner: tt.run}).Probe(context.Background())
			if r.Source != tt.source || len(r.Devices) != tt.devices || r.Total() != tt.total || r.Free() != tt.free {
				t.Fatalf("Probe = %+v", r)
			}
			switch {
			case tt.noteMatch == "" && len(r.Notes) != 0:
				t.Errorf("notes = %q, want none", r.Notes)
			case tt.noteMatch != "" && (len(r.Notes) != 1 || !strings.Contains(r.Notes[0], tt.noteMatch)):
				t.Errorf("notes = %q, want one containing %q", r.Notes, tt.noteMatch)
			}
		})
	}
}

func TestNvidiaSMIReservedGap(t *testing.T) {
	devs, err := parseNvidiaSMI([]byte("NVIDIA GeForce RTX 3060, 12288, 1021, 10976\n"))
	if err != nil {
		t.Fatal(err)
	}
	if devs[0].ReservedBytes != (12288-1021-10976)*mib {
		t.Errorf("reserved = %d, want the gap between total and used+free", devs[0].ReservedBytes)
	}
}

// TestSystemNVMLWithoutDriver runs the real go-nvml binding. On a machine
// without the NVIDIA driver (this one, CI) it must report the library
// missing and refuse every other call without touching the unloaded C
// symbols; on a GPU machine it must read at least one card.
func TestSystemNVMLWithoutDriver(t *testing.T) {
	lib := SystemNVML()
	for i := 0; i < 2; i++ { // twice: a failed load must leave no state behind
		err := openNVML(lib)
		if errors.Is(err, errNoNVML) {
			continue
		}
		var devs []Device
		if err == nil {
			devs, err = readNVML(lib)
			lib.Shutdown()
		}
		if err != nil {
			t.Logf("NVML present but unusable: %v", err)
			return
		}
		if len(devs) == 0 || devs[0].TotalBytes == 0 {
			t.Fatalf("NVML read %+v", devs)
		}
		t.Logf("NVML: %+v", devs)
		return
	}
	if _, ret := lib.DeviceCount(); ret != nvml.ERROR_UNINITIALIZED {
		t.Errorf("DeviceCount before Init = %v", ret)
	}
	if _, ret := lib.MemoryV2(0); ret != nvml.ERROR_UNINITIALIZED {
		t.Errorf("MemoryV2 before Init = %v", ret)
	}
	if _, ret := lib.ComputeProcesses(0); ret != nvml.ERROR_UNINITIALIZED {
		t.Errorf("ComputeProcesses before Init = %v", ret)
	}
	if ret := lib.Shutdown(); ret != nvml.ERROR_UNINITIALIZED {
		t.Errorf("Shutdown before Init = %v", ret)
	}
	r := (&Prober{Runner: &fileRunner{}}).Probe(context.Background())
	if r.Source != SourceNone || len(r.Notes) != 0 {
		t.Errorf("Probe without driver or nvidia-smi = %+v, want none and no notes", r)
	}
	// The zero Prober, with the real library and the real command.
	p := &Prober{}
	defer p.Close()
	r = p.Probe(context.Background())
	switch r.Source {
	case SourceNone:
		if len(r.Devices) != 0 {
			t.Errorf("none with devices: %+v", r)
		}
	case SourceNvidiaSMI:
		if r.Total() == 0 {
			t.Errorf("nvidia-smi without memory: %+v", r)
		}
	default:
		t.Errorf("without NVML the probe cannot answer %s", r.Source)
	}
}

func TestWithOllama(t *testing.T) {
	none := Reading{Source: SourceNone}
	if got := WithOllama(none, nil); got.Source != SourceNone {
		t.Errorf("no models: %+v", got)
	}
	got := WithOllama(none, []Loaded{{Name: "a", SizeBytes: 9e9, VRAMBytes: 8e9}})
	if got.Source != SourceOllama || got.Used() != 8e9 || got.Usable() != 0 || Budget(got, nil) != 0 {
		t.Errorf("WithOllama = %+v", got)
	}
	nv := Reading{Source: SourceNVML, Devices: []Device{{TotalBytes: 1}}}
	if WithOllama(nv, []Loaded{{VRAMBytes: 5}}).Source != SourceNVML {
		t.Error("a real reading must win over Ollama's")
	}
}
