package llm

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/ollama/ollama/api"
)

// Kind names one class of model-server failure; each has exactly one entry in
// the failures table.
type Kind string

// The kinds of failure, in the order the table tries them.
const (
	KindFirstTokenTimeout Kind = "first_token_timeout"
	KindStalled           Kind = "stalled"
	KindCancelled         Kind = "cancelled"
	KindUnreachable       Kind = "unreachable"
	KindModelNotFound     Kind = "model_not_found"
	KindOutOfMemory       Kind = "out_of_memory"
	KindContextExceeded   Kind = "context_exceeded"
	KindToolsUnsupported  Kind = "tools_unsupported"
	KindGarbage           Kind = "garbage"
	KindStreamCut         Kind = "stream_cut"
	KindServer            Kind = "server_error"
	KindBadRequest        Kind = "bad_request"
	KindUnknown           Kind = "unknown"
)

// Error is a classified model-server failure. Message is written for the
// user and says what to do; Err keeps the underlying cause for logs.
type Error struct {
	Kind Kind
	// Retryable is true when sending the same request again may succeed
	// without the user changing anything.
	Retryable bool
	// Message is the text to show the user.
	Message string
	// OfferPull is true when pulling Model would fix the failure.
	OfferPull bool
	// Model and URL are what the failed request named, when known.
	Model string
	URL   string
	// Status is the HTTP status Ollama answered, or 0.
	Status int
	// Err is the cause.
	Err error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Message
	}
	return e.Message + " (" + e.Err.Error() + ")"
}

func (e *Error) Unwrap() error { return e.Err }

// Sentinel causes set by this package; they reach Classify wrapped in the
// request's error chain.
var (
	// ErrFirstTokenTimeout means no token came within the first-token limit.
	ErrFirstTokenTimeout = errors.New("no first token within the limit")
	// ErrStalled means the stream paused longer than the stall limit.
	ErrStalled = errors.New("stream stalled between tokens")
	// ErrStreamCut means the stream ended before its done chunk.
	ErrStreamCut = errors.New("stream ended before the final chunk")
	// ErrGarbage means a line of the stream was not JSON.
	ErrGarbage = errors.New("malformed line in the response stream")
	// ErrNoNumCtx means a chat request was about to go out without
	// options.num_ctx, which would let Ollama pick a context size silently.
	ErrNoNumCtx = errors.New("chat request without options.num_ctx")
	// ErrInvalidRequest means the caller handed the client a request it
	// cannot send at all, such as nil.
	ErrInvalidRequest = errors.New("invalid chat request")
	// ErrNumCtxChanged means a request asked for another num_ctx than the
	// one fixed for the session, which would make Ollama reload the model.
	ErrNumCtxChanged = errors.New("chat request changes num_ctx within the session")
)

// streamError is an {"error": "..."} line that arrived inside a 200 stream.
type streamError struct{ msg string }

func (e *streamError) Error() string { return e.msg }

// failure is one row of the table: how to recognise a failure and what to
// tell the user. Message templates may use {url}, {model} and {detail}.
type failure struct {
	kind      Kind
	retryable bool
	offerPull bool
	message   string
	match     func(f facts) bool
}

// facts are what the table looks at, extracted once from an error.
type facts struct {
	err    error
	status int    // HTTP status, 0 when none
	text   string // the server's message (or the error text), lower-cased
}

// failures is the one table of model-server failures. Order matters: the
// first row that matches wins, so the causes this package sets itself come
// before the generic ones.
var failures = []failure{
	{
		kind: KindFirstTokenTimeout, retryable: true,
		message: "{model} sent no first token in time; the model may still be loading or the machine is overloaded. Try again, or raise hearth.ollama.firstTokenTimeout.",
		match:   func(f facts) bool { return errors.Is(f.err, ErrFirstTokenTimeout) },
	},
	{
		kind: KindStalled, retryable: true,
		message: "{model} stopped sending tokens mid-answer; try again, or raise hearth.ollama.stallTimeout if the machine is just slow.",
		match:   func(f facts) bool { return errors.Is(f.err, ErrStalled) },
	},
	{
		kind:    KindCancelled,
		message: "The request was cancelled.",
		match: func(f facts) bool {
			return errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded) || f.status == 499
		},
	},
	{
		kind: KindUnreachable, retryable: true,
		message: "Ollama is not running at {url}: start it with `ollama serve`.",
		match: func(f facts) bool {
			var dns *net.DNSError
			return errors.Is(f.err, syscall.ECONNREFUSED) || errors.As(f.err, &dns) ||
				(f.status == 0 && strings.Contains(f.text, "connection refused"))
		},
	},
	{
		kind: KindModelNotFound, offerPull: true,
		message: "The model {model} is not installed: pull it with `ollama pull {model}`.",
		match: func(f facts) bool {
			return (f.status == http.StatusNotFound && strings.Contains(f.text, "not found")) ||
				strings.Contains(f.text, "try pulling it first") ||
				strings.Contains(f.text, "pull model manifest: file does not exist")
		},
	},
	{
		kind:    KindOutOfMemory,
		message: "{model} does not fit in memory: choose a smaller model, quantization or context window, or close other programs using the GPU. Ollama said: {detail}",
		match: func(f facts) bool {
			for _, s := range []string{"out of memory", "requires more system memory", "cudamalloc failed", "insufficient memory", "unable to allocate", "not enough memory"} {
				if strings.Contains(f.text, s) {
					return true
				}
			}
			return false
		},
	},
	{
		kind:    KindContextExceeded,
		message: "The conversation no longer fits in {model}'s context window; it must be shortened before the next request.",
		match: func(f facts) bool {
			return strings.Contains(f.text, "exceeds the context length") || strings.Contains(f.text, "exceeds maximum context length")
		},
	},
	{
		kind:    KindToolsUnsupported,
		message: "{model} does not support native tool calls.",
		match:   func(f facts) bool { return strings.Contains(f.text, "does not support tools") },
	},
	{
		kind: KindGarbage, retryable: true,
		message: "Ollama at {url} answered something that is not its stream format; is another program listening on that port?",
		match:   func(f facts) bool { return errors.Is(f.err, ErrGarbage) },
	},
	{
		kind: KindStreamCut, retryable: true,
		message: "The connection to Ollama at {url} broke mid-answer; Ollama may have crashed or restarted. Try again.",
		match: func(f facts) bool {
			return errors.Is(f.err, ErrStreamCut) || errors.Is(f.err, io.ErrUnexpectedEOF) ||
				errors.Is(f.err, syscall.ECONNRESET) || errors.Is(f.err, io.EOF) ||
				strings.Contains(f.text, "connection reset")
		},
	},
	{
		kind: KindServer, retryable: true,
		message: "Ollama at {url} failed: {detail}",
		match: func(f facts) bool {
			var se *streamError
			return f.status >= 500 || errors.As(f.err, &se)
		},
	},
	{
		kind:    KindBadRequest,
		message: "Hearth sent Ollama a request it refused: {detail}",
		match: func(f facts) bool {
			return (f.status >= 400 && f.status < 500) || errors.Is(f.err, ErrNoNumCtx) || errors.Is(f.err, ErrNumCtxChanged) || errors.Is(f.err, ErrInvalidRequest)
		},
	},
	{
		kind:    KindUnknown,
		message: "The request to Ollama at {url} failed: {detail}",
		match:   func(facts) bool { return true },
	},
}

// Classify turns any error from this package's client (or from the api
// package directly) into an *Error. An *Error already in the chain is
// returned as is; nil stays nil.
func Classify(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return classify(err, "", "")
}

// classify finds err's row in the table and fills the message with the
// server URL and model of the request, or generic words when unknown.
func classify(err error, url, model string) *Error {
	f := facts{err: err, text: strings.ToLower(err.Error())}
	detail := err.Error()
	var se api.StatusError
	if errors.As(err, &se) {
		f.status = se.StatusCode
		if se.ErrorMessage != "" {
			f.text = strings.ToLower(se.ErrorMessage)
			detail = se.ErrorMessage
		}
	}
	var pse *api.StatusError
	if f.status == 0 && errors.As(err, &pse) {
		f.status = pse.StatusCode
		if pse.ErrorMessage != "" {
			f.text = strings.ToLower(pse.ErrorMessage)
			detail = pse.ErrorMessage
		}
	}
	for _, row := range failures {
		if !row.match(f) {
			continue
		}
		r := strings.NewReplacer(
			"{url}", orDefault(url, "the configured address"),
			"{model}", orDefault(model, "the model"),
			"{detail}", detail,
		)
		msg := r.Replace(row.message)
		// A message starting with the model name reads better capitalised
		// only when it is our generic word.
		if model == "" && strings.HasPrefix(msg, "the model") {
			msg = "The model" + strings.TrimPrefix(msg, "the model")
		}
		return &Error{
			Kind:      row.kind,
			Retryable: row.retryable,
			OfferPull: row.offerPull,
			Message:   msg,
			Model:     model,
			URL:       url,
			Status:    f.status,
			Err:       err,
		}
	}
	panic("unreachable: the last row matches everything")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Kinds lists every kind of the table, in the order it is tried.
func Kinds() []Kind {
	out := make([]Kind, len(failures))
	for i, f := range failures {
		out[i] = f.kind
	}
	return out
}
