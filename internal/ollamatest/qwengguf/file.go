package qwengguf

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile writes the model to path all at once: it streams into a
// temporary file beside path, syncs it and renames it into place, so a
// crash or a full disk never leaves a half-written model that a later run
// would take for a good one. (internal/atomicfile needs the whole content in
// memory, which an 8 GB model is not.)
func WriteFile(path string, tok *Tokenizer, o Options) (Stats, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return Stats{}, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return Stats{}, err
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 4<<20)
	st, err := Write(bw, tok, o)
	if err != nil {
		return Stats{}, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return Stats{}, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return Stats{}, err
	}
	if err := f.Chmod(0o644); err != nil {
		return Stats{}, err
	}
	if err := f.Close(); err != nil {
		return Stats{}, err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return Stats{}, err
	}
	ok = true
	return st, nil
}
