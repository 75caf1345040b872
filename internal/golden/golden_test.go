package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that remembers failures instead of stopping.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true }

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.golden")

	r := &recorder{TB: t}
	Check(r, path, []byte("a\n"), false)
	if !r.failed {
		t.Error("a missing golden file passed")
	}

	Check(t, path, []byte("a\n"), true)
	if b, _ := os.ReadFile(path); string(b) != "a\n" {
		t.Fatalf("-update wrote %q", b)
	}
	Check(t, path, []byte("a\n"), false)

	r = &recorder{TB: t}
	Check(r, path, []byte("b\n"), false)
	if !r.failed {
		t.Error("different output passed")
	}
}
