package vram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// Runner runs a command and returns its standard output, so tests can play
// back recorded nvidia-smi outputs. It returns ErrCommandNotFound when the
// program is not installed.
type Runner interface {
	Run(ctx context.Context, name string, args ...string) ([]byte, error)
}

// ErrCommandNotFound is what a Runner returns for a program that is not on
// the PATH.
var ErrCommandNotFound = errors.New("command not found")

// ExecRunner runs programs from the PATH.
type ExecRunner struct{}

// Run runs name with args and returns its standard output; a failure
// carries the first line of standard error.
func (ExecRunner) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, ErrCommandNotFound)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		if msg == "" {
			msg, _, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
		}
		if msg != "" {
			return nil, fmt.Errorf("%s: %w: %s", name, err, msg)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// nvidiaSMIArgs ask for one CSV line per card, memory in MiB.
var nvidiaSMIArgs = []string{"--query-gpu=name,memory.total,memory.used,memory.free", "--format=csv,noheader,nounits"}

func readNvidiaSMI(ctx context.Context, r Runner) ([]Device, error) {
	out, err := r.Run(ctx, "nvidia-smi", nvidiaSMIArgs...)
	if err != nil {
		return nil, err
	}
	return parseNvidiaSMI(out)
}

// parseNvidiaSMI reads nvidia-smi's CSV: one line per card of name, total,
// used and free MiB. Any line it cannot read fails the whole reading, since
// a sum over some of the cards would mislead.
func parseNvidiaSMI(out []byte) ([]Device, error) {
	var devs []Device
	for n, line := range strings.Split(strings.ReplaceAll(string(out), "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Split(line, ",")
		if len(f) != 4 {
			return nil, fmt.Errorf("nvidia-smi line %d: want name, total, used, free; got %q", n+1, line)
		}
		// A name may itself hold no comma; the numbers are the last three
		// fields.
		name := strings.TrimSpace(f[0])
		var mib [3]int64
		for j, s := range f[1:] {
			s = strings.TrimSpace(s)
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil || v < 0 {
				return nil, fmt.Errorf("nvidia-smi line %d: %q is not a size in MiB", n+1, s)
			}
			mib[j] = v
		}
		if name == "" || mib[0] == 0 {
			return nil, fmt.Errorf("nvidia-smi line %d: no name or no memory: %q", n+1, line)
		}
		d := Device{
			Index:      len(devs),
			Name:       name,
			TotalBytes: mib[0] << 20,
			UsedBytes:  mib[1] << 20,
			FreeBytes:  mib[2] << 20,
		}
		// Newer drivers report the reservation apart from used memory, so
		// total exceeds used plus free by it; older ones count it as used.
		if gap := d.TotalBytes - d.UsedBytes - d.FreeBytes; gap > 0 {
			d.ReservedBytes = gap
		}
		devs = append(devs, d)
	}
	if len(devs) == 0 {
		return nil, errors.New("nvidia-smi listed no GPU")
	}
	return devs, nil
}
