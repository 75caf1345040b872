// Package golden compares test output with a golden file, or rewrites the
// file when the test runs with -update; it is for tests only and never
// touches anything outside the file it is given.
package golden

import (
	"bytes"
	"os"
	"testing"
)

// Check compares got with the file at path. With update it writes got to
// path instead, so a wanted change is one `go test -update` and a diff to
// review.
func Check(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run the test with -update if the change is wanted, and review the diff):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
