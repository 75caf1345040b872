package ollamatest

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"text/template"

	"github.com/hearth-dev/hearth/internal/ollamatest/qwengguf"
)

//go:embed testdata/qwen2.5-tools.gotmpl testdata/qwen2.5-jsontools.gotmpl testdata/Modelfile.tmpl
var testdata embed.FS

// Names of the models every Server has.
const (
	// Model renders tool calls the way Qwen2.5 does (<tool_call> tags).
	Model = "tiny-qwen"
	// ToolModel renders tool calls as bare JSON, so a request whose format
	// schema forces {"name", "arguments"} yields a parsed tool call even from
	// random weights.
	ToolModel = "tiny-qwen-jsontools"
)

// DefaultNumCtx is the num_ctx the test models are created with.
const DefaultNumCtx = 8192

// modelGeneration changes whenever qwengguf's output changes for the same
// options, so cached model files are regenerated.
const modelGeneration = "qwengguf-1"

// tinyOptions is the test model: tiny enough to load in about a second on a
// CPU, with the real 152064-row vocabulary.
var tinyOptions = qwengguf.Options{Shape: qwengguf.Presets["tiny"], Weights: qwengguf.WeightsF16, Seed: 1, Name: "hearth-tiny-qwen2.5"}

// ModelFile returns the path of the tiny test model, generating it into the
// cache the first time. The file name carries a hash of everything that
// decides its content, so a stale file is never reused.
func ModelFile() (string, error) {
	tokDir, err := TokenizerDir()
	if err != nil {
		return "", err
	}
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%+v\n", modelGeneration, tinyOptions)
	for _, name := range []string{"tokenizer.json", "tokenizer_config.json"} {
		fmt.Fprintf(h, "%s %s\n", name, tokenizerFiles[name])
	}
	path := filepath.Join(cache, "models", fmt.Sprintf("tiny-qwen2.5-%x.gguf", h.Sum(nil)[:8]))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tok, err := qwengguf.LoadTokenizer(tokDir)
	if err != nil {
		return "", err
	}
	if _, err := qwengguf.WriteFile(path, tok, tinyOptions); err != nil {
		return "", err
	}
	return path, nil
}

// Modelfile renders the Modelfile of one of the test models.
func Modelfile(model, ggufPath string, numCtx int) (string, error) {
	tmplName := map[string]string{Model: "qwen2.5-tools.gotmpl", ToolModel: "qwen2.5-jsontools.gotmpl"}[model]
	if tmplName == "" {
		return "", fmt.Errorf("no Modelfile for model %q", model)
	}
	chat, err := testdata.ReadFile("testdata/" + tmplName)
	if err != nil {
		return "", err
	}
	mf, err := testdata.ReadFile("testdata/Modelfile.tmpl")
	if err != nil {
		return "", err
	}
	t, err := template.New("Modelfile").Parse(string(mf))
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	err = t.Execute(&b, struct {
		From, Template string
		NumCtx         int
	}{ggufPath, string(chat), numCtx})
	return b.String(), err
}
