package llm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hearth-dev/hearth/llm"
	"github.com/hearth-dev/hearth/llm/fakeollama"
	"github.com/ollama/ollama/api"
)

// BenchmarkChatStream measures the client's cost per streamed chunk
// (watchdog kick, stream watch, assembly) over loopback HTTP to the fake;
// the goal is to stay far below a real model's 20–100 ms per token.
func BenchmarkChatStream(b *testing.B) {
	const chunks = 500
	words := strings.Split(strings.Repeat("tok ", chunks), " ")[:chunks]
	replies := make([]fakeollama.Reply, b.N)
	for i := range replies {
		replies[i] = fakeollama.Text(words...)
	}
	f := fakeollama.Start(fakeollama.Config{Script: fakeollama.Script{Replies: replies}})
	defer f.Close()
	c, err := llm.New(llm.Config{BaseURL: f.URL(), NumCtx: 8192})
	if err != nil {
		b.Fatal(err)
	}
	req := userChat("go")
	b.ResetTimer()
	for range b.N {
		res, err := c.ChatWith(context.Background(), req, llm.ChatOptions{}, func(api.ChatResponse) error { return nil })
		if err != nil || res.Chunks != chunks+1 {
			b.Fatalf("%v, %d chunks", err, res.Chunks)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*(chunks+1)), "ns/chunk")
}

// BenchmarkClassify measures one pass over the failure table for an error
// that matches late (a 5xx).
func BenchmarkClassify(b *testing.B) {
	err := api.StatusError{StatusCode: 503, ErrorMessage: "server busy"}
	for range b.N {
		if e := llm.Classify(err); e.Kind != llm.KindServer {
			b.Fatal(e.Kind)
		}
	}
}
