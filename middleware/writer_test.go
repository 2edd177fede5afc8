package middleware_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// TestFreshHeaderValues: a wrapping middleware that edits a header value in
// place edits its own response only, never the later ones.
func TestFreshHeaderValues(t *testing.T) {
	cfg := baseConfig()
	cfg.Keys = middleware.KeyFunc(func(ctx context.Context, appID string) (string, error) {
		if appID == "wx-down" {
			return "", context.DeadlineExceeded
		}
		return testKey, nil
	})
	h := middleware.New(cfg)(middleware.Dispatcher{OnRequest: func(context.Context, *payfeedback.Notification) error { return nil }})
	text := "text/plain; charset=utf-8"
	tests := []struct {
		name string
		req  func() *http.Request
		want map[string]string
	}{
		{"refused", httpGet, map[string]string{"Allow": "POST", "Content-Type": text, "X-Content-Type-Options": "nosniff"}},
		{"accepted then duplicate", func() *http.Request { return post(signedSample(t, nil)) }, map[string]string{"Content-Type": text}},
		{"unavailable", func() *http.Request {
			return post(signedSample(t, func(n *payfeedback.Notification) { n.AppID = "wx-down" }))
		}, map[string]string{"Retry-After": "1", "Content-Type": text}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := range 2 {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, tc.req())
				for k, v := range tc.want {
					if got := w.Header()[k]; len(got) != 1 || got[0] != v {
						t.Errorf("response %d: %s: %q, want %q", i, k, got, v)
					}
				}
				for _, vs := range w.Header() { // what a wrapping middleware may do
					for j := range vs {
						vs[j] = "edited in place"
					}
				}
			}
		})
	}
}

// TestStoreGetsDetachedContext: Complete and Release run with the
// request's values but without its cancellation, so an outcome is recorded
// even when the sender hung up while the handler ran.
func TestStoreGetsDetachedContext(t *testing.T) {
	type key struct{}
	for _, status := range []int{200, 500} {
		store := &ctxStore{ReplayStore: middleware.NewMemoryStore(middleware.MemoryOptions{Now: fixedNow})}
		cfg := baseConfig()
		cfg.Replay = store
		ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
		h := middleware.New(cfg)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			cancel() // the sender hangs up
			w.WriteHeader(status)
		}))
		serve(h, post(signedSample(t, nil)).WithContext(ctx))
		if store.got == nil || store.got.Err() != nil || store.got.Done() != nil || store.got.Value(key{}) != "v" {
			t.Fatalf("status %d: the store got context %v, want the request's values without its cancellation", status, store.got)
		}
		if _, ok := store.got.Deadline(); ok {
			t.Fatalf("status %d: the detached context has a deadline", status)
		}
	}
}

// ctxStore records the context of Complete and Release.
type ctxStore struct {
	middleware.ReplayStore
	got context.Context
}

func (s *ctxStore) Complete(ctx context.Context, key string, fp middleware.Fingerprint, keep time.Duration) error {
	s.got = ctx
	return s.ReplayStore.Complete(ctx, key, fp, keep)
}

func (s *ctxStore) Release(ctx context.Context, key string, fp middleware.Fingerprint) error {
	s.got = ctx
	return s.ReplayStore.Release(ctx, key, fp)
}

// TestSuccessOverHTTP: over a real connection, "success" is answered 200
// with the Content-Type and Content-Length an empty handler writing it
// gets, whether the Dispatcher answers, a duplicate is acknowledged or a
// plain handler stands behind the middleware.
func TestSuccessOverHTTP(t *testing.T) {
	d := middleware.Dispatcher{OnRequest: func(context.Context, *payfeedback.Notification) error { return nil }}
	for name, next := range map[string]http.Handler{"Dispatcher": d, "wrapped Dispatcher": http.HandlerFunc(d.ServeHTTP)} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(middleware.New(baseConfig())(next))
			defer srv.Close()
			body := signedSample(t, nil)
			for _, what := range []string{"new", "duplicate"} {
				resp, err := srv.Client().Post(srv.URL, "text/xml", bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || string(got) != "success" || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" ||
					resp.ContentLength != int64(len("success")) {
					t.Fatalf("%s: %d %q, Content-Type %q, Content-Length %d", what, resp.StatusCode, got,
						resp.Header.Get("Content-Type"), resp.ContentLength)
				}
			}
		})
	}
}
