// Package journal keeps each session's events as an append-only JSON Lines
// file in the state directory, so a chat survives a restart; it never
// rewrites a line once written.
package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"time"
)

// Journal stores sessions under dir/sessions.
type Journal struct {
	dir string

	mu    sync.Mutex          // guards files
	files map[string]*os.File // open append handles by session id
}

// Open prepares the journal directory.
func Open(stateDir string) (*Journal, error) {
	dir := filepath.Join(stateDir, "sessions")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	return &Journal{dir: dir, files: map[string]*os.File{}}, nil
}

var validID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

func (j *Journal) path(id string) (string, error) {
	if !validID.MatchString(id) {
		return "", fmt.Errorf("invalid session id %q", id)
	}
	return filepath.Join(j.dir, id+".jsonl"), nil
}

// Append writes v as one line of session id's journal. Each line is written
// with a single write on an O_APPEND file, so a crash loses at most the
// line being written, and Read skips a torn last line.
func (j *Journal) Append(id string, v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	f, ok := j.files[id]
	if !ok {
		p, err := j.path(id)
		if err != nil {
			return err
		}
		f, err = os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("journal: %w", err)
		}
		j.files[id] = f
	}
	_, err = f.Write(append(line, '\n'))
	return err
}

// Read returns the lines of session id's journal. A missing session is
// fs.ErrNotExist; a torn or corrupt line is skipped, not fatal.
func (j *Journal) Read(id string) ([]json.RawMessage, error) {
	p, err := j.path(id)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var out []json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || !json.Valid(line) {
			continue
		}
		out = append(out, json.RawMessage(append([]byte(nil), line...)))
	}
	return out, sc.Err()
}

// Session is one stored session.
type Session struct {
	ID        string
	UpdatedAt time.Time
}

// Sessions lists stored sessions, most recently updated first.
func (j *Journal) Sessions() ([]Session, error) {
	entries, err := os.ReadDir(j.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Session
	for _, e := range entries {
		name := e.Name()
		if filepath.Ext(name) != ".jsonl" {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, Session{ID: name[:len(name)-len(".jsonl")], UpdatedAt: info.ModTime()})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].UpdatedAt.After(out[b].UpdatedAt) })
	return out, nil
}

// Close closes every open file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	var first error
	for id, f := range j.files {
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
		delete(j.files, id)
	}
	return first
}
