package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileKeepsMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(p, []byte("old"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("new"), 0); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(got) != "new" || fi.Mode().Perm() != 0o755 {
		t.Fatalf("got %q mode %v, want \"new\" mode 0755", got, fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func TestWriteFileNewFileAndMissingDir(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "new.txt")
	if err := WriteFile(p, []byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o644 {
		t.Fatalf("new file mode %v, want 0644", fi.Mode().Perm())
	}
	if err := WriteFile(filepath.Join(dir, "no", "such", "f"), []byte("x"), 0); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
}

func TestWriteFileFailureLeavesOriginal(t *testing.T) {
	if os.Geteuid() == 0 {
		// Root ignores directory permissions, so make the failure another way:
		// a directory where the file should be cannot be replaced.
		dir := t.TempDir()
		p := filepath.Join(dir, "d")
		os.Mkdir(p, 0o755)
		if err := WriteFile(p, []byte("x"), 0); err == nil {
			t.Fatal("replacing a directory succeeded")
		}
		if fi, _ := os.Stat(p); !fi.IsDir() {
			t.Fatal("directory was replaced")
		}
		return
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	os.WriteFile(p, []byte("old"), 0o644)
	os.Chmod(dir, 0o555)
	defer os.Chmod(dir, 0o755)
	if err := WriteFile(p, []byte("new"), 0); err == nil {
		t.Fatal("write into read-only directory succeeded")
	}
	if got, _ := os.ReadFile(p); string(got) != "old" {
		t.Fatalf("original changed to %q", got)
	}
}
