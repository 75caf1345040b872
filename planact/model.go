package planact

import (
	"context"
	"errors"

	"github.com/ollama/ollama/api"
)

// Model is the chat endpoint the loop talks to. llm.Client implements it;
// so does a raw *api.Client, because the loop sets num_ctx and temperature
// itself.
type Model interface {
	Chat(ctx context.Context, req *api.ChatRequest, fn api.ChatResponseFunc) error
}

// Warmer is implemented by models that can load a model ahead of its first
// request; switching to Act pre-warms the Act model through it.
type Warmer interface {
	Warm(ctx context.Context, model string) error
}

// classifiedError is how llm classifies model-server failures. Errors that
// do not implement it are treated as not retryable, with err.Error() as
// their message.
type classifiedError interface {
	Retryable() bool
	UserMessage() string
}

// contextExceededError marks a request the server refused because the
// prompt did not fit its window; the loop compacts and retries once.
type contextExceededError interface {
	ContextExceeded() bool
}

// classify returns what the user is shown for a model error and whether
// trying again may help.
func classify(err error) (message string, retryable bool) {
	var c classifiedError
	if errors.As(err, &c) {
		return c.UserMessage(), c.Retryable()
	}
	return err.Error(), false
}

func isContextExceeded(err error) bool {
	var c contextExceededError
	return errors.As(err, &c) && c.ContextExceeded()
}
