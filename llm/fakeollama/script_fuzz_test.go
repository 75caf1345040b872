package fakeollama_test

import (
	"os"
	"testing"

	"github.com/hearth-dev/hearth/llm/fakeollama"
)

// A script file a test author got wrong must give an error, never a panic
// or a half-read script.
func FuzzParseScript(f *testing.F) {
	if seed, err := os.ReadFile("testdata/script.json"); err == nil {
		f.Add(seed)
	}
	f.Add([]byte(`{"replies":[{"error":{"status":404,"message":"x"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := fakeollama.ParseScript(data)
		if err != nil && len(s.Replies) != 0 {
			t.Errorf("error %v with %d replies", err, len(s.Replies))
		}
	})
}
