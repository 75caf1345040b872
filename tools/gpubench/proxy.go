package main

import (
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Request is one proxied request: when it started and when its response
// body was fully written back.
type Request struct {
	Path   string
	Start  time.Time
	End    time.Time
	Status int
}

// timingProxy forwards to Ollama and records every request's interval.
type timingProxy struct {
	rp  *httputil.ReverseProxy
	now func() time.Time

	mu   sync.Mutex // guards reqs
	reqs []Request
}

func newTimingProxy(target *url.URL, now func() time.Time) *timingProxy {
	rp := httputil.NewSingleHostReverseProxy(target)
	// Streams pass chunk by chunk, as if there were no proxy.
	rp.FlushInterval = -1
	return &timingProxy{rp: rp, now: now}
}

// statusWriter remembers the status; Unwrap lets the proxy's flushes reach
// the real writer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (p *timingProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := p.now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	p.rp.ServeHTTP(sw, r)
	// ServeHTTP returns once the whole body has been copied to w.
	end := p.now()
	p.mu.Lock()
	p.reqs = append(p.reqs, Request{Path: r.URL.Path, Start: start, End: end, Status: sw.status})
	p.mu.Unlock()
}

// Take returns the requests recorded so far and forgets them.
func (p *timingProxy) Take() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.reqs
	p.reqs = nil
	return r
}

// Account is what one run's requests add up to.
type Account struct {
	Paths map[string]PathTime
	// Busy is the union of the intervals: overlapping requests (a /api/show
	// during a chat) count once, so wall − Busy is time with no request
	// open, which is Hearth's own.
	Busy time.Duration
}

func account(reqs []Request) Account {
	a := Account{Paths: map[string]PathTime{}}
	for _, r := range reqs {
		pt := a.Paths[r.Path]
		pt.Count++
		pt.SumMs += ms(r.End.Sub(r.Start))
		a.Paths[r.Path] = pt
	}
	sorted := slices.Clone(reqs)
	slices.SortFunc(sorted, func(x, y Request) int { return x.Start.Compare(y.Start) })
	var end time.Time
	for _, r := range sorted {
		switch {
		case r.Start.After(end):
			a.Busy += r.End.Sub(r.Start)
			end = r.End
		case r.End.After(end):
			a.Busy += r.End.Sub(end)
			end = r.End
		}
	}
	return a
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
