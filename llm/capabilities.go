package llm

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/ollama/ollama/api"
)

// Capabilities is what Hearth needs to know about one installed model,
// read from /api/show.
type Capabilities struct {
	Model string
	// Tools is true when Ollama lists the "tools" capability, i.e. the
	// model's template accepts native tool definitions.
	Tools bool
	// Completion is true for models that can chat (not embedding-only).
	Completion bool
	// All lists every capability Ollama reported.
	All []string
	// Architecture is model_info's general.architecture, such as "qwen2".
	Architecture string
	// ContextLength is the context the model was trained for
	// (model_info "<arch>.context_length"), 0 when unknown.
	ContextLength int
	// ModelfileNumCtx is the num_ctx PARAMETER of the Modelfile, 0 when
	// unset. Ollama uses it when a request sets none.
	ModelfileNumCtx int
	// Family, ParameterSize and Quantization come from details.
	Family        string
	ParameterSize string
	Quantization  string
	// Show is the /api/show answer all this was read from (nil when there
	// was none), kept so that its tensors and model_info serve the VRAM
	// estimate without asking Ollama again: each /api/show costs Ollama
	// 100-150 ms of re-reading the model file.
	Show *api.ShowResponse
	// The attention shape, for KV-cache estimates; 0 when absent.
	BlockCount      int
	HeadCount       int
	HeadCountKV     int
	EmbeddingLength int
	KeyLength       int
	ValueLength     int
}

// KVBytesPerToken is the f16 KV-cache size of one token of context:
// 2 (K and V) × layers × KV heads × head size × 2 bytes. It is 0 when the
// shape is unknown. Head size is key_length when given, else
// embedding_length / head_count.
func (c Capabilities) KVBytesPerToken() int64 {
	headDim := c.KeyLength
	if headDim == 0 && c.HeadCount > 0 {
		headDim = c.EmbeddingLength / c.HeadCount
	}
	kv := c.HeadCountKV
	if kv == 0 {
		kv = c.HeadCount
	}
	return 2 * int64(c.BlockCount) * int64(kv) * int64(headDim) * 2
}

// ParseCapabilities reads a /api/show answer.
func ParseCapabilities(model string, show *api.ShowResponse) Capabilities {
	c := Capabilities{Model: model, Show: show}
	if show == nil {
		return c
	}
	for _, capability := range show.Capabilities {
		c.All = append(c.All, string(capability))
	}
	c.Tools = slices.Contains(c.All, "tools")
	c.Completion = slices.Contains(c.All, "completion")
	c.Family = show.Details.Family
	c.ParameterSize = show.Details.ParameterSize
	c.Quantization = show.Details.QuantizationLevel
	if arch, ok := show.ModelInfo["general.architecture"].(string); ok {
		c.Architecture = arch
		num := func(key string) int { return infoInt(show.ModelInfo[arch+"."+key]) }
		c.ContextLength = num("context_length")
		c.BlockCount = num("block_count")
		c.HeadCount = num("attention.head_count")
		c.HeadCountKV = num("attention.head_count_kv")
		c.EmbeddingLength = num("embedding_length")
		c.KeyLength = num("attention.key_length")
		c.ValueLength = num("attention.value_length")
	}
	if v, ok := ParseParameters(show.Parameters)["num_ctx"]; ok && len(v) > 0 {
		if n, err := strconv.Atoi(v[len(v)-1]); err == nil && n > 0 {
			c.ModelfileNumCtx = n
		}
	}
	return c
}

// infoInt reads a model_info number, which JSON decoding makes a float64.
func infoInt(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	case int64:
		return int(n)
	}
	return 0
}

// ParseParameters reads the "parameters" text of /api/show: one
// "name   value" per line, a name repeated for lists such as stop. Quoted
// values lose their quotes.
func ParseParameters(text string) map[string][]string {
	out := map[string][]string{}
	for line := range strings.Lines(text) {
		name, value, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || name == "" {
			continue
		}
		value = strings.TrimSpace(value)
		if uq, err := strconv.Unquote(value); err == nil {
			value = uq
		}
		out[name] = append(out[name], value)
	}
	return out
}

// Capabilities asks Ollama about model.
func (c *Client) Capabilities(ctx context.Context, model string) (Capabilities, error) {
	show, err := c.Show(ctx, &api.ShowRequest{Model: model})
	if err != nil {
		return Capabilities{Model: model}, err
	}
	return ParseCapabilities(model, show), nil
}
