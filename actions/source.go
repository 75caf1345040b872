package actions

import "os"

// FileSource reads a file's current content by absolute path. The server
// passes one that prefers unsaved editor buffers; a missing file must give an
// error matching fs.ErrNotExist.
type FileSource interface {
	ReadFile(path string) ([]byte, error)
}

// OSFiles reads files from disk.
type OSFiles struct{}

// ReadFile reads path from disk.
func (OSFiles) ReadFile(path string) ([]byte, error) { return os.ReadFile(path) }
