package callback

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkMiddleware is the whole receiving path in process: read,
// verify, decrypt, decode, claim, dispatch to a handler that answers 204,
// complete. Each iteration is a new callback (a new id), signed up front.
func BenchmarkMiddleware(b *testing.B) {
	wc := newWeChat(b)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := newMiddleware(b, next, func(c *Config) { c.Logger = slog.New(slog.DiscardHandler) })
	const n = 512
	bodies := make([][]byte, n)
	headers := make([]http.Header, n)
	for i := range n {
		bodies[i] = wc.body(complaintCallback(fmt.Sprintf("EV-bench-%d", i), "CREATE_COMPLAINT"))
		headers[i] = wc.sign(bodies[i])
	}
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/wechat/complaints", nil)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		// Copies beyond n repeat ids: duplicates, acknowledged.
		j := i % n
		r.Body = readCloser{bytes.NewReader(bodies[j])}
		r.Header = headers[j]
		rec.Code = 0
		h.ServeHTTP(rec, r)
		i++
	}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
