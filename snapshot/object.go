package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Objects hold file contents, named by the SHA-256 of the content. On disk an
// object is one tag byte, then the content: raw ('r') or zstd-compressed ('z').
// Compression at zstd's fastest level costs less than writing the bytes it
// saves, so it is used whenever it shrinks an object.
const (
	objRaw  = 'r'
	objZstd = 'z'
	// Smaller contents are stored raw: they fill a disk block either way.
	minCompress = 512
)

type hash [32]byte

func (h hash) String() string { return hex.EncodeToString(h[:]) }

func (s *Store) objectPath(h hash) string {
	x := h.String()
	return filepath.Join(s.dir, "objects", x[:2], x[2:])
}

// putObject stores data under its hash h unless it is already there.
func (s *Store) putObject(h hash, data []byte) error {
	p := s.objectPath(h)
	if _, err := os.Lstat(p); err == nil {
		return nil
	}
	if _, ok := s.lookupPacked(h, false); ok {
		return nil
	}
	return s.writeStateFile(p, s.encodeObject(data))
}

func (s *Store) encodeObject(data []byte) []byte {
	if s.compress && len(data) >= minCompress {
		buf := make([]byte, 1, len(data)/2+64)
		buf[0] = objZstd
		buf = s.enc.EncodeAll(data, buf)
		if len(buf) < len(data)-len(data)/16 {
			return buf
		}
	}
	buf := make([]byte, len(data)+1)
	buf[0] = objRaw
	copy(buf[1:], data)
	return buf
}

// errCorrupt marks an object whose content does not match its name.
var errCorrupt = errors.New("corrupt object")

// readObject returns the content of object h, loose or packed, verified
// against its hash. what names the file the object stands for, for errors.
func (s *Store) readObject(h hash, what string) ([]byte, error) {
	raw, err := os.ReadFile(s.objectPath(h))
	var data []byte
	switch {
	case err == nil:
		data, err = s.decodeObject(raw)
	case errors.Is(err, os.ErrNotExist):
		data, err = s.readPacked(h)
	}
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("snapshot: object %s of %s is missing: %w", h, what, errCorrupt)
	case errors.Is(err, errCorrupt):
		return nil, fmt.Errorf("snapshot: object %s of %s is damaged: %w", h, what, errCorrupt)
	case err != nil:
		return nil, fmt.Errorf("snapshot: object %s of %s: %w", h, what, err)
	}
	if sha256.Sum256(data) != h {
		return nil, fmt.Errorf("snapshot: object %s of %s does not match its hash: %w", h, what, errCorrupt)
	}
	return data, nil
}

// decodeObject undoes encodeObject; damage shows as errCorrupt.
func (s *Store) decodeObject(raw []byte) ([]byte, error) {
	switch {
	case len(raw) > 0 && raw[0] == objRaw:
		return raw[1:], nil
	case len(raw) > 0 && raw[0] == objZstd:
		data, err := s.dec.DecodeAll(raw[1:], nil)
		if err != nil {
			return nil, errCorrupt
		}
		return data, nil
	}
	return nil, errCorrupt
}
