package protocol

// Health levels of Status.
const (
	HealthOK      = "ok"
	HealthWarning = "warning"
	HealthError   = "error"
)

// GPU sources, from best to none.
const (
	GPUSourceNVML      = "nvml"
	GPUSourceNvidiaSMI = "nvidia-smi"
	GPUSourceOllama    = "ollama"
	GPUSourceNone      = "none"
)

// Status is the params of the hearth/status notification and the result of
// the hearth/status request. Every field is always present.
type Status struct {
	Health string `json:"health"`
	// Message says what is wrong and what to do, or what is going on.
	Message string `json:"message"`
	Busy    bool   `json:"busy"`
	Mode    Mode   `json:"mode"`
	GPU     GPU    `json:"gpu"`
	// Models are the models Ollama has loaded.
	Models   []LoadedModel `json:"models"`
	Context  Context       `json:"context"`
	Headroom Headroom      `json:"headroom"`
	// Loading is true while the model is being loaded and no token has come
	// yet. (Additive.)
	Loading bool `json:"loading"`
	// Model is the model the session uses. (Additive.)
	Model string `json:"model"`
	// OllamaURL is where Hearth looks for Ollama. (Additive.)
	OllamaURL string `json:"ollamaUrl"`
}

// GPU is the GPU memory as seen by Source.
type GPU struct {
	Source  string      `json:"source"`
	Devices []GPUDevice `json:"devices"`
}

// GPUDevice is one card.
type GPUDevice struct {
	Name       string `json:"name"`
	TotalBytes int64  `json:"totalBytes"`
	UsedBytes  int64  `json:"usedBytes"`
}

// LoadedModel is one model Ollama holds in memory.
type LoadedModel struct {
	Name string `json:"name"`
	// SizeBytes is the model's whole footprint; VRAMBytes the part on the GPU.
	SizeBytes int64 `json:"sizeBytes"`
	VRAMBytes int64 `json:"vramBytes"`
	// ContextLength is the context window Ollama allocated.
	ContextLength int `json:"contextLength"`
	// ExpiresAt is an RFC 3339 time when keep-alive unloads it.
	ExpiresAt string `json:"expiresAt"`
}

// Context is how full the session's window is.
type Context struct {
	UsedTokens  int `json:"usedTokens"`
	LimitTokens int `json:"limitTokens"`
	// RequestedTokens is the num_ctx Hearth asks for; LimitTokens is what
	// Ollama allocated when known. (Additive.)
	RequestedTokens int `json:"requestedTokens"`
}

// Headroom is the free GPU memory and the context it would still hold.
type Headroom struct {
	Bytes            int64 `json:"bytes"`
	MaxContextTokens int   `json:"maxContextTokens"`
}
