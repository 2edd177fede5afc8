package middleware_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/internal/benchcpu"
	"github.com/payfeedback/payfeedback/middleware"
)

// discardWriter is the cheapest ResponseWriter: one header map, reused.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header  { return w.h }
func (w *discardWriter) WriteHeader(code int) { w.status = code }
func (w *discardWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK // as net/http does
	}
	return len(b), nil
}
func (w *discardWriter) reset() { clear(w.h); w.status = 0 }

// benchRequest is a POST whose body can be rewound without allocating.
type benchRequest struct {
	r    *http.Request
	rd   *bytes.Reader
	body []byte
}

func newBenchRequest(body []byte) benchRequest {
	rd := bytes.NewReader(body)
	r := httptest.NewRequest(http.MethodPost, testPath, nil)
	r.Body = io.NopCloser(rd)
	r.ContentLength = int64(len(body))
	return benchRequest{r: r, rd: rd, body: body}
}

// distinctBodies returns n signed notifications that differ in OpenId, so
// each has its own signature.
func distinctBodies(tb testing.TB, n int) [][]byte {
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = signedSample(tb, func(x *payfeedback.Notification) { x.OpenID = "oDF3iY9P32sK_5GgYiRk" + strconv.Itoa(i) })
	}
	return bodies
}

// BenchmarkParseVerify is the root package's share of the work: decode and
// verify one notification (the baseline for the middleware's overhead).
func BenchmarkParseVerify(b *testing.B) {
	body := signedSample(b, nil)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu := benchcpu.Now()
	for b.Loop() {
		n, err := payfeedback.ParseNotification(body)
		if err != nil {
			b.Fatal(err)
		}
		if err := n.Verify(testKey); err != nil {
			b.Fatal(err)
		}
	}
	benchcpu.Report(b, cpu)
}

// BenchmarkMiddleware measures ServeHTTP end to end in-process, dedupe on,
// with a Dispatcher behind it:
//   - new: every request is a notification the store does not hold (4096
//     distinct ones cycled through a store bounded at 1024), so each claims,
//     dispatches, completes and evicts: the full path;
//   - duplicate: the same notification again: verified, then acknowledged;
//   - bad-signature: refused after verification (the refusal path).
func BenchmarkMiddleware(b *testing.B) {
	d := middleware.Dispatcher{OnRequest: func(context.Context, *payfeedback.Notification) error { return nil }}
	newHandler := func() http.Handler {
		return middleware.New(middleware.Config{
			Keys:   middleware.StaticKeys{testAppID: testKey},
			Now:    fixedNow,
			Replay: middleware.NewMemoryStore(middleware.MemoryOptions{Now: fixedNow, MaxEntries: 1024, WhenFull: middleware.ForgetWhenFull}),
			// The default logging would print the first refusal in the
			// middle of the benchmark's result line.
			Logger: slog.New(slog.DiscardHandler),
		})(d)
	}
	run := func(b *testing.B, h http.Handler, reqs []benchRequest, want int) {
		w := &discardWriter{h: make(http.Header)}
		b.SetBytes(int64(len(reqs[0].body)))
		b.ReportAllocs()
		i := 0
		cpu := benchcpu.Now()
		for b.Loop() {
			br := reqs[i%len(reqs)]
			i++
			br.rd.Reset(br.body)
			w.reset()
			h.ServeHTTP(w, br.r)
			if w.status != want {
				b.Fatalf("status %d, want %d", w.status, want)
			}
		}
		benchcpu.Report(b, cpu)
	}
	b.Run("new", func(b *testing.B) {
		bodies := distinctBodies(b, 4096)
		reqs := make([]benchRequest, len(bodies))
		for i, body := range bodies {
			reqs[i] = newBenchRequest(body)
		}
		run(b, newHandler(), reqs, 200)
	})
	b.Run("duplicate", func(b *testing.B) {
		h := newHandler()
		reqs := []benchRequest{newBenchRequest(signedSample(b, nil))}
		run(b, h, reqs, 200)
	})
	b.Run("bad-signature", func(b *testing.B) {
		reqs := []benchRequest{newBenchRequest(signed(b, sample(), "wrong"))}
		run(b, newHandler(), reqs, 401)
	})
}

// TestMiddlewareAllocs holds the allocation budget of the middleware on
// the full path (a new notification, the store full and evicting), without
// timing anything: 2 behind a Dispatcher (the request's state, which holds
// the Notification, and the bytes of its values), 3 behind any other
// handler (the request copy of WithContext), 2 for a duplicate. It was 6
// for a new notification, then 3 (the decoder's Notification apart).
func TestMiddlewareAllocs(t *testing.T) {
	d := middleware.Dispatcher{OnRequest: func(context.Context, *payfeedback.Notification) error { return nil }}
	success := []byte("success")
	plain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200); _, _ = w.Write(success) })
	bodies := distinctBodies(t, 1024)
	for _, tc := range []struct {
		name  string
		next  http.Handler
		dup   bool
		limit float64
	}{
		{"Dispatcher, new", d, false, 2},
		{"plain handler, new", plain, false, 3},
		{"Dispatcher, duplicate", d, true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := middleware.New(middleware.Config{
				Keys: middleware.StaticKeys{testAppID: testKey},
				Now:  fixedNow,
				Replay: middleware.NewMemoryStore(middleware.MemoryOptions{Now: fixedNow, MaxEntries: 256,
					WhenFull: middleware.ForgetWhenFull}),
			})(tc.next)
			reqs := make([]benchRequest, len(bodies))
			for i, body := range bodies {
				reqs[i] = newBenchRequest(body)
			}
			if tc.dup {
				reqs = reqs[:1]
			}
			w := &discardWriter{h: make(http.Header)}
			i := 0
			serveOne := func() {
				br := reqs[i%len(reqs)]
				i++
				br.rd.Reset(br.body)
				w.reset()
				h.ServeHTTP(w, br.r)
				if w.status != 200 {
					t.Fatalf("status %d", w.status)
				}
			}
			for range 2048 { // fill the store and the pools
				serveOne()
			}
			if allocs := testing.AllocsPerRun(2000, serveOne); allocs > tc.limit {
				t.Fatalf("%v allocations per notification, want at most %v", allocs, tc.limit)
			}
		})
	}
}

// BenchmarkSteps measures the middleware's own steps one by one, in
// process: the fingerprint of the unsigned fields, and a claim and its
// completion in the memory store holding 10,000 entries (the default),
// each of them new, with the clock moving on so that as many expire as
// arrive: the steady state of a store that is never full.
func BenchmarkSteps(b *testing.B) {
	b.Run("fingerprint", func(b *testing.B) {
		n := sample()
		b.ReportAllocs()
		cpu := benchcpu.Now()
		for b.Loop() {
			_ = middleware.FingerprintOf(n)
		}
		benchcpu.Report(b, cpu)
	})
	b.Run("store claim+complete", func(b *testing.B) {
		now := time.Unix(testUnix, 0)
		s := middleware.NewMemoryStore(middleware.MemoryOptions{})
		ctx := context.Background()
		keys := make([]string, 1<<16)
		for i := range keys {
			keys[i] = fmt.Sprintf("%s:%040x", testAppID, i*7919)
		}
		const window = 660 * time.Second
		step := window / middleware.DefaultMaxEntries // 10,000 entries live at a time
		fp := middleware.Fingerprint{1}
		b.ReportAllocs()
		i := 0
		cpu := benchcpu.Now()
		for b.Loop() {
			k := keys[i%len(keys)]
			i++
			now = now.Add(step)
			if res, err := s.ClaimAt(ctx, k, fp, now, time.Minute, window); err != nil || res != middleware.ClaimNew {
				b.Fatalf("ClaimAt = %v, %v", res, err)
			}
			if err := s.CompleteAt(ctx, k, fp, now, window); err != nil {
				b.Fatal(err)
			}
		}
		benchcpu.Report(b, cpu)
	})
}
