package main

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// TestProxyStreamsAndRecords sends a streamed answer through the proxy:
// the first chunk must reach the client while the backend still holds the
// rest (FlushInterval -1), and each request is recorded with its path and
// status once done.
func TestProxyStreamsAndRecords(t *testing.T) {
	release := make(chan struct{})
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/missing" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, `{"chunk":1}`)
		w.(http.Flusher).Flush()
		<-release
		fmt.Fprintln(w, `{"chunk":2}`)
	}))
	defer backend.Close()
	target, _ := url.Parse(backend.URL)
	p := newTimingProxy(target, time.Now)
	front := httptest.NewServer(p)
	defer front.Close()

	resp, err := http.Post(front.URL+"/api/chat", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(resp.Body)
	line, err := rd.ReadString('\n')
	if err != nil || line != "{\"chunk\":1}\n" {
		t.Fatalf("first chunk = %q, %v; want it before the backend finishes", line, err)
	}
	if got := p.Take(); len(got) != 0 {
		t.Errorf("a request still streaming was recorded: %+v", got)
	}
	close(release)
	line, _ = rd.ReadString('\n')
	resp.Body.Close()
	if line != "{\"chunk\":2}\n" {
		t.Errorf("second chunk = %q", line)
	}
	r2, err := http.Get(front.URL + "/api/missing")
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()

	var reqs []Request
	for range 100 { // the handler records just after the client sees the end
		if reqs = append(reqs, p.Take()...); len(reqs) == 2 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(reqs) != 2 {
		t.Fatalf("recorded %d requests, want 2: %+v", len(reqs), reqs)
	}
	byPath := map[string]Request{}
	for _, r := range reqs {
		byPath[r.Path] = r
		if r.End.Before(r.Start) {
			t.Errorf("%s ends before it starts", r.Path)
		}
	}
	if byPath["/api/chat"].Status != 200 || byPath["/api/missing"].Status != 404 {
		t.Errorf("statuses = %d, %d; want 200, 404", byPath["/api/chat"].Status, byPath["/api/missing"].Status)
	}
	if got := p.Take(); len(got) != 0 {
		t.Errorf("Take did not forget: %+v", got)
	}
}

// TestAccountCountsOverlapOnce: a /api/show inside a chat adds to its
// path's sum but not to the busy time, so overhead is not understated.
func TestAccountCountsOverlapOnce(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	reqs := []Request{
		{Path: "/api/chat", Start: at(100), End: at(1100)},
		{Path: "/api/show", Start: at(0), End: at(50)},
		{Path: "/api/show", Start: at(500), End: at(600)},   // inside the chat
		{Path: "/api/chat", Start: at(1000), End: at(1500)}, // overlaps the first chat's end
		{Path: "/api/tags", Start: at(2000), End: at(2000)}, // instant
	}
	a := account(reqs)
	if got := a.Busy; got != 1450*time.Millisecond {
		t.Errorf("busy = %v, want 1.45s (50 + 1000 + 400)", got)
	}
	if c := a.Paths["/api/chat"]; c.Count != 2 || c.SumMs != 1500 {
		t.Errorf("/api/chat = %+v, want 2 requests, 1500 ms", c)
	}
	if s := a.Paths["/api/show"]; s.Count != 2 || s.SumMs != 150 {
		t.Errorf("/api/show = %+v, want 2 requests, 150 ms", s)
	}

	rec := &RunRecord{}
	fillRun(rec, 2*time.Second, reqs)
	if rec.Turns != 2 || rec.OverheadMs != 550 || rec.OverheadPerTurn != 275 {
		t.Errorf("run = %d turns, overhead %v ms (%v per turn); want 2, 550, 275", rec.Turns, rec.OverheadMs, rec.OverheadPerTurn)
	}
	if want := 100 * 550.0 / 1500; rec.OverheadPct != want {
		t.Errorf("overhead %% = %v, want %v", rec.OverheadPct, want)
	}
}

func TestLastOffload(t *testing.T) {
	log := "level=INFO msg=\"offloaded 12/29 layers to GPU\"\n...\nlevel=INFO msg=\"offloaded 29/29 layers to GPU\"\n"
	if got := lastOffload(log); got != "29/29" {
		t.Errorf("lastOffload = %q, want the last, 29/29", got)
	}
	if got := lastOffload("no such line"); got != "" {
		t.Errorf("lastOffload without the line = %q", got)
	}
}

// Flash attention is on in the log whether the user set it (Ollama's load
// request, llama.cpp's "enabled") or llama.cpp's "auto" resolved to it;
// "auto" alone is not on.
func TestFlashOn(t *testing.T) {
	for log, want := range map[string]bool{
		`msg=load request="{Operation:commit FlashAttention:Enabled KvSize:4096 KvCacheType:q8_0}"`:     true,
		"llama_context: flash_attn    = enabled":                                                        true,
		"llama_context: flash_attn    = auto\nllama_context: Flash Attention was auto, set to enabled":  true,
		`level=INFO msg="enabling flash attention"`:                                                     true,
		"llama_context: flash_attn    = auto\nllama_context: Flash Attention was auto, set to disabled": false,
		`msg=load request="{Operation:commit FlashAttention:Auto KvSize:4096}"`:                         false,
	} {
		if got := flashOn(log); got != want {
			t.Errorf("flashOn(%q) = %v, want %v", log, got, want)
		}
	}
}
