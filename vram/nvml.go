package vram

import (
	"errors"
	"fmt"
	"sync"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// NVML is the part of NVIDIA's management library the probe uses, by device
// index, so tests can stand in a fake. Every method returns NVML's own
// status code; SystemNVML adapts the real library.
type NVML interface {
	Init() nvml.Return
	Shutdown() nvml.Return
	DeviceCount() (int, nvml.Return)
	DeviceName(i int) (string, nvml.Return)
	// MemoryV2 is nvmlDeviceGetMemoryInfo_v2, which tells the driver's
	// reservation apart from memory in use. It returns
	// nvml.ERROR_FUNCTION_NOT_FOUND where the driver lacks it.
	MemoryV2(i int) (nvml.Memory_v2, nvml.Return)
	// Memory is the v1 call, whose used figure includes the reservation.
	Memory(i int) (nvml.Memory, nvml.Return)
	ComputeProcesses(i int) ([]nvml.ProcessInfo, nvml.Return)
}

// systemNVML is the machine's libnvidia-ml.so.1 through go-nvml. The
// library is loaded with dlopen at Init: go-nvml's cgo stubs resolve their
// symbols only then, so no method other than Init may run unless Init
// succeeded, and the v2 memory call may run only where the driver exports
// it; a call into a missing symbol would kill the process, which no recover
// can catch.
type systemNVML struct {
	lib nvml.Interface

	mu sync.Mutex // guards the fields below
	// inited is true between a successful Init and Shutdown.
	inited bool
	// hasMemoryV2 is whether the driver exports nvmlDeviceGetMemoryInfo_v2.
	hasMemoryV2 bool
	// devices are the handles of the cards, looked up once per Init.
	devices []nvml.Device
}

// SystemNVML is the machine's NVML library. Nothing is loaded until Init.
func SystemNVML() NVML { return &systemNVML{lib: nvml.New()} }

const memoryV2Symbol = "nvmlDeviceGetMemoryInfo_v2"

func (s *systemNVML) Init() nvml.Return {
	s.mu.Lock()
	defer s.mu.Unlock()
	ret := s.lib.Init()
	if ret != nvml.SUCCESS {
		return ret
	}
	s.hasMemoryV2 = s.lib.Extensions().LookupSymbol(memoryV2Symbol) == nil
	n, ret := s.lib.DeviceGetCount()
	devices := make([]nvml.Device, 0, max(n, 0))
	for i := 0; ret == nvml.SUCCESS && i < n; i++ {
		var d nvml.Device
		d, ret = s.lib.DeviceGetHandleByIndex(i)
		devices = append(devices, d)
	}
	if ret != nvml.SUCCESS {
		// Leave nothing initialized behind a failed Init.
		s.lib.Shutdown()
		return ret
	}
	s.inited, s.devices = true, devices
	return nvml.SUCCESS
}

func (s *systemNVML) Shutdown() nvml.Return {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.inited {
		return nvml.ERROR_UNINITIALIZED
	}
	s.inited, s.devices = false, nil
	return s.lib.Shutdown()
}

// device returns the handle of card i, or why there is none.
func (s *systemNVML) device(i int) (nvml.Device, nvml.Return) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.inited {
		return nil, nvml.ERROR_UNINITIALIZED
	}
	if i < 0 || i >= len(s.devices) {
		return nil, nvml.ERROR_INVALID_ARGUMENT
	}
	return s.devices[i], nvml.SUCCESS
}

func (s *systemNVML) DeviceCount() (int, nvml.Return) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.inited {
		return 0, nvml.ERROR_UNINITIALIZED
	}
	return len(s.devices), nvml.SUCCESS
}

func (s *systemNVML) DeviceName(i int) (string, nvml.Return) {
	d, ret := s.device(i)
	if ret != nvml.SUCCESS {
		return "", ret
	}
	return d.GetName()
}

func (s *systemNVML) MemoryV2(i int) (nvml.Memory_v2, nvml.Return) {
	d, ret := s.device(i)
	if ret != nvml.SUCCESS {
		return nvml.Memory_v2{}, ret
	}
	s.mu.Lock()
	has := s.hasMemoryV2
	s.mu.Unlock()
	if !has {
		return nvml.Memory_v2{}, nvml.ERROR_FUNCTION_NOT_FOUND
	}
	return d.GetMemoryInfo_v2()
}

func (s *systemNVML) Memory(i int) (nvml.Memory, nvml.Return) {
	d, ret := s.device(i)
	if ret != nvml.SUCCESS {
		return nvml.Memory{}, ret
	}
	return d.GetMemoryInfo()
}

func (s *systemNVML) ComputeProcesses(i int) ([]nvml.ProcessInfo, nvml.Return) {
	d, ret := s.device(i)
	if ret != nvml.SUCCESS {
		return nil, ret
	}
	return d.GetComputeRunningProcesses()
}

// errNoNVML means the NVIDIA library is not installed: the normal case on a
// machine without an NVIDIA driver, which gets no note.
var errNoNVML = errors.New("NVML library not found")

// openNVML initializes lib. A missing library is errNoNVML.
func openNVML(lib NVML) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("NVML: panic: %v", p)
		}
	}()
	switch ret := lib.Init(); ret {
	case nvml.SUCCESS:
		return nil
	case nvml.ERROR_LIBRARY_NOT_FOUND:
		return errNoNVML
	default:
		return fmt.Errorf("NVML: init: %s", nvmlError(ret))
	}
}

// readNVML reads every card through an initialized lib. It never panics: a
// panic inside go-nvml's Go code becomes an error, so a broken driver only
// costs the probe its best source.
func readNVML(lib NVML) (devs []Device, err error) {
	defer func() {
		if p := recover(); p != nil {
			devs, err = nil, fmt.Errorf("NVML: panic: %v", p)
		}
	}()
	n, ret := lib.DeviceCount()
	if ret != nvml.SUCCESS {
		return nil, fmt.Errorf("NVML: device count: %s", nvmlError(ret))
	}
	if n == 0 {
		return nil, errors.New("NVML: no GPU found")
	}
	for i := range n {
		d := Device{Index: i}
		name, ret := lib.DeviceName(i)
		if ret != nvml.SUCCESS {
			return nil, fmt.Errorf("NVML: GPU %d: name: %s", i, nvmlError(ret))
		}
		d.Name = name
		if m, ret := lib.MemoryV2(i); ret == nvml.SUCCESS {
			d.TotalBytes, d.ReservedBytes = int64(m.Total), int64(m.Reserved)
			d.UsedBytes, d.FreeBytes = int64(m.Used), int64(m.Free)
		} else {
			// Drivers before r510 have no v2 call; v1's used figure then
			// includes the reservation, which is the best they can say.
			m, ret := lib.Memory(i)
			if ret != nvml.SUCCESS {
				return nil, fmt.Errorf("NVML: GPU %d: memory: %s", i, nvmlError(ret))
			}
			d.TotalBytes, d.UsedBytes, d.FreeBytes = int64(m.Total), int64(m.Used), int64(m.Free)
		}
		// Processes are a detail: a card that will not list them (no
		// permission, vGPU) still has a valid memory reading.
		if ps, ret := lib.ComputeProcesses(i); ret == nvml.SUCCESS {
			for _, p := range ps {
				d.Processes = append(d.Processes, Process{PID: p.Pid, UsedBytes: int64(p.UsedGpuMemory)})
			}
		}
		devs = append(devs, d)
	}
	return devs, nil
}

// nvmlError names an NVML status. go-nvml asks the loaded library for the
// text and falls back to its own table when none is loaded.
func nvmlError(ret nvml.Return) string {
	return fmt.Sprintf("%s (%d)", ret.Error(), int32(ret))
}
