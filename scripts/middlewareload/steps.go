package main

import (
	"context"
	"io"
	"net/http"
	"sync"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// step is a server doing only the first steps of the middleware's path,
// then answering "success" as the Dispatcher does: their req/s against the
// empty handler's show what each step costs over loopback (the floor
// analysis of docs/performance.md).
type step struct {
	name string
	h    func(v *middleware.Verifier) http.Handler
}

// steps are cumulative: each does what the one before did, and one more
// step.
var steps = []step{
	{"read", func(*middleware.Verifier) http.Handler { return stepHandler(false, false, nil) }},
	{"decode", func(*middleware.Verifier) http.Handler { return stepHandler(true, false, nil) }},
	{"verify", func(*middleware.Verifier) http.Handler { return stepHandler(true, true, nil) }},
	{"claim", func(v *middleware.Verifier) http.Handler { return stepHandler(true, true, v) }},
}

// bodies is the pool of body buffers of the step servers, as the
// middleware has one.
var bodies = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// stepHandler reads the body into a pooled buffer and, as asked, decodes
// it, verifies the signature (and nothing else) and, with v, runs the
// Verifier's checks and claims and completes the notification in its
// replay store.
func stepHandler(decode, verify bool, v *middleware.Verifier) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bp := bodies.Get().(*[]byte)
		b := (*bp)[:0]
		for {
			if len(b) == cap(b) {
				b = append(b, 0)[:len(b)]
			}
			n, err := r.Body.Read(b[len(b):cap(b)])
			b = b[:len(b)+n]
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		defer func() { *bp = b[:0]; bodies.Put(bp) }()
		if decode {
			n, err := payfeedback.ParseNotification(b)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if verify && v == nil {
				if err := n.Verify(key); err != nil {
					http.Error(w, err.Error(), http.StatusUnauthorized)
					return
				}
			}
			if v != nil {
				if !claim(r.Context(), v, b, w) {
					return
				}
			}
		}
		w.Header()["Content-Type"] = []string{"text/plain; charset=utf-8"}
		_, _ = io.WriteString(w, "success")
	})
}

// claim verifies b with v (every check) and claims and completes it.
func claim(ctx context.Context, v *middleware.Verifier, b []byte, w http.ResponseWriter) bool {
	n, err := v.Verify(ctx, b)
	if err == nil {
		var c middleware.Claim
		if c, err = v.Claim(ctx, n); err == nil {
			err = c.Complete(ctx)
		}
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return false
	}
	return true
}
