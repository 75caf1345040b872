package vram

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Source names where a GPU reading came from, best first. The names are
// part of the wire contract (hearth/status gpu.source) and of hearth doctor's
// JSON, so they never change.
type Source string

// The sources of a Reading.
const (
	SourceNVML      Source = "nvml"
	SourceNvidiaSMI Source = "nvidia-smi"
	SourceOllama    Source = "ollama"
	SourceNone      Source = "none"
	// SourceOverride is a card the user described with --vram SIZE, to plan
	// for hardware they do not have.
	SourceOverride Source = "override"
)

// Device is one GPU's memory. Byte counts are zero where the source does
// not know them (Ollama knows only what its models hold).
type Device struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
	// TotalBytes is the card's memory; ReservedBytes the part the driver
	// keeps for itself (known only from NVML's v2 memory call), which no
	// program can allocate.
	TotalBytes    int64 `json:"totalBytes"`
	ReservedBytes int64 `json:"reservedBytes"`
	// UsedBytes is what programs hold, without the driver's reservation
	// where the source can tell them apart.
	UsedBytes int64 `json:"usedBytes"`
	FreeBytes int64 `json:"freeBytes"`
	// Processes are the compute processes on the card (NVML only).
	Processes []Process `json:"processes,omitempty"`
}

// Process is one compute process holding GPU memory.
type Process struct {
	PID       uint32 `json:"pid"`
	UsedBytes int64  `json:"usedBytes"`
}

// Reading is the GPU memory of this machine as one source saw it. Several
// cards are listed and summed: Ollama splits a model's layers over all of
// them.
type Reading struct {
	Source  Source   `json:"source"`
	Devices []Device `json:"devices"`
	// Notes say why better sources were not used, for hearth doctor; a
	// missing NVIDIA driver is normal and gets no note.
	Notes []string `json:"notes,omitempty"`
}

// Total is the memory of all cards.
func (r Reading) Total() int64 { return r.sum(func(d Device) int64 { return d.TotalBytes }) }

// Used is the memory programs hold on all cards.
func (r Reading) Used() int64 { return r.sum(func(d Device) int64 { return d.UsedBytes }) }

// Free is the memory free now on all cards.
func (r Reading) Free() int64 { return r.sum(func(d Device) int64 { return d.FreeBytes }) }

// Reserved is the driver's reservation on all cards.
func (r Reading) Reserved() int64 { return r.sum(func(d Device) int64 { return d.ReservedBytes }) }

// Usable is the memory programs could ever get: total less the driver's
// reservation.
func (r Reading) Usable() int64 { return r.Total() - r.Reserved() }

// HasGPU reports whether any card was seen, even one of unknown size.
func (r Reading) HasGPU() bool { return len(r.Devices) > 0 }

func (r Reading) sum(f func(Device) int64) int64 {
	var n int64
	for _, d := range r.Devices {
		n += f(d)
	}
	return n
}

// Override is the reading for a card of the given size that the user named
// with --vram: all of it free, none reserved, as on a card that drives no
// display.
func Override(bytes int64) Reading {
	return Reading{
		Source: SourceOverride,
		Devices: []Device{{
			Name:       "planned card (" + FormatBytes(bytes) + ")",
			TotalBytes: bytes,
			FreeBytes:  bytes,
		}},
	}
}

// ParseSize reads a memory size such as 12GB, 12GiB, 11.5G or 8192MiB.
// GPU memory is sold in binary units (a "12 GB" RTX 3060 has 12,288 MiB), so
// G, GB and GiB all mean 2^30 bytes, and likewise for K, M and T; a plain
// number is bytes.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := strings.IndexFunc(t, func(r rune) bool { return !unicode.IsDigit(r) && r != '.' })
	num, unit := t, ""
	if i >= 0 {
		num, unit = t[:i], strings.TrimSpace(t[i:])
	}
	if num == "" {
		return 0, fmt.Errorf("size %q: want a number and a unit, such as 12GB or 11.5GiB", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: want a number and a unit, such as 12GB or 11.5GiB", s)
	}
	var mult float64
	switch strings.ToLower(unit) {
	case "", "b":
		mult = 1
	case "k", "kb", "kib":
		mult = 1 << 10
	case "m", "mb", "mib":
		mult = 1 << 20
	case "g", "gb", "gib":
		mult = 1 << 30
	case "t", "tb", "tib":
		mult = 1 << 40
	default:
		return 0, fmt.Errorf("size %q: unknown unit %q (use MB, GB or TB)", s, unit)
	}
	b := v * mult
	if b < 1<<20 {
		return 0, fmt.Errorf("size %q is under 1 MiB: did you forget the unit, as in 12GB?", s)
	}
	if b > 1<<50 {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return int64(math.Round(b)), nil
}

// FormatBytes writes a size the way people read GPU memory: 11.5 GiB,
// 640 MiB.
func FormatBytes(b int64) string {
	neg := b < 0
	if neg {
		b = -b
	}
	var s string
	switch {
	case b >= 1<<30:
		s = trimZero(strconv.FormatFloat(float64(b)/(1<<30), 'f', 2, 64)) + " GiB"
	case b >= 1<<20:
		s = strconv.FormatInt((b+1<<19)>>20, 10) + " MiB"
	default:
		s = strconv.FormatInt(b, 10) + " B"
	}
	if neg {
		return "-" + s
	}
	return s
}

func trimZero(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s
}
