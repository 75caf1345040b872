package vram

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"12GB", "11.5G", "8192MiB", "", "1e3", "..G", "12 gib"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err == nil && (n < 1<<20 || n > 1<<50) {
			t.Fatalf("ParseSize(%q) = %d without error", s, n)
		}
	})
}

func FuzzParseNvidiaSMI(f *testing.F) {
	f.Add("NVIDIA GeForce RTX 3060, 12288, 1021, 10976\n")
	f.Add("a, 1, 2, 3\r\nb, 4, 5, 6")
	f.Add("[N/A]")
	f.Fuzz(func(t *testing.T, s string) {
		devs, err := parseNvidiaSMI([]byte(s))
		if err != nil {
			return
		}
		for _, d := range devs {
			if d.TotalBytes <= 0 || d.UsedBytes < 0 || d.FreeBytes < 0 || d.ReservedBytes < 0 || d.Name == "" {
				t.Fatalf("parsed %q into %+v", s, d)
			}
		}
	})
}

func TestExecRunner(t *testing.T) {
	_, err := ExecRunner{}.Run(context.Background(), "hearth-no-such-command-xyz")
	if !errors.Is(err, ErrCommandNotFound) {
		t.Errorf("missing command: %v", err)
	}
	_, err = ExecRunner{}.Run(context.Background(), "sh", "-c", "echo 'driver wedged' >&2; exit 9")
	if err == nil || !strings.Contains(err.Error(), "driver wedged") || errors.Is(err, ErrCommandNotFound) {
		t.Errorf("failing command: %v", err)
	}
	out, err := ExecRunner{}.Run(context.Background(), "sh", "-c", "echo 'x, 1, 2, 3'")
	if err != nil || string(out) != "x, 1, 2, 3\n" {
		t.Errorf("output %q, %v", out, err)
	}
}
