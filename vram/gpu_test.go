package vram

import (
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"12GB", 12 << 30},
		{"12GiB", 12 << 30},
		{"12gb", 12 << 30},
		{"11.5G", 11*(1<<30) + 1<<29},
		{" 8192MiB ", 8 << 30},
		{"8192 MB", 8 << 30},
		{"24G", 24 << 30},
		{"1TB", 1 << 40},
		{"12884901888", 12 << 30},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "GB", "twelve", "12XB", "12", "-12GB", "1.2.3G", "9999999TB"} {
		if got, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, got)
		}
	}
	if _, err := ParseSize("12"); err == nil || !strings.Contains(err.Error(), "12GB") {
		t.Errorf("a bare small number should suggest a unit, got %v", err)
	}
}

func TestOverrideReading(t *testing.T) {
	r := Override(12 << 30)
	if r.Source != SourceOverride || r.Total() != 12<<30 || r.Free() != 12<<30 || r.Usable() != 12<<30 {
		t.Fatalf("Override(12 GiB) = %+v", r)
	}
	if got := Budget(r, nil); got != 12<<30 {
		t.Errorf("Budget(override) = %d, want the whole card", got)
	}
	if !strings.Contains(r.Devices[0].Name, "12 GiB") {
		t.Errorf("device name %q should say the size planned for", r.Devices[0].Name)
	}
}

func TestFormatBytes(t *testing.T) {
	for in, want := range map[int64]string{
		12 << 30:           "12 GiB",
		11*(1<<30) + 1<<29: "11.5 GiB",
		640 << 20:          "640 MiB",
		-(300 << 20):       "-300 MiB",
		512:                "512 B",
	} {
		if got := FormatBytes(in); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", in, got, want)
		}
	}
}
